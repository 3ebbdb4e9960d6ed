import { FAMILIES } from '../core/rules';
// The worker advisor: the decision guide's tree, formulas and caps applied to a scan, with a trace of each step.
import type { Finding, Fix, HandlerReport, ScanResult, Workload } from '../core/types';
import type { DeploymentInfo } from './deploy';
import { normalizeRoute, type AdvisorInputs, type LoadTestRow } from './inputs';

export type StepId = 'start' | '1' | '2' | '3' | '4' | '5' | '6' | 'cpu-formula' | 'cores' | 'memory' | 'ccu';

export interface TraceStep { step: StepId; question: string; answer: string; why: string }

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
  /** Usable memory: the limit less 20 % headroom. */
  budgetMb: number;
  maxWorkers: number;
}

export interface Recommendation {
  workers: number;
  /** One line: why this number. */
  reason: string;
  workload: Workload;
  cpuRatio: number;
  /** Share of async handlers with no findings; null when there are none. */
  asyncCoverage: number | null;
  inputs: Omit<AdvisorInputs, 'source' | 'loadTests'> & { fromDeployment: string[]; source: Record<string, string> };
  trace: TraceStep[];
  actions: string[];
  warnings: string[];
  cpuLimit: number | null;
  replicas: number | null;
  command: string;
  compose: { deploy: { resources: { limits: { cpus: string; memory: string } } } };
  loadTestMatrix?: MatrixRow[];
  memory: MemoryModel;
  /** Blocking code must be fixed before the tree's count applies; `workers` stays 1 until then. */
  fixFirst: boolean;
  /** What the tree recommends once the blocking code is fixed (equals `workers` when nothing is pending). */
  afterFixWorkers: number;
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
  memoryHeadroom: 0.2,
  memoryBaseMb: 100,
  memoryPerWorkerMb: 300,
  ccuPerReplica: 50,
  ccuCpuPerUser: 0.08,
  ccuCpuMax: 8,
  ccuCpuDefault: 6,
  threadPoolSize: 40,
} as const;

// ---- scan-derived profile -----------------------------------------------------------------------

export interface ScanProfile {
  workload: Workload;
  cpuRatio: number;
  ioShare: number;
  /** Weighted mean CPU ms per request, for the CPU-bound formula. */
  cpuMsPerRequest: number;
  asyncCoverage: number | null;
  handlers: HandlerReport[];
  warnings: string[];
}

/** Tests, scripts and examples do not serve requests: they never weigh in the worker advice. */
function withoutTestCode(scan: ScanResult): ScanResult {
  if (!scan.findings.some((f) => f.testCode) && !scan.handlers.some((h) => h.testCode)) return scan;
  return { ...scan, findings: scan.findings.filter((f) => !f.testCode), handlers: scan.handlers.filter((h) => !h.testCode) };
}

/** Time-weighted CPU share of the route/websocket handlers (all handlers when there are no routes). */
export function profileScan(scan: ScanResult, traffic?: Record<string, number>): ScanProfile {
  scan = withoutTestCode(scan);
  const routes = scan.handlers.filter((h) => h.kind === 'route' || h.kind === 'websocket');
  const handlers = routes.length > 0 ? routes : scan.handlers;
  const warnings: string[] = [];
  if (handlers.length === 0) {
    warnings.push('No handlers found: treated as an I/O-bound async app; check that the scanned paths hold the FastAPI app.');
    return { workload: 'io-bound', cpuRatio: 0, ioShare: 1, cpuMsPerRequest: 0, asyncCoverage: null, handlers, warnings };
  }
  const weight = trafficWeights(handlers, traffic, warnings);
  let cpu = 0, total = 0, wsum = 0;
  handlers.forEach((h, i) => {
    cpu += h.cpuMs * weight[i];
    total += (h.cpuMs + h.ioMs + h.blockingMs) * weight[i];
    wsum += weight[i];
  });
  if (total === 0) warnings.push('Handlers have no CPU or I/O time estimates: treated as I/O-bound.');
  const cpuRatio = total > 0 ? cpu / total : 0;
  const ioShare = total > 0 ? 1 - cpuRatio : 1;
  return { workload: classify(cpuRatio, ioShare), cpuRatio, ioShare, cpuMsPerRequest: wsum > 0 ? cpu / wsum : 0, asyncCoverage: asyncCoverage(handlers), handlers, warnings };
}

