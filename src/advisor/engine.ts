// The worker advisor: the decision guide's tree, formulas and caps applied to a scan, with a trace of each
// step. Every text goes through the core's message catalogues (English / Vietnamese).
import { type Lang, type Params, type Translate, translator } from '../core/i18n';
import { FAMILIES } from '../core/rules';
import type { CostItem, Finding, Fix, HandlerReport, ScanResult, Workload } from '../core/types';
import type { DeploymentInfo } from './deploy';
import { normalizeRoute, type AdvisorInputs, type LoadTestRow } from './inputs';
import { loopActions } from './loopAdvice';

export type StepId = 'start' | '1' | '2' | '3' | '4' | '5' | '6' | 'cpu-formula' | 'cores' | 'memory' | 'pool' | 'after-fix' | 'ccu';

export interface TraceStep {
  step: StepId; question: string; answer: string; why: string;
  /** The answer rests on the cost table's estimates (replace them with a load test or `[tool.loopwise.cost]`). */
  estimated?: boolean;
  /** The answer uses a measured figure (load test, or memory given with --per-worker-memory). */
  measured?: boolean;
}

export interface MatrixRow extends LoadTestRow {
  /** Throughput change against the previous tested count, in percent (null on the first row). */
  gainPct: number | null;
  /** p99 change against the previous tested count, in percent; negative is faster. */
  p99ChangePct: number | null;
  /** Throughput change against the first (smallest) tested count. */
  gainVsFirstPct: number | null;
  verdict: string;
  /** True for the counts the step-up rule reached. */
  accepted: boolean;
}

export interface MemoryModel {
  baseMb: number;
  perWorkerMb: number;
  source: 'given' | 'load-test' | 'guide';
  /** Usable memory: the limit (the guide's table has no headroom; its own rows fit their limits). */
  budgetMb: number;
  maxWorkers: number;
}

/** One handler's share of the estimate, split by where the time goes. */
export interface HandlerBreakdown {
  file: string; line: number; name: string; route: string | null; kind: string; async: boolean;
  workload: Workload;
  /** Identified CPU on the event loop (the per-route overhead is not counted unless configured). */
  loopCpuMs: number;
  /** CPU offloaded to threads (still the worker process's CPU) and to a process pool. */
  threadCpuMs: number;
  poolCpuMs: number;
  /** Waiting: awaited I/O, offloaded I/O and blocking I/O. */
  ioMs: number;
  blockingMs: number;
  /** The per-route framework overhead from the cost table (not counted as identified work). */
  overheadMs: number;
  findings: number;
  estimated: true;
  /** The cost-table entries behind the figures. */
  costs: (CostItem & { estimated: true; msPerCall: number })[];
}

export interface AfterFix {
  workers: number;
  /** Processes of a ProcessPoolExecutor for the CPU work (0: none). */
  processPool: number;
  /** `fix-pipeline`: the core's `loopwise fix` applied in memory and the code re-scanned; `estimate`: modelled from the findings; `unchanged`: nothing to fix. */
  source: 'fix-pipeline' | 'estimate' | 'unchanged';
  /** Findings the fixes leave (no preferred fix, or still blocking). */
  findingsLeft: number;
  workload: Workload;
}

export interface Recommendation {
  lang: Lang;
  /** Uvicorn workers to deploy now, for the code as it is. */
  workers: number;
  /** Processes of a ProcessPoolExecutor the code already uses for CPU work (0: none). */
  processPool: number;
  /** One line: why this number. */
  reason: string;
  workload: Workload;
  /** Identified CPU share of the worker process (loop and threads), per request. */
  cpuRatio: number;
  /** Share of coroutines with no finding that counts at [1]; null when there are none. */
  asyncCoverage: number | null;
  inputs: Omit<AdvisorInputs, 'source' | 'loadTests'> & { fromDeployment: string[]; source: Record<string, string>; measured: string[] };
  trace: TraceStep[];
  actions: string[];
  warnings: string[];
  cpuLimit: number | null;
  replicas: number | null;
  command: string;
  compose: { deploy: { resources: { limits: { cpus: string; memory: string } } } };
  loadTestMatrix?: MatrixRow[];
  memory: MemoryModel;
  /** Root causes (blocking calls, N+1) must be fixed before the tree's count applies; `workers` stays 1 until then. */
  fixFirst: boolean;
  /** What the advisor says once `loopwise fix` has applied the preferred fixes. */
  afterFix: AfterFix;
  /** Same as `afterFix.workers` (kept for older readers). */
  afterFixWorkers: number;
  /** Every CPU / I/O figure comes from the cost table unless a load test replaced it. */
  estimates: { estimated: boolean; basis: string; replaceWith: string[] };
  handlers: HandlerBreakdown[];
  deployment: { file: string; line: number; currentWorkers: number; recommended: number }[];
}

/** Guide thresholds, named so each rule reads like the guide. */
export const GUIDE = {
  ioBoundShare: 0.7,
  cpuBoundShare: 0.7,
  rpsOneWorker: 5_000,
  rpsTwoWorkers: 10_000,
  rpsFourWorkers: 20_000,
  mixedOne: 0.3,
  mixedTwo: 0.5,
  stepGain: 0.3,
  cpuSaturated: 90,
  cpuComfortable: 80,
  p99TooSlowMs: 1_000,
  /** "Memory đủ (có ≥2GB available)": the guide scales past 1 worker only with 2 GB available. */
  scaleMinMemoryMb: 2048,
  memoryBaseMb: 100,
  memoryPerWorkerMb: 300,
  ccuPerReplica: 50,
  ccuCpuPerUser: 0.08,
  ccuCpuMax: 8,
  ccuCpuDefault: 6,
  threadPoolSize: 40,
} as const;

const EN = translator('en');

// ---- scan-derived profile -----------------------------------------------------------------------

export interface ScanProfile {
  workload: Workload;
  /** Identified CPU share of the worker process (loop + threads) over identified time. */
  cpuRatio: number;
  ioShare: number;
  /** Weighted mean CPU ms per request in the worker process, for the CPU-bound formula. */
  cpuMsPerRequest: number;
  /** Weighted mean CPU ms per request in a process pool. */
  poolCpuMsPerRequest: number;
  /** Weighted mean per-route overhead left out of the share (ms). */
  overheadMs: number;
  asyncCoverage: number | null;
  handlers: HandlerReport[];
  breakdown: HandlerBreakdown[];
  warnings: string[];
}

