/**
 * V8 flags for a run that ends (scan, fix, recommend), set before the analyzer's code gets hot. A
 * function is optimised by TurboFan after it has run `--interrupt-budget` bytes of bytecode (default
 * 66 KB). A cold scan runs a few seconds, each thread compiles its own code, and on two cores those
 * background compiles take the CPU the scan needs: with a larger budget only the really hot
 * functions are optimised. Measured on the 500-file benchmark and real repositories (README,
 * Performance). The server, which runs for hours, keeps V8's defaults. Kept apart from main.ts so
 * the launcher (launch.ts) sets them before it compiles the bundle: V8's code cache is only valid
 * under the flags it was made with.
 */
export const BATCH_V8_FLAGS = ['--interrupt-budget=500000'];
