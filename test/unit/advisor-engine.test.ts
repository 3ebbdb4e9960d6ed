import { workloadOf } from '../../src/core/analyzer';
// The guide's rules, formulas and worked examples, each fed to the engine with the guide's numbers.
import { strict as assert } from 'node:assert';
import type { Finding, HandlerReport, ScanResult } from '../../src/core/types';
import type { DeploymentInfo } from '../../src/advisor/deploy';
import {
  ccuSizing, cpuFormula, evaluateLoadTests, memoryModel, profileScan, recommend, stepMixed, stepTraffic,
} from '../../src/advisor/engine';
import { makeInputs, type LoadTestRow } from '../../src/advisor/inputs';

let line = 1;
function handler(route: string, cpuMs: number, ioMs: number, extra: Partial<HandlerReport> = {}): HandlerReport {
  const total = cpuMs + ioMs + (extra.blockingMs ?? 0);
  return {
    file: 'app/main.py', line: line++, name: route.split('/').pop() || 'root', kind: 'route', route, async: true,
    cpuMs, ioMs, blockingMs: 0, cpuRatio: total ? cpuMs / total : 0, workload: workloadOf(cpuMs, total, 10), findings: 0, ...extra,
  };
}

function finding(code: string, file: string, call = 'requests.get'): Finding {
  return {
    file, line: 1, column: 1, endLine: 1, endColumn: 5, code, severity: 'warning', message: `${call} blocks`, function: 'f',
    route: 'GET /x', chain: [], fixes: [], call, startOffset: 0, endOffset: 4,
  };
}

function scan(handlers: HandlerReport[], findings: Finding[] = []): ScanResult {
  return {
    version: 1, findings, handlers, notes: [],
    summary: { files: 1, skipped: 0, findings: findings.length, byCode: {}, handlers: handlers.length, asyncHandlers: handlers.filter((h) => h.async).length, blockedHandlers: 0 },
  };
}

const steps = (rec: { trace: { step: string }[] }): string[] => rec.trace.map((t) => t.step);
const GUIDE_TABLE: LoadTestRow[] = [
  { workers: 1, rps: 8500, p99Ms: 800, cpuPercent: 95, memoryMb: 400 },
  { workers: 2, rps: 12000, p99Ms: 500, cpuPercent: 85, memoryMb: 700 },
  { workers: 4, rps: 15000, p99Ms: 250, cpuPercent: 80, memoryMb: 1300 },
];
const FLAT_TABLE: LoadTestRow[] = [
  { workers: 1, rps: 8000, p99Ms: 100 }, { workers: 2, rps: 8200, p99Ms: 95 }, { workers: 4, rps: 8300, p99Ms: 94 },
];
/** The guide's /users example: 10 ms CPU of 350 ms. */
const USERS = () => scan([handler('GET /users', 10, 340)]);

