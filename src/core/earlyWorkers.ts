// Scan worker threads, spawned by parallel.ts's ModelBuilders or, for a scan of a folder, by the
// launcher (cli/bin.ts) before it loads the CLI bundle: a worker's start (its isolate and Node's
// bootstrap, ~70 ms of CPU, then its bundle) then runs on the second core while this thread loads
// the bundle and walks the tree, instead of after the walk. The scan adopts them when it uses
// workers (ModelBuilders.start) and stops them when it does not (discardEarlyWorkers). Kept small and
// free of the analyzer: the launcher bundles it.
import { type Dirent, existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { BATCH_HEAP_ENV, keepYoungSmall } from './batchHeap';

/** What a scan worker is given (workerThread.ts reads it). */
export interface WorkerRequest {
  grammarDir?: string; queue: Int32Array; busy: number; port: MessagePort;
  /** Where the main thread gives back the buffers of the flat trees it has built (see packFlat). */
  back?: MessagePort;
  /**
   * Where the main thread posts, once, the wasm modules it compiled (`Grammars`; undefined when it
   * could not): this thread instantiates them instead of reading and compiling its own (parser.ts).
   */
  grammars?: MessagePort;
  /**
   * Set for the launcher's workers: the worker waits until `gate[0]` is not 0 before it loads its
   * bundle (cli/workerBin.ts). The scan opens it when it adopts them (parallel.ts): a worker the scan
   * does not use is stopped before it has loaded anything, and one it uses reads its code cache
   * after the main thread has loaded its own and set the batch flags (V8 checks a cache against the
   * process's flags).
   */
  gate?: Int32Array;
}

export interface Helper {
  worker: Worker; port: MessagePort; back: MessagePort; grammars: MessagePort; busy: number;
  gone: Promise<void>; alive: boolean;
  /** 'online' seen: the worker's isolate exists (making it let the young generation grow again). */
  online: boolean;
}

/** Workers and the queue they share (Int32Array over a SharedArrayBuffer: [next index in the first list, busy flag of worker 1, 2, ..., next index in the second list]). */
export interface SpawnedWorkers { queue: Int32Array; helpers: Helper[]; grammarDir?: string; /** See WorkerRequest.gate. */ gate?: Int32Array }

/** Lets the workers go on past their gate (see WorkerRequest.gate); nothing for workers without one. */
export function openGate(w: SpawnedWorkers): void {
  if (!w.gate) return;
  Atomics.store(w.gate, 0, 1);
  Atomics.notify(w.gate, 0);
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Starts `count` scan workers running `script`. Never throws: a worker that cannot start is left out. */
export function spawnWorkers(count: number, script: string, grammarDir?: string, opts: { gate?: Int32Array; env?: NodeJS.ProcessEnv } = {}): SpawnedWorkers {
  const queue = new Int32Array(new SharedArrayBuffer(4 * (2 + count)));
  const helpers: Helper[] = [];
  for (let i = 0; i < count; i++) {
    const { port1, port2 } = new MessageChannel();
    const ret = new MessageChannel();
    const wasm = new MessageChannel();
    const req: WorkerRequest = { grammarDir, queue, busy: 1 + i, port: port2, back: ret.port2, grammars: wasm.port2, ...(opts.gate ? { gate: opts.gate } : {}) };
    let worker: Worker;
    try {
      worker = new Worker(script, { workerData: req, transferList: [port2, ret.port2, wasm.port2], ...(opts.env ? { env: opts.env } : {}) });
    } catch { port1.close(); ret.port1.close(); wasm.port1.close(); continue; }
    // Never the reason the process stays up (a scan that fails before build() must still exit);
    // while build() waits for a worker, the listening port keeps this thread's loop alive.
    worker.unref();
    const helper: Helper = { worker, port: port1, back: ret.port1, grammars: wasm.port1, busy: 1 + i, alive: true, online: false, gone: Promise.resolve() };
    worker.once('online', () => { helper.online = true; keepYoungSmall(); });
    helper.gone = new Promise((resolve) => {
      const gone = () => { helper.alive = false; resolve(); };
      worker.once('error', gone);
      worker.once('exit', gone);
    });
    helpers.push(helper);
  }
  return { queue, helpers, grammarDir, ...(opts.gate ? { gate: opts.gate } : {}) };
}

/** Stops workers (idempotent). */
export function stopWorkers(helpers: Helper[]): void {
  for (const h of helpers) {
    // Until the worker has exited, its listeners are reachable: a message listener (build's
    // `take`) would keep the analyzer and every model alive with them.
    h.port.removeAllListeners();
    h.port.close();
    h.back.close();
    h.grammars.close();
    void h.worker.terminate();
  }
}

// The launcher and the CLI bundle are separate bundles (separate module instances): the launcher's
// workers are handed over through a global.
const EARLY = Symbol.for('loopwise.earlyWorkers');
const holder = globalThis as unknown as Record<symbol, SpawnedWorkers | undefined>;

/** The launcher's workers, once (undefined when it started none or they were taken). */
export function takeEarlyWorkers(): SpawnedWorkers | undefined {
  const w = holder[EARLY];
  holder[EARLY] = undefined;
  return w;
}

/** Stops the launcher's workers unless a scan has taken them; returns how many it stopped. */
export function discardEarlyWorkers(): number {
  const w = takeEarlyWorkers();
  if (w) stopWorkers(w.helpers);
  return w?.helpers.length ?? 0;
}

/** Flags of `loopwise scan` that take a value (cli/scan.ts SCAN_SPEC; a test checks the two agree). */
export const SCAN_VALUE_FLAGS = ['format', 'f', 'select', 'ignore', 'exclude', 'max-file-size', 'stdin-filename', 'jobs', 'j', 'fail-on', 'test-severity', 'lang'];

/**
 * How many threads (this one included) a `loopwise scan` with these arguments may parse on, as far as
 * the command line and a look at the paths tell before the files are walked: 0 when it will not
 * use workers whatever it finds: `--jobs 1`, standard input, help, arguments this cannot read, or
 * too little source under the paths for the scan to share (`enoughSource`: with the default job
 * count, 32 Python files and 4 MiB; with `--jobs`, 32 files).
 */
export function earlyJobs(args: string[], cores = defaultJobs(), enough: (paths: string[], minBytes: number) => boolean = enoughSource): number {
  let jobs = cores;
  let explicit = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { positional.push(...args.slice(i + 1)); break; }
    if (a === '-' || a === '-h' || a === '--help' || a.startsWith('--stdin-filename')) return 0;
    const long = /^--([^=]+)(=(.*))?$/.exec(a);
    const short = long ? undefined : /^-([a-zA-Z])(.*)$/.exec(a);
    const name = long?.[1] ?? short?.[1];
    if (name === undefined) { positional.push(a); continue; }
    if (!SCAN_VALUE_FLAGS.includes(name)) { if (short?.[2]) return 0; continue; } // a boolean flag (clusters of short flags: not read here)
    const value = long ? (long[2] !== undefined ? long[3] : args[++i]) : (short![2] || args[++i]);
    if (value === undefined) return 0;
    if (name === 'jobs' || name === 'j') {
      if (!/^\d+$/.test(value)) return 0;
      jobs = Number(value);
      explicit = true;
    }
  }
  if (jobs < 2) return 0;
  return enough(positional.length ? positional : ['.'], explicit ? 0 : EARLY_MIN_BYTES) ? jobs : 0;
}

/** parallel.ts PARALLEL_MIN_FILES and PARALLEL_DEFAULT_MIN_CHARS (not imported: this file stays free of the parser; a test checks they agree). */
export const EARLY_MIN_FILES = 32;
export const EARLY_MIN_BYTES = 4 * 1024 * 1024;
/** Folders listed at most before enoughSource gives up and says no. */
const MAX_LISTED = 4096;
/** Folders the walk always skips or that hold no project code (a subset of files.ts SKIP_DIRS, without its rules). */
const NOT_PROJECT = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'build', 'dist']);