/** `--traffic` shares by route; unlisted routes get no weight. If no route matches, every route counts once. */
function trafficWeights(handlers: HandlerReport[], traffic: Record<string, number> | undefined, warnings: string[]): number[] {
  if (!traffic) return handlers.map(() => 1);
  const weights = handlers.map((h) => (h.route ? traffic[normalizeRoute(h.route)] ?? 0 : 0));
  if (weights.some((w) => w > 0)) return weights;
  warnings.push(`--traffic names no scanned route (${Object.keys(traffic).join(', ')}): weighted every route equally.`);
  return handlers.map(() => 1);
}

export function classify(cpuRatio: number, ioShare: number): Workload {
  if (cpuRatio >= GUIDE.cpuBoundShare) return 'cpu-bound';
  if (ioShare >= GUIDE.ioBoundShare) return 'io-bound';
  return 'mixed';
}

function asyncCoverage(handlers: HandlerReport[]): number | null {
  const asyncHandlers = handlers.filter((h) => h.async);
  if (asyncHandlers.length === 0) return null;
  return asyncHandlers.filter((h) => h.findings === 0).length / asyncHandlers.length;
}

// ---- the guide's rules, each a small pure function -----------------------------------------------

export interface StepResult { workers: number; loadTest: boolean; answer: string; why: string }

/** [4] I/O-bound: traffic decides. */
export function stepTraffic(rps: number): StepResult {
  const r = fmtInt(rps);
  if (rps > GUIDE.rpsFourWorkers) return { workers: 4, loadTest: false, answer: `${r} req/s > 20,000: 4 workers`, why: 'Above 20K req/s even an async worker saturates a core; the guide uses 4.' };
  if (rps >= GUIDE.rpsTwoWorkers) return { workers: 2, loadTest: false, answer: `${r} req/s >= 10,000: 2 workers`, why: 'One async worker typically serves 5K-10K req/s.' };
  if (rps >= GUIDE.rpsOneWorker) return { workers: 1, loadTest: true, answer: `${r} req/s is 5,000-10,000: keep 1 and load-test`, why: 'Near one worker\'s capacity: only a load test shows whether a second worker helps.' };
  return { workers: 1, loadTest: false, answer: `${r} req/s < 5,000: keep 1 worker`, why: 'One event loop serves thousands of concurrent connections.' };
}

/** [5] Mixed workload: the CPU ratio decides (the guide's formula boundaries: < 0.3, < 0.5, else). */
export function stepMixed(cpuRatio: number, cores: number): StepResult {
  const p = fmtPct(cpuRatio * 100);
  if (cpuRatio < GUIDE.mixedOne) return { workers: 1, loadTest: false, answer: `CPU ${p} < 30 %: keep 1 worker`, why: 'Most time is spent waiting; the loop is free while it waits.' };
  if (cpuRatio < GUIDE.mixedTwo) return { workers: 2, loadTest: true, answer: `CPU ${p} is 30-50 %: 2 workers, confirm with a load test`, why: 'A second process uses a second core for the CPU part.' };
  const n = Math.max(1, Math.min(Math.floor(cores), 4));
  return { workers: n, loadTest: false, answer: `CPU ${p} >= 50 %: min(${fmtNum(cores)} cores, 4) = ${n} workers`, why: 'CPU work holds the loop; one process per core, at most 4.' };
}

