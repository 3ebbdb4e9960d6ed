// Worker-thread loop (run by dist/scanWorker.js, see cli/workerBin.ts): started before the scan has read its files, it
// loads the parser, then receives the files and takes them one at a time from the queue it shares
// with the main thread and the other workers (see parallel.ts). It posts the models back a batch at
// a time, encoded by modelCodec (typed arrays, transferred; structured clone if a model holds what
// the codec refuses), and forgets them, so its heap never holds its whole share. A file whose model cannot be built is reported by path so the main
// thread builds it itself and reports the error. The last message has `done` set.
import { type MessagePort, workerData } from 'node:worker_threads';
import { Analyzer, type SourceFile } from './analyzer';
import { encode, type Encoded, releaseEncodeBuffers } from './modelCodec';
import type { FileModel } from './python/model';
import { mark } from './timeline';

/** `queue[slot]` (see WorkerFiles): the next file of a list to take; `queue[busy]`: 1 while this worker holds files it took and has not posted. */
export interface WorkerRequest { grammarDir?: string; queue: Int32Array; busy: number; port: MessagePort }
/**
 * A list of files to build, in the queue's order, its next index at `queue[slot]` (default 0). The
 * main thread sends one or two: the files it knows it needs as soon as they are read, then the
 * others reach.ts finds; `more` says a list follows. A list comes in parts of about
 * WORKER_PART_CHARS of text each (`part`: the list goes on in the next message; see parallel.ts).
 */
export interface WorkerFiles { files: SourceFile[]; slot?: number; more?: boolean; part?: boolean }
/** `encoded`: the batch's `[path, model][]`, encoded (see modelCodec); `models`: the same as plain data. */
export interface WorkerReply { encoded?: Encoded; models?: [string, FileModel][]; failed: string[]; done?: boolean }

/** Source text per batch: large enough that a message's fixed cost does not matter, small enough that the last one arrives soon. */
export const WORKER_BATCH_CHARS = 64 * 1024;

async function run(beforeDone?: () => void): Promise<void> {
  const { grammarDir, queue, busy, port } = workerData as WorkerRequest;
  mark('worker start');
  const analyzerReady = Analyzer.create(grammarDir);
  // One listener for the whole run (a port with no listener drops what arrives).
  const lists: WorkerFiles[] = [];
  let arrived: (() => void) | undefined;
  port.on('message', (m: WorkerFiles) => { lists.push(m); arrived?.(); });
  const nextMessage = async (): Promise<WorkerFiles> => {
    while (!lists.length) await new Promise<void>((resolve) => { arrived = resolve; });
    arrived = undefined;
    return lists.shift()!;
  };
  const nextList = async (): Promise<WorkerFiles> => {
    let m = await nextMessage();
    if (!m.part) return m;
    const files = m.files.slice();
    do {
      m = await nextMessage();
      for (const f of m.files) files.push(f);
    } while (m.part);
    return { ...m, files };
  };
  let list = await nextList();
  const analyzer = await analyzerReady;
  mark('worker ready');
  analyzer.compactModels = false;
  Atomics.store(queue, busy, 1);
  let models: [string, FileModel][] = [];
  let failed: string[] = [];
  const post = (done: boolean) => {
    let encoded: Encoded | undefined;
    try { encoded = encode(models); } catch { /* structured clone below */ }
    const reply: WorkerReply = encoded ? { encoded, failed } : { models, failed };
    if (done) reply.done = true;
    port.postMessage(reply, encoded ? [encoded.ints.buffer as ArrayBuffer, encoded.nums.buffer as ArrayBuffer] : []);
    models = [];
    failed = [];
  };
  let chars = 0;
  let built = 0;
  let builtChars = 0;
  for (;;) {
    const { files, slot = 0, more } = list;
    for (let i = Atomics.add(queue, slot, 1); i < files.length; i = Atomics.add(queue, slot, 1)) {
      const f = files[i];
      try { models.push([f.path, analyzer.model(f)]); } catch { failed.push(f.path); }
      analyzer.forget(f.path);
      built++;
      builtChars += f.text.length;
      chars += f.text.length;
      if (chars >= WORKER_BATCH_CHARS) { post(false); chars = 0; }
    }
    if (!more) break;
    // What is built so far goes now: the main thread may be waiting for nothing else.
    if (models.length || failed.length) { post(false); chars = 0; }
    mark(`worker list done, built ${built} (${builtChars} chars)`);
    list = await nextList();
  }
  port.removeAllListeners('message');
  mark(`worker built ${built} (${builtChars} chars)`);
  analyzer.dispose();
  try { beforeDone?.(); } catch { /* the launcher's code cache is optional */ }
  post(true);
  releaseEncodeBuffers();
  Atomics.store(queue, busy, 0);
  port.close();
}

/**
 * Runs this worker thread's share of a scan (dist/scanWorker.js calls it; see parallel.ts).
 * `beforeDone`: called before the last message (the launcher writes its code cache then).
 */
export function runWorker(beforeDone?: () => void): void {
  run(beforeDone).catch((err) => { throw err; });
}
