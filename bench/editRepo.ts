// `npm run bench -- --edit-repo PATH` (run by bench/run.ts in its own process with --expose-gc):
// typing in the largest file of a real workspace, the way the extension re-analyses after an edit
// (updateDocument, dependents, analyze with `only`, no fixes). Fetches nothing: PATH is a checkout.
// Prints one JSON report: edit -> findings median / p95, per phase, heap before and after the edits
// (each after a GC), and the process's peak RSS. Not a test: nothing here fails on a slow machine.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { Analyzer, type SourceFile } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';

const r1 = (x: number) => Math.round(x * 10) / 10;
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * Edit sites: the ends of `count` indented code lines spread evenly over the file, one per
 * function where the file has that many (a line after a `def`), so the edits touch many parts.
 */
function sitesOf(text: string, count: number): number[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) { starts.push(off); off += l.length + 1; }
  const candidates: number[] = [];
  let inDef = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^\s*(async\s+)?def\s/.test(l)) { inDef = true; continue; }
    // A plain statement line (no continuation, no open bracket, no comment, no string) in a body.
    if (inDef && /^\s{4,}[A-Za-z_][\w.]*\s*(=|\()/.test(l) && /[\w)\]]$/.test(l) && !/[#'"\\]/.test(l) && balanced(l)) {
      candidates.push(i);
      inDef = false;
    }
  }
  const out: number[] = [];
  for (let k = 0; k < count && candidates.length; k++) {
    const line = candidates[Math.floor((k * candidates.length) / count)];
    out.push(starts[line] + lines[line].length);
  }
  return out;
}

function balanced(l: string): boolean {
  let d = 0;
  for (const ch of l) { if ('([{'.includes(ch)) d++; else if (')]}'.includes(ch)) d--; }
  return d === 0;
}

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? '');
  const count = Number(process.argv[3] ?? 200);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
  const log = (s: string) => process.stderr.write(`[bench:edit-repo] ${s}\n`);

  let t = performance.now();
  const { files: found } = discover([dir]);
  const files: SourceFile[] = [];
  for (const f of found) {
    const d = readSource(f.abs, f.rel).decoded;
    if (!d) continue;
    const m = moduleName(f.abs, f.root);
    files.push({ path: f.rel, text: d.text, module: m.module, isPackage: m.isPackage });
  }
  const loadMs = performance.now() - t;
  const bigIdx = files.reduce((best, f, i) => (f.text.length > files[best].text.length ? i : best), 0);
  let doc = files[bigIdx];
  log(`${files.length} files; largest ${doc.path} (${doc.text.split('\n').length} lines)`);

  const a = await Analyzer.create();
  t = performance.now();
  a.updateDocument(doc, []);
  const first = a.analyze(files, { fixes: false });
  const firstMs = performance.now() - t;
  // One warm-up edit cycle at a site that is not measured (JIT, caches of the edit path).
  const sites = sitesOf(doc.text, count);
  if (sites.length < count) log(`only ${sites.length} edit sites found`);
  let onlySize = 0;
  // CPU time of the process per edit: on a loaded machine wall time also counts waiting for a core.
  const cpu: number[] = [];
  const cycle = (at: number, ins: string): { update: number; deps: number; analyze: number; findings: number } => {
    const text = doc.text.slice(0, at) + ins + doc.text.slice(at);
    doc = { ...doc, text };
    files[bigIdx] = doc;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    a.updateDocument(doc, [{ start: at, end: at, text: ins }]);
    const t1 = performance.now();
    const only = a.dependents(files, doc.path);
    const t2 = performance.now();
    const r = a.analyze(files, { fixes: false, only });
    const t3 = performance.now();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    onlySize = only.size;
    return { update: t1 - t0, deps: t2 - t1, analyze: t3 - t2, findings: r.findings.length };
  };
  // Sites are offsets in the original text: apply them back to front so earlier ones stay valid.
  const order = [...sites].sort((x, y) => y - x);
  cycle(order[0], ' ');
  cpu.length = 0;
  const heapStart = heapMb();
  // LW_BENCH_PROFILE=file.cpuprofile: a CPU profile of the measured edits only.
  const profile = process.env.LW_BENCH_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); }
  const total: number[] = [];
  const update: number[] = [];
  const deps: number[] = [];
  const analyze: number[] = [];
  let findings = 0;
  for (let i = 0; i < order.length; i++) {
    // A keystroke: one character typed at the end of a statement line (a comment opener: still valid Python).
    const c = cycle(order[i] + (i === 0 ? 1 : 0), '#');
    total.push(c.update + c.deps + c.analyze); update.push(c.update); deps.push(c.deps); analyze.push(c.analyze);
    findings = c.findings;
  }
  if (session) { const { profile: p } = await session.post('Profiler.stop'); writeFileSync(profile!, JSON.stringify(p)); session.disconnect(); }
  const heapEnd = heapMb();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  a.dispose();
  const stat = (xs: number[]) => ({ median: r1(pct(xs, 50)), p95: r1(pct(xs, 95)), max: r1(Math.max(...xs)) });
  console.log(JSON.stringify({
    workspace: { path: dir, files: files.length, mb: r1(files.reduce((s, f) => s + f.text.length, 0) / 1048576), loadMs: Math.round(loadMs) },
    edited: { path: doc.path, lines: doc.text.split('\n').length, edits: total.length },
    firstAnalysisMs: Math.round(firstMs),
    findings: { first: first.findings.length, inReanalysedFiles: findings, reanalysedFiles: onlySize },
    editToFindingsMs: { ...stat(total), goal: 'median <= 20, p95 <= 50' },
    editCpuMs: stat(cpu),
    phasesMs: { updateDocument: stat(update), dependents: stat(deps), analyzeOnly: stat(analyze) },
    heapMb: { start: r1(heapStart), afterEdits: r1(heapEnd), growth: r1(heapEnd - heapStart), goal: '<= +10 MB' },
    peakRssMb: { value: r1(peakRssMb), goal: '<= 300 MB' },
  }, null, 2));
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