/** CPU-bound formula: min(cores, concurrency / (cpu_ms / target_ms)), floored, at least 1. */
export function cpuFormula(cores: number, concurrency: number, cpuMs: number, targetMs: number): StepResult {
  const byLoad = cpuMs > 0 ? concurrency / (cpuMs / targetMs) : Infinity;
  const n = Math.max(1, Math.floor(Math.min(cores, byLoad)));
  const shown = Number.isFinite(byLoad) ? fmtNum(byLoad) : 'unbounded';
  return {
    workers: n, loadTest: false,
    answer: `min(${fmtNum(cores)} cores, ${concurrency} / (${fmtNum(cpuMs)} ms / ${fmtNum(targetMs)} ms) = ${shown}) = ${n}`,
    why: 'CPU-bound requests need a core each to meet the target latency; more processes than cores only queue.',
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
  const budgetMb = memoryMb * (1 - GUIDE.memoryHeadroom);
  const make = (baseMb: number, per: number, source: MemoryModel['source']): MemoryModel =>
    ({ baseMb, perWorkerMb: per, source, budgetMb, maxWorkers: maxWorkers(budgetMb, baseMb, per) });
  if (perWorkerMb) return make(0, perWorkerMb, 'given');
  const measured = rows.filter((r) => r.memoryMb !== undefined).sort((a, b) => a.workers - b.workers);
  if (measured.length >= 2) {
    const a = measured[0], b = measured[measured.length - 1];
    const slope = (b.memoryMb! - a.memoryMb!) / (b.workers - a.workers);
    const base = a.memoryMb! - slope * a.workers;
    if (slope > 0 && base >= 0) return make(round1(base), round1(slope), 'load-test');
  }
  if (measured.length >= 1) {
    const per = Math.max(...measured.map((r) => r.memoryMb! / r.workers));
    return make(0, round1(per), 'load-test');
  }
  return make(GUIDE.memoryBaseMb, GUIDE.memoryPerWorkerMb, 'guide');
}

/** The same per-worker model against another memory limit. */
export function withLimit(model: MemoryModel, memoryMb: number): MemoryModel {
  const budgetMb = memoryMb * (1 - GUIDE.memoryHeadroom);
  return { ...model, budgetMb, maxWorkers: maxWorkers(budgetMb, model.baseMb, model.perWorkerMb) };
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
export function evaluateLoadTests(rows: LoadTestRow[], memory: MemoryModel): LoadTestDecision {
  const sorted = [...rows].sort((a, b) => a.workers - b.workers);
  if (sorted.length === 1) return singleLoadTest(sorted[0]);
  const matrix: MatrixRow[] = [];
  let chosen = sorted[0].workers;
  let climbing = true;
  sorted.forEach((row, i) => {
    if (i === 0) { matrix.push({ ...row, gainPct: null, p99ChangePct: null, gainVsFirstPct: null, verdict: baselineVerdict(row), accepted: true }); return; }
    const m = compareRows(row, sorted[i - 1], sorted[0], memory);
    m.accepted = climbing && m.accepted;
    if (m.accepted) chosen = row.workers; else climbing = false;
    matrix.push(m);
  });
  const last = matrix.find((r) => r.workers === chosen)!;
  const answer = chosen === sorted[0].workers
    ? `no step gains 30 %: keep ${chosen}`
    : `each step up to ${chosen} gained >= 30 % (req/s or p99) with CPU < 90 % and memory to spare: ${chosen} workers`;
  return { workers: chosen, matrix, answer, why: `Scale only on measured gains (${last.workers} worker(s): ${fmtInt(last.rps)} req/s, p99 ${fmtNum(last.p99Ms)} ms).` };
}

function compareRows(row: LoadTestRow, prev: LoadTestRow, first: LoadTestRow, memory: MemoryModel): MatrixRow {
  const gainPct = pctChange(prev.rps, row.rps);
  const p99ChangePct = pctChange(prev.p99Ms, row.p99Ms);
  const improved = gainPct >= GUIDE.stepGain * 100 || p99ChangePct <= -GUIDE.stepGain * 100;
  const cpuOk = row.cpuPercent === undefined || row.cpuPercent < GUIDE.cpuSaturated;
  const needMb = row.memoryMb ?? memoryFor(memory, row.workers);
  const memOk = needMb <= memory.budgetMb;
  const gain = gainPct >= GUIDE.stepGain * 100 ? `${fmtSigned(gainPct)} req/s` : `p99 ${fmtSigned(p99ChangePct)}`;
  let verdict: string;
  if (!improved) verdict = `no gain (${fmtSigned(gainPct)} req/s, p99 ${fmtSigned(p99ChangePct)})`;
  else if (!cpuOk) verdict = `${gain}, but CPU ${fmtNum(row.cpuPercent!)} % (saturated)`;
  else if (!memOk) verdict = `${gain}, but ${fmtInt(needMb)} MB does not fit ${fmtInt(memory.budgetMb)} MB`;
  else verdict = `${gain}, better`;
  return { ...row, gainPct: round1(gainPct), p99ChangePct: round1(p99ChangePct), gainVsFirstPct: round1(pctChange(first.rps, row.rps)), verdict, accepted: improved && cpuOk && memOk };
}

function baselineVerdict(row: LoadTestRow): string {
  if (row.cpuPercent !== undefined && row.cpuPercent >= GUIDE.cpuSaturated) return `bottleneck (CPU ${fmtNum(row.cpuPercent)} %)`;
  if (row.errors) return `bottleneck (${fmtInt(row.errors)} errors)`;
  if (row.p99Ms > GUIDE.p99TooSlowMs) return `bottleneck (p99 ${fmtNum(row.p99Ms)} ms > 1 s)`;
  return 'baseline';
}

function singleLoadTest(row: LoadTestRow): LoadTestDecision {
  const matrix: MatrixRow[] = [{ ...row, gainPct: null, p99ChangePct: null, gainVsFirstPct: null, verdict: baselineVerdict(row), accepted: true }];
  const cpu = row.cpuPercent;
  if (row.workers !== 1) return { workers: null, matrix, answer: `one load test at ${row.workers} workers: nothing to compare`, why: 'The guide compares against a 1-worker run; add one (and 2 workers).' };
  if (cpu === undefined) return { workers: null, matrix, answer: 'one 1-worker load test without a CPU figure: not decisive', why: 'The guide\'s [6] reads CPU under load; add cpu_percent.' };
  let workers = 1;
  let answer: string;
  if (cpu >= GUIDE.cpuSaturated && (row.errors ?? 0) > 0) { workers = 4; answer = `CPU maxed (${fmtNum(cpu)} %) with ${fmtInt(row.errors!)} errors: 4 workers`; }
  else if (cpu > GUIDE.cpuSaturated) { workers = 2; answer = `CPU ${fmtNum(cpu)} % > 90 %: 2 workers`; }
  else if (cpu < GUIDE.cpuComfortable && row.p99Ms <= GUIDE.p99TooSlowMs) answer = `CPU ${fmtNum(cpu)} % < 80 % and p99 ${fmtNum(row.p99Ms)} ms is fine: keep 1`;
  else answer = `CPU ${fmtNum(cpu)} %, p99 ${fmtNum(row.p99Ms)} ms: not saturated, keep 1`;
  return { workers, matrix, answer, why: 'The guide\'s [6] branches for a single 1-worker run.' };
}

// ---- the tree ---------------------------------------------------------------------------------------

interface TreeState {
  trace: TraceStep[];
  actions: string[];
  warnings: string[];
  reason: string;
}

/** Applies the guide's decision tree, caps and concurrent-user sizing to a scan and the user's inputs. */
export function recommend(scan: ScanResult, inputs: AdvisorInputs, deploy: DeploymentInfo[] = []): Recommendation {
  scan = withoutTestCode(scan);
  const profile = profileScan(scan, inputs.routeTraffic);
  const st: TreeState = { trace: [{ step: 'start', question: 'Starting point', answer: '1 worker', why: 'The guide starts every async app at 1 worker.' }], actions: [], warnings: [...profile.warnings], reason: '' };
  const blockers = scan.findings.filter((f) => /^LW[12]\d\d$/.test(f.code));
  const fixFirst = stepAsync(st, blockers, profile, inputs.cannotRefactor);
  const memory = memoryModel(inputs.memoryMb, inputs.perWorkerMemoryMb, inputs.loadTests);
  const loadTestMatrix = inputs.loadTests.length > 0 ? [] as MatrixRow[] : undefined;
  let workers = stepWorkload(st, profile, inputs, memory, loadTestMatrix);
  if (blockers.length > 0 && inputs.cannotRefactor) workers = cannotRefactorCount(st, workers);
  workers = capByCores(st, workers, inputs);
  workers = capByMemory(st, workers, memory, inputs.memoryMb);
  const afterFixWorkers = workers;
  if (fixFirst) {
    st.trace.push({ step: '2', question: 'Until the fix lands', answer: `stay at 1 worker (after the fix: ${afterFixWorkers})`, why: 'More workers would only hide the blocking calls; fix the root cause first.' });
    st.reason = `${blockers.length} blocking call(s) on the event loop: fix them first${afterFixWorkers > 1 ? `, then ${afterFixWorkers} workers` : ''}`;
    workers = 1;
  }
  const ccu = stepCcu(st, inputs, profile.workload, workers);
  addWarnings(st, scan, deploy, workers);
  return {
    workers, reason: st.reason, workload: profile.workload, cpuRatio: round3(profile.cpuRatio), asyncCoverage: profile.asyncCoverage === null ? null : round3(profile.asyncCoverage),
    inputs: publicInputs(inputs), trace: st.trace, actions: st.actions, warnings: st.warnings,
    cpuLimit: ccu?.cpuLimit ?? null, replicas: ccu?.replicas ?? null,
    command: serverCommand(deploy, workers),
    compose: { deploy: { resources: { limits: { cpus: (ccu?.cpuLimit ?? inputs.cores).toFixed(1), memory: formatMemory(inputs.memoryMb) } } } },
    ...(loadTestMatrix ? { loadTestMatrix } : {}),
    memory, fixFirst, afterFixWorkers,
    deployment: deploy.filter((d) => d.currentWorkers !== undefined).map((d) => ({ file: d.file, line: d.line, currentWorkers: d.currentWorkers!, recommended: workers })),
  };
}

/** [1] and [2]: is the code 100 % async? Returns true when the fix must come before any scaling. */
function stepAsync(st: TreeState, blockers: Finding[], profile: ScanProfile, cannotRefactor: boolean): boolean {
  const coverage = profile.asyncCoverage === null ? 'no async handlers' : `async coverage ${fmtPct(profile.asyncCoverage * 100)}`;
  if (blockers.length === 0) {
    st.trace.push({ step: '1', question: 'Is the code 100 % async/await?', answer: `yes: no blocking calls found (${coverage})`, why: 'Nothing blocks the event loop, so go to the workload type [3].' });
    return false;
  }
  const handlers = new Set(blockers.map((f) => `${f.file}:${f.function}`)).size;
  st.trace.push({ step: '1', question: 'Is the code 100 % async/await?', answer: `no: ${blockers.length} blocking call(s) in ${handlers} coroutine(s) (${coverage})`, why: 'A blocking call stops every request the worker is serving.' });
  st.actions.push(...fixActions(blockers));
  if (cannotRefactor) {
    st.trace.push({ step: '2', question: 'Can it be refactored?', answer: 'no (--cannot-refactor): 2-4 workers', why: 'A second process keeps serving while one is blocked; the guide\'s stop-gap is 2.' });
    st.reason = 'blocking code that cannot be refactored: extra processes keep requests flowing while one is blocked';
    return false;
  }
  st.trace.push({ step: '2', question: 'Can it be refactored?', answer: 'yes (assumed; pass --cannot-refactor otherwise): refactor, then [3]', why: 'The guide fixes blocking code before adding workers; the steps below assume the fix.' });
  return true;
}

interface FixAdvice { what: string; how: string }
/** The rule tables name each family and its async alternative; N+1 is not a call table. */
const WHAT: Record<string, string> = {
  LW101: 'blocking HTTP calls', LW102: 'blocking sleeps or waits', LW103: 'blocking subprocess calls',
  LW104: 'blocking file calls', LW105: 'blocking database/cache calls', LW106: 'blocking SDK calls',
  LW201: 'ML inference calls on the event loop', LW202: 'dataframe/numeric calls on the event loop',
  LW203: 'password-hashing calls on the event loop', LW204: 'image/document calls on the event loop',
};
const FIX_ADVICE: Record<string, FixAdvice> = Object.fromEntries([
  ...FAMILIES.map((f) => [f.code, { what: WHAT[f.code] ?? f.title.toLowerCase(), how: f.alternative }]),
  ['LW301', { what: 'N+1 await loops', how: 'batch into one query or asyncio.gather with a semaphore' }],
]);

/** One action per finding code: how many, in which files (top 3), and the fix. */
export function fixActions(findings: Finding[]): string[] {
  const byCode = new Map<string, Finding[]>();
  for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  return [...byCode.keys()].sort().map((code) => {
    const group = byCode.get(code)!;
    const calls = [...new Set(group.map((f) => f.call).filter(Boolean))].slice(0, 3).join(', ');
    const advice = FIX_ADVICE[code] ?? (code.startsWith('LW2')
      ? { what: `CPU-heavy calls on the event loop${calls ? ` (${calls})` : ''}`, how: 'offload to a ProcessPoolExecutor: await loop.run_in_executor(cpu_pool, fn)' }
      : { what: `blocking calls${calls ? ` (${calls})` : ''}`, how: 'use an async library, or await asyncio.to_thread(...) for what has none' });
    return `Fix ${group.length} ${code} ${advice.what} (${topFiles(group)}): ${advice.how}`;
  });
}

function topFiles(group: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of group) counts.set(f.file, (counts.get(f.file) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, 3).map(([file, n]) => `${file}: ${n}`);
  return sorted.length > 3 ? `${shown.join(', ')}, +${sorted.length - 3} more` : shown.join(', ');
}

/** [3] then [4], [5] or the CPU formula, then [6] when load tests are given. */
function stepWorkload(st: TreeState, profile: ScanProfile, inputs: AdvisorInputs, memory: MemoryModel, matrix?: MatrixRow[]): number {
  const p = fmtPct(profile.cpuRatio * 100);
  const after = st.trace.some((t) => t.step === '2' && t.answer.startsWith('yes')) ? 'after the fix, ' : '';
  st.trace.push({ step: '3', question: 'Workload type?', answer: `${after}${profile.workload} (CPU ${p}, I/O ${fmtPct(profile.ioShare * 100)})`, why: '>= 70 % I/O is I/O-bound, >= 70 % CPU is CPU-bound, else mixed.' });
  let result: StepResult;
  if (profile.workload === 'io-bound') {
    result = stepTraffic(inputs.rps);
    st.trace.push({ step: '4', question: 'Traffic level?', ...pick(result) });
    setReason(st, `async I/O-bound app (CPU ${p}) at ${fmtInt(inputs.rps)} req/s: ${result.answer.split(': ').pop()}`);
  } else if (profile.workload === 'mixed') {
    result = stepMixed(profile.cpuRatio, inputs.cores);
    st.trace.push({ step: '5', question: 'CPU ratio?', ...pick(result) });
    setReason(st, `mixed workload, ${result.answer}`);
  } else {
    result = cpuFormula(inputs.cores, inputs.concurrency, profile.cpuMsPerRequest, inputs.targetLatencyMs);
    st.trace.push({ step: 'cpu-formula', question: 'CPU-bound: how many processes?', ...pick(result) });
    setReason(st, `CPU-bound app (CPU ${p}): ${result.answer}`);
  }
  if (profile.workload !== 'io-bound' && profile.cpuRatio >= GUIDE.mixedOne) st.actions.push(processPoolAction(profile.handlers));
  if (!matrix) {
    if (result.loadTest) st.actions.push('Run a load test at 1 and 2 workers (e.g. wrk -t12 -c1000 -d30s --latency URL) and pass each as --load-tests N:FILE.');
    return result.workers;
  }
  return stepLoadTests(st, inputs, memory, matrix, result.workers);
}

function pick(r: StepResult): { answer: string; why: string } {
  return { answer: r.answer, why: r.why };
}

function setReason(st: TreeState, reason: string): void {
  if (!st.reason) st.reason = reason;
}

function processPoolAction(handlers: HandlerReport[]): string {
  // Below ~10 ms of CPU a process-pool round trip (pickling, IPC) costs about as much as it saves.
  // A handler whose only CPU is the framework's per-request overhead is I/O-bound by the scan's definition.
  const heavy = handlers.filter((h) => h.workload !== 'io-bound' && h.cpuRatio >= GUIDE.mixedOne && h.cpuMs >= 10).sort((a, b) => b.cpuMs - a.cpuMs);
  const names = heavy.slice(0, 5).map((h) => `${h.route ?? h.name} (${fmtNum(h.cpuMs)} ms CPU)`);
  const which = names.length > 0 ? ` in ${names.join(', ')}${heavy.length > 5 ? `, +${heavy.length - 5} more` : ''}` : '';
  return `Offload the CPU work${which} to a ProcessPoolExecutor (cpu_pool = ProcessPoolExecutor(max_workers=N); await loop.run_in_executor(cpu_pool, fn)); the guide prefers this to more workers.`;
}

function stepLoadTests(st: TreeState, inputs: AdvisorInputs, memory: MemoryModel, matrix: MatrixRow[], treeWorkers: number): number {
  const decision = evaluateLoadTests(inputs.loadTests, memory);
  matrix.push(...decision.matrix);
  if (decision.workers === null) {
    st.trace.push({ step: '6', question: 'Load-test results?', answer: `${decision.answer}; keep the tree's ${treeWorkers}`, why: decision.why });
    return treeWorkers;
  }
  st.trace.push({ step: '6', question: 'Load-test results?', answer: decision.answer, why: `${decision.why} Measured evidence decides over the estimate (${treeWorkers}).` });
  st.reason = st.reason.startsWith('blocking') ? st.reason : `load tests: ${decision.answer}`;
  return decision.workers;
}

/** [2] no: 2-4 workers, 2 unless CPU or traffic asks for more. */
function cannotRefactorCount(st: TreeState, treeWorkers: number): number {
  const n = Math.min(4, Math.max(2, treeWorkers));
  st.trace.push({ step: '2', question: 'Blocking code stays: how many workers?', answer: `max(2, ${treeWorkers} from the workload) within 2-4 = ${n}`, why: 'The guide\'s stop-gap for code that cannot be refactored is 2-4 workers.' });
  return n;
}

function capByCores(st: TreeState, workers: number, inputs: AdvisorInputs): number {
  const max = Math.max(1, Math.floor(inputs.cores));
  if (workers <= max) return workers;
  const assumed = inputs.assumed.includes('cores') ? ' (assumed; pass --cores)' : '';
  st.trace.push({ step: 'cores', question: 'Do the workers fit the cores?', answer: `no: ${workers} workers on ${fmtNum(inputs.cores)} cores${assumed}: capped to ${max}`, why: 'Processes beyond the core count only compete for the same CPUs.' });
  st.reason += ` (capped to ${max} by ${fmtNum(inputs.cores)} cores)`;
  return max;
}

function capByMemory(st: TreeState, workers: number, memory: MemoryModel, memoryMb: number): number {
  const need = memoryFor(memory, workers);
  const model = memory.source === 'guide' ? 'guide estimate 100 MB + 300 MB per worker' : memory.source === 'given' ? `${fmtNum(memory.perWorkerMb)} MB per worker (given)` : `measured ${fmtNum(memory.baseMb)} MB + ${fmtNum(memory.perWorkerMb)} MB per worker`;
  if (need <= memory.budgetMb) {
    st.trace.push({ step: 'memory', question: 'Does it fit the memory limit?', answer: `yes: ${workers} worker(s) need ~${fmtInt(need)} MB of ${fmtInt(memory.budgetMb)} MB usable (${fmtInt(memoryMb)} MB less 20 % headroom)`, why: `Per-worker memory: ${model}.` });
    return workers;
  }
  const capped = Math.max(1, memory.maxWorkers);
  st.trace.push({ step: 'memory', question: 'Does it fit the memory limit?', answer: `no: ${workers} workers need ~${fmtInt(need)} MB but ${fmtInt(memoryMb)} MB (less 20 % headroom) fits ${memory.maxWorkers}: capped to ${capped}`, why: `Per-worker memory: ${model}. Never recommend more workers than fit.` });
  if (memory.maxWorkers === 0) st.warnings.push(`Even 1 worker (~${fmtInt(memoryFor(memory, 1))} MB) does not fit ${fmtInt(memoryMb)} MB with 20 % headroom: raise the memory limit.`);
  st.reason += ` (capped to ${capped} by ${fmtInt(memoryMb)} MB memory)`;
  return capped;
}

function stepCcu(st: TreeState, inputs: AdvisorInputs, workload: Workload, workers: number): { cpuLimit: number; replicas: number } | undefined {
  if (inputs.ccu === null) return undefined;
  const sizing = ccuSizing(inputs.ccu);
  const rule = inputs.ccu <= GUIDE.ccuPerReplica ? '<= 50 users: 6.0 cores' : `min(8, ${inputs.ccu} x 0.08) = ${fmtNum(sizing.cpuLimit)} cores, ceil(${inputs.ccu} / 50) = ${sizing.replicas} replicas`;
  const io = workload === 'io-bound' ? ` Workers stay at ${workers}: an I/O-bound loop needs CPU headroom, not more processes.` : '';
  st.trace.push({ step: 'ccu', question: `${inputs.ccu} concurrent users: CPU limit and replicas?`, answer: `${rule}; ${sizing.replicas} replica(s)`, why: `The guide's mem0 case: each container serves about 50 users.${io}` });
  if (sizing.cpuLimit > inputs.cores) st.actions.push(`Raise the container CPU limit from ${fmtNum(inputs.cores)} to ${sizing.cpuLimit.toFixed(1)} cores (not more workers).`);
  if (sizing.replicas > 1) st.actions.push(`Run ${sizing.replicas} replicas (about 50 concurrent users each).`);
  return sizing;
}

// ---- warnings and output pieces --------------------------------------------------------------------

function addWarnings(st: TreeState, scan: ScanResult, deploy: DeploymentInfo[], workers: number): void {
  const sync = scan.handlers.filter((h) => !h.async && (h.kind === 'route' || h.kind === 'websocket' || h.kind === 'dependency'));
  if (sync.length > 0) st.warnings.push(`${sync.length} sync (def) handler(s) run in the thread pool: ${GUIDE.threadPoolSize} threads per worker shared by all of them, so slow ones queue behind each other.`);
  const ml = scan.findings.filter((f) => f.code === 'LW201').length;
  if (ml > 0) st.warnings.push(`ML model memory multiplies by workers: each worker loads its own copy (${ml} LW201 finding(s)); measure one worker and pass --per-worker-memory.`);
  const k8s = deploy.find((d) => d.kind === 'kubernetes');
  if (k8s) st.warnings.push(`Kubernetes Deployment found (${k8s.file}): prefer 1 worker per container and scale with replicas.`);
  const differ = deploy.filter((d) => d.currentWorkers !== undefined && d.currentWorkers !== workers);
  if (differ.length > 0) {
    st.warnings.push(`Deployment files run a different worker count than recommended (${workers}): ${differ.map((d) => `${d.file}:${d.line} runs ${d.currentWorkers}`).join(', ')}.`);
  }
  for (const d of deploy) {
    if (d.currentWorkers === undefined && d.commandText?.startsWith('workers =')) st.warnings.push(`${d.file}:${d.line} computes the worker count at start-up (${d.commandText}); the 2 x cores + 1 rule is for sync WSGI workers, not async ones.`);
  }
}

function publicInputs(inputs: AdvisorInputs): Recommendation['inputs'] {
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
  const out: DeploymentFinding[] = [];
  for (const d of deploy) {
    if (d.currentWorkers === undefined) continue;
    // The file's own memory limit when it states one, with the per-worker model the recommendation used.
    const limitMb = d.memoryMb ?? rec.inputs.memoryMb;
    const fit = withLimit(rec.memory, limitMb);
    if (d.currentWorkers > fit.maxWorkers) {
      const target = Math.max(1, Math.min(rec.workers, fit.maxWorkers));
      out.push(finding(d, 'LW402', `${d.currentWorkers} workers need ~${fmtInt(memoryFor(fit, d.currentWorkers))} MB but the ${fmtInt(limitMb)} MB memory limit fits ${fit.maxWorkers} (20 % headroom)`, target));
    }
    if (d.currentWorkers !== rec.workers) {
      out.push(finding(d, 'LW401', `runs ${d.currentWorkers} worker(s); Loopwise recommends ${rec.workers}: ${rec.reason}`, rec.workers));
    }
  }
  return out;
}

function finding(d: DeploymentInfo, code: string, message: string, target: number): DeploymentFinding {
  const span = d.workerSpan;
  const fix: Fix | null = span ? { kind: 'workers', title: `Set workers to ${target}`, isPreferred: true, edits: [{ start: span.start, end: span.end, newText: String(target) }] } : null;
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
function round1(n: number): number { return Math.round(n * 10) / 10; }
function round3(n: number): number { return Math.round(n * 1000) / 1000; }
export function fmtInt(n: number): string { return Math.round(n).toLocaleString('en-US'); }
export function fmtNum(n: number): string { return Number.isInteger(n) ? fmtInt(n) : String(Math.round(n * 100) / 100); }
export function fmtPct(n: number): string { return `${Math.round(n)} %`; }
function fmtSigned(n: number): string { return `${n >= 0 ? '+' : ''}${Math.round(n)} %`; }
