// Shared by the bench modes: medians, rounding, and a child process's wall time and peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
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

export function serverV8Flags(): string[] {
  const v8Flags = process.env.LW_BENCH_V8_FLAGS;
  const flags = v8Flags === undefined ? SERVER_V8_FLAGS : v8Flags === 'none' ? [] : v8Flags.split(/\s+/).filter(Boolean);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}

/**
 * Wall time, peak RSS and CPU time (user + system, all threads; GNU time only, else undefined) of a
 * child process (GNU time when present, else ps sampling). On a loaded machine the CPU time is the
 * steadier figure: the wall time then measures the other processes as much as this one.
  * The child's standard output goes to a file, read back after the child has ended (only when `keepStdout`):
 * a parent that took in an 11 MB report through a pipe spent ~340 ms of CPU per run while the child ran
 * (its GC and the pipe's chunks), on 2 cores time taken from the child being measured.
 */
export async function coldRun(cmd: string, args: string[], keepStdout = true): Promise<{ ms: number; peakRssMb: number; cpuMs?: number; stdout: string }> {
  const gnuTime = existsSync('/usr/bin/time');
  const argv = gnuTime ? ['-f', '__RSS_KB=%M __CPU_S=%U+%S', cmd, ...args] : args;
  const exe = gnuTime ? '/usr/bin/time' : cmd;
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-cold-'));
    const outFile = join(dir, 'stdout');
    const fd = openSync(outFile, 'w');
    const start = performance.now();
    const child = spawn(exe, argv, { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sampler = gnuTime ? undefined : setInterval(() => {
      const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' });
      peak = Math.max(peak, Number(ps.stdout.trim()) || 0);
    }, 20);
    child.stderr?.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', () => {
      const ms = performance.now() - start;
      if (sampler) clearInterval(sampler);
      if (keepStdout) stdout = readFileSync(outFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      const m = /__RSS_KB=(\d+)/.exec(stderr);
      if (m) peak = Number(m[1]);
      const c = /__CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      const cpuMs = c ? Math.round((Number(c[1]) + Number(c[2])) * 1000) : undefined;
      resolve({ ms, peakRssMb: r1(peak / 1024), cpuMs, stdout });
    });
  });
}

