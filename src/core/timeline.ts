// `LOOPWISE_TIMELINE=1`: marks of a cold scan's phases on stderr, in ms since the main thread's
// time origin (worker threads' marks on the same clock), to see where a threaded scan's wall time goes.
import { readdirSync, readFileSync, writeSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

/** This thread's young generation (V8's new space: both semi-spaces), in bytes. */
function youngGeneration(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

const on = !!process.env.LOOPWISE_TIMELINE;
// Workers get a copy of the main thread's environment, so they read its time origin there. A process
// that starts the CLI may set it (epoch ms, as performance.timeOrigin) to have the marks on its own
// clock, e.g. to time the process's exit against "output written".
if (on && isMainThread && !process.env.LOOPWISE_TIMELINE_T0) process.env.LOOPWISE_TIMELINE_T0 = String(performance.timeOrigin);
const t0 = Number(process.env.LOOPWISE_TIMELINE_T0 ?? performance.timeOrigin);


// At exit (with its time), the CPU time of every thread still alive: the main thread, and V8's and libuv's own
// threads (background compiles, concurrent GC); worker threads have ended and reported their own.
if (on && isMainThread) {
  process.once('exit', () => {
    const main = String(process.pid);
    let other = 0;
    let n = 0;
    try {
      for (const tid of readdirSync('/proc/self/task')) {
        if (tid === main) continue;
        const ms = cpuOfStat(`/proc/self/task/${tid}/stat`);
        if (ms) { other += ms; n++; }
      }
    } catch { return; }
    process.stderr.write(`[timeline] ${(performance.timeOrigin + performance.now() - t0).toFixed(0).padStart(6)} ms exit: main thread cpu ${cpuOfStat('/proc/thread-self/stat') ?? '?'} ms; ${n} other threads that used CPU (V8 background compiles and GC, libuv) cpu ${other} ms\n`);
  });
}

export function mark(what: string): void {
  if (!on) return;
  const t = performance.timeOrigin + performance.now() - t0;
  const g = (globalThis as { gc?: () => void }).gc;
  if (g && process.env.LOOPWISE_TIMELINE_GC) g();
  const m = process.memoryUsage();
  const cpu = threadCpuMs();
  const mb = (n: number) => (n / 1048576).toFixed(0);
  const line = `[timeline] ${t.toFixed(0).padStart(6)} ms ${isMainThread ? 'main' : `worker${threadId}`} ${what} (thread cpu ${cpu ?? '?'} ms, rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)} young ${mb(youngGeneration())} MB)\n`;
  // A worker's process.stderr goes through the main thread, which may exit before it has written
  // the worker's last lines (on a loaded machine a worker's marks were often all lost): written directly.
  if (isMainThread) process.stderr.write(line);
  else { try { writeSync(2, line); } catch { /* no stderr */ } }
}

/**
 * This thread's CPU time on Linux: from /proc/thread-self/schedstat (nanoseconds on the CPU) where the
 * kernel has it, else user + system from /proc/thread-self/stat (10 ms ticks); undefined elsewhere.
 */
function threadCpuMs(): number | undefined {
  return cpuOfStat('/proc/thread-self/stat');
}

/** This thread's CPU time in ms while the timeline is on (0 when it is off or unknown), for marks that add up a step's cost. */
export function timelineCpu(): number {
  return on ? threadCpuMs() ?? 0 : 0;
}

function cpuOfStat(path: string): number | undefined {
  try {
    const ns = Number(readFileSync(path.replace(/stat$/, 'schedstat'), 'utf8').split(' ')[0]);
    if (Number.isFinite(ns) && ns > 0) return Math.round(ns / 1e6);
  } catch { /* no schedstat: ticks below */ }
  try {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return undefined; }
}
