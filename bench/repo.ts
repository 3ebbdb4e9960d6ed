// `npm run bench -- --repo PATH [--runs N]`: Loopwise side by side with Ruff-wasm (ASYNC rules) on a
// real tree that is already on disk (nothing is fetched). Prints one JSON report:
// - cold processes (ours with its default threads, ours on one thread, Ruff-wasm, and with `--base DIR`
//   another build's CLI) in rounds, the order rotated each round, run by a small process of their own
//   (measure.ts coldRounds): median wall time, CPU time (all threads) and peak RSS over N runs after one
//   unmeasured warm-up of each (file cache), the load average around them, and whether both read the
//   same number of files;
// - where our time goes, in this process on one thread: read + decode, tree-sitter parse alone, model
//   building (parse included), the cross-file pass, the quick fixes, the JSON output; and Ruff-wasm's
//   own per-file checks for comparison.
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { jsonReport } from '../src/cli/scan';
import { Analyzer, type SourceFile } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';
import { parsePython } from '../src/core/parser';
import type { ScannedFile } from '../src/core/scan';
import { type ColdSample, coldRounds, median, r1, r2 } from './measure';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const RUFF_SCAN = join(__dirname, 'ruff-scan.cjs');

const since = (t: number) => performance.now() - t;

/** `base`: another build's folder (its dist/cli.js runs, default threads, in every round beside ours: an A/B on one machine state). */
export async function repoBench(path: string, runs: number, base?: string): Promise<void> {
  if (!path) throw new Error('--repo needs a folder: npm run bench -- --repo PATH');
  const dir = resolve(path);
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

  // ---- Cold processes, in rounds so a change in machine load hits all of them alike ----------------
  const variants: [string, string, string[]][] = [
    ['ours', process.execPath, [CLI, 'scan', dir, '--format', 'json', '--exit-zero', '--no-config']],
    ['oursOneThread', process.execPath, [CLI, 'scan', dir, '--format', 'json', '--exit-zero', '--no-config', '--jobs', '1']],
    ['ruff', process.execPath, [RUFF_SCAN, dir]],
  ];
  if (base) variants.push(['base', process.execPath, [join(resolve(base), 'dist', 'cli.js'), 'scan', dir, '--format', 'json', '--exit-zero', '--no-config']]);
  log(`cold processes on ${dir}: ${runs} runs each, in rotated rounds`);
  const loadBefore = loadavg()[0];
  const rounds = coldRounds(variants.map(([, cmd, args]) => [cmd, args]), runs);
  const samples = Object.fromEntries(variants.map(([name], i) => [name, rounds.samples[i]])) as Record<string, ColdSample[]>;
  const stdoutOf = (name: string) => rounds.stdout[variants.findIndex(([n]) => n === name)];
  const loadAfter = loadavg()[0];
  const cpuOf = (v: { cpuMs?: number }[]) => (v.every((x) => x.cpuMs !== undefined) ? median(v.map((x) => x.cpuMs!)) : undefined);
  const cold = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: Math.round(median(v.map((x) => x.ms))), cpuMs: cpuOf(v), peakRssMb: median(v.map((x) => x.peakRssMb)), runsMs: v.map((x) => Math.round(x.ms)) }]));
  const oursOut = JSON.parse(stdoutOf('ours')) as { summary: { files: number; findings: number; skipped: number } };
  const ruffOut = JSON.parse(stdoutOf('ruff')) as { files: number; diagnostics: number };
  // Ruff-wasm's script reads every *.py under the folder; the scan skips virtualenvs, build output and
  // git-ignored files. Different file sets make the ratio meaningless: say so in the report.
  if (oursOut.summary.files !== ruffOut.files) log(`warning: the scan read ${oursOut.summary.files} files, Ruff-wasm ${ruffOut.files}`);

  // ---- Phases in this process, one thread ---------------------------------------------------------
  log('phases in process');
  let t = performance.now();
  const { files } = discover([dir]);
  const sources: SourceFile[] = [];
  const scanned = new Map<string, ScannedFile>();
  for (const f of files) {
    const { decoded } = readSource(f.abs, f.rel);
    if (!decoded) continue;
    const m = moduleName(f.abs, f.root);
    sources.push({ path: f.rel, text: decoded.text, module: m.module, isPackage: m.isPackage });
    scanned.set(f.rel, { abs: f.abs, rel: f.rel, decoded, root: f.root });
  }
  const readMs = since(t);
  const bytes = sources.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
  const analyzer = await Analyzer.create();
  t = performance.now();
  for (const f of sources) parsePython(f.text).delete();
  const parseMs = since(t);
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  for (const f of sources) { try { analyzer.model(f); } catch { /* analyze() reports it */ } }
  const modelMs = since(t);
  const modelsHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
  // The cross-file pass twice (the first run also warms the JIT for the run with fixes): the second counts.
  analyzer.analyze(sources, { fixes: false });
  t = performance.now();
  const noFixes = analyzer.analyze(sources, { fixes: false });
  const crossFileMs = since(t);
  t = performance.now();
  const withFixes = analyzer.analyze(sources);
  const withFixesMs = since(t);
  t = performance.now();
  const json = jsonReport(withFixes, scanned);
  const jsonMs = since(t);
  analyzer.dispose();

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ruff = require('@astral-sh/ruff-wasm-nodejs');
  const ws = new ruff.Workspace({ lint: { select: ['ASYNC'] } }, ruff.PositionEncoding.Utf16);
  t = performance.now();
  for (const f of sources) ws.check(f.text);
  const ruffCheckMs = since(t);
  ws.free();

  const total = readMs + modelMs + withFixesMs + jsonMs;
  const pct = (x: number) => Math.round((x / total) * 100);
  const report = {
    repo: dir,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvg1m: { beforeColdRuns: r2(loadBefore), afterColdRuns: r2(loadAfter) } },
    inputs: { files: sources.length, mb: r2(bytes / 1048576), scannedFiles: oursOut.summary.files, ruffFiles: ruffOut.files, sameFiles: oursOut.summary.files === ruffOut.files },
    coldScan: {
      ours: cold.ours,
      oursOneThread: cold.oursOneThread,
      ruff: cold.ruff,
      ratioVsRuff: r2(cold.ours.ms / cold.ruff.ms),
      // Round by round (each round runs every variant once, in turn): the bar holds only if every one is under it.
      ratioVsRuffPerRun: samples.ours.map((x, i) => r2(x.ms / samples.ruff[i].ms)),
      ...(base ? { base: cold.base, baseRatioVsRuffPerRun: samples.base.map((x, i) => r2(x.ms / samples.ruff[i].ms)), baseDir: resolve(base) } : {}),
      harnessCpuMs: { rounds: rounds.harnessCpuMs, bench: rounds.callerCpuMs },
      oneThreadRatioVsRuff: r2(cold.oursOneThread.ms / cold.ruff.ms),
      // CPU time of the whole process (all threads), the steadier figure on a loaded machine.
      cpuRatioVsRuff: cold.ours.cpuMs && cold.ruff.cpuMs ? r2(cold.ours.cpuMs / cold.ruff.cpuMs) : undefined,
      oneThreadCpuRatioVsRuff: cold.oursOneThread.cpuMs && cold.ruff.cpuMs ? r2(cold.oursOneThread.cpuMs / cold.ruff.cpuMs) : undefined,
      goal: 'wall <= 0.5x Ruff-wasm, peak RSS <= 250 MB',
      meetsGoal: cold.ours.ms <= 0.5 * cold.ruff.ms && cold.ours.peakRssMb <= 250,
      findings: { ours: oursOut.summary.findings, oursSkipped: oursOut.summary.skipped, ruff: ruffOut.diagnostics },
    },
    phasesOneThread: {
      readAndDecodeMs: Math.round(readMs),
      parseOnlyMs: Math.round(parseMs),
      modelBuildMs: Math.round(modelMs),
      modelBuildBeyondParseMs: Math.round(modelMs - parseMs),
      crossFilePassMs: Math.round(crossFileMs),
      fixesMs: Math.round(withFixesMs - crossFileMs),
      jsonOutputMs: Math.round(jsonMs),
      shareOfTotalPct: { read: pct(readMs), parse: pct(parseMs), modelBeyondParse: pct(modelMs - parseMs), crossFile: pct(crossFileMs), fixes: pct(withFixesMs - crossFileMs), json: pct(jsonMs) },
      analysisOverParse: r2(modelMs / parseMs),
      modelsHeapMb: r1(modelsHeapMb),
      findings: { withoutFixes: noFixes.findings.length, withFixes: withFixes.findings.length, jsonKb: Math.round(json.length / 1024) },
      ruffCheckAllFilesMs: Math.round(ruffCheckMs),
    },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