describe('advisor engine: workload profile', () => {
  it('the /users example (10 ms CPU of 350 ms) is I/O-bound: 1 worker', () => {
    const rec = recommend(USERS(), makeInputs());
    assert.equal(rec.workload, 'io-bound');
    assert.equal(rec.cpuRatio, 0.029);
    assert.equal(rec.workers, 1);
    assert.deepEqual(steps(rec), ['start', '1', '3', '4', 'memory']);
    assert.match(rec.reason, /I\/O-bound app \(CPU 3 %\) at 100 req\/s/);
  });

  it('the mem0 flow (50 ms CPU, 450 ms I/O) is 10 % CPU, I/O-bound: 1 worker', () => {
    const rec = recommend(scan([handler('POST /search', 50, 450)]), makeInputs());
    assert.equal(rec.cpuRatio, 0.1);
    assert.equal(rec.workers, 1);
  });

  it('weights the CPU ratio by --traffic shares', () => {
    const s = scan([handler('GET /a', 10, 90), handler('GET /b', 90, 10)]);
    assert.equal(profileScan(s).workload, 'mixed');
    const weighted = profileScan(s, { 'GET /a': 0.9, 'GET /b': 0.1 });
    assert.equal(weighted.cpuRatio, 0.18);
    assert.equal(weighted.workload, 'io-bound');
    const unmatched = profileScan(s, { 'GET /nope': 1 });
    assert.equal(unmatched.cpuRatio, 0.5);
    assert.match(unmatched.warnings[0], /names no scanned route/);
  });

  it('counts blocking time as I/O share and ignores non-route handlers when routes exist', () => {
    const p = profileScan(scan([handler('GET /a', 20, 30, { blockingMs: 50 }), handler('dep', 100, 0, { kind: 'dependency', route: null })]));
    assert.equal(p.cpuRatio, 0.2);
    assert.equal(p.ioShare, 0.8);
  });

  it('with no handlers: I/O-bound, 1 worker, and a warning', () => {
    const rec = recommend(scan([]), makeInputs());
    assert.deepEqual([rec.workload, rec.workers, rec.asyncCoverage], ['io-bound', 1, null]);
    assert.match(rec.warnings.join('\n'), /No handlers found/);
  });

  it('async coverage is the share of coroutines without a finding that counts at [1], and agrees with [1]', () => {
    const hs = [handler('GET /a', 1, 9), handler('GET /b', 1, 9), handler('GET /c', 1, 9), handler('GET /d', 1, 9, { async: false })];
    const clean = recommend(scan(hs), makeInputs());
    assert.equal(clean.asyncCoverage, 1);
    assert.match(clean.trace.find((t) => t.step === '1')!.answer, /^yes: .*async coverage 100 %/);
    const f = { ...finding('LW101', 'app/main.py'), function: hs[2].name };
    const blocked = recommend(scan(hs, [f]), makeInputs());
    assert.equal(blocked.asyncCoverage, 0.667);
    assert.match(blocked.trace.find((t) => t.step === '1')!.answer, /^no: 1 blocking call\(s\) in 1 coroutine\(s\) \(async coverage 67 %\)/);
  });
});

describe('advisor engine: [4] traffic for I/O-bound apps', () => {
  it('3K req/s keeps 1 worker', () => {
    assert.deepEqual([stepTraffic(3000).workers, stepTraffic(3000).loadTest], [1, false]);
    assert.equal(recommend(USERS(), makeInputs({ rps: 3000 })).workers, 1);
  });

  it('7K req/s keeps 1 and asks for a load test', () => {
    const rec = recommend(USERS(), makeInputs({ rps: 7000 }));
    assert.equal(rec.workers, 1);
    assert.match(rec.actions.join('\n'), /Run a load test at 1 and 2 workers/);
  });

  it('12K req/s: 2 workers; 25K: 4 (on 4 cores)', () => {
    assert.equal(recommend(USERS(), makeInputs({ rps: 12000, cores: 4 })).workers, 2);
    assert.equal(recommend(USERS(), makeInputs({ rps: 25000, cores: 4 })).workers, 4);
  });

  it('boundaries: 5,000 asks for a test, 10,000 is 2, 20,000 is still 2, 20,001 is 4', () => {
    assert.equal(stepTraffic(4999).loadTest, false);
    assert.equal(stepTraffic(5000).loadTest, true);
    assert.equal(stepTraffic(10000).workers, 2);
    assert.equal(stepTraffic(20000).workers, 2);
    assert.equal(stepTraffic(20001).workers, 4);
  });
});

describe('advisor engine: [5] mixed workloads', () => {
  it('CPU 20 % keeps 1; 40 % gives 2 and a load test; 60 % on 8 cores gives min(8, 4) = 4', () => {
    assert.deepEqual([stepMixed(0.2, 8).workers, stepMixed(0.2, 8).loadTest], [1, false]);
    assert.deepEqual([stepMixed(0.4, 8).workers, stepMixed(0.4, 8).loadTest], [2, true]);
    assert.equal(stepMixed(0.6, 8).workers, 4);
    assert.equal(stepMixed(0.6, 2).workers, 2);
    assert.equal(stepMixed(0.5, 8).workers, 4, 'the guide formula: cpu_ratio < 0.5 -> 2, else min(cores, 4)');
  });

  it('an app at 20 % CPU: 1 worker (80 % I/O is I/O-bound already at [3])', () => {
    const rec = recommend(scan([handler('GET /a', 20, 80)]), makeInputs());
    assert.deepEqual([rec.workload, rec.workers], ['io-bound', 1]);
  });

  it('an app at 40 % CPU: 2 workers, a load test and a process-pool action', () => {
    const rec = recommend(scan([handler('GET /report', 40, 60)]), makeInputs());
    assert.deepEqual([rec.workload, rec.workers], ['mixed', 2]);
    assert.ok(steps(rec).includes('5'));
    assert.match(rec.actions.join('\n'), /Run a load test/);
    assert.match(rec.actions.join('\n'), /ProcessPoolExecutor/);
  });

  it('an app at 60 % CPU on 8 cores: 4 workers', () => {
    const rec = recommend(scan([handler('POST /resize', 60, 40)]), makeInputs({ cores: 8 }));
    assert.deepEqual([rec.workload, rec.workers], ['mixed', 4]);
  });
});

