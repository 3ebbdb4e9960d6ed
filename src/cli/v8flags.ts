import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BATCH_HEAP_ENV, FREEZE_YOUNG, hasNodeOption } from '../core/batchHeap';

/** The inlining limit of BATCH_V8_FLAGS: set only when no code ran before the launcher (see batchV8Flags). */
const INLINE_LIMIT = '--max-inlined-bytecode-size=100';

/**
 * V8 flags for a run that ends (scan, fix, recommend), set before the analyzer's code gets hot. A
 * function is optimised by TurboFan after it has run `--interrupt-budget` bytes of bytecode (default
 * 66 KB). A cold scan runs a few seconds, each thread compiles its own code, and on two cores those
 * background compiles take the CPU the scan needs: with a larger budget only the really hot
 * functions are optimised. Measured on the 500-file benchmark and real repositories (docs/performance.md,
 * "Start-up and the JIT"). TurboFan inlines no function of more than 100 bytes of bytecode (V8: 460):
 * the main thread's ~100 compiles of a scan then allocate ~15 % less compiler memory (zone bytes
 * 200 -> 172 MB), and V8's background threads used ~0.3 s less CPU on the 500-file benchmark, with the
 * main thread's and the worker's CPU not up (docs/performance.md, "Session 13: jit"). The server, which runs for hours, keeps V8's JIT defaults. Kept apart from main.ts so
 * the launcher (launch.ts) sets them before it compiles the bundle: V8's code cache is only valid
 * under the flags it was made with.
 */
export const BATCH_V8_FLAGS: readonly string[] = ['--interrupt-budget=500000', INLINE_LIMIT];

/**
 * Whether Node runs code of someone else's before the launcher: `--require` / `-r`, `--import`,
 * `--loader` / `--experimental-loader`, on the command line or in NODE_OPTIONS (an APM agent, tsx, a
 * test runner's hooks).
 */
export function runsPreloads(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return hasNodeOption(/^(?:-r|--require|--import|--loader|--experimental-loader)(?:=|$)/, execArgv, nodeOptions);
}

/**
 * BATCH_V8_FLAGS for this process. A preload's code can be hot by the time the launcher runs, with
 * TurboFan compiles of it in flight on V8's background threads; a compile that picked a callee to
 * inline under V8's limit (460 bytes of bytecode) and checks it again after the launcher lowered the
 * limit to 100 aborts the process (V8's "Check failed: inlineability == kHasOptimizationDisabled";
 * seen in ~1 of 6 scans run with NODE_OPTIONS="--import tsx", never in plain runs). With a preload the
 * limit is left at V8's default; the other flags change nothing a compile in flight reads twice.
 */
export function batchV8Flags(preloaded = runsPreloads()): readonly string[] {
  return preloaded ? BATCH_V8_FLAGS.filter((f) => f !== INLINE_LIMIT) : BATCH_V8_FLAGS;
}

/**
 * V8 flags for the language server. After each full GC V8 lets the old generation grow to up to 4x
 * what survived before the next one: re-analysing after keystrokes allocates fast, so typing in a
 * workspace whose models hold ~120 MB (onyx, 1,195 files) peaked at 699 MB RSS, mostly garbage, vs
 * 265 MB after the first analysis. Growing by 10 % collects sooner: the whole heap before a full GC
 * is the peak (live ~122 MB there, ~90 MB outside the heap), and with 20 % the bench's peak was
 * 291-352 MB in four runs, with 10 % 275-282 in four (docs/performance.md, "Session 11: lead"). The young generation starts at a
 * 1 MB semi-space and V8 doubles it up to 16 MB as a re-analysis allocates (so ~32-48 MB of RSS);
 * a growth factor of 1 keeps it at 1 MB: the bench's peak 348-369 -> 293-301 MB at equal CPU
 * (docs/performance.md, "Editing: the young generation"). `--max-semi-space-size` would do the
 * same, but V8 reads it only when the heap is set up, before any JavaScript runs; the growth factor
 * is read at each scavenge, so setting it at start works. A 1 MB semi-space is scavenged ~16x as
 * often, and each parallel scavenge waits for its helper threads: on a loaded machine that added
 * wall time (not CPU), so scavenges run on the main thread alone (each is small). bench/editRepo.ts
 * sets these too. V8 reads them at GC time, so setting them at start works; they do not touch the
 * code cache, which the server does not read.
 */
export const SERVER_V8_FLAGS = ['--heap-growing-percent=10', FREEZE_YOUNG, '--no-parallel-scavenge'];

/**
 * The young generation of a batch run stays at the size it reached while the bundle loaded (2 x 2 MB
 * semi-spaces) instead of growing to V8's 2 x 16 MB. A cold scan keeps most of what it allocates
 * (file models) until its end, so the young generation's size is added to the peak RSS on each
 * thread: -25 to -30 MB of peak RSS on the 500-file benchmark, at the same CPU (docs/performance.md, "Peak RSS
 * and the young generation"). V8 reads `--semi-space-growth-factor` at every young-generation GC, so
 * it can be set at run time, unlike `--max-semi-space-size` (read when an isolate is created).
 * Each new isolate (a scan's worker thread) resets a factor below 2 to 2 for the whole process, so the
 * worker (workerBin.ts, first thing; BATCH_HEAP_ENV tells it the process froze) and the main thread
 * once its parser is ready (core/parser.ts) set it again.
 */
export { FREEZE_YOUNG };
/** V8's default factor: set again before a code cache is made, as V8's cache check covers the flags. */
export const THAW_YOUNG = '--semi-space-growth-factor=2';
/**
 * Set to "1" in a batch run's environment by the launcher (bin.ts) once the main thread has frozen
 * its young generation; the scan worker and collectBeforeOutput follow it. "0" turns both off.
 */
export { BATCH_HEAP_ENV };

/**
 * A full GC in a batch run, between the analysis and its output: every file's model has just become
 * garbage, but V8 collects the old generation only when it reaches a limit it set long before, so
 * the output's allocations grew the heap on top of the models (500-file benchmark: +8-12 MB of RSS at
 * the end). Costs ~7 ms there. `gc` is taken from a context made while `--expose-gc` is on, then the
 * flag is reset (the code cache is checked against the flags). Nothing outside the launcher's batch
 * runs (tests calling runScan in process) pays for it. Returns whether it collected.
 */
export function collectBeforeOutput(): boolean {
  if (process.env[BATCH_HEAP_ENV] !== '1') return false;
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch { /* no gc: the heap just grows */ } finally { setFlagsFromString('--no-expose-gc'); }
  gc?.();
  return gc !== undefined;
}