/** Tests, scripts and examples do not serve requests: they never weigh in the worker advice. */
function withoutTestCode(scan: ScanResult): ScanResult {
  if (!scan.findings.some((f) => f.testCode) && !scan.handlers.some((h) => h.testCode)) return scan;
  return { ...scan, findings: scan.findings.filter((f) => !f.testCode), handlers: scan.handlers.filter((h) => !h.testCode) };
}

/** Splits one handler's estimate by place; hand-built reports without `costs` count cpuMs as identified loop CPU. */
export function breakdownOf(h: HandlerReport): HandlerBreakdown {
  const base = { file: h.file, line: h.line, name: h.name, route: h.route, kind: h.kind, async: h.async, findings: h.findings, estimated: true as const };
  if (!h.costs) {
    return { ...base, workload: h.workload, loopCpuMs: h.cpuMs, threadCpuMs: 0, poolCpuMs: 0, ioMs: h.ioMs + h.blockingMs, blockingMs: h.blockingMs, overheadMs: 0, costs: [] };
  }
  let loop = 0, thread = 0, pool = 0, io = 0, blocking = 0, overhead = 0;
  for (const c of h.costs) {
    if (c.where === 'overhead') { if (c.source === 'configured') loop += c.ms; else overhead += c.ms; continue; }
    if (c.type === 'cpu' && c.where === 'loop') loop += c.ms;
    else if (c.type === 'cpu' && (c.where === 'thread' || c.where === 'threadpool')) thread += c.ms;
    else if (c.type === 'cpu' && c.where === 'pool') pool += c.ms;
    else { io += c.ms; if (c.where === 'blocking') blocking += c.ms; }
  }
  const cpu = loop + thread, total = cpu + pool + io;
  return {
    ...base, workload: cpu <= 0 || total <= 0 ? 'io-bound' : classify(cpu / total, 1 - cpu / total),
    loopCpuMs: r1(loop), threadCpuMs: r1(thread), poolCpuMs: r1(pool), ioMs: r1(io), blockingMs: r1(blocking), overheadMs: r1(overhead),
    costs: h.costs.map((c) => ({ ...c, estimated: true as const, msPerCall: r1(c.ms / Math.max(1, c.calls)) })),
  };
}

/** Time-weighted CPU share of the route/websocket handlers (all handlers when there are no routes). */
export function profileScan(scan: ScanResult, traffic?: Record<string, number>, t: Translate = EN): ScanProfile {
  scan = withoutTestCode(scan);
  const routes = scan.handlers.filter((h) => h.kind === 'route' || h.kind === 'websocket');
  const handlers = routes.length > 0 ? routes : scan.handlers;
  const warnings: string[] = [];
  const coverage = asyncCoverage(scan);
  const breakdown = handlers.map(breakdownOf);
  const empty = { poolCpuMsPerRequest: 0, overheadMs: 0, asyncCoverage: coverage, handlers, breakdown, warnings };
  if (handlers.length === 0) {
    warnings.push(t('warn.noHandlers'));
    return { workload: 'io-bound', cpuRatio: 0, ioShare: 1, cpuMsPerRequest: 0, ...empty };
  }
  const weight = trafficWeights(handlers, traffic, warnings, t);
  let cpu = 0, pool = 0, total = 0, overhead = 0, wsum = 0;
  breakdown.forEach((b, i) => {
    cpu += (b.loopCpuMs + b.threadCpuMs) * weight[i];
    pool += b.poolCpuMs * weight[i];
    total += (b.loopCpuMs + b.threadCpuMs + b.poolCpuMs + b.ioMs) * weight[i];
    overhead += b.overheadMs * weight[i];
    wsum += weight[i];
  });
  const cpuRatio = total > 0 ? cpu / total : 0;
  const ioShare = 1 - cpuRatio;
  // The per-route overhead never makes an app CPU-bound: with no identified CPU work it is I/O-bound.
  const workload: Workload = cpu > 0 ? classify(cpuRatio, ioShare) : 'io-bound';
  const per = (n: number): number => (wsum > 0 ? n / wsum : 0);
  return { workload, cpuRatio, ioShare, cpuMsPerRequest: per(cpu), ...empty, poolCpuMsPerRequest: per(pool), overheadMs: per(overhead) };
}

/** `--traffic` shares by route; unlisted routes get no weight. If no route matches, every route counts once. */
function trafficWeights(handlers: HandlerReport[], traffic: Record<string, number> | undefined, warnings: string[], t: Translate): number[] {
  if (!traffic) return handlers.map(() => 1);
  const weights = handlers.map((h) => (h.route ? traffic[normalizeRoute(h.route)] ?? 0 : 0));
  if (weights.some((w) => w > 0)) return weights;
  warnings.push(t('warn.trafficUnmatched', { routes: Object.keys(traffic).join(', ') }));
  return handlers.map(() => 1);
}

export function classify(cpuRatio: number, ioShare: number): Workload {
  if (cpuRatio >= GUIDE.cpuBoundShare) return 'cpu-bound';
  if (ioShare >= GUIDE.ioBoundShare) return 'io-bound';
  return 'mixed';
}

/**
 * Findings that answer [1] "no": blocking calls (LW1xx), CPU work on the loop (LW2xx), N+1 (LW301);
 * lifespan hooks run once and do not count. LW302-LW304 (coroutine misuse) are listed by
 * loopAdvice.ts under what to do without holding the worker count.
 */
export function countedFindings(scan: ScanResult): Finding[] {
  const lifespan = new Set(scan.handlers.filter((h) => h.kind === 'lifespan').map((h) => `${h.file}\0${h.name}`));
  return scan.findings.filter((f) => /^LW([12]\d\d|301)$/.test(f.code) && !lifespan.has(`${f.file}\0${f.function}`));
}

