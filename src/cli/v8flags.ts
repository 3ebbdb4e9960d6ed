/**
 * V8 flags for a run that ends (scan, fix, recommend), set before the analyzer's code gets hot. A
 * function is optimised by TurboFan after it has run `--interrupt-budget` bytes of bytecode (default
 * 66 KB). A cold scan runs a few seconds, each thread compiles its own code, and on two cores those
 * background compiles take the CPU the scan needs: with a larger budget only the really hot
 * functions are optimised. Measured on the 500-file benchmark and real repositories (docs/performance.md,
 * "Start-up and the JIT"). The server, which runs for hours, keeps V8's JIT defaults. Kept apart from main.ts so
 * the launcher (launch.ts) sets them before it compiles the bundle: V8's code cache is only valid
 * under the flags it was made with.
 */
export const BATCH_V8_FLAGS = ['--interrupt-budget=500000'];

/**
 * V8 flags for the language server. After each full GC V8 lets the old generation grow to up to 4x
 * what survived before the next one: re-analysing after keystrokes allocates fast, so typing in a
 * workspace whose models hold ~120 MB (onyx, 1,195 files) peaked at 699 MB RSS, mostly garbage, vs
 * 265 MB after the first analysis. Growing by 35 % collects sooner: peak 354 MB for the
 * same edits (bench/editRepo.ts sets these too; docs/performance.md). V8 reads it at every GC, so
 * setting it at start works; it does not touch the code cache, which the server does not read.
 */
export const SERVER_V8_FLAGS = ['--heap-growing-percent=35'];