// The folder listings enoughSource made, by absolute path, for the scan's walk (files.ts discover):
// it takes each one instead of listing the folder again (a second listing of mealie's 128 folders
// cost ~10 ms).
const LISTINGS = Symbol.for('loopwise.earlyListings');
const listings = globalThis as unknown as Record<symbol, Map<string, Dirent[]> | undefined>;

/** The launcher's listing of `dir`, once (undefined when it made none). */
export function takeEarlyListing(dir: string): Dirent[] | undefined {
  const m = listings[LISTINGS];
  const got = m?.get(dir);
  if (got) m!.delete(dir);
  return got;
}

/** Drops the listings a scan did not take (its walk is done). */
export function dropEarlyListings(): void {
  listings[LISTINGS] = undefined;
}

/** Every SAMPLE_EVERY-th .py file found is stat'ed (enoughSource). */
const SAMPLE_EVERY = 8;

/**
 * Whether `paths` hold at least EARLY_MIN_FILES `.py` files of about `minBytes` in all: counted over
 * folder listings until there are enough, the bytes estimated from a stat of every SAMPLE_EVERY-th
 * file (a stat per file cost the launcher ~30 ms of CPU on 500 files: its code is not yet compiled).
 * Hidden folders and NOT_PROJECT are not entered and symlinks not followed; excludes and .gitignore
 * are not read (the walk applies them): it may say yes for a scan that then uses no worker (its
 * worker is stopped before it loads anything), and no for one that does (which starts its own).
 */
