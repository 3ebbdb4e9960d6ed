// Large scans build file models on worker threads: parsing and model building are per-file and
// dominate a cold scan, while the cross-file pass stays on the main thread. The main thread builds
// its own share meanwhile, then adopts the workers' models into the Analyzer's cache.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Analyzer, SourceFile } from './analyzer';
import type { WorkerReply, WorkerRequest } from './workerThread';

/** Below this much source text, starting a worker (~100 ms: V8 isolate + wasm) does not pay off. */
export const PARALLEL_MIN_BYTES = 1 << 20;
export const PARALLEL_MIN_FILES = 32;

/** The bundled worker script next to the bundle (dist/scanWorker.js); absent when run from sources. */
export function workerScript(): string | undefined {
  const p = join(__dirname, 'scanWorker.js');
  return existsSync(p) ? p : undefined;
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * Builds the models of `files` on `jobs` threads (this one included) and puts them in the
 * analyzer's cache; a later analyze() then only runs the cross-file pass. Returns how many files
 * were built on workers (0 when the scan is too small, jobs is 1, or workers are unavailable).
 * Never throws: whatever a worker did not deliver is built on the main thread by analyze().
 */
export async function buildModelsInParallel(analyzer: Analyzer, files: SourceFile[], opts: { jobs?: number; script?: string; grammarDir?: string } = {}): Promise<number> {
  const jobs = opts.jobs ?? defaultJobs();
  const script = opts.script ?? workerScript();
  const bytes = files.reduce((s, f) => s + f.text.length, 0);
  if (jobs < 2 || !script || files.length < PARALLEL_MIN_FILES || bytes < PARALLEL_MIN_BYTES) return 0;
  // Contiguous shares by size; the main thread keeps a little more, as the workers pay start-up
  // and the main thread pays for receiving their models.
  const shares: SourceFile[][] = Array.from({ length: jobs }, () => []);
  const workerWeight = 0.85;
  const total = 1 + workerWeight * (jobs - 1);
  let acc = 0;
  for (const f of files) {
    const pos = acc / bytes * total;
    const idx = pos < workerWeight * (jobs - 1) ? 1 + Math.floor(pos / workerWeight) : 0;
    shares[Math.min(idx, jobs - 1)].push(f);
    acc += f.text.length;
  }
  let adopted = 0;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const adopt = (reply: WorkerReply) => {
    for (const [path, model] of reply.models) {
      const f = byPath.get(path);
      if (f) { analyzer.adopt(f, model); adopted++; }
    }
  };
  const pending = shares.slice(1).filter((s) => s.length).map((share) => runWorker(script, { files: share, grammarDir: opts.grammarDir }, adopt));
  for (const f of shares[0]) { try { analyzer.model(f); } catch { /* analyze() reports it */ } }
  await Promise.all(pending);
  return adopted;
}

/**
 * Runs one worker, handing each batch it posts to `onBatch` as it arrives (while this thread builds
 * its own share, batches wait in the port). Resolves when the worker posted its last batch, failed
 * or exited; batches received before a failure are kept.
 */
function runWorker(script: string, req: WorkerRequest, onBatch: (r: WorkerReply) => void): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    let worker: Worker;
    try { worker = new Worker(script, { workerData: req }); } catch { finish(); return; }
    worker.on('message', (m: WorkerReply) => {
      if (done) return;
      onBatch(m);
      if (m.done) { finish(); void worker.terminate(); }
    });
    worker.once('error', () => finish());
    worker.once('exit', () => finish());
  });
}
