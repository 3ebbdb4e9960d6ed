// `npm run bench`: Loopwise side by side with Ruff-wasm (ASYNC rules) on the same generated inputs.
// Prints one JSON report; every figure is the median of several runs after warm-up. Inputs are
// written (deterministically) under .bench/. Not a test: nothing here fails on a slow machine.
// `npm run bench -- --repo PATH [--runs N] [--base DIR]` (DIR: another build, run beside ours in every round): the same side by side on a real tree (see bench/repo.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';
import { parsePython } from '../src/core/parser';
import { generate } from './generate';
import { type ColdSample, coldRounds, median, r1, r2 } from './measure';
import { repoBench } from './repo';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, '.bench');
const CLI = join(ROOT, 'dist', 'cli.js');
const RUFF_SCAN = join(__dirname, 'ruff-scan.cjs');
const quick = process.argv.includes('--quick');

/** Median wall time (ms) of fn after `warm` unmeasured runs. */
function timeit(fn: () => void, runs: number, warm = 2): number {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const s = performance.now(); fn(); t.push(performance.now() - s); }
  return median(t);
}

function loadProject(dir: string): SourceFile[] {
  const { files } = discover([dir]);
  return files.map((f) => {
    const d = readSource(f.abs, f.rel).decoded!;
    const m = moduleName(f.abs, f.root);
    return { path: f.rel, text: d.text, module: m.module, isPackage: m.isPackage };
  });
}

/** `--edit-repo PATH [--edits N]`: typing in the largest file of a real workspace (bench/editRepo.ts, own process). */
function editRepo(): boolean {
  const i = process.argv.indexOf('--edit-repo');
  if (i < 0) return false;
  const path = process.argv[i + 1];
  if (!path || !existsSync(path)) throw new Error('--edit-repo needs the path of a checkout');
  const n = process.argv.indexOf('--edits');
  const edits = n >= 0 ? process.argv[n + 1] : '200';
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'editRepo.ts'), path, edits], { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(child.stdout);
  if (child.status) process.exitCode = child.status;
  return true;
}

