// `npm run bench -- --edit-repo PATH` (run by bench/run.ts in its own process with --expose-gc):
// typing in the largest file of a real workspace, the way the extension re-analyses after an edit
// (updateDocument, dependents, analyze with `only`, no fixes). Fetches nothing: PATH is a checkout.
// Prints one JSON report: edit -> findings median / p95 per kind of keystroke (body, comment, surface)
// and for `typing` (real definitions and an import line typed again character by character: the
// realistic mix, with the share of keystrokes that changed the file's surface), per phase, heap before
// and after the edits (each after a GC), and the process's peak RSS. LW_BENCH_KINDS=body,typing picks
// kinds. After each edit's findings, Analyzer.settle() takes the export keys the analysis left for
// later, as the language server does once it has published them: timed apart (settleCpuMs), not in
// edit -> findings. Not a test: nothing here fails on a slow machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Analyzer, type SourceFile } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';
import { pct, r1, rerunAsServer, serverV8Flags } from './measure';
import { lineAt, sitesOf, typingSpans } from './sites';


/** Where the bench's flattening read goes, so that no compiler drops it as unused. */
let flatSink = 0;

async function main(): Promise<void> {
  if (rerunAsServer()) return;
  // The language server's V8 flags, or LW_BENCH_V8_FLAGS (bench/measure.ts).
  const flags = serverV8Flags();
  const dir = resolve(process.argv[2] ?? '');
  const count = Number(process.argv[3] ?? 200);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
  const log = (s: string) => process.stderr.write(`[bench:edit-repo] ${s}\n`);
  // LW_BENCH_MEM=1: process.memoryUsage() per phase (after a GC, with the peak RSS so far) on stderr;
  // LW_BENCH_SNAP=DIR: heap snapshots (after a GC) once the warm-up edit is done and after the edits.
  const memLog = process.env.LW_BENCH_MEM === '1';
  const snapDir = process.env.LW_BENCH_SNAP;
  const phases: Record<string, Record<string, number>> = {};
  const mem = (phase: string, collect = true) => {
    if (!memLog) return;
    if (collect) { gc(); gc(); }
    const m = process.memoryUsage();
    const mb = (x: number) => r1(x / 1048576);
    phases[phase] = { heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), rss: mb(m.rss), peakRss: r1(process.resourceUsage().maxRSS / 1024) };
    log(`mem ${phase}${collect ? '' : ' (no GC)'}: ${JSON.stringify(phases[phase])}`);
  };
  const snap = (name: string) => {
    if (!snapDir) return;
    mkdirSync(snapDir, { recursive: true });
    gc(); gc();
    log(`heap snapshot ${writeHeapSnapshot(resolve(snapDir, `${name}.heapsnapshot`))}`);
  };
  mem('start');

  let t = performance.now();
  process.chdir(dir); // paths as the extension shows them: relative to the workspace folder
  const { files: found } = discover(['.']);
  const files: SourceFile[] = [];
  for (const f of found) {
    const d = readSource(f.abs, f.rel).decoded;
    if (!d) continue;
    const m = moduleName(f.abs, f.root);
    files.push({ path: f.rel, text: d.text, module: m.module, isPackage: m.isPackage });
  }
  const loadMs = performance.now() - t;
  mem('files read');
  const bigIdx = files.reduce((best, f, i) => (f.text.length > files[best].text.length ? i : best), 0);
  let doc = files[bigIdx];
  log(`${files.length} files; largest ${doc.path} (${doc.text.split('\n').length} lines)`);

  const a = await Analyzer.create();
  mem('parser ready');
  t = performance.now();
  a.updateDocument(doc, []);
  const first = a.analyze(files, { fixes: false });
  const firstMs = performance.now() - t;
  t = performance.now();
  (a as { settle?: () => void }).settle?.();
  const firstSettleMs = performance.now() - t;
  mem('first analysis', false);
  mem('first analysis');
  // One warm-up edit cycle at a site that is not measured (JIT, caches of the edit path).
  const sites = sitesOf(doc.text, count);
  log(`${sites.body.length} function-body sites, ${sites.surface.length} class-attribute sites`);
  let onlySize = 0;
  // keptStats: absent before kept results (when this bench measures an older checkout).
  const keptStats = () => (a as { keptStats?: { analysed: number; kept: number; keyMs: number } }).keptStats;
  // CPU time of the process per edit: on a loaded machine wall time also counts waiting for a core.
  const cpu: number[] = [];
  const cpuUpdate: number[] = [];
  const settleCpu: number[] = [];
  // Each measured keystroke's window (edit -> findings) and kind, and V8's GC pauses (PerformanceObserver
  // 'gc' entries: the main thread's pauses, scavenges and full GCs; not incremental marking's steps):
  // the report says how much of each kind's tail is pause time.
  const windows: { kind: string; start: number; end: number }[] = [];
  let windowKind = 'other';
  const gcs: { start: number; ms: number; major: boolean }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, major: ((e as { detail?: { kind?: number } }).detail)?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cycle = (at: number, ins: string, end = at): { update: number; deps: number; analyze: number; findings: number; surface?: string; broken: boolean } => {
    const text = doc.text.slice(0, at) + ins + doc.text.slice(end);
    doc = { ...doc, text };
    files[bigIdx] = doc;
    // The language server flattens each version's text when its didChange arrives, inside the debounce
    // (server/workspace.ts flatten): a copy of the whole text that edit -> findings no longer includes
    // (~2-3 ms CPU for onyx's db/models.py at load). LW_BENCH_CONS=1 leaves it to updateDocument, as before session 17.
    if (process.env.LW_BENCH_CONS !== '1') flatSink ^= text.charCodeAt(0);
    const ms = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { model } = a.updateDocument(doc, [{ start: at, end, text: ins }]);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const only = a.dependents(files, doc.path);
    const t2 = performance.now();
    const r = a.analyze(files, { fixes: false, only });
    const t3 = performance.now();
    windows.push({ kind: windowKind, start: t0, end: t3 });
    const c = process.cpuUsage(c0);
    cpu.push(ms(c));
    cpuUpdate.push(ms(c1) - ms(c0));
    // settle: absent before deferred keys (when this bench measures an older checkout).
    const s0 = process.cpuUsage();
    (a as { settle?: () => void }).settle?.();
    settleCpu.push(ms(process.cpuUsage(s0)));
    onlySize = only.size;
    if (memLog && cpu.length % 100 === 0) mem(`${cpu.length} edits`, false);
    return { update: t1 - t0, deps: t2 - t1, analyze: t3 - t2, findings: r.findings.length, surface: model.surface, broken: model.syntaxErrors.length > 0 };
  };
  cycle(lineAt(doc.text, sites.body[0]).end, ' ');
  cpu.length = 0;
  const heapStart = heapMb();
  mem('warm-up edit');
  snap('start');
  // LW_BENCH_PROFILE=file.cpuprofile: a CPU profile of the measured edits only.
  const profile = process.env.LW_BENCH_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); }
  // LW_BENCH_HEAPPROF=file.heapprofile: sampled allocations of the measured edits that outlived a
  // young-generation GC (promoted: what fills the old generation between full GCs), by allocation site.
  const heapProf = process.env.LW_BENCH_HEAPPROF;
  const heapSession = heapProf ? new Session() : undefined;
  if (heapSession) { heapSession.connect(); await heapSession.post('HeapProfiler.enable'); await heapSession.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true } as never); }
  // Three kinds of keystroke (no line is added or removed):
  //  body:    a letter typed at the start of a statement in a function (`x` + name): the function's
  //           calls change, so its importers are re-analysed;
  //  comment: `#` typed at the end of the same lines: nothing importers see changes;
  //  surface: a letter typed at the start of a class attribute: the file's surface changes.
  const kinds = { body: { total: [] as number[], cpu: [] as number[], update: [] as number[], deps: [] as number[], analyze: [] as number[], reanalysed: [] as number[], analysed: [] as number[], keyMs: [] as number[], cpuUpdate: [] as number[], settle: [] as number[], fastapiRebuilt: 0 }, comment: { total: [] as number[], cpu: [] as number[], update: [] as number[], deps: [] as number[], analyze: [] as number[], reanalysed: [] as number[], analysed: [] as number[], keyMs: [] as number[], cpuUpdate: [] as number[], settle: [] as number[], fastapiRebuilt: 0 }, surface: { total: [] as number[], cpu: [] as number[], update: [] as number[], deps: [] as number[], analyze: [] as number[], reanalysed: [] as number[], analysed: [] as number[], keyMs: [] as number[], cpuUpdate: [] as number[], settle: [] as number[], fastapiRebuilt: 0 } };
  let findings = 0;
  // LW_BENCH_DETAIL=file.json: one row per scripted keystroke (kind, line, CPU, files analysed, key time).
  const detail: Record<string, number | string>[] = [];
  // In each row: the heap's size, the RSS and the peak RSS so far, after the keystroke (no GC): where the peak is reached.
  const memNow = (): Record<string, number> => process.env.LW_BENCH_DETAIL ? { heapTotalMb: r1(process.memoryUsage().heapTotal / 1048576), rssMb: r1(process.memoryUsage.rss() / 1048576), peakRssMb: r1(process.resourceUsage().maxRSS / 1024) } : {};
  // LW_BENCH_KINDS=body,comment: measure (and profile) only these kinds.
  const only = process.env.LW_BENCH_KINDS?.split(',');
  for (const kind of (['body', 'comment', 'surface'] as const).filter((x) => !only || only.includes(x))) {
    const k = kinds[kind];
    for (const line of kind === 'surface' ? sites.surface : sites.body) {
      const at = kind === 'comment' ? lineAt(doc.text, line).end : lineAt(doc.text, line).first;
      // indexStats: absent before the incremental index (when this bench measures an older checkout).
      const stats = (a as { indexStats?: { fastapiReused: number } }).indexStats;
      const reusedBefore = stats?.fastapiReused;
      windowKind = kind;
      const c = cycle(at, kind === 'comment' ? '#' : 'x');
      windowKind = 'other';
      if (stats && stats.fastapiReused === reusedBefore) k.fastapiRebuilt++;
      k.total.push(c.update + c.deps + c.analyze); k.update.push(c.update); k.deps.push(c.deps); k.analyze.push(c.analyze);
      k.cpu.push(cpu[cpu.length - 1]); k.cpuUpdate.push(cpuUpdate[cpuUpdate.length - 1]); k.settle.push(settleCpu[settleCpu.length - 1]); k.reanalysed.push(onlySize);
      const ks = keptStats();
      k.analysed.push(ks ? ks.analysed : onlySize); k.keyMs.push(ks ? ks.keyMs : 0);
      detail.push({ kind, line: line + 1, cpuMs: r1(cpu[cpu.length - 1]), updateCpuMs: r1(cpuUpdate[cpuUpdate.length - 1]), analysed: ks ? ks.analysed : onlySize, keyMs: r1(ks ? ks.keyMs : 0), settleCpuMs: r1(settleCpu[settleCpu.length - 1]), ...memNow() });
      findings = c.findings;
    }
  }
  // Typing as a person writes code: definitions of the file (a def line, then its body) and an import
  // line are cut (one edit, not measured) and typed again one character per keystroke, indentation and
  // newlines included. Each keystroke is classed by what it changed: the file's surface (what other
  // files can see: a def's name or signature while it is typed, an import), or not; the share of
  // surface keystrokes is what a realistic mix of typing has. LW_BENCH_TYPING=N: definitions (4).
  const typing = { slowest: [] as { cpuMs: number; wallMs: number; analysed: number; keyMs: number; settleCpuMs: number }[], settle: [] as number[], total: [] as number[], cpu: [] as number[], surfaceTotal: [] as number[], surfaceCpu: [] as number[], otherTotal: [] as number[], otherCpu: [] as number[], broken: 0, analysed: [] as number[], chars: 0, spans: [] as string[] };
  if (!only || only.includes('typing')) {
    const spans = typingSpans(doc.text, Number(process.env.LW_BENCH_TYPING ?? 4));
    // Back to front, so each span's offsets hold when it is reached.
    for (const span of [...spans].sort((x, y) => y.start - x.start)) {
      const body = doc.text.slice(span.start, span.end);
      typing.spans.push(`${span.kind} at line ${doc.text.slice(0, span.start).split('\n').length}: ${body.slice(0, body.indexOf('\n')).trim().slice(0, 60)} (${body.length} chars)`);
      let surface = cycle(span.start, '', span.end).surface;
      for (let i = 0; i < body.length; i++) {
        windowKind = 'typing';
        const c = cycle(span.start + i, body[i]);
        windowKind = 'other';
        const total = c.update + c.deps + c.analyze;
        const cpuMs = cpu[cpu.length - 1];
        typing.total.push(total); typing.cpu.push(cpuMs);
        const ks = keptStats();
        typing.analysed.push(ks ? ks.analysed : onlySize);
        typing.settle.push(settleCpu[settleCpu.length - 1]);
        typing.slowest.push({ cpuMs: r1(cpuMs), wallMs: r1(total), analysed: ks ? ks.analysed : onlySize, keyMs: r1(ks ? ks.keyMs : 0), settleCpuMs: r1(settleCpu[settleCpu.length - 1]) });
        typing.slowest.sort((x, y) => y.cpuMs - x.cpuMs).splice(5);
        if (process.env.LW_BENCH_DETAIL) detail.push({ kind: 'typing', at: span.start + i, cpuMs: r1(cpuMs), analysed: ks ? ks.analysed : onlySize, keyMs: r1(ks ? ks.keyMs : 0), settleCpuMs: r1(settleCpu[settleCpu.length - 1]), ...memNow() });
        if (c.surface !== surface) { typing.surfaceTotal.push(total); typing.surfaceCpu.push(cpuMs); } else { typing.otherTotal.push(total); typing.otherCpu.push(cpuMs); }
        if (c.broken) typing.broken++;
        surface = c.surface;
        findings = c.findings;
      }
      typing.chars += body.length;
    }
  }
  const total = [...kinds.body.total, ...kinds.comment.total, ...kinds.surface.total];
  for (const [kind, k] of Object.entries(kinds)) if (!k.total.length) delete (kinds as Record<string, unknown>)[kind];
  if (session) { const { profile: p } = await session.post('Profiler.stop'); writeFileSync(profile!, JSON.stringify(p)); session.disconnect(); }
  if (heapSession) { const { profile: p } = await heapSession.post('HeapProfiler.stopSampling'); writeFileSync(heapProf!, JSON.stringify(p)); heapSession.disconnect(); }
  if (process.env.LW_BENCH_DETAIL) writeFileSync(process.env.LW_BENCH_DETAIL, JSON.stringify(detail));
  // The observer's entries are delivered once the event loop runs: wait until no more come (at most 5 s).
  for (let n = -1, waited = 0; n !== gcs.length && waited < 5000; waited += 100) { n = gcs.length; await new Promise((r) => setTimeout(r, 100)); }
  gcObserver.disconnect();
  // Per kind: keystrokes that contain a full GC, the pause time inside the windows, and the p95 of the
  // wall time without those pauses (what the tail would be without them).
  const gcByKind: Record<string, { edits: number; withFullGc: number; fullGcMs: number; scavengeMs: number; p95: number; p95WithoutPauses: number }> = {};
  {
    let g = 0;
    const sorted = [...gcs].sort((x, y) => x.start - y.start);
    const per: Record<string, { walls: number[]; rest: number[]; withFullGc: number; fullGcMs: number; scavengeMs: number }> = {};
    for (const w of windows) {
      const k = (per[w.kind] ??= { walls: [], rest: [], withFullGc: 0, fullGcMs: 0, scavengeMs: 0 });
      while (g < sorted.length && sorted[g].start < w.start) g++;
      let pause = 0;
      let full = false;
      for (let i = g; i < sorted.length && sorted[i].start < w.end; i++) {
        pause += sorted[i].ms;
        if (sorted[i].major) { full = true; k.fullGcMs += sorted[i].ms; } else k.scavengeMs += sorted[i].ms;
      }
      if (full) k.withFullGc++;
      k.walls.push(w.end - w.start);
      k.rest.push(w.end - w.start - pause);
    }
    for (const [kind, k] of Object.entries(per)) if (kind !== 'other') gcByKind[kind] = { edits: k.walls.length, withFullGc: k.withFullGc, fullGcMs: r1(k.fullGcMs), scavengeMs: r1(k.scavengeMs), p95: r1(pct(k.walls, 0.95)), p95WithoutPauses: r1(pct(k.rest, 0.95)) };
  }
  const heapEnd = heapMb();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  mem('after edits');
  snap('end');
  a.dispose();
  const stat = (xs: number[]) => ({ median: r1(pct(xs, 0.5)), p95: r1(pct(xs, 0.95)), max: r1(Math.max(...xs)) });
  console.log(JSON.stringify({
    v8Flags: flags,
    workspace: { path: dir, files: files.length, mb: r1(files.reduce((s, f) => s + f.text.length, 0) / 1048576), loadMs: Math.round(loadMs) },
    edited: { path: doc.path, lines: doc.text.split('\n').length, edits: total.length },
    firstAnalysisMs: Math.round(firstMs), firstSettleMs: Math.round(firstSettleMs),
    findings: { first: first.findings.length, inReanalysedFilesAtEnd: findings },
    editToFindingsMs: total.length ? { ...stat(total), goal: 'median <= 20, p95 <= 50' } : undefined,
    byKind: Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, {
      edits: k.total.length, surfaceChanged: k.fastapiRebuilt, editToFindingsMs: stat(k.total), cpuMs: stat(k.cpu), cpuMsUpdateDocument: stat(k.cpuUpdate), dependents: stat(k.reanalysed), analysedFiles: stat(k.analysed), importersKept: k.analysed.filter((n, i) => n < k.reanalysed[i]).length, exportKeyMs: stat(k.keyMs), settleCpuMs: stat(k.settle),
      phasesMs: { updateDocument: stat(k.update), dependents: stat(k.deps), analyzeOnly: stat(k.analyze) },
    }])),
    ...(typing.total.length ? {
      typing: {
        spans: typing.spans, keystrokes: typing.total.length,
        surfaceShare: r1((100 * typing.surfaceTotal.length) / typing.total.length) + ' %', withSyntaxError: r1((100 * typing.broken) / typing.total.length) + ' %',
        editToFindingsMs: { ...stat(typing.total), goal: 'median <= 20, p95 <= 50' }, cpuMs: stat(typing.cpu), settleCpuMs: stat(typing.settle), analysedFiles: stat(typing.analysed),
        // The 5 keystrokes that took the most CPU, with the files analysed and the time export keys took.
        slowest: typing.slowest,
        surfaceKeystrokes: { count: typing.surfaceTotal.length, editToFindingsMs: stat(typing.surfaceTotal), cpuMs: stat(typing.surfaceCpu) },
        otherKeystrokes: { count: typing.otherTotal.length, editToFindingsMs: stat(typing.otherTotal), cpuMs: stat(typing.otherCpu) },
      },
    } : {}),
    heapMb: { start: r1(heapStart), afterEdits: r1(heapEnd), growth: r1(heapEnd - heapStart), goal: '<= +10 MB' },
    peakRssMb: { value: r1(peakRssMb), goal: '<= 300 MB' },
    gcPausesInEdits: gcByKind,
    // The young generation's size at the end (new space, MB): the language server's stays at 1-2 MB.
    newSpaceMb: r1((getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0) / 1048576),
    ...(memLog ? { memoryMb: phases } : {}),
  }, null, 2));
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
