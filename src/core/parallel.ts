// Large scans parse on worker threads: parsing and the walk into flat arrays are per-file and
// most of a cold scan, while the models are built, and the cross-file pass runs, on the main thread.
// Workers are started as soon as the scan knows it has many files (their start-up, ~100-300 ms of
// isolate and wasm, then overlaps with reading the files), and every thread, this one included,
// takes the next file from one shared queue (largest first), so no thread idles while another still
// has a share to parse. A worker sends each file's flat tree (python/model.ts flattenFile) in one
// transferred buffer; this thread builds the model from it before it takes another file itself, so
// the models are born where they are kept: nothing is encoded, copied or decoded (the worker used to
// ship built models, encoded in typed arrays: ~0.25 s of encoding there and ~0.15 s of decoding here
// on the 500-file benchmark, and every model's objects allocated twice; docs/performance.md,
// "Session 11: threads").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { Analyzer, SourceFile } from './analyzer';
import type { TextBatch } from './files';
import { keepYoungSmall } from './batchHeap';
import { defaultJobs, discardEarlyWorkers, type Helper, openGate, type SpawnedWorkers, spawnWorkers, stopWorkers, takeEarlyWorkers } from './earlyWorkers';
import { compileGrammars, type Grammars, initParser } from './parser';
import { compactModel } from './python/compact';
import { buildModelFromFlat, type FlatFile } from './python/model';
import { mark, timelineCpu } from './timeline';
import type { WireFile, WorkerFiles, WorkerReply } from './workerThread';

export { defaultJobs };

/** Text per message when a list of files goes to the workers (see ModelBuilders.post). */
export const WORKER_PART_CHARS = 32 * 1024;

/** Files shared as they are read (ModelBuilders.offer) with less text than this go at the end of the list. */
export const HOLD_CHARS = 4096;

/** Below this much source text, a worker's models cost this thread more to receive than the worker saves. */
export const PARALLEL_MIN_BYTES = 1 << 20;
export const PARALLEL_MIN_FILES = 32;
/**
 * With the default job count, a scan of less source than this stays on one thread: a worker costs
 * ~0.8 s of process CPU (its isolate, wasm, a cold JIT, encoding and decoding its models) and, on two
 * cores, its GC helpers compete with this thread. Measured on 2 cores (docs/performance.md, session 9,
 * "One thread below 4 MiB"): fastapi/fastapi (3.97 M chars), dispatch, nicegui and mealie were 4-8 %
 * faster on one thread, gradio (4.8 M) 17 % and private-gpt (5.0 M) 3 % faster on two. An explicit
 * `--jobs` is always honoured. Since the worker ships flat trees instead of models (session 11) it costs
 * less (+0.46 s of process CPU over one thread on the 500-file benchmark, from +1.35 s); the limit was
 * not measured again.
 */
export const PARALLEL_DEFAULT_MIN_CHARS = 4 * 1024 * 1024;

/** The bundled worker script next to the bundle (dist/scanWorker.js); absent when run from sources. */
export function workerScript(): string | undefined {
  const p = join(__dirname, 'scanWorker.js');
  return existsSync(p) ? p : undefined;
}

/** A list of files for the workers, before ModelBuilders.wire (see WorkerFiles). */
export type FileList = Omit<WorkerFiles, 'files' | 'texts'> & { files: SourceFile[] };

/** The queue's first slot (layout: earlyWorkers.ts SpawnedWorkers). */
const NEXT = 0;

/**
 * Worker threads started ahead of the files they will build: `start` spawns them, `build` hands
 * them the files and builds alongside them. Never throws: whatever a worker does not deliver is
 * built on this thread by analyze().
 */
export class ModelBuilders {
  private readonly queue: Int32Array;
  private readonly helpers: Helper[];
  private closed = false;
  /** The list offer() and endOffers() sent, in the queue's order. */
  private early: SourceFile[] | undefined;
  private constructor(spawned: SpawnedWorkers, early: boolean) {
    this.queue = spawned.queue;
    this.helpers = spawned.helpers;
    const grammarDir = spawned.grammarDir;
    // The launcher's workers wait for this before they load their bundle (earlyWorkers.ts).
    openGate(spawned);
    mark(`${early ? 'adopted' : 'started'} ${this.helpers.length} workers`);
    // The workers run the modules this thread compiles (its own parser does too) instead of
    // compiling their own: they wait for them, and are ready as soon as they are started.
    const give = (g: Grammars | undefined) => {
      for (const h of this.helpers) { try { h.grammars.postMessage(g); } catch { /* closed: the worker is gone */ } h.grammars.close(); }
    };
    if (this.helpers.length) compileGrammars(grammarDir).then(give, () => give(undefined));
  }

