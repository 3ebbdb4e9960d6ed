// The cold rounds of `npm run bench` and `--repo` mode (bench/measure.ts coldRounds), in a process of
// their own: plain JavaScript, no tsx, nothing loaded but Node's own modules, idle while each command
// runs, as a shell is. The bench process that starts this one waits in spawnSync (none of its
// JavaScript and none of its GC runs meanwhile). Run from the bench process itself, after its
// in-process sections, the cold scans took more CPU and wall than the same commands from a shell in
// the same minutes (docs/performance.md, "Session 17: bench17").
//
// Usage: node cold-rounds.cjs SPEC.json. SPEC: { commands: [[cmd, args], ...], runs, outDir }.
// Every command runs once unmeasured (the file cache), then `runs` rounds run each once, in an order
// rotated from round to round. Each run's standard output goes to a file; the first round's stays
// in outDir as `<command index>.out` (the rest are overwritten). Prints one JSON line:
// { samples: [[{ ms, cpuMs, peakRssMb }, ...] per command], harnessCpuMs }.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { closeSync, existsSync, openSync, readFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const gnuTime = existsSync('/usr/bin/time');

/**
 * One run of cmd: wall time from spawn to exit on this process's clock, peak RSS and CPU time (user +
 * system, all threads) from GNU time, else the RSS sampled with ps (no CPU time then). Rejects when
 * the command fails.
 */
function run(cmd, args, outFile) {
  const argv = gnuTime ? ['-f', '__RSS_KB=%M __CPU_S=%U+%S __IN=%I __MAJ=%F', cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, 'w');
    const start = performance.now();
    const child = spawn(gnuTime ? '/usr/bin/time' : cmd, argv, { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    let peak = 0;
    const sampler = gnuTime ? undefined : setInterval(() => {
      const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' });
      peak = Math.max(peak, Number(ps.stdout.trim()) || 0);
    }, 20);
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (sampler) clearInterval(sampler);
      // A command that failed measured nothing (GNU time exits with its status).
      if (code !== 0) { reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${stderr}`)); return; }
      const m = /__RSS_KB=(\d+)/.exec(stderr);
      if (m) peak = Number(m[1]);
      const c = /__CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      const io = /__IN=(\d+) __MAJ=(\d+)/.exec(stderr);
      resolve({ ms, peakRssMb: Math.round(peak / 102.4) / 10, cpuMs: c ? Math.round((Number(c[1]) + Number(c[2])) * 1000) : undefined, ...(io ? { diskReadKb: Number(io[1]) / 2, majorFaults: Number(io[2]) } : {}) });
    });
  });
}

async function main() {
  const { commands, runs, outDir } = spec;
  const scratch = join(outDir, 'scratch.out');
  for (const [cmd, args] of commands) await run(cmd, args, scratch); // warm the file cache
  const samples = commands.map(() => []);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < commands.length; k++) {
      const v = (i + k) % commands.length;
      samples[v].push(await run(commands[v][0], commands[v][1], scratch));
      if (i === 0) renameSync(scratch, join(outDir, `${v}.out`));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ samples, harnessCpuMs: Math.round((cpu.user + cpu.system) / 1000) }) + '\n');
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
