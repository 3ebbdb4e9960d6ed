// Worker-thread entry (bundled as dist/scanWorker.js): builds the models of the files it is given and
// posts them back as plain data (structured clone keeps their Maps and Sets), a batch at a time: a
// posted batch waits in the port as compact serialized bytes and the worker forgets its models, so
// the worker's heap never holds its whole share (a full share of models cost ~40 MB of peak RSS on the
// 500-file benchmark). A file whose model cannot be built is reported by path so the main thread
// builds it itself and reports the error. The last message has `done` set.
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer, type SourceFile } from './analyzer';
import type { FileModel } from './python/model';

export interface WorkerRequest { files: SourceFile[]; grammarDir?: string }
export interface WorkerReply { models: [string, FileModel][]; failed: string[]; done?: boolean }

/** Source text per batch: large enough that a message's fixed cost does not matter. */
export const WORKER_BATCH_CHARS = 256 * 1024;

async function run(): Promise<void> {
  const { files, grammarDir } = workerData as WorkerRequest;
  const analyzer = await Analyzer.create(grammarDir);
  analyzer.compactModels = false;
  let reply: WorkerReply = { models: [], failed: [] };
  let chars = 0;
  for (const f of files) {
    try { reply.models.push([f.path, analyzer.model(f)]); } catch { reply.failed.push(f.path); }
    analyzer.forget(f.path);
    chars += f.text.length;
    if (chars >= WORKER_BATCH_CHARS) {
      parentPort!.postMessage(reply);
      reply = { models: [], failed: [] };
      chars = 0;
    }
  }
  analyzer.dispose();
  reply.done = true;
  parentPort!.postMessage(reply);
}

run().catch((err) => { throw err; });
