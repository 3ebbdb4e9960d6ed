// Worker-thread entry (bundled as dist/scanWorker.js): builds the models of the files it is given and
// posts them back as plain data (structured clone keeps their Maps and Sets). A file whose model
// cannot be built is reported by path so the main thread builds it itself and reports the error.
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer, type SourceFile } from './analyzer';
import type { FileModel } from './python/model';

export interface WorkerRequest { files: SourceFile[]; grammarDir?: string }
export interface WorkerReply { models: [string, FileModel][]; failed: string[] }

async function run(): Promise<void> {
  const { files, grammarDir } = workerData as WorkerRequest;
  const analyzer = await Analyzer.create(grammarDir);
  const reply: WorkerReply = { models: [], failed: [] };
  for (const f of files) {
    try { reply.models.push([f.path, analyzer.model(f)]); } catch { reply.failed.push(f.path); }
  }
  analyzer.dispose();
  parentPort!.postMessage(reply);
}

run().catch((err) => { throw err; });