  /**
   * Workers for a scan of `fileCount` files on `jobs` threads (this one included), or undefined
   * when the scan stays on this thread (jobs is 1, few files, or no worker script).
   */
  static start(fileCount: number, opts: { jobs?: number; script?: string; grammarDir?: string } = {}): ModelBuilders | undefined {
    const jobs = opts.jobs ?? defaultJobs();
    const script = opts.script ?? workerScript();
    // The launcher's workers when it started them (cli/bin.ts), else new ones.
    const early = takeEarlyWorkers();
    if (jobs < 2 || !script || fileCount < PARALLEL_MIN_FILES) { if (early) stopWorkers(early.helpers); return undefined; }
    const fits = early && early.helpers.length === jobs - 1 && early.grammarDir === opts.grammarDir && early.helpers.every((h) => h.alive);
    if (early && !fits) stopWorkers(early.helpers);
    const b = new ModelBuilders(fits && early ? early : spawnWorkers(jobs - 1, script, opts.grammarDir), !!fits);
    return b.helpers.length ? b : undefined;
  }

  /**
   * Creating a worker's isolate lets the young generation grow again, for every thread (batchHeap.ts),
   * at a moment this thread cannot see: until every worker is online, this thread freezes it again
   * whenever it is called (per file read, then per file built here; a few microseconds each).
   */
  holdYoungSmall(): void {
    if (this.helpers.some((h) => !h.online)) keepYoungSmall();
  }

  // offer(): files posted so far (the early list's start, in the queue's order), big files not yet
  // posted, small files held for the list's end, and what was offered in all.
  private sent: SourceFile[] = [];
  private batch: SourceFile[] = [];
  private batchChars = 0;
  private held: SourceFile[] = [];
  private offeredFiles = 0;
  private offeredChars = 0;
  private posting = false;

  /**
   * Hands the workers, one at a time as the scan reads them, files it will build whatever else it
   * finds (reach.ts's plain seeds), so they start while this thread works out the rest; build() must
   * then be given every file to build, these included. Once the files offered are a job worth
   * sharing (32 files, 1 MiB), they go to the workers every WORKER_PART_CHARS of text, so a worker
   * parses while this thread still reads (they used to wait for the last file read). Each part is
   * largest first; files under HOLD_CHARS are held for the list's end (endOffers), so the threads
   * still end the list on small files. Call endOffers() once every file was offered.
   */
  offer(file: SourceFile): void {
    if (this.closed || this.early) return;
    this.offeredFiles++;
    this.offeredChars += file.text.length;
    if (file.text.length < HOLD_CHARS) this.held.push(file);
    else { this.batch.push(file); this.batchChars += file.text.length; }
    if (!this.posting && this.offeredFiles >= PARALLEL_MIN_FILES && this.offeredChars >= PARALLEL_MIN_BYTES) {
      this.posting = true;
      mark('sharing files as they are read');
    }
    if (this.posting && this.batchChars >= WORKER_PART_CHARS) {
      const files = largestFirst(this.batch);
      this.batch = [];
      this.batchChars = 0;
      for (const f of files) this.sent.push(f);
      this.post({ files, slot: NEXT, part: true });
    }
  }

  /** The end of what offer() shares: the rest goes, held files last (largest first); nothing when too little was offered to be worth sharing (build() decides then). */
  endOffers(): void {
    if (this.closed || this.early) return;
    const files = this.posting ? [...largestFirst(this.batch), ...largestFirst(this.held)] : largestFirst([...this.batch, ...this.held]);
    this.batch = [];
    this.held = [];
    if (!this.posting && !worthSharing(files)) return;
    for (const f of files) this.sent.push(f);
    this.early = this.sent;
    this.post({ files, slot: NEXT, more: true });
    mark(`shared ${this.early.length} files early`);
  }

  /** Where texts are slices of a batch's string (place), by path; the id each batch got when first posted. */
  private places = new Map<string, { text: string; batch: TextBatch; at: number }>();
  private batchIds = new Map<TextBatch, number>();

  /**
   * Says that `file`'s text is a slice of `batch.text` from `at` (files.ts SourceBatches): a worker
   * then gets that string once, with the first file of it posted, and slices each file's text from it.
   * A text of its own would be a young string in the worker, copied by two of its scavenges; the
   * batch's string is over 128 KiB, in V8's large-object space, and never copied there either.
   */
  place(file: SourceFile, batch: TextBatch, at: number): void {
    if (!this.closed) this.places.set(file.path, { text: file.text, batch, at });
  }