/** Share of coroutines (lifespan hooks aside) with no counted finding: 100 % exactly when [1] answers yes. */
function asyncCoverage(scan: ScanResult): number | null {
  const coroutines = scan.handlers.filter((h) => h.async && h.kind !== 'lifespan');
  const counted = countedFindings(scan);
  const hit = new Set(counted.map((f) => `${f.file}\0${f.function}`));
  const known = new Set(coroutines.map((h) => `${h.file}\0${h.name}`));
  // A finding in a coroutine the handler list does not hold still makes the code less than 100 % async.
  const extra = [...hit].filter((k) => !known.has(k)).length;
  const total = coroutines.length + extra;
  if (total === 0) return null;
  return coroutines.filter((h) => !hit.has(`${h.file}\0${h.name}`)).length / total;
}

// ---- the guide's rules, each a small pure function -----------------------------------------------

export interface StepResult { workers: number; loadTest: boolean; answer: string; why: string }

/** [4] I/O-bound: traffic decides. */
export function stepTraffic(rps: number, t: Translate = EN): StepResult {
  const p = { rps: fmtInt(rps) };
  if (rps > GUIDE.rpsFourWorkers) return { workers: 4, loadTest: false, answer: t('traffic.four', p), why: t('traffic.four.why') };
  if (rps >= GUIDE.rpsTwoWorkers) return { workers: 2, loadTest: false, answer: t('traffic.two', p), why: t('traffic.two.why') };
  if (rps >= GUIDE.rpsOneWorker) return { workers: 1, loadTest: true, answer: t('traffic.test', p), why: t('traffic.test.why') };
  return { workers: 1, loadTest: false, answer: t('traffic.one', p), why: t('traffic.one.why') };
}

/** [5] Mixed workload: the CPU ratio decides (the guide's formula boundaries: < 0.3, < 0.5, else). */
export function stepMixed(cpuRatio: number, cores: number, t: Translate = EN): StepResult {
  const p = fmtPct(cpuRatio * 100);
  if (cpuRatio < GUIDE.mixedOne) return { workers: 1, loadTest: false, answer: t('mixed.one', { p }), why: t('mixed.one.why') };
  if (cpuRatio < GUIDE.mixedTwo) return { workers: 2, loadTest: true, answer: t('mixed.two', { p }), why: t('mixed.two.why') };
  const n = Math.max(1, Math.min(Math.floor(cores), 4));
  return { workers: n, loadTest: false, answer: t('mixed.many', { p, cores: fmtNum(cores), n }), why: t('mixed.many.why') };
}

/** CPU-bound formula: min(cores, concurrency / (cpu_ms / target_ms)), floored, at least 1. */
export function cpuFormula(cores: number, concurrency: number, cpuMs: number, targetMs: number, t: Translate = EN): StepResult {
  const byLoad = cpuMs > 0 ? concurrency / (cpuMs / targetMs) : Infinity;
  const n = Math.max(1, Math.floor(Math.min(cores, byLoad)));
  const shown = Number.isFinite(byLoad) ? fmtNum(byLoad) : t('formula.unbounded');
  return {
    workers: n, loadTest: false,
    answer: `min(${fmtNum(cores)} ${t('unit.cores')}, ${concurrency} / (${fmtNum(cpuMs)} ms / ${fmtNum(targetMs)} ms) = ${shown}) = ${n}`,
    why: t('formula.why'),
  };
}

/** The guide's concurrent-users rule (mem0 case): a CPU limit and replicas, not more workers. */
export function ccuSizing(ccu: number): { cpuLimit: number; replicas: number } {
  if (ccu <= GUIDE.ccuPerReplica) return { cpuLimit: GUIDE.ccuCpuDefault, replicas: 1 };
  return { cpuLimit: Math.round(Math.min(GUIDE.ccuCpuMax, ccu * GUIDE.ccuCpuPerUser) * 100) / 100, replicas: Math.ceil(ccu / GUIDE.ccuPerReplica) };
}

// ---- memory -----------------------------------------------------------------------------------------

/** Per-worker memory: given, else measured (slope of the load tests), else the guide's 100 MB + 300 MB/worker. */
export function memoryModel(memoryMb: number, perWorkerMb: number | null, rows: LoadTestRow[]): MemoryModel {
  const budgetMb = memoryMb;
  const make = (baseMb: number, per: number, source: MemoryModel['source']): MemoryModel =>
    ({ baseMb, perWorkerMb: per, source, budgetMb, maxWorkers: maxWorkers(budgetMb, baseMb, per) });
  if (perWorkerMb) return make(0, perWorkerMb, 'given');
  const measured = rows.filter((r) => r.memoryMb !== undefined).sort((a, b) => a.workers - b.workers);
  if (measured.length >= 2) {
    const a = measured[0], b = measured[measured.length - 1];
    const slope = (b.memoryMb! - a.memoryMb!) / (b.workers - a.workers);
    const base = a.memoryMb! - slope * a.workers;
    if (slope > 0 && base >= 0) return make(r1(base), r1(slope), 'load-test');
  }
  if (measured.length >= 1) {
    const per = Math.max(...measured.map((r) => r.memoryMb! / r.workers));
    return make(0, r1(per), 'load-test');
  }
  return make(GUIDE.memoryBaseMb, GUIDE.memoryPerWorkerMb, 'guide');
}

/** The same per-worker model against another memory limit. */
export function withLimit(model: MemoryModel, memoryMb: number): MemoryModel {
  return { ...model, budgetMb: memoryMb, maxWorkers: maxWorkers(memoryMb, model.baseMb, model.perWorkerMb) };
}

function maxWorkers(budgetMb: number, baseMb: number, perWorkerMb: number): number {
  // The epsilon keeps an exact fit from flooring one short through floating-point error.
  return Math.max(0, Math.floor((budgetMb - baseMb) / perWorkerMb + 1e-9));
}

export function memoryFor(model: MemoryModel, workers: number): number {
  return model.baseMb + model.perWorkerMb * workers;
}

// ---- [6] load tests -------------------------------------------------------------------------------

export interface LoadTestDecision { workers: number | null; matrix: MatrixRow[]; answer: string; why: string }

/**
 * Steps up from one tested count to the next only while the step gains >= 30 % throughput or cuts p99 by
 * >= 30 %, with CPU < 90 % and memory fitting at the higher count. A single 1-worker test uses the guide's
 * [6] branches instead (CPU < 80 % keep 1; > 90 % 2; maxed with errors 4).
 */