describe('advisor engine: CPU-bound formula', () => {
  it('the guide example: 4 cores, 100 concurrent, 500 ms CPU, 200 ms target -> min(4, 40) = 4', () => {
    const r = cpuFormula(4, 100, 500, 200);
    assert.equal(r.workers, 4);
    assert.match(r.answer, /= 40\) = 4/);
  });

  it('is floored, at least 1, and bounded by concurrency', () => {
    assert.equal(cpuFormula(8, 5, 500, 200).workers, 2);
    assert.equal(cpuFormula(8, 1, 500, 200).workers, 1);
    assert.equal(cpuFormula(2.5, 100, 500, 200).workers, 2);
  });

  it('a CPU-bound app gets the formula and a ProcessPoolExecutor action naming the handler', () => {
    const rec = recommend(scan([handler('POST /predict', 500, 10), handler('GET /health', 1, 1)]), makeInputs({ cores: 4, concurrency: 100, targetLatencyMs: 200 }));
    assert.equal(rec.workload, 'cpu-bound');
    assert.equal(rec.workers, 4);
    assert.ok(steps(rec).includes('cpu-formula'));
    assert.match(rec.actions.join('\n'), /Offload the CPU work in POST \/predict \(500 ms CPU\) to a ProcessPoolExecutor/);
    assert.doesNotMatch(rec.actions.join('\n'), /GET \/health/);
  });
});

describe('advisor engine: [6] load tests', () => {
  const mem = memoryModel(2048, null, GUIDE_TABLE);

  it('the guide table gives 4, with its verdicts', () => {
    const d = evaluateLoadTests(GUIDE_TABLE, mem);
    assert.equal(d.workers, 4);
    assert.deepEqual(d.matrix.map((r) => r.verdict), ['bottleneck (CPU 95 %)', '+41 % req/s, better', 'p99 -50 %, better']);
    assert.deepEqual(d.matrix.map((r) => r.gainPct), [null, 41.2, 25]);
    assert.deepEqual(d.matrix.map((r) => r.gainVsFirstPct), [null, 41.2, 76.5]);
    assert.deepEqual(d.matrix.map((r) => r.p99ChangePct), [null, -37.5, -50]);
  });

  it('a flat table gives 1', () => {
    const d = evaluateLoadTests(FLAT_TABLE, mem);
    assert.equal(d.workers, 1);
    assert.match(d.matrix[1].verdict, /^no gain \(\+3 % req\/s, p99 -5 %\)$/);
    assert.equal(d.matrix[2].accepted, false);
  });

  it('does not step to a count whose CPU is saturated', () => {
    const d = evaluateLoadTests([{ workers: 1, rps: 5000, p99Ms: 800, cpuPercent: 70 }, { workers: 2, rps: 9000, p99Ms: 500, cpuPercent: 95 }], mem);
    assert.equal(d.workers, 1);
    assert.match(d.matrix[1].verdict, /but CPU 95 % \(saturated\)/);
  });

  it('does not step to a count whose measured memory does not fit: 1 GB stops at 2', () => {
    const d = evaluateLoadTests(GUIDE_TABLE, memoryModel(1024, null, GUIDE_TABLE));
    assert.equal(d.workers, 2);
    assert.match(d.matrix[2].verdict, /1,300 MB does not fit 1,024 MB/);
  });

  it('decides over the tree: the guide table on an I/O-bound 100 req/s app on 4 cores gives 4', () => {
    const rec = recommend(USERS(), makeInputs({ cores: 4, loadTests: GUIDE_TABLE }));
    assert.equal(rec.workers, 4);
    assert.equal(rec.loadTestMatrix?.length, 3);
    assert.match(rec.reason, /^load tests:/);
  });

  it('the flat table keeps 1 even at 12K req/s', () => {
    assert.equal(recommend(USERS(), makeInputs({ cores: 4, rps: 12000, loadTests: FLAT_TABLE })).workers, 1);
  });

  it('is capped by the cores: the guide table on 2 (assumed) cores gives 2', () => {
    const rec = recommend(USERS(), makeInputs({ loadTests: GUIDE_TABLE }));
    assert.equal(rec.workers, 2);
    assert.match(rec.trace.find((t) => t.step === 'cores')!.answer, /^no: 4 workers on 2 cores \(assumed; pass --cores\): capped to 2$/);
  });

  it('a single 1-worker run follows the guide\'s [6] branches', () => {
    const one = (row: Partial<LoadTestRow>) => evaluateLoadTests([{ workers: 1, rps: 9000, p99Ms: 300, ...row }], mem).workers;
    assert.equal(one({ cpuPercent: 70 }), 1);
    assert.equal(one({ cpuPercent: 95 }), 2);
    assert.equal(one({ cpuPercent: 98, errors: 312 }), 4);
    assert.equal(one({}), null, 'without CPU it is not decisive');
  });
});