  /** `list` as a message: each placed file's text as its batch and offsets, the batches not posted before with it. */
  private wire(list: FileList): WorkerFiles {
    let texts: string[] | undefined;
    const files = list.files.map((f): WireFile => {
      const p = this.places.get(f.path);
      if (!p || p.text !== f.text) return { path: f.path, text: f.text };
      let id = this.batchIds.get(p.batch);
      if (id === undefined) {
        id = this.batchIds.size;
        this.batchIds.set(p.batch, id);
        (texts ??= []).push(p.batch.text);
      }
      return { path: f.path, batch: id, at: p.at, end: p.at + f.text.length };
    });
    return texts ? { ...list, files, texts } : { ...list, files };
  }

  /**
   * Posts a list in parts of about WORKER_PART_CHARS of text. One message of the whole list (4.4 MB
   * of source on the 500-file benchmark) is serialized into one buffer of its size, which glibc's
   * malloc maps on its own; freeing it raises malloc's mmap and trim thresholds for the whole
   * process to that size, and from then on freed memory stays in its arenas: +10-15 MB of peak RSS
   * (docs/performance.md, "Session 10: rss"). Parts of texts stay under malloc's default mmap threshold
   * (128 KiB). A part that carries a batch's string (place) is ~1 MiB, the batch's size: that raises
   * the thresholds to ~1-2 MiB only, and peak RSS was not up (docs/performance.md, "Session 16: text16").
   */
  private post(msg: FileList): void {
    // Every worker gets every part, in order: a batch's id means the same to all.
    for (const part of inParts(msg)) {
      const wired = this.wire(part);
      for (const h of this.helpers) { try { h.port.postMessage(wired); } catch { h.alive = false; } }
    }
  }

  /**
   * Builds the models of `files` on every thread and puts them in the analyzer's cache; a later
   * analyze() then only runs the cross-file pass. Returns how many files were parsed on workers (0
   * when the files are too small a job to share). The workers are done afterwards.
   */
  async build(analyzer: Analyzer, files: SourceFile[]): Promise<number> {
    if (this.closed || (!this.early && !worthSharing(files))) { this.close(); return 0; }
    this.closed = true;
    // Largest first: the last files taken are the smallest, so the threads finish close together.
    // Files shared early are taken first (the workers may have built some already), then the rest.
    const early = this.early ?? [];
    const sent = new Set(early.map((f) => f.path));
    const rest = largestFirst(files.filter((f) => !sent.has(f.path)));
    const restSlot = this.early ? this.queue.length - 1 : NEXT;
    const lists: [SourceFile[], number][] = this.early ? [[early, NEXT], [rest, restSlot]] : [[rest, restSlot]];
    const byPath = new Map(files.map((f) => [f.path, f]));
    const language = await initParser();
    let adopted = 0;
    let flatCpu = 0;
    // Files the workers parsed, waiting for this thread to build their models.
    let pending: [SourceFile, FlatFile, Helper][] = [];
    const take = (m: WorkerReply, h: Helper) => {
      for (const [path, flat] of m.flats) {
        const f = byPath.get(path);
        if (f) pending.push([f, flat, h]);
      }
    };
    /** Builds the models of what the workers parsed so far (a model that fails is built by analyze()). */
    const buildPending = () => {
      if (!pending.length) return;
      const c = timelineCpu();
      const back = new Map<Helper, ArrayBuffer[]>();
      const batch = pending;
      pending = [];
      for (const [f, flat, h] of batch) {
        this.holdYoungSmall();
        try {
          const model = buildModelFromFlat(flat, f.text, { module: f.module, isPackage: f.isPackage }, language);
          analyzer.adopt(f, compactModel(model));
          adopted++;
        } catch { /* analyze() builds it and reports what went wrong */ }
        // The model keeps nothing of its flat tree: the buffer goes back to the worker (workerThread.ts packFlat).
        const buffer = flat.flat.type.buffer as ArrayBuffer;
        const list = back.get(h);
        if (list) list.push(buffer);
        else back.set(h, [buffer]);
      }
      for (const [h, buffers] of back) { try { h.back.postMessage(buffers, buffers); } catch { /* the worker is gone: garbage here */ } }
      flatCpu += timelineCpu() - c;
    };
    this.post({ files: rest, slot: restSlot });
    const done = new Set<Helper>();
    const drain = () => {
      for (const h of this.helpers) {
        for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
          const reply = m.message as WorkerReply;
          take(reply, h);
          if (reply.done) done.add(h);
        }
      }
    };
    /** What the workers sent so far, taken and built here. */
    const takeAndBuild = () => { drain(); buildPending(); };
    mark(`sharing ${rest.length} more files`);
    let own = 0;
    let ownChars = 0;
    // What a worker parsed is built before this thread takes another file: the workers never wait
    // for the queue, and their arrays do not pile up here.
    for (const [list, slot] of lists) {
      for (;;) {
        takeAndBuild();
        const i = Atomics.add(this.queue, slot, 1);
        if (i >= list.length) break;
        const f = byPath.get(list[i].path);
        if (!f) continue; // shared early but not to be built after all
        this.holdYoungSmall();
        try { analyzer.model(f); } catch { /* analyze() reports it */ }
        own++;
        ownChars += f.text.length;
      }
    }
    mark(`queue empty; built ${own} here (${ownChars} chars)`);
    // A worker that is busy holds files it took: build what it sends until its last batch (or its end).
    const waker: Waker = {};
    for (const h of this.helpers) {
      h.port.on('message', (reply: WorkerReply) => { take(reply, h); if (reply.done) done.add(h); waker.wake?.(); });
      wakeOnExit(h, waker);
    }
    for (const h of this.helpers) {
      for (;;) {
        takeAndBuild();
        if (done.has(h) || !h.alive || Atomics.load(this.queue, h.busy) === 0) break;
        await new Promise<void>((resolve) => { waker.wake = resolve; });
        waker.wake = undefined;
      }
    }
    takeAndBuild();
    mark(`workers done; built ${adopted} here from their trees (cpu ${flatCpu.toFixed(0)} ms)`);
    this.close();
    return adopted;
  }

  /** Stops the workers (idempotent). */
  close(): void {
    this.closed = true;
    stopWorkers(this.helpers);
  }
}

