// V8 flags per kind of process, set by cli/main.ts at start (bench/editRepo.ts sets the server's).

/**
 * V8 flags for a run that ends (scan, fix, recommend), set before the analyzer's code gets hot. A
 * function is optimised by TurboFan after it has run `--interrupt-budget` bytes of bytecode (default
 * 66 KB). A cold scan runs a few seconds, each thread compiles its own code, and on two cores those
 * background compiles take the CPU the scan needs: with a larger budget only the really hot
 * functions are optimised. Measured on the 500-file benchmark and real repositories (README,
 * Performance). The server, which runs for hours, keeps V8's JIT defaults.
 */
export const BATCH_V8_FLAGS = ['--interrupt-budget=500000'];

/**
 * V8 flags for the language server. After each full GC V8 lets the old generation grow to up to 4x
 * what survived before the next one: re-analysing after keystrokes allocates fast, so with ~250 MB
 * live in a 3,000-file workspace the heap reached ~700 MB of mostly garbage (peak RSS 785 MB vs 430 MB
 * after the first analysis). Growing by 35 % collects sooner: peak 525 MB, same process CPU time
 * (bench/editRepo.ts, LW_BENCH_V8_FLAGS; README, Performance). Read by V8 at every GC, so setting
 * it at start works.
 */
export const SERVER_V8_FLAGS = ['--heap-growing-percent=35'];