describe('advisor engine: memory cap', () => {
  it('the guide\'s table fits a 1.5 GB limit to 4 workers (100 + 4 x 300 = 1,300 MB), not 5', () => {
    assert.equal(memoryModel(1536, null, []).maxWorkers, 4);
    const rec = recommend(USERS(), makeInputs({ rps: 25000, cores: 8, memoryMb: 4096, perWorkerMemoryMb: 1500 }));
    assert.equal(rec.workers, 2);
    assert.match(rec.trace.find((t) => t.step === 'memory')!.answer, /^no: 4 processes need ~6,000 MB but 4,096 MB fits 2: capped to 2 worker\(s\)/);
    assert.equal(rec.trace.find((t) => t.step === 'memory')!.measured, true);
  });

  it('pool processes count against the memory limit: 2 workers + a pool of 2 at 600 MB each in 2 GB (3 fit) become 1 + 2', () => {
    const pooled = scan([handler('POST /score', 0, 0, { costs: [{ kind: 'ml', where: 'pool', type: 'cpu', calls: 1, ms: 100, source: 'default' }, { kind: 'http', where: 'awaited', type: 'io', calls: 1, ms: 100, source: 'default' }] })]);
    const rec = recommend(pooled, makeInputs({ cores: 2, rps: 12000, memoryMb: 1536, perWorkerMemoryMb: 350 }));
    assert.deepEqual([rec.workers, rec.processPool], [1, 2], 'without 2 GB available the workers stay at 1');
    const big = recommend(pooled, makeInputs({ cores: 2, rps: 12000, memoryMb: 2048, perWorkerMemoryMb: 600 }));
    assert.match(big.trace.find((t) => t.step === 'memory')!.answer, /^no: 4 processes need ~2,400 MB but 2,048 MB fits 3: capped to 1 worker\(s\)$/);
    assert.deepEqual([big.workers, big.processPool], [1, 2]);
  });

  it('scales past 1 worker only with >= 2 GB available (the guide\'s condition): 1 GB at 25K req/s keeps 1', () => {
    const rec = recommend(USERS(), makeInputs({ rps: 25000, cores: 8, memoryMb: 1024 }));
    assert.equal(rec.workers, 1);
    assert.deepEqual(rec.trace.filter((t) => t.step === 'memory').map((t) => t.answer), [
      'no: 4 processes need ~1,300 MB but 1,024 MB fits 3: capped to 3 worker(s)',
      'no: 1,024 MB < 2 GB: keep 1 worker instead of 3',
    ]);
    assert.equal(recommend(USERS(), makeInputs({ rps: 25000, cores: 8, memoryMb: 2048 })).workers, 4);
  });

  it('uses the given per-worker memory, else the load-test slope', () => {
    assert.equal(memoryModel(2048, 600, []).maxWorkers, 3);
    const measured = memoryModel(2048, null, GUIDE_TABLE);
    assert.deepEqual([measured.baseMb, measured.perWorkerMb, measured.source], [100, 300, 'load-test']);
    assert.deepEqual([memoryModel(2048, null, [{ workers: 2, rps: 1, p99Ms: 1, memoryMb: 900 }]).perWorkerMb], [450]);
  });

  it('warns when not even one worker fits', () => {
    const rec = recommend(USERS(), makeInputs({ memoryMb: 256 }));
    assert.equal(rec.workers, 1);
    assert.match(rec.warnings.join('\n'), /Even 1 worker/);
  });
});