export function enoughSource(paths: string[], minBytes: number): boolean {
  let files = 0;
  let sampled = 0;
  let sampledBytes = 0;
  const found = (abs: string) => {
    if (files++ % SAMPLE_EVERY) return;
    try { sampledBytes += statSync(abs).size; sampled++; } catch { /* gone: the walk notes it */ }
  };
  const enough = () => files >= EARLY_MIN_FILES && (minBytes === 0 || (sampled > 0 && (sampledBytes / sampled) * files >= minBytes));
  const folders: string[] = [];
  const kept = new Map<string, Dirent[]>();
  listings[LISTINGS] = kept;
  for (const p of paths) {
    const abs = resolve(p);
    let st: Stats;
    try { st = statSync(abs); } catch { continue; }
    if (st.isDirectory()) folders.push(abs);
    else if (abs.endsWith('.py') && st.isFile()) found(abs);
  }
  for (let listed = 0; folders.length && !enough(); listed++) {
    if (listed >= MAX_LISTED) return false;
    const dir = folders.pop()!;
    let entries: Dirent[];
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { continue; }
    kept.set(dir, entries);
    for (const e of entries) {
      if (e.isDirectory()) { if (!e.name.startsWith('.') && !NOT_PROJECT.has(e.name) && !e.name.endsWith('.egg-info')) folders.push(join(dir, e.name)); }
      else if (e.isFile() && e.name.endsWith('.py')) found(join(dir, e.name));
    }
  }
  return enough();
}

/**
 * Called by the launcher for `loopwise scan ARGS` before it loads the CLI bundle (`dir`: the
 * launcher's folder): starts the workers a scan of a folder would start once its walk has found
 * enough source, each waiting at a closed gate (see WorkerRequest.gate). Returns how many it started.
 */
export function startEarlyWorkers(args: string[], dir: string): number {
  const jobs = earlyJobs(args);
  const script = join(dir, 'scanWorker.js');
  if (jobs < 2 || !existsSync(script)) return 0;
  const gate = new Int32Array(new SharedArrayBuffer(4));
  // The worker's environment is a copy made now: it must see what the launcher sets later (the batch
  // heap, cli/bin.ts) and the timeline's clock (core/timeline.ts).
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (env[BATCH_HEAP_ENV] !== '0') env[BATCH_HEAP_ENV] = '1';
  if (env.LOOPWISE_TIMELINE) env.LOOPWISE_TIMELINE_T0 = String(performance.timeOrigin);
  const w = spawnWorkers(jobs - 1, script, undefined, { gate, env });
  if (w.helpers.length) holder[EARLY] = w;
  return w.helpers.length;
}

/** In a worker started by the launcher: waits until the main thread opens the gate (see WorkerRequest.gate). */
export function waitAtGate(req: WorkerRequest | undefined): void {
  // Bounded: should the main thread never open it, the worker goes on (a scan that has not adopted
  // it by then stops it when it does not use it; the flags have long been set).
  if (req?.gate) Atomics.wait(req.gate, 0, 0, GATE_MS);
}

const GATE_MS = 10_000;