async function main(): Promise<void> {
  if (editRepo()) return;
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` first');
  const g = generate(OUT);
  const mb = (bytes: number) => bytes / 1048576;
  const bigBytes = Buffer.byteLength(g.bigText);
  const big: SourceFile = { path: 'big.py', text: g.bigText, module: 'big', isPackage: false };
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

  // ---- Cold processes (first, in a process of their own: measure.ts coldRounds) -----------------
  log('cold CLI scans');
  const runs = quick ? 2 : 5;
  // The three commands run in rounds, each round once each in an order rotated from round to round, so a
  // change of the machine's speed (this VM's can double within minutes) hits all three alike; the ratio to
  // Ruff is the median of the rounds' own ratios. (They ran one after the other before: session 15 saw
  // ours 5.8 s and Ruff 5.8 s in a slow spell, against 2.4-2.9 s and 3.9-5.6 s interleaved.)
  // They run before this process has loaded the project or run anything in process: it waits for them
  // in spawnSync with a small heap, as a shell would (after the in-process sections its ~800 MB heap
  // was still being collected while the scans ran: session 17).
  const coldCommands: [string, string[]][] = [
    [process.execPath, [CLI, 'scan', g.project, '--format', 'json', '--exit-zero', '--no-respect-gitignore']],
    [process.execPath, [CLI, 'scan', g.project, '--format', 'json', '--exit-zero', '--jobs', '1', '--no-respect-gitignore']],
    [process.execPath, [RUFF_SCAN, g.project]],
  ];
  const cold = coldRounds(coldCommands, runs);
  const summary = (res: ColdSample[]) => {
    const cpu = res.every((r) => r.cpuMs !== undefined) ? median(res.map((r) => r.cpuMs!)) : undefined;
    return { ms: median(res.map((r) => r.ms)), cpuMs: cpu, peakRssMb: median(res.map((r) => r.peakRssMb)) };
  };
  const [oursCold, oursCold1, ruffCold] = cold.samples.map(summary);
  const coldRatios = cold.samples[0].map((r, i) => r.ms / cold.samples[2][i].ms);
  const ruffColdOut = JSON.parse(cold.stdout[2]) as { files: number; diagnostics: number };
  const oursColdSummary = (JSON.parse(cold.stdout[0]) as { summary: { files: number; findings: number } }).summary;
  // A scan that read nothing (an ignore rule, a moved folder) must not pass for a fast one.
  if (oursColdSummary.files !== ruffColdOut.files) throw new Error(`cold scan read ${oursColdSummary.files} files, Ruff ${ruffColdOut.files}`);

  const project = loadProject(g.project);
  const projectBytes = project.reduce((s, f) => s + Buffer.byteLength(f.text), 0);

  // ---- Ruff-wasm in process: load, warm-up, edit check, per-file throughput ----------------------
  log('ruff-wasm in process');
  let t = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ruff = require('@astral-sh/ruff-wasm-nodejs');
  const ws = new ruff.Workspace({ lint: { select: ['ASYNC'] } }, ruff.PositionEncoding.Utf16);
  const ruffLoadMs = performance.now() - t;
  t = performance.now();
  const ruffBigFindings = ws.check(g.bigText).length;
  const ruffFirstCheckMs = performance.now() - t;

  // The edit: one character typed into a string in the middle of the 10k-line file, then removed.
  const lines = g.bigText.split('\n');
  const midLine = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('log.info("'));
  const at = lines.slice(0, midLine).join('\n').length + 1 + lines[midLine].indexOf('log.info("') + 10;
  const variants = [g.bigText.slice(0, at) + 'x' + g.bigText.slice(at), g.bigText];
  const edits = [{ start: at, end: at, text: 'x' }, { start: at, end: at + 1, text: '' }];
  let k = 0;
  const ruffEditMs = timeit(() => { ws.check(variants[k++ % 2]); }, quick ? 5 : 15, 3);
  const ruffPerFileMs = timeit(() => { for (const f of project) ws.check(f.text); }, quick ? 1 : 3, 1);
  ws.free();

  // ---- Loopwise in process ---------------------------------------------------------------------
  log('loopwise in process');
  t = performance.now();
  const a = await Analyzer.create();
  const oursInitMs = performance.now() - t;
  a.updateDocument(big, []);
  const baseline = a.analyze([big]);
  let incremental = true;
  let oursBigFindings = 0;
  k = 0;
  const editMs = timeit(() => {
    const i = k++ % 2;
    const doc = { ...big, text: variants[i] };
    const u = a.updateDocument(doc, [edits[i]]);
    incremental &&= u.incremental;
    // Findings only: quick fixes are computed when the editor asks for code actions on a line.
    oursBigFindings = a.analyze([doc], { fixes: false }).findings.length;
    // Steady-state typing: 40 keystrokes first (4 left the median at the mercy of GC and the JIT,
    // 11-45 ms from run to run), then the median of 60.
  }, quick ? 6 : 60, quick ? 4 : 40);
  const editWithFixesMs = timeit(() => {
    const i = k++ % 2;
    const doc = { ...big, text: variants[i] };
    a.updateDocument(doc, [edits[i]]);
    a.analyze([doc]);
  }, quick ? 6 : 20, 4);
  // Where the edit time goes: the incremental reparse alone vs the whole update + analyze.
  let tree = parsePython(g.bigText);
  const reparseMs = timeit(() => {
    const i = k++ % 2;
    tree.edit(editFor(variants[1 - i], edits[i]));
    const next = parsePython(variants[i], tree);
    tree.delete();
    tree = next;
  }, quick ? 6 : 20, 4);
  tree.delete();
  a.dispose();

  // Per-file throughput: parse only vs full analysis (model + analyze) of one file.
  const parseBigMs = timeit(() => parsePython(g.bigText).delete(), quick ? 3 : 9);
  const analyzeBigMs = timeit(() => { a.forget(big.path); a.analyze([big]); }, quick ? 3 : 9);
  const parseProjectMs = timeit(() => { for (const f of project) parsePython(f.text).delete(); }, quick ? 1 : 3, 1);
  const modelProjectMs = timeit(() => { for (const f of project) { a.forget(f.path); a.model(f); } }, quick ? 1 : 3, 1);
  const perFileAnalyzeMs = timeit(() => { for (const f of project) { a.forget(f.path); a.analyze([f]); } }, quick ? 1 : 3, 1);
  // The cross-file pass: analyze() of the whole project with cold caches vs building its models.
  let projectFindings = 0;
  const analyzeProjectMs = timeit(() => { for (const f of project) a.forget(f.path); projectFindings = a.analyze(project).findings.length; }, quick ? 1 : 3, 1);
  const crossFileOnlyMs = timeit(() => { a.analyze(project); }, quick ? 1 : 3, 1);
  a.dispose();

  // ---- Memory across edits (own process, so earlier work does not blur it) ----------------------
  log('memory across 10,000 edits');
  const editsChild = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'edits.ts'), String(quick ? 2000 : 10_000)], { encoding: 'utf8', cwd: ROOT });
  const mem = JSON.parse(editsChild.stdout.trim().split('\n').pop() ?? '{}') as { cycles: number; file: string; rssWarmMb: number; rssEndMb: number; wasmWarmMb: number; wasmEndMb: number; heapWarmMb: number; heapEndMb: number; msPerCycle: number };

  const analysisOverhead = analyzeBigMs / parseBigMs - 1;
  const projectOverhead = perFileAnalyzeMs / parseProjectMs - 1;
  const crossFileShare = analyzeProjectMs / modelProjectMs - 1;
  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
    inputs: { bigFile: { lines: g.bigText.split('\n').length - 1, mb: r2(mb(bigBytes)) }, project: { files: project.length, mb: r2(mb(projectBytes)) } },
    editLatency: {
      oursMs: r1(editMs),
      oursIncrementalReparseMs: r1(reparseMs),
      oursWithAllFixesMs: r1(editWithFixesMs),
      incremental,
      ruffFullCheckMs: r1(ruffEditMs),
      ratioVsRuff: r2(editMs / ruffEditMs),
      goal: 'ours <= 10 ms and <= 1/3 of Ruff',
      meetsGoal: editMs <= 10 && editMs <= ruffEditMs / 3,
      findings: { ours: oursBigFindings, oursBefore: baseline.findings.length, ruff: ruffBigFindings },
    },
    throughput: {
      bigFile: { parseMBs: r2(mb(bigBytes) / (parseBigMs / 1000)), analysisMBs: r2(mb(bigBytes) / (analyzeBigMs / 1000)), parseMs: r1(parseBigMs), analysisMs: r1(analyzeBigMs), analysisAddsPct: Math.round(analysisOverhead * 100) },
      projectPerFile: { parseMBs: r2(mb(projectBytes) / (parseProjectMs / 1000)), analysisMBs: r2(mb(projectBytes) / (perFileAnalyzeMs / 1000)), analysisAddsPct: Math.round(projectOverhead * 100) },
      ruffPerFileMBs: r2(mb(projectBytes) / (ruffPerFileMs / 1000)),
      goal: 'analysis adds <= 30 % to the parse',
      meetsGoal: analysisOverhead <= 0.3,
    },
    crossFile: {
      modelBuildingMs: r1(modelProjectMs),
      wholeAnalyzeMs: r1(analyzeProjectMs),
      crossFilePassOnlyMs: r1(crossFileOnlyMs),
      addsPct: Math.round(crossFileShare * 100),
      goal: 'cross-file pass adds <= 30 % to per-file model building',
      meetsGoal: crossFileShare <= 0.3,
      findings: projectFindings,
    },
    coldScan: {
      oursMs: Math.round(oursCold.ms),
      oursOneThreadMs: Math.round(oursCold1.ms),
      ruffMs: Math.round(ruffCold.ms),
      // Median of the rounds' ratios (each round ran ours and Ruff minutes apart at most).
      ratioVsRuff: r2(median(coldRatios)),
      ratioVsRuffPerRound: coldRatios.map(r2),
      // CPU time of each whole process (all threads): the steadier figure when the machine is loaded.
      cpuMs: { ours: oursCold.cpuMs, oursOneThread: oursCold1.cpuMs, ruff: ruffCold.cpuMs },
      // CPU of the process that ran the rounds and of this one (all threads) while they ran: both only wait.
      harnessCpuMs: { rounds: cold.harnessCpuMs, bench: cold.callerCpuMs },
      // The most any run read from disk: above 0, a file it needed was no longer in the page cache (this VM
      // pages out file cache untouched for ~60 s: docs/performance.md, "Session 17: bench17").
      diskReadKbMax: Object.fromEntries((['ours', 'oursOneThread', 'ruff'] as const).map((k, i) => [k, Math.max(...cold.samples[i].map((r) => r.diskReadKb ?? 0))])),
      goal: '<= 0.5x Ruff',
      meetsGoal: median(coldRatios) <= 0.5,
      ours: oursColdSummary,
      ruff: ruffColdOut,
      ruffInProcess: { loadMs: r1(ruffLoadMs), firstCheckOfBigFileMs: r1(ruffFirstCheckMs) },
      oursInitMs: r1(oursInitMs),
    },
    memory: {
      scanPeakRssMb: oursCold.peakRssMb,
      scanOneThreadPeakRssMb: oursCold1.peakRssMb,
      ruffScanPeakRssMb: ruffCold.peakRssMb,
      goalScan: '<= 200 MB',
      meetsScanGoal: oursCold.peakRssMb <= 200,
      edits: mem,
      rssGrowthMb: r1(mem.rssEndMb - mem.rssWarmMb),
      // The live heap after a GC: growth here would be a leak; RSS can also grow from V8's and malloc's reserves.
      heapGrowthMb: r1(mem.heapEndMb - mem.heapWarmMb),
      goalEdits: 'flat: + <= 10 MB across 10,000 edits',
      meetsEditGoal: mem.rssEndMb - mem.rssWarmMb <= 10,
    },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

function editFor(before: string, e: { start: number; end: number; text: string }) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Edit } = require('web-tree-sitter') as typeof import('web-tree-sitter');
  const pos = (s: string, off: number) => { const pre = s.slice(0, off); const row = pre.split('\n').length - 1; return { row, column: off - (pre.lastIndexOf('\n') + 1) }; };
  const after = before.slice(0, e.start) + e.text + before.slice(e.end);
  return new Edit({ startIndex: e.start, oldEndIndex: e.end, newEndIndex: e.start + e.text.length, startPosition: pos(before, e.start), oldEndPosition: pos(before, e.end), newEndPosition: pos(after, e.start + e.text.length) });
}

const repoAt = process.argv.indexOf('--repo');
if (repoAt >= 0) {
  const runsAt = process.argv.indexOf('--runs');
  const baseAt = process.argv.indexOf('--base');
  repoBench(process.argv[repoAt + 1] ?? '', runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 3, baseAt >= 0 ? process.argv[baseAt + 1] : undefined).catch((e) => { console.error(e); process.exitCode = 1; });
} else {
  main().catch((e) => { console.error(e); process.exitCode = 1; });
}