/** What wakes build() while it waits for a worker's next message (see wakeOnExit). */
interface Waker { wake?: () => void }

/**
 * Wakes build() when the worker ends. Made outside build(): the callback outlives it (a terminated
 * worker's 'exit' comes only when this thread's event loop turns again, after the analysis), and a
 * closure made in build() would keep build()'s scope, the analyzer and every model with it, alive
 * through the collection before the output (cli/v8flags.ts collectBeforeOutput).
 */
function wakeOnExit(h: Helper, waker: Waker): void {
  void h.gone.then(() => waker.wake?.());
}

/**
 * `msg` as the messages that carry it (see ModelBuilders.post): its files in order, at most
 * `maxChars` of text per message unless one file alone has more, each message but the last with
 * `part` set; each has `msg`'s slot (a worker takes files from the first part on), the last has
 * `msg`'s other fields.
 */
export function inParts(msg: FileList, maxChars = WORKER_PART_CHARS): FileList[] {
  const parts: FileList[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < msg.files.length; i++) {
    const n = msg.files[i].text.length;
    if (i > start && chars + n > maxChars) {
      parts.push(msg.slot === undefined ? { files: msg.files.slice(start, i), part: true } : { files: msg.files.slice(start, i), slot: msg.slot, part: true });
      start = i;
      chars = 0;
    }
    chars += n;
  }
  parts.push({ ...msg, files: start ? msg.files.slice(start) : msg.files });
  return parts;
}

function worthSharing(files: SourceFile[]): boolean {
  return files.length >= PARALLEL_MIN_FILES && files.reduce((s, f) => s + f.text.length, 0) >= PARALLEL_MIN_BYTES;
}

function largestFirst(files: SourceFile[]): SourceFile[] {
  return files.map((_, i) => i).sort((a, b) => files[b].text.length - files[a].text.length || a - b).map((i) => files[i]);
}

/**
 * Builds the models of `files` on `jobs` threads (this one included) and puts them in the
 * analyzer's cache; a later analyze() then only runs the cross-file pass. Returns how many files
 * were parsed on workers (0 when the scan is too small, jobs is 1, or workers are unavailable).
 */
export { discardEarlyWorkers };

export async function buildModelsInParallel(analyzer: Analyzer, files: SourceFile[], opts: { jobs?: number; script?: string; grammarDir?: string } = {}): Promise<number> {
  if (!worthSharing(files)) return 0;
  const builders = ModelBuilders.start(files.length, opts);
  return builders ? builders.build(analyzer, files) : 0;
}