describe('advisor engine: concurrent users (mem0 case)', () => {
  it('30 and 50 users: CPU limit 6.0, 1 replica; 100: 8 and 2; 80: 6.4 and 2', () => {
    assert.deepEqual(ccuSizing(30), { cpuLimit: 6, replicas: 1 });
    assert.deepEqual(ccuSizing(50), { cpuLimit: 6, replicas: 1 });
    assert.deepEqual(ccuSizing(100), { cpuLimit: 8, replicas: 2 });
    assert.deepEqual(ccuSizing(80), { cpuLimit: 6.4, replicas: 2 });
  });

  it('an I/O-bound app at 40 users on 4 cores: 1 worker and a higher CPU limit, not more workers', () => {
    const rec = recommend(scan([handler('POST /search', 50, 450)]), makeInputs({ cores: 4, ccu: 40 }));
    assert.deepEqual([rec.workers, rec.cpuLimit, rec.replicas], [1, 6, 1]);
    assert.equal(rec.compose.deploy.resources.limits.cpus, '6.0');
    assert.match(rec.actions.join('\n'), /Raise the container CPU limit from 4 to 6.0 cores/);
    assert.match(rec.trace.find((t) => t.step === 'ccu')!.why, /not more processes/);
  });

  it('without --ccu there is no CPU limit or replica advice', () => {
    const rec = recommend(USERS(), makeInputs({ cores: 4 }));
    assert.deepEqual([rec.cpuLimit, rec.replicas], [null, null]);
    assert.equal(rec.compose.deploy.resources.limits.cpus, '4.0');
    assert.ok(!steps(rec).includes('ccu'));
  });
});

describe('advisor engine: [1]/[2] blocking code', () => {
  const blocking = () => scan([handler('GET /weather', 5, 95, { findings: 2 })], [
    finding('LW101', 'app/services.py'), finding('LW101', 'app/services.py'), finding('LW101', 'app/main.py'), finding('LW102', 'app/main.py', 'time.sleep'),
  ]);

  it('refactorable: 1 worker until fixed, with grouped fix actions', () => {
    const rec = recommend(blocking(), makeInputs());
    assert.equal(rec.workers, 1);
    assert.equal(rec.fixFirst, true);
    assert.deepEqual(rec.actions.slice(0, 2), [
      'Fix 3 LW101 blocking HTTP calls (app/services.py: 2, app/main.py: 1): use httpx.AsyncClient (await client.get(...)) or aiohttp',
      'Fix 1 LW102 blocking sleeps or waits (app/main.py: 1): use await asyncio.sleep(...) / asyncio primitives, or await asyncio.wrap_future(...)',
    ]);
    assert.deepEqual(steps(rec), ['start', '1', '2', '3', '4', 'memory', 'after-fix']);
    assert.match(rec.trace.find((t) => t.step === '3')!.question, /^After the fix: Workload type\?/);
    assert.equal(rec.afterFix.source, 'estimate', 'no fix run given: modelled');
  });

  it('refactorable at 25K req/s: still 1 now, 4 after the fix', () => {
    const rec = recommend(blocking(), makeInputs({ rps: 25000, cores: 4 }));
    assert.deepEqual([rec.workers, rec.afterFixWorkers, rec.afterFix.workers, rec.afterFix.processPool], [1, 4, 4, 0]);
    assert.match(rec.reason, /^4 finding\(s\) to fix before scaling: stay at 1 worker; after `loopwise fix`: 4 workers/);
  });

  it('without a fix run (editor), the after-fix estimate keeps CPU in the worker unless the app already runs a pool', () => {
    const ml = { kind: 'ml', where: 'loop' as const, type: 'cpu' as const, calls: 1, ms: 500, source: 'default' as const };
    const predict = handler('POST /predict', 500, 0, { findings: 1, costs: [ml] });
    const f = { ...finding('LW201', 'app/main.py', 'model.predict'), function: predict.name };
    const alone = recommend(scan([predict], [f]), makeInputs({ cores: 4 }));
    assert.deepEqual([alone.workers, alone.afterFix.workers, alone.afterFix.processPool, alone.afterFix.source], [4, 4, 0, 'estimate']);
    const pooled = handler('POST /other', 0, 100, { costs: [{ ...ml, where: 'pool', ms: 100 }] });
    const withPool = recommend(scan([predict, pooled], [f]), makeInputs({ cores: 4 }));
    assert.deepEqual([withPool.afterFix.workers, withPool.afterFix.processPool], [1, 4]);
  });

  it('--cannot-refactor: 2 workers', () => {
    const rec = recommend(blocking(), makeInputs({ cannotRefactor: true }));
    assert.equal(rec.workers, 2);
    assert.equal(rec.fixFirst, false);
    assert.match(rec.trace.find((t) => t.step === '2')!.answer, /^no \(--cannot-refactor\): 2-4 workers/);
  });

  it('--cannot-refactor above 20K req/s: 4 workers', () => {
    assert.equal(recommend(blocking(), makeInputs({ cannotRefactor: true, rps: 25000, cores: 4 })).workers, 4);
  });

  it('CPU work on the loop (LW2xx) also fails [1], is sized at [3] now, with a process-pool fix', () => {
    const rec = recommend(scan([handler('POST /predict', 40, 60)], [finding('LW201', 'app/ml.py', 'model.predict')]), makeInputs());
    assert.equal(rec.fixFirst, false);
    assert.equal(rec.workers, 2, 'mixed at 40 % CPU: the guide\'s [5] gives 2 for the code as it is');
    assert.match(rec.actions[0], /^Fix 1 LW201 ML inference calls on the event loop \(app\/ml\.py: 1\): run it in a ProcessPoolExecutor/);
    assert.match(rec.warnings.join('\n'), /ML model memory multiplies by workers/);
  });
});

