// Worker-thread loop (run by dist/scanWorker.js, see cli/workerBin.ts): started before the scan has read its files, it
// loads the parser, then receives the files and takes them one at a time from the queue it shares
// with the main thread and the other workers (see parallel.ts). It parses each file and reads its
// tree into the flat arrays the model builder reads (python/model.ts flattenFile), and posts them a
// batch at a time, each file's arrays in one transferred buffer: the main thread builds the model
// from them. Parsing and the walk are most of a model's cost (500-file benchmark: ~65 %), and the
// model itself is never copied between threads (no encoding here, no decoding there, and the
// objects are born on the thread that keeps them). A file that cannot be parsed is reported by
// path so the main thread builds it itself and reports the error. The last message has `done` set.
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { SourceFile } from './analyzer';
import type { WorkerRequest } from './earlyWorkers';
import { type Grammars, initParser, parsePython, renewParser } from './parser';
import type { FlatTree } from './python/flatTree';
import { type FlatFile, flattenFile } from './python/model';
import { mark } from './timeline';

export type { WorkerRequest } from './earlyWorkers';
/**
 * A list of files to build, in the queue's order, its next index at `queue[slot]` (default 0). The
 * main thread sends one or two: the files it knows it needs as soon as they are read, then the
 * others reach.ts finds; `more` says a list follows. A list comes in parts of about
 * WORKER_PART_CHARS of text each (`part`: the list goes on in the next message; see parallel.ts),
 * every part with the list's slot, the last one with `more`.
 */
export interface WorkerFiles { files: WireFile[]; slot?: number; more?: boolean; part?: boolean; /** Batches' strings, numbered in the order they come (parallel.ts ModelBuilders.place). */ texts?: string[] }
/** A file to parse: its text, or where it is in a batch's string (`texts`): `[at, end)` of batch number `batch`. */
export type WireFile = Pick<SourceFile, 'path' | 'text'> | { path: string; text?: undefined; batch: number; at: number; end: number };
/** `flats`: files parsed here, `[path, flat file]` (see packFlat); `failed`: files this worker took but could not parse. */
export interface WorkerReply { flats: [string, FlatFile][]; failed: string[]; done?: boolean }

/** Source text per batch: large enough that a message's fixed cost does not matter, small enough that the main thread always has the next one to build. */
export const WORKER_BATCH_CHARS = 32 * 1024;

/**
 * `file` with its arrays copied into one buffer (flattenFile's arrays are shared by every walk),
 * which the message transfers instead of copying: the smallest of `pool` that holds its nodes (20
 * bytes each), taken out of it, else a new one of exactly that size. The main thread gives the
 * buffers back once it has built the models: left to its collector, a buffer per file lingered as
 * garbage until a full collection (500-file benchmark: 7-12 MB of external memory at the end of the
 * build, 0 with the buffers given back) and was then freed into this thread's malloc arena.
 */
export function packFlat(file: FlatFile, pool: ArrayBuffer[] = []): { file: FlatFile; buffer: ArrayBuffer } {
  const { n } = file.flat;
  const bytes = 20 * n;
  let best = -1;
  for (let i = 0; i < pool.length; i++) if (pool[i].byteLength >= bytes && (best < 0 || pool[i].byteLength < pool[best].byteLength)) best = i;
  let buffer: ArrayBuffer;
  if (best < 0) buffer = new ArrayBuffer(bytes);
  else { buffer = pool[best]; pool[best] = pool[pool.length - 1]; pool.pop(); }
  // The 32-bit arrays first: each view starts aligned to its element size.
  const i32 = (k: number, from: Int32Array) => { const a = new Int32Array(buffer, 4 * k * n, n); a.set(from.subarray(0, n)); return a; };
  const u16 = (k: number, from: Uint16Array) => { const a = new Uint16Array(buffer, 16 * n + 2 * k * n, n); a.set(from.subarray(0, n)); return a; };
  const flat: FlatTree = { n, start: i32(0, file.flat.start), end: i32(1, file.flat.end), parent: i32(2, file.flat.parent), last: i32(3, file.flat.last), type: u16(0, file.flat.type), field: u16(1, file.flat.field) };
  const out: FlatFile = { segments: file.segments, roots: file.roots, flat };
  if (file.missing) out.missing = file.missing;
  return { file: out, buffer };
}

