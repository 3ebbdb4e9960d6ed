// A batch run's young generation (cli/v8flags.ts explains why it is kept small): the launcher
// freezes it and says so in the environment; creating any isolate (a scan's worker thread) resets
// the flag for the whole process, so the threads set it again (workerBin.ts first thing, the main
// thread once its parser is ready: parser.ts).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** "1" once the launcher froze the young generation; "0" turns the freeze off. */
export const BATCH_HEAP_ENV = 'LOOPWISE_BATCH_HEAP';
/** V8 reads the growth factor at every young-generation GC, so it can be set at run time. */
export const FREEZE_YOUNG = '--semi-space-growth-factor=1';

/**
 * Node options the language server is started with (the VS Code extension's client passes them;
 * `loopwise server` started without them starts itself again with them, server/relaunch.ts; the
 * editing benches start themselves again with them, bench/measure.ts). V8 sizes the young generation's
 * semi-spaces only when the process starts: the server's run-time flags (cli/v8flags.ts) can only stop
 * it from growing, and alone they kept it at its initial 1 MB, where each keystroke promoted what it keeps
 * for a few milliseconds. Onyx (`db/models.py`, 1,195 files), 450 keystrokes at load ~2, rotated
 * (docs/performance.md, "Session 17: edit17"): edit -> findings median / p95 15.9-17.9 / 68.4-69.9 ms at
 * 1 MB, 11.4-13.3 / 48.8-53.9 at 4 MB, 10.7-11.2 / 38.0-42.7 at 8 MB; keystrokes with a full GC 38-43,
 * 23-27, 13-17; peak RSS 219-221, 226-236, 239-247 MB. 8 MB is also what the editing bench had been
 * measuring (tsx's loader grew it before the flags froze it).
 */
export const SERVER_SEMI_SPACE_MB = 8;
export const SERVER_NODE_ARGS = [`--min-semi-space-size=${SERVER_SEMI_SPACE_MB}`, `--max-semi-space-size=${SERVER_SEMI_SPACE_MB}`];

/** Whether a Node option on the command line (`execArgv`) or in NODE_OPTIONS matches `option`. */
export function hasNodeOption(option: RegExp, execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return execArgv.some((a) => option.test(a)) || nodeOptions.split(/\s+/).some((a) => option.test(a));
}

/** Freezes the young generation again when this is a batch run that froze it. */
export function keepYoungSmall(): void {
  if (process.env[BATCH_HEAP_ENV] === '1') setFlagsFromString(FREEZE_YOUNG);
}

/**
 * glibc's malloc serves a block of 128 KiB or more with its own mmap, and when such a block is freed
 * it raises its mmap threshold to the block's size and its trim threshold to twice that, for the
 * whole process and for good (the "dynamic mmap threshold", mallopt(3)). From then on, free memory
 * at the top of each thread's arena is kept up to that trim threshold. Freeing the 1.7 MB bundle
 * text read at start sets it to ~3.5 MB; with the thresholds pinned by environment, a trim threshold
 * of 4 MB gave the 500-file cold scan a peak of 195-197 MB, 2 MB 191, 1 MB 183-187
 * (docs/performance.md, "Session 10: rss"). Blocks above DEFAULT_MMAP_THRESHOLD_MAX (32 MiB
 * on 64-bit systems) do not move the thresholds, so a large file read once is read into a buffer
 * bigger than that: only the pages the file fills are touched (resident), and freeing it unmaps
 * it without changing the thresholds. Other allocators ignore the size.
 */
export const UNTRACKED_BYTES = 33 * 1024 * 1024;
/**
 * Files smaller than this are read the ordinary way. Freeing one raises the trim threshold to at
 * most 2 MiB, which the wasm parser's optimising compiles do anyway (V8 frees a ~1.1 MB compile zone
 * on a background thread once the grammar's largest function tiers up); a larger buffer held
 * in the big block counts as 33 MB of external memory for V8's GC heuristics until it is collected.
 */
const SMALL_FILE = 1024 * 1024;

/**
 * A file's bytes, read without moving malloc's thresholds (see UNTRACKED_BYTES) when it has at least
 * `smallFile` bytes (default SMALL_FILE). Throws as readFileSync does.
 */
export function readFileUntracked(path: string, smallFile = SMALL_FILE): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < smallFile || size >= UNTRACKED_BYTES) return readFileSync(fd);
    const buf = Buffer.allocUnsafeSlow(UNTRACKED_BYTES);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    return n < buf.length ? buf.subarray(0, n) : readFileSync(path); // grown past the buffer meanwhile
  } finally {
    closeSync(fd);
  }
}

/**
 * Below this much source (bytes on disk), a batch run parses on V8's baseline wasm code (Liftoff)
 * only. V8 hands a wasm function to its optimising compiler (TurboFan) once it has spent a budget
 * of executed code (`--wasm-tiering-budget`), and tree-sitter's largest functions spend it at once:
 * a one-line scan tiered up 7 functions, ~0.4 s of CPU on V8's background threads (the parser's
 * set-up 3 small ones; its one-time layout check, python/flatTree.ts, a parse of ~700 characters,
 * the others, among them the runtime's largest, 27 KB of wasm and 0.15 s of compile alone), and
 * Node's exit waits for those compiles (its platform drains them before 'exit'): the
 * scan ended 0.2-0.5 s after its output was written. A budget of 2^31-1 still tiered up two of them
 * on ten files, so the budget cannot stand in for this. Liftoff-only scans of 0.45-3.5 MB used the
 * same or less CPU than tiered ones; the 500-file benchmark (4.4 MB, with a worker) keeps its tiers
 * (docs/performance.md, "Session 13: start").
 */
export const LIFTOFF_MAX_BYTES = 1024 * 1024;
/** "1" once this batch run parses on Liftoff only: the launcher sets the flag back before it writes a code cache (V8 checks the flags). */
export const LIFTOFF_ENV = 'LOOPWISE_LIFTOFF_ONLY';
export const LIFTOFF_ONLY = '--liftoff-only';
/** V8's defaults again: --liftoff-only also turned off the two tier-up flags (flag implications), which V8's cache check covers too. */
export const WASM_TIER_UP = '--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering';

/**
 * In a batch run (the launcher froze the young generation) that parses on this thread only, keeps
 * the parser on Liftoff code when `bytes` of source is less than LIFTOFF_MAX_BYTES. Call it before
 * the parser's wasm is compiled. Returns whether it did.
 */
export function liftoffForSmallScan(bytes: number): boolean {
  if (process.env[BATCH_HEAP_ENV] !== '1' || bytes >= LIFTOFF_MAX_BYTES) return false;
  setFlagsFromString(LIFTOFF_ONLY);
  process.env[LIFTOFF_ENV] = '1';
  return true;
}