describe('advisor engine: warnings and output', () => {
  const compose: DeploymentInfo = {
    file: 'docker-compose.yml', line: 4, column: 73, kind: 'compose', currentWorkers: 4, memoryMb: 1024,
    appModule: 'shop.main:app', workerSpan: { start: 102, end: 103 }, commandText: 'uvicorn shop.main:app --workers 4',
  };
  const k8s: DeploymentInfo = { file: 'k8s/deployment.yaml', line: 28, column: 88, kind: 'kubernetes', currentWorkers: 1 };

  it('warns about sync handlers sharing the 40-thread pool', () => {
    const rec = recommend(scan([handler('GET /a', 1, 9, { async: false })]), makeInputs());
    assert.match(rec.warnings.join('\n'), /1 sync \(def\) handler\(s\) run in the thread pool: 40 threads per worker/);
    assert.doesNotMatch(recommend(USERS(), makeInputs()).warnings.join('\n'), /thread pool/);
  });

  it('warns about Kubernetes and about deployment counts that differ', () => {
    const rec = recommend(USERS(), makeInputs(), [compose, k8s]);
    const w = rec.warnings.join('\n');
    assert.match(w, /Kubernetes Deployment found \(k8s\/deployment\.yaml\): prefer 1 worker per container/);
    assert.match(w, /different worker count than recommended \(1\): docker-compose\.yml:4 runs 4\./);
    assert.doesNotMatch(w, /deployment\.yaml:28 runs/);
    assert.deepEqual(rec.deployment, [
      { file: 'docker-compose.yml', line: 4, currentWorkers: 4, recommended: 1 },
      { file: 'k8s/deployment.yaml', line: 28, currentWorkers: 1, recommended: 1 },
    ]);
  });

  it('builds the command from the deployment app module, else main:app, and the compose limits', () => {
    assert.equal(recommend(USERS(), makeInputs(), [compose]).command, 'uvicorn shop.main:app --host 0.0.0.0 --port 8000 --workers 1 --loop uvloop');
    const rec = recommend(USERS(), makeInputs({ memoryMb: 1536 }));
    assert.equal(rec.command, 'uvicorn main:app --host 0.0.0.0 --port 8000 --workers 1 --loop uvloop');
    assert.deepEqual(rec.compose, { deploy: { resources: { limits: { cpus: '2.0', memory: '1536M' } } } });
  });

  it('reports which inputs were assumed and which came from deployment files', () => {
    const inputs = makeInputs({ cores: 4 });
    inputs.source = { cores: 'docker-compose.yml:10' };
    const rec = recommend(USERS(), inputs);
    assert.deepEqual(rec.inputs.fromDeployment, ['cores']);
    assert.deepEqual(rec.inputs.assumed.sort(), ['concurrency', 'memoryMb', 'rps', 'targetLatencyMs']);
  });
});
