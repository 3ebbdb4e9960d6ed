// Shared by the bench modes: medians, rounding, the language server's V8 flags, and cold processes in rounds (cold-rounds.cjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { SERVER_V8_FLAGS } from '../src/cli/v8flags';
import { SERVER_NODE_ARGS } from '../src/core/batchHeap';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export const r1 = (x: number) => Math.round(x * 10) / 10;

/** The q-quantile (0..1) of xs, nearest-rank. */
export function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)];
}
export const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * For the editing benches: the language server's V8 flags (SERVER_V8_FLAGS), set at start as the
 * server sets them, so the bench's heap behaves as the editor's does; LW_BENCH_V8_FLAGS="--a --b"
 * sets others instead, LW_BENCH_V8_FLAGS=none keeps V8's defaults. Returns the flags set.
 */
export function serverV8Flags(): string[] {
  const v8Flags = process.env.LW_BENCH_V8_FLAGS;
  const flags = v8Flags === undefined ? SERVER_V8_FLAGS : v8Flags === 'none' ? [] : v8Flags.split(/\s+/).filter(Boolean);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}

/**
 * The editing benches run as the language server does: in a Node started with the server's young
 * generation (SERVER_NODE_ARGS, which the extension passes when it starts the server). V8 sizes it only
 * when a process starts, and the run-time flags (serverV8Flags) come after tsx's loader had grown it
 * to 2 x 8 MB: the benches measured another heap than the server's. A bench started without them starts
 * itself again with them (standard streams shared; Node options given on its command line follow them,
 * so they win) and returns true: the caller then does nothing more. LW_BENCH_NODE_ARGS=none: as started.
 */
export function rerunAsServer(): boolean {
  if (process.env.LW_BENCH_NODE_ARGS === 'none' || SERVER_NODE_ARGS.every((a) => process.execArgv.includes(a))) return false;
  const r = spawnSync(process.execPath, [...SERVER_NODE_ARGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  return true;
}

/**
 * One cold run: wall time (ms), peak RSS (MB), and with GNU time the CPU time (ms, all threads), the
 * kilobytes read from disk (not from the page cache) and the major page faults.
 */
export interface ColdSample { ms: number; peakRssMb: number; cpuMs?: number; diskReadKb?: number; majorFaults?: number }

/**
 * Cold processes in rounds (bench/cold-rounds.cjs): every command once unmeasured (the file cache), then
 * `runs` rounds that run each command once, in an order rotated from round to round, so that a change
 * of the machine's speed hits them alike. Returns each command's samples in round order, the first
 * round's standard output of each, the CPU the harness process used during the rounds (harnessCpuMs)
 * and the CPU this process used meanwhile (callerCpuMs), all of its threads.
 *
 * The rounds run in a small process of their own while this one waits in spawnSync, as a shell waits:
 * run from the bench process after its in-process sections (a ~800 MB heap), the scans took more CPU
 * and wall than from a shell (docs/performance.md, "Session 17: bench17"). Each run's standard output
 * goes to a file, never through a pipe into a parent that would spend CPU taking it in while the
 * scan runs (an 11 MB JSON report cost the bench ~340 ms of CPU per scan: session 15).
 */
export function coldRounds(commands: [string, string[]][], runs: number): { samples: ColdSample[][]; stdout: string[]; harnessCpuMs: number; callerCpuMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'lw-cold-'));
  const cpu0 = process.cpuUsage();
  try {
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ commands, runs, outDir: dir }));
    const child = spawnSync(process.execPath, [join(__dirname, 'cold-rounds.cjs'), specFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.status !== 0) throw new Error(`cold rounds failed (exit ${child.status ?? child.signal}): ${child.stderr.trim()}`);
    const { samples, harnessCpuMs } = JSON.parse(child.stdout) as { samples: ColdSample[][]; harnessCpuMs: number };
    // This process's CPU (all its threads: its GC's too) while it waited.
    const cpu = process.cpuUsage(cpu0);
    const stdout = commands.map((_, i) => (runs > 0 ? readFileSync(join(dir, `${i}.out`), 'utf8') : ''));
    return { samples, stdout, harnessCpuMs, callerCpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