export function evaluateLoadTests(rows: LoadTestRow[], memory: MemoryModel, t: Translate = EN): LoadTestDecision {
  const sorted = [...rows].sort((a, b) => a.workers - b.workers);
  if (sorted.length === 1) return singleLoadTest(sorted[0], t);
  const matrix: MatrixRow[] = [];
  let chosen = sorted[0].workers;
  let climbing = true;
  sorted.forEach((row, i) => {
    if (i === 0) { matrix.push({ ...row, gainPct: null, p99ChangePct: null, gainVsFirstPct: null, verdict: baselineVerdict(row, t), accepted: true }); return; }
    const m = compareRows(row, sorted[i - 1], sorted[0], memory, t);
    m.accepted = climbing && m.accepted;
    if (m.accepted) chosen = row.workers; else climbing = false;
    matrix.push(m);
  });
  const last = matrix.find((r) => r.workers === chosen)!;
  const answer = chosen === sorted[0].workers ? t('lt.keep', { n: chosen }) : t('lt.step', { n: chosen });
  return { workers: chosen, matrix, answer, why: t('lt.why', { n: last.workers, rps: fmtInt(last.rps), p99: fmtNum(last.p99Ms) }) };
}

function compareRows(row: LoadTestRow, prev: LoadTestRow, first: LoadTestRow, memory: MemoryModel, t: Translate): MatrixRow {
  const gainPct = pctChange(prev.rps, row.rps);
  const p99ChangePct = pctChange(prev.p99Ms, row.p99Ms);
  const improved = gainPct >= GUIDE.stepGain * 100 || p99ChangePct <= -GUIDE.stepGain * 100;
  const cpuOk = row.cpuPercent === undefined || row.cpuPercent < GUIDE.cpuSaturated;
  const needMb = row.memoryMb ?? memoryFor(memory, row.workers);
  const memOk = needMb <= memory.budgetMb;
  const gain = gainPct >= GUIDE.stepGain * 100 ? `${fmtSigned(gainPct)} req/s` : `p99 ${fmtSigned(p99ChangePct)}`;
  let verdict: string;
  if (!improved) verdict = t('lt.noGain', { gain: fmtSigned(gainPct), p99: fmtSigned(p99ChangePct) });
  else if (!cpuOk) verdict = t('lt.saturated', { gain, cpu: fmtNum(row.cpuPercent!) });
  else if (!memOk) verdict = t('lt.noFit', { gain, need: fmtInt(needMb), budget: fmtInt(memory.budgetMb) });
  else verdict = t('lt.better', { gain });
  return { ...row, gainPct: r1(gainPct), p99ChangePct: r1(p99ChangePct), gainVsFirstPct: r1(pctChange(first.rps, row.rps)), verdict, accepted: improved && cpuOk && memOk };
}

function baselineVerdict(row: LoadTestRow, t: Translate): string {
  if (row.cpuPercent !== undefined && row.cpuPercent >= GUIDE.cpuSaturated) return t('lt.bottleneckCpu', { cpu: fmtNum(row.cpuPercent) });
  if (row.errors) return t('lt.bottleneckErrors', { errors: fmtInt(row.errors) });
  if (row.p99Ms > GUIDE.p99TooSlowMs) return t('lt.bottleneckP99', { p99: fmtNum(row.p99Ms) });
  return t('lt.baseline');
}

function singleLoadTest(row: LoadTestRow, t: Translate): LoadTestDecision {
  const matrix: MatrixRow[] = [{ ...row, gainPct: null, p99ChangePct: null, gainVsFirstPct: null, verdict: baselineVerdict(row, t), accepted: true }];
  const cpu = row.cpuPercent;
  if (row.workers !== 1) return { workers: null, matrix, answer: t('lt.oneAtN', { n: row.workers }), why: t('lt.oneAtN.why') };
  if (cpu === undefined) return { workers: null, matrix, answer: t('lt.noCpu'), why: t('lt.noCpu.why') };
  let workers = 1;
  let answer: string;
  const p = { cpu: fmtNum(cpu), p99: fmtNum(row.p99Ms), errors: fmtInt(row.errors ?? 0) };
  if (cpu >= GUIDE.cpuSaturated && (row.errors ?? 0) > 0) { workers = 4; answer = t('lt.single.four', p); }
  else if (cpu > GUIDE.cpuSaturated) { workers = 2; answer = t('lt.single.two', p); }
  else if (cpu < GUIDE.cpuComfortable && row.p99Ms <= GUIDE.p99TooSlowMs) answer = t('lt.single.fine', p);
  else answer = t('lt.single.keep', p);
  return { workers, matrix, answer, why: t('lt.single.why') };
}

// ---- the tree ---------------------------------------------------------------------------------------

interface TreeState {
  t: Translate;
  trace: TraceStep[];
  actions: string[];
  warnings: string[];
  reason: string;
}

export interface RecommendOptions {
  /** The scan of the code after the core's fix pipeline ran on it (in memory); projections come from it. */
  afterFixScan?: ScanResult;
  lang?: Lang;
}

interface Decision {
  workers: number;
  processPool: number;
  fixFirst: boolean;
  profile: ScanProfile;
  st: TreeState;
  memory: MemoryModel;
  loadTestMatrix?: MatrixRow[];
  counted: Finding[];
  rps: number;
  /** How many of the actions are the fix list of [1]. */
  fixActions: number;
}