/** The modules posted on `port` (see WorkerRequest.grammars); undefined without a port, or when none come. */
export function grammarsFrom(port?: MessagePort): Promise<Grammars | undefined> {
  if (!port) return Promise.resolve(undefined);
  const got = receiveMessageOnPort(port);
  if (got) { port.close(); return Promise.resolve(got.message as Grammars | undefined); }
  return new Promise((resolve) => {
    port.once('message', (g: Grammars | undefined) => { resolve(g); port.close(); });
    port.once('close', () => resolve(undefined));
  });
}

async function run(beforeDone?: () => void): Promise<void> {
  const { grammarDir, queue, busy, port, back, grammars } = workerData as WorkerRequest;
  mark('worker start');
  const parserReady = grammarsFrom(grammars).then((g) => initParser(grammarDir, g));
  // One listener for the whole run (a port with no listener drops what arrives).
  const lists: WorkerFiles[] = [];
  let arrived: (() => void) | undefined;
  // Every batch string that came: the files' texts are sliced from them as the files are taken.
  const batches: string[] = [];
  port.on('message', (m: WorkerFiles) => { if (m.texts) for (const t of m.texts) batches.push(t); lists.push(m); arrived?.(); });
  const nextMessage = async (): Promise<WorkerFiles> => {
    while (!lists.length) await new Promise<void>((resolve) => { arrived = resolve; });
    arrived = undefined;
    return lists.shift()!;
  };
  // A list comes in parts (parallel.ts inParts): its files are taken as their parts arrive, so the
  // first (largest) file is parsed while the rest of the list is still on its way.
  let first = await nextMessage();
  await parserReady;
  mark('worker ready');
  Atomics.store(queue, busy, 1);
  let flats: [string, FlatFile][] = [];
  let buffers: ArrayBuffer[] = [];
  let failed: string[] = [];
  const post = (done: boolean) => {
    const reply: WorkerReply = { flats, failed };
    if (done) reply.done = true;
    port.postMessage(reply, buffers);
    flats = [];
    buffers = [];
    failed = [];
  };
  const pool: ArrayBuffer[] = [];
  const refill = () => {
    if (!back) return;
    for (let m = receiveMessageOnPort(back); m; m = receiveMessageOnPort(back)) for (const b of m.message as ArrayBuffer[]) pool.push(b);
  };
  let chars = 0;
  let built = 0;
  let builtChars = 0;
  for (;;) {
    const files = first.files.slice();
    const slot = first.slot ?? 0;
    let last = first;
    for (let i = Atomics.add(queue, slot, 1); ; i = Atomics.add(queue, slot, 1)) {
      // The file taken may be in a part still to come (this thread holds it meanwhile).
      while (i >= files.length && last.part) {
        last = await nextMessage();
        for (const f of last.files) files.push(f);
      }
      if (i >= files.length) break;
      const f = files[i];
      const text = f.text ?? batches[f.batch].slice(f.at, f.end);
      let tree;
      try {
        tree = parsePython(text);
        refill();
        const { file, buffer } = packFlat(flattenFile(tree, text), pool);
        flats.push([f.path, file]);
        buffers.push(buffer);
      } catch {
        // The main thread parses it again and reports what went wrong; a wasm abort leaves this parser unusable.
        failed.push(f.path);
        renewParser();
      } finally {
        try { tree?.delete(); } catch { /* the runtime aborted: dropped with its parser */ }
      }
      built++;
      builtChars += text.length;
      chars += text.length;
      if (chars >= WORKER_BATCH_CHARS) { post(false); chars = 0; }
    }
    if (!last.more) break;
    // What is parsed so far goes now: the main thread may be waiting for nothing else.
    if (flats.length || failed.length) { post(false); chars = 0; }
    mark(`worker list done, parsed ${built} (${builtChars} chars)`);
    first = await nextMessage();
  }
  port.removeAllListeners('message');
  mark(`worker parsed ${built} (${builtChars} chars)`);
  try { beforeDone?.(); } catch { /* the launcher's code cache is optional */ }
  post(true);
  Atomics.store(queue, busy, 0);
  port.close();
  back?.close();
}

/**
 * Runs this worker thread's share of a scan (dist/scanWorker.js calls it; see parallel.ts).
 * `beforeDone`: called before the last message (the launcher writes its code cache then).
 */
export function runWorker(beforeDone?: () => void): void {
  run(beforeDone).catch((err) => { throw err; });
}