/** Applies the guide's decision tree, caps and concurrent-user sizing to a scan and the user's inputs. */
export function recommend(scan: ScanResult, inputs: AdvisorInputs, deploy: DeploymentInfo[] = [], opts: RecommendOptions = {}): Recommendation {
  scan = withoutTestCode(scan);
  const lang = opts.lang ?? 'en';
  const t = translator(lang);
  const now = decide(scan, inputs, t);
  const st = now.st;
  const after = projectAfterFix(scan, now, inputs, t, opts.afterFixScan);
  if (now.fixFirst) {
    // The steps after [2] are the tree on the fixed code, and so are the actions after the fix list.
    st.trace.splice(st.trace.findIndex((s) => s.step === '2') + 1);
    st.actions.splice(now.fixActions, st.actions.length, ...after.actions);
    for (const s of after.trace) st.trace.push({ ...s, question: t('after.prefix', { q: s.question }) });
    const left = after.result.findingsLeft > 0 ? t('a.left', { n: after.result.findingsLeft }) : '';
    st.trace.push({ step: 'after-fix', question: t('q.untilFix'), answer: t('a.untilFix', { after: afterText(after.result, t) }) + left, why: t('w.untilFix', { source: t(`after.source.${after.result.source}`) }), estimated: after.result.source !== 'unchanged' ? true : undefined });
    st.reason = t('reason.fixFirst', { n: now.counted.length, after: afterText(after.result, t) });
  } else if (after.result.source !== 'unchanged' && (after.result.workers !== now.workers || after.result.processPool !== now.processPool)) {
    st.trace.push({ step: 'after-fix', question: t('q.alternative'), answer: t('a.alternative', { after: afterText(after.result, t) }), why: t(after.result.processPool > 0 ? 'w.alternative.pool' : 'w.alternative', { source: t(`after.source.${after.result.source}`) }), estimated: true });
  }
  const ccu = stepCcu(st, inputs, now.profile.workload, now.workers);
  st.actions.push(...loopActions(scan.findings, inputs, t)); // LW302-LW304, LW501: src/advisor/loopAdvice.ts
  addWarnings(st, scan, deploy, now.workers);
  const measured = [...(now.rps !== inputs.rps ? ['rps'] : []), ...(now.memory.source === 'load-test' ? ['memoryPerWorker'] : [])];
  return {
    lang, workers: now.workers, processPool: now.processPool, reason: st.reason, workload: now.profile.workload,
    cpuRatio: r3(now.profile.cpuRatio), asyncCoverage: now.profile.asyncCoverage === null ? null : r3(now.profile.asyncCoverage),
    inputs: { ...publicInputs(inputs), rps: now.rps, measured }, trace: st.trace, actions: st.actions, warnings: st.warnings,
    cpuLimit: ccu?.cpuLimit ?? null, replicas: ccu?.replicas ?? null,
    command: serverCommand(deploy, now.workers),
    compose: { deploy: { resources: { limits: { cpus: (ccu?.cpuLimit ?? inputs.cores).toFixed(1), memory: formatMemory(inputs.memoryMb) } } } },
    ...(now.loadTestMatrix ? { loadTestMatrix: now.loadTestMatrix } : {}),
    memory: now.memory, fixFirst: now.fixFirst, afterFix: after.result, afterFixWorkers: after.result.workers,
    estimates: {
      estimated: inputs.loadTests.length === 0,
      basis: t(inputs.loadTests.length === 0 ? 'est.basis' : 'est.basis.measured'),
      replaceWith: [t('est.loadTest'), t('est.costs')],
    },
    handlers: now.profile.breakdown,
    deployment: deploy.filter((d) => d.currentWorkers !== undefined).map((d) => ({ file: d.file, line: d.line, currentWorkers: d.currentWorkers!, recommended: now.workers })),
  };
}

function afterText(a: AfterFix, t: Translate): string {
  const w = t(a.workers === 1 ? 'n.worker' : 'n.workers', { n: a.workers });
  return a.processPool > 0 ? t('n.workerPool', { w, pool: a.processPool }) : w;
}

/** What the tree says on the code the preferred fixes produce: from the fix pipeline's re-scan when given, else modelled. */
function projectAfterFix(scan: ScanResult, now: Decision, inputs: AdvisorInputs, t: Translate, fixed?: ScanResult): { result: AfterFix; trace: TraceStep[]; actions: string[] } {
  if (now.counted.length === 0) {
    return { result: { workers: now.workers, processPool: now.processPool, source: 'unchanged', findingsLeft: 0, workload: now.profile.workload }, trace: [], actions: [] };
  }
  const source: AfterFix['source'] = fixed ? 'fix-pipeline' : 'estimate';
  const d = decide(fixed ?? modelledFix(scan), inputs, t);
  const trace = d.st.trace.filter((s) => s.step !== 'start' && s.step !== '1' && s.step !== '2');
  return { result: { workers: d.workers, processPool: d.processPool, source, findingsLeft: d.counted.length, workload: d.profile.workload }, trace, actions: d.st.actions.slice(d.fixActions) };
}

/**
 * Without a fix run, what the core's preferred fixes usually do: blocking I/O becomes awaited (async
 * client, thread or plain def); CPU work moves to the app's process pool when it already runs one,
 * else stays in the worker process (plain def or a thread); N+1 loops are resolved.
 */
function modelledFix(scan: ScanResult): ScanResult {
  const hasPool = scan.handlers.some((h) => h.costs?.some((c) => c.where === 'pool'));
  const handlers = scan.handlers.map((h): HandlerReport => {
    if (!h.costs) return { ...h, findings: 0, ioMs: h.ioMs + h.blockingMs, blockingMs: 0 };
    const moved = (c: CostItem): CostItem => (c.where === 'blocking' ? { ...c, where: 'awaited' } : c.where === 'loop' && c.type === 'cpu' && h.findings > 0 ? { ...c, where: hasPool ? 'pool' : 'thread' } : c);
    const costs = h.costs.map(moved);
    return { ...h, findings: 0, costs };
  });
  return { ...scan, findings: scan.findings.filter((f) => !/^LW[123]\d\d$/.test(f.code)), handlers };
}

function decide(scan: ScanResult, inputs: AdvisorInputs, t: Translate): Decision {
  scan = withoutTestCode(scan);
  const profile = profileScan(scan, inputs.routeTraffic, t);
  const st: TreeState = { t, trace: [{ step: 'start', question: t('q.start'), answer: t('n.worker', { n: 1 }), why: t('w.start') }], actions: [], warnings: [...profile.warnings], reason: '' };
  const counted = countedFindings(scan);
  const fixFirst = stepAsync(st, counted, profile, inputs.cannotRefactor);
  const fixActionCount = st.actions.length;
  const memory = memoryModel(inputs.memoryMb, inputs.perWorkerMemoryMb, inputs.loadTests);
  const loadTestMatrix = inputs.loadTests.length > 0 ? [] as MatrixRow[] : undefined;
  const rps = measuredRps(inputs);
  let workers = stepWorkload(st, profile, inputs, rps, memory, loadTestMatrix);
  if (counted.some((f) => f.code.startsWith('LW1')) && inputs.cannotRefactor) workers = cannotRefactorCount(st, workers);
  workers = capByCores(st, workers, inputs);
  const pool = profile.poolCpuMsPerRequest > 0 ? stepPool(st, profile, inputs) : 0;
  workers = capByMemory(st, workers, pool, memory, inputs);
  const processPool = pool > 0 ? Math.max(1, Math.min(pool, Math.max(0, memory.maxWorkers - workers))) : 0;
  if (pool > 0 && processPool < pool) st.warnings.push(t('warn.poolMemory', { pool, fits: processPool }));
  return { workers: fixFirst ? 1 : workers, processPool, fixFirst, profile, st, memory, loadTestMatrix, counted, rps, fixActions: fixActionCount };
}

/** A load test's 1-worker throughput replaces the assumed traffic (the smallest tested count when there is no 1-worker run). */
function measuredRps(inputs: AdvisorInputs): number {
  if (!inputs.assumed.includes('rps') || inputs.loadTests.length === 0) return inputs.rps;
  const first = [...inputs.loadTests].sort((a, b) => a.workers - b.workers)[0];
  return first.rps;
}

/** [1] and [2]: is the code 100 % async? Returns true when the fix must come before any scaling. */
function stepAsync(st: TreeState, counted: Finding[], profile: ScanProfile, cannotRefactor: boolean): boolean {
  const { t } = st;
  const coverage = profile.asyncCoverage === null ? t('cov.none') : t('cov.pct', { p: fmtPct(profile.asyncCoverage * 100) });
  if (counted.length === 0) {
    st.trace.push({ step: '1', question: t('q.async'), answer: t('a.async.yes', { coverage }), why: t('w.async.yes') });
    return false;
  }
  const blocking = counted.filter((f) => f.code.startsWith('LW1'));
  const cpu = counted.filter((f) => f.code.startsWith('LW2'));
  const roots = counted.filter((f) => f.code.startsWith('LW3'));
  const parts = [
    blocking.length ? t('a.part.blocking', { n: blocking.length }) : '',
    cpu.length ? t('a.part.cpu', { n: cpu.length }) : '',
    roots.length ? t('a.part.roots', { n: roots.length }) : '',
  ].filter(Boolean).join(', ');
  const coroutines = new Set(counted.map((f) => `${f.file}:${f.function}`)).size;
  st.actions.push(...fixActions(counted, t));
  const ioFirst = blocking.length > 0 || roots.length > 0;
  st.trace.push({ step: '1', question: t('q.async'), answer: t('a.async.no', { parts, n: coroutines, coverage }), why: t(ioFirst ? 'w.async.no' : 'w.async.cpu') });
  if (!ioFirst) return false;
  if (cannotRefactor && blocking.length > 0) {
    st.trace.push({ step: '2', question: t('q.refactor'), answer: t('a.refactor.no'), why: t('w.refactor.no') });
    st.reason = t('reason.cannotRefactor');
    return false;
  }
  st.trace.push({ step: '2', question: t('q.refactor'), answer: t('a.refactor.yes'), why: t('w.refactor.yes') });
  return true;
}

interface FixAdvice { what: string; how: string }

/** One action per finding code: how many, in which files (top 3), and the fix. */
export function fixActions(findings: Finding[], t: Translate = EN): string[] {
  const byCode = new Map<string, Finding[]>();
  for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  return [...byCode.keys()].sort().map((code) => {
    const group = byCode.get(code)!;
    const calls = [...new Set(group.map((f) => f.call).filter(Boolean))].slice(0, 3).join(', ');
    const fam = FAMILIES.find((f) => f.code === code);
    const known = `what.${code}`;
    const advice: FixAdvice = t(known) !== known
      ? { what: t(known), how: t(`how.${code}`) !== `how.${code}` ? t(`how.${code}`) : fam?.alternative ?? t('how.generic') }
      : code.startsWith('LW2')
        ? { what: t('what.cpuGeneric', { calls: calls ? ` (${calls})` : '' }), how: t('how.cpuGeneric') }
        : { what: t('what.generic', { calls: calls ? ` (${calls})` : '' }), how: t('how.generic') };
    return t('action.fix', { n: group.length, code, what: advice.what, files: topFiles(group, t), how: advice.how });
  });
}

function topFiles(group: Finding[], t: Translate): string {
  const counts = new Map<string, number>();
  for (const f of group) counts.set(f.file, (counts.get(f.file) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, 3).map(([file, n]) => `${file}: ${n}`);
  return sorted.length > 3 ? `${shown.join(', ')}, ${t('more', { n: sorted.length - 3 })}` : shown.join(', ');
}

/** [3] then [4], [5] or the CPU formula, then [6] when load tests are given. */
function stepWorkload(st: TreeState, profile: ScanProfile, inputs: AdvisorInputs, rps: number, memory: MemoryModel, matrix?: MatrixRow[]): number {
  const { t } = st;
  const p = fmtPct(profile.cpuRatio * 100);
  const overhead = profile.overheadMs > 0 ? t('a.overhead', { ms: fmtNum(r1(profile.overheadMs)) }) : '';
  const pool = profile.poolCpuMsPerRequest > 0 ? t('a.poolShare', { ms: fmtNum(r1(profile.poolCpuMsPerRequest)) }) : '';
  st.trace.push({ step: '3', question: t('q.workload'), answer: t('a.workload', { workload: t(`wl.${profile.workload}`), p, io: fmtPct(profile.ioShare * 100), overhead, pool }), why: t('w.workload'), estimated: true });
  let result: StepResult;
  if (profile.workload === 'io-bound') {
    result = stepTraffic(rps, t);
    const measured = rps !== inputs.rps;
    const row = measured ? [...inputs.loadTests].sort((a, b) => a.workers - b.workers)[0] : undefined;
    st.trace.push({
      step: '4', question: t('q.traffic'),
      answer: measured ? t('a.traffic.measured', { answer: result.answer, n: row!.workers }) : inputs.assumed.includes('rps') ? t('a.traffic.assumed', { answer: result.answer }) : result.answer,
      why: result.why, ...(measured ? { measured: true } : {}),
    });
    setReason(st, t('reason.io', { p, rps: fmtInt(rps), answer: result.answer.split(': ').pop()! }));
  } else if (profile.workload === 'mixed') {
    result = stepMixed(profile.cpuRatio, inputs.cores, t);
    st.trace.push({ step: '5', question: t('q.mixed'), answer: result.answer, why: result.why, estimated: true });
    setReason(st, t('reason.mixed', { answer: result.answer }));
  } else {
    result = cpuFormula(inputs.cores, inputs.concurrency, profile.cpuMsPerRequest, inputs.targetLatencyMs, t);
    st.trace.push({ step: 'cpu-formula', question: t('q.formula'), answer: result.answer, why: result.why, estimated: true });
    setReason(st, t('reason.cpu', { p, answer: result.answer }));
  }
  if (profile.workload !== 'io-bound' && profile.cpuRatio >= GUIDE.mixedOne) st.actions.push(processPoolAction(profile.breakdown, t));
  if (!matrix) {
    if (result.loadTest) st.actions.push(t('action.loadTest'));
    return result.workers;
  }
  return stepLoadTests(st, inputs, memory, matrix, result.workers);
}

function setReason(st: TreeState, reason: string): void {
  if (!st.reason) st.reason = reason;
}

function processPoolAction(handlers: HandlerBreakdown[], t: Translate): string {
  // Below ~10 ms of CPU a process-pool round trip (pickling, IPC) costs about as much as it saves.
  const heavy = handlers.filter((h) => h.workload !== 'io-bound' && h.loopCpuMs + h.threadCpuMs >= 10).sort((a, b) => (b.loopCpuMs + b.threadCpuMs) - (a.loopCpuMs + a.threadCpuMs));
  const names = heavy.slice(0, 5).map((h) => t('handlerCpu', { name: h.route ?? h.name, ms: fmtNum(h.loopCpuMs + h.threadCpuMs) }));
  const which = names.length > 0 ? t('in.list', { list: `${names.join(', ')}${heavy.length > 5 ? `, ${t('more', { n: heavy.length - 5 })}` : ''}` }) : '';
  return t('action.pool', { which });
}

/** CPU work already in a process pool: the pool is sized by the CPU formula, the Uvicorn workers by the rest. */
function stepPool(st: TreeState, profile: ScanProfile, inputs: AdvisorInputs): number {
  const { t } = st;
  const r = cpuFormula(inputs.cores, inputs.concurrency, profile.poolCpuMsPerRequest, inputs.targetLatencyMs, t);
  st.trace.push({ step: 'pool', question: t('q.pool'), answer: r.answer, why: t('w.pool'), estimated: true });
  st.actions.push(t('action.poolSize', { n: r.workers }));
  return r.workers;
}

function stepLoadTests(st: TreeState, inputs: AdvisorInputs, memory: MemoryModel, matrix: MatrixRow[], treeWorkers: number): number {
  const { t } = st;
  const decision = evaluateLoadTests(inputs.loadTests, memory, t);
  matrix.push(...decision.matrix);
  if (decision.workers === null) {
    st.trace.push({ step: '6', question: t('q.loadTests'), answer: t('a.lt.keepTree', { answer: decision.answer, n: treeWorkers }), why: decision.why, measured: true });
    return treeWorkers;
  }
  st.trace.push({ step: '6', question: t('q.loadTests'), answer: decision.answer, why: t('w.lt', { why: decision.why, n: treeWorkers }), measured: true });
  st.reason = t('reason.lt', { answer: decision.answer });
  return decision.workers;
}

/** [2] no: 2-4 workers, 2 unless CPU or traffic asks for more. */
function cannotRefactorCount(st: TreeState, treeWorkers: number): number {
  const n = Math.min(4, Math.max(2, treeWorkers));
  st.trace.push({ step: '2', question: st.t('q.stays'), answer: st.t('a.stays', { tree: treeWorkers, n }), why: st.t('w.stays') });
  return n;
}

function capByCores(st: TreeState, workers: number, inputs: AdvisorInputs): number {
  const max = Math.max(1, Math.floor(inputs.cores));
  if (workers <= max) return workers;
  const { t } = st;
  const assumed = inputs.assumed.includes('cores') ? t('cores.assumed') : '';
  st.trace.push({ step: 'cores', question: t('q.cores'), answer: t('a.cores', { workers, cores: fmtNum(inputs.cores), assumed, max }), why: t('w.cores') });
  st.reason += t('reason.capCores', { max, cores: fmtNum(inputs.cores) });
  return max;
}

/** Workers (and pool processes) must fit the limit, and the guide scales past 1 worker only with >= 2 GB available. */
function capByMemory(st: TreeState, workers: number, pool: number, memory: MemoryModel, inputs: AdvisorInputs): number {
  const { t } = st;
  const memoryMb = inputs.memoryMb;
  const model = memory.source === 'guide' ? t('mem.guide') : memory.source === 'given' ? t('mem.given', { per: fmtNum(memory.perWorkerMb) }) : t('mem.measured', { base: fmtNum(memory.baseMb), per: fmtNum(memory.perWorkerMb) });
  const measured = memory.source === 'guide' ? {} : { measured: true };
  const limit = inputs.assumed.includes('memoryMb') ? t('mem.assumed') : '';
  const processes = workers + pool;
  const need = memoryFor(memory, processes);
  let capped = workers;
  if (need <= memory.budgetMb) {
    st.trace.push({ step: 'memory', question: t('q.memory'), answer: t('a.memory.fits', { n: processes, need: fmtInt(need), limit: fmtInt(memoryMb), assumed: limit }), why: t('w.memory', { model }), ...measured });
  } else {
    // Pool processes need memory too; the pool is trimmed after the workers if it still does not fit.
    capped = Math.max(1, Math.min(workers, memory.maxWorkers - pool));
    st.trace.push({ step: 'memory', question: t('q.memory'), answer: t('a.memory.cap', { n: processes, need: fmtInt(need), limit: fmtInt(memoryMb), fits: memory.maxWorkers, capped, assumed: limit }), why: t('w.memory.cap', { model }), ...measured });
    if (memory.maxWorkers === 0) st.warnings.push(t('warn.noFit', { need: fmtInt(memoryFor(memory, 1)), limit: fmtInt(memoryMb) }));
    if (capped < workers) st.reason += t('reason.capMemory', { n: capped, limit: fmtInt(memoryMb) });
  }
  if (capped > 1 && memoryMb < GUIDE.scaleMinMemoryMb) {
    st.trace.push({ step: 'memory', question: t('q.memory2g'), answer: t('a.memory2g', { limit: fmtInt(memoryMb), n: capped }), why: t('w.memory2g') });
    st.reason += t('reason.cap2g', { limit: fmtInt(memoryMb) });
    capped = 1;
  }
  return capped;
}

function stepCcu(st: TreeState, inputs: AdvisorInputs, workload: Workload, workers: number): { cpuLimit: number; replicas: number } | undefined {
  if (inputs.ccu === null) return undefined;
  const { t } = st;
  const sizing = ccuSizing(inputs.ccu);
  const rule = inputs.ccu <= GUIDE.ccuPerReplica ? t('ccu.small') : t('ccu.large', { ccu: inputs.ccu, cpus: fmtNum(sizing.cpuLimit), replicas: sizing.replicas });
  const io = workload === 'io-bound' ? t('ccu.io', { n: workers }) : '';
  st.trace.push({ step: 'ccu', question: t('q.ccu', { ccu: inputs.ccu }), answer: t('a.ccu', { rule, replicas: sizing.replicas }), why: t('w.ccu', { io }), estimated: true });
  if (sizing.cpuLimit > inputs.cores) st.actions.push(t('action.cpuLimit', { from: fmtNum(inputs.cores), to: sizing.cpuLimit.toFixed(1) }));
  if (sizing.replicas > 1) st.actions.push(t('action.replicas', { n: sizing.replicas }));
  return sizing;
}

// ---- warnings and output pieces --------------------------------------------------------------------

function addWarnings(st: TreeState, scan: ScanResult, deploy: DeploymentInfo[], workers: number): void {
  const { t } = st;
  const sync = scan.handlers.filter((h) => !h.async && (h.kind === 'route' || h.kind === 'websocket' || h.kind === 'dependency'));
  if (sync.length > 0) st.warnings.push(t('warn.sync', { n: sync.length, threads: GUIDE.threadPoolSize }));
  const ml = scan.findings.filter((f) => f.code === 'LW201').length;
  if (ml > 0) st.warnings.push(t('warn.ml', { n: ml }));
  const k8s = deploy.find((d) => d.kind === 'kubernetes');
  if (k8s) st.warnings.push(t('warn.k8s', { file: k8s.file }));
  const differ = deploy.filter((d) => d.currentWorkers !== undefined && d.currentWorkers !== workers);
  if (differ.length > 0) st.warnings.push(t('warn.differ', { n: workers, list: differ.map((d) => t('runs', { at: `${d.file}:${d.line}`, n: d.currentWorkers! })).join(', ') }));
  for (const d of deploy) {
    if (d.currentWorkers === undefined && d.commandText?.startsWith('workers =')) st.warnings.push(t('warn.computed', { at: `${d.file}:${d.line}`, text: d.commandText }));
  }
}

function publicInputs(inputs: AdvisorInputs): Omit<Recommendation['inputs'], 'measured'> {
  const { loadTests: _l, source, ...rest } = inputs;
  return { ...rest, fromDeployment: Object.keys(source), source };
}

/** The guide's suggested command, keeping the app module the deployment already runs. */
export function serverCommand(deploy: DeploymentInfo[], workers: number): string {
  const app = deploy.find((d) => d.appModule)?.appModule ?? 'main:app';
  return `uvicorn ${app} --host 0.0.0.0 --port 8000 --workers ${workers} --loop uvloop`;
}

/** Compose-style memory: whole GiB as `2G`, else MiB as `1536M`. */
export function formatMemory(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}G` : `${Math.round(mb)}M`;
}

// ---- deployment findings ----------------------------------------------------------------------------

export interface DeploymentFinding extends Finding { fix: Fix | null }

/** LW401 (count differs from the recommendation) and LW402 (count does not fit the memory limit). */
export function deploymentFindings(deploy: DeploymentInfo[], rec: Recommendation): DeploymentFinding[] {
  const t = translator(rec.lang ?? 'en');
  const out: DeploymentFinding[] = [];
  for (const d of deploy) {
    if (d.currentWorkers === undefined) continue;
    // The file's own memory limit when it states one, with the per-worker model the recommendation used.
    const limitMb = d.memoryMb ?? rec.inputs.memoryMb;
    const fit = withLimit(rec.memory, limitMb);
    if (d.currentWorkers > fit.maxWorkers) {
      const target = Math.max(1, Math.min(rec.workers, fit.maxWorkers));
      out.push(finding(d, 'LW402', t('lw402', { n: d.currentWorkers, need: fmtInt(memoryFor(fit, d.currentWorkers)), limit: fmtInt(limitMb), fits: fit.maxWorkers }), target, t));
    }
    if (d.currentWorkers !== rec.workers) {
      out.push(finding(d, 'LW401', t('lw401', { n: d.currentWorkers, rec: rec.workers, reason: rec.reason }), rec.workers, t));
    }
  }
  return out;
}

function finding(d: DeploymentInfo, code: string, message: string, target: number, t: Translate): DeploymentFinding {
  const span = d.workerSpan;
  const fix: Fix | null = span ? { kind: 'workers', title: t('fix.setWorkers', { n: target }), isPreferred: true, edits: [{ start: span.start, end: span.end, newText: String(target) }] } : null;
  const width = span ? span.end - span.start : 0;
  return {
    file: d.file, line: d.line, column: d.column, endLine: d.line, endColumn: d.column + width,
    code, severity: 'warning', message, function: d.name ?? '', route: null, chain: [],
    fixes: fix ? [fix] : [], fix, call: d.commandText ?? '', startOffset: span?.start ?? 0, endOffset: span?.end ?? 0,
  };
}

// ---- number formatting ------------------------------------------------------------------------------

function pctChange(from: number, to: number): number {
  return from === 0 ? 0 : ((to - from) / from) * 100;
}
function r1(n: number): number { return Math.round(n * 10) / 10; }
function r3(n: number): number { return Math.round(n * 1000) / 1000; }
export function fmtInt(n: number): string { return Math.round(n).toLocaleString('en-US'); }
export function fmtNum(n: number): string { return Number.isInteger(n) ? fmtInt(n) : String(Math.round(n * 100) / 100); }
export function fmtPct(n: number): string { return `${Math.round(n)} %`; }
function fmtSigned(n: number): string { return `${n >= 0 ? '+' : ''}${Math.round(n)} %`; }

export type { Params };
