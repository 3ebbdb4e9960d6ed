// The advice on real example apps (test/fixtures/projects/advice-*), through the CLI's own code path:
// scan, the in-memory fix projection, the guide's tree. And projection == reality: what `recommend`
// says "after the fix" is what it says once the real `loopwise fix` has rewritten a copy of the app.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recommendation } from '../../src/advisor';
import { runFix } from '../../src/cli/fix';
import { runRecommend } from '../../src/cli/recommend';

const PROJECTS = join(__dirname, '..', 'fixtures', 'projects');
const app = (name: string): string => join(PROJECTS, `advice-${name}`);

async function advise(path: string, ...flags: string[]): Promise<Recommendation> {
  let out = '';
  await runRecommend([path, '--format', 'json', '--lang', 'en', ...flags], (s) => { out += s; });
  return JSON.parse(out) as Recommendation;
}

async function adviseText(path: string, ...flags: string[]): Promise<string> {
  let out = '';
  await runRecommend([path, ...flags], (s) => { out += s; });
  return out;
}

const GUIDE_PREDICT = ['--cores', '4', '--concurrency', '100', '--target-latency', '200'];

describe('advisor on example apps', function () {
  this.timeout(120_000);

  for (const name of ['hello', 'pure-io']) {
    it(`${name}: 1 worker at any core count, I/O-bound, nothing to fix`, async () => {
      for (const cores of ['1', '2', '4', '8', '64']) {
        const rec = await advise(app(name), '--cores', cores);
        assert.deepEqual([rec.workers, rec.processPool, rec.workload, rec.fixFirst], [1, 0, 'io-bound', false], `${cores} cores`);
        assert.deepEqual(rec.afterFix, { workers: 1, processPool: 0, source: 'unchanged', findingsLeft: 0, workload: 'io-bound' });
        assert.equal(rec.cpuRatio, 0, 'the per-route overhead is not identified CPU work');
        assert.equal(rec.actions.length, 0);
      }
    });
  }

  it('hello: the report names the overhead it left out and says the figures are estimates', async () => {
    const text = await adviseText(app('hello'), '--cores', '8', '--lang', 'en');
    assert.match(text, /^Recommended: 1 Uvicorn worker\n {2}async I\/O-bound app \(CPU 0 %\) at 100 req\/s: keep 1 worker \(estimated\)\n/);
    assert.match(text, /\[3\] Workload type\? -> I\/O-bound \(CPU 0 %, I\/O 100 %; 10 ms per-route overhead not counted\) \[estimated\]/);
    assert.doesNotMatch(text, /ProcessPool/);
  });

  it('model.predict with the app\'s process pool in place (4 cores, 100 concurrent, 200 ms): the formula now, 1 worker + a pool of 4 after the fix', async () => {
    const rec = await advise(app('predict-pool'), ...GUIDE_PREDICT);
    assert.equal(rec.workload, 'cpu-bound');
    assert.equal(rec.workers, 4, 'min(4, 100 / (500 / 200)) = 4 for the code as it is');
    assert.equal(rec.fixFirst, false);
    assert.deepEqual([rec.afterFix.workers, rec.afterFix.processPool, rec.afterFix.source], [1, 4, 'fix-pipeline']);
    assert.match(rec.trace.find((t) => t.step === 'cpu-formula')!.answer, /^min\(4 cores, 100 \/ \(500 ms \/ 200 ms\) = 40\) = 4$/);
    assert.match(rec.trace.find((t) => t.step === 'after-fix')!.answer, /1 worker \+ a process pool of 4/);
    // The per-handler breakdown names the cost-table entry behind the 500 ms.
    const h = rec.handlers.find((x) => x.route === 'POST /predict')!;
    assert.equal(h.estimated, true);
    assert.deepEqual(h.costs.map((c) => [c.kind, c.where, c.ms, c.source, c.estimated]), [['ml', 'loop', 500, 'default', true], ['base', 'overhead', 10, 'default', true], ['cache', 'awaited', 10, 'default', true]]);
    assert.equal(rec.estimates.estimated, true);
  });

  it('with 2 cores: the pool and the workers are capped by the cores', async () => {
    const rec = await advise(app('predict-pool'), '--cores', '2');
    assert.deepEqual([rec.workers, rec.afterFix.workers, rec.afterFix.processPool], [2, 1, 2]);
  });

  it('after the fix, the code\'s pool is sized: 1 worker and a pool of 4, nothing left to fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-pool-'));
    try {
      cpSync(app('predict-pool'), dir, { recursive: true });
      await runFix([dir], () => {});
      const rec = await advise(dir, ...GUIDE_PREDICT);
      assert.deepEqual([rec.workers, rec.processPool, rec.workload, rec.fixFirst], [1, 4, 'io-bound', false]);
      assert.match(rec.trace.find((t) => t.step === 'pool')!.answer, /^min\(4 cores, 100 \/ \(500 ms \/ 200 ms\) = 40\) = 4$/);
      assert.match(rec.actions.join('\n'), /Give the ProcessPoolExecutor max_workers=4/);
      assert.equal(rec.handlers[0].poolCpuMs, 500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const name of ['predict', 'predict-method']) {
    it(`model.predict without a pool in the app (${name}): the preferred fix keeps the CPU in the worker process (plain def), so the formula stands`, async () => {
      const rec = await advise(app(name), ...GUIDE_PREDICT);
      assert.equal(rec.workers, 4);
      assert.deepEqual([rec.afterFix.workers, rec.afterFix.processPool, rec.afterFix.workload, rec.afterFix.source], [4, 0, 'cpu-bound', 'fix-pipeline']);
      // The guide's preferred setup is still named as the thing to do.
      assert.match(rec.actions.join('\n'), /Offload the CPU work in POST \/predict \(500 ms CPU\) to a ProcessPoolExecutor/);
    });
  }

  it('an N+1-only app lists the N+1 action, and [1] agrees with the async coverage', async () => {
    const rec = await advise(app('n-plus-one'));
    assert.equal(rec.fixFirst, true);
    assert.match(rec.actions[0], /^Fix 1 LW301 N\+1 await loops \(a root cause to fix before scaling\) \(.*main\.py: 1\): load them in one batched query/);
    const one = rec.trace.find((t) => t.step === '1')!;
    // Two of the three coroutines (feed, Database.get_users, Database.get_posts) have no finding.
    assert.match(one.answer, /^no: 1 N\+1 loop\(s\) in 1 coroutine\(s\) \(async coverage 67 %\)$/);
    assert.equal(rec.asyncCoverage, 0.667);
    assert.match(rec.trace.find((t) => t.step === 'after-fix')!.answer, /1 finding\(s\) have no preferred fix and stay/);
    // gather is not offered for this loop shape: the finding stays after the fix.
    assert.deepEqual([rec.afterFix.workers, rec.afterFix.findingsLeft], [1, 1]);
  });

  it('a 1-worker load test: its req/s replaces the assumed traffic at [4] and its memory the estimate, both marked measured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-lt-'));
    try {
      const csv = join(dir, 'lt.csv');
      writeFileSync(csv, 'workers,rps,p99_ms,cpu_percent,memory_mb\n1,8500,800,70,380\n');
      const rec = await advise(app('pure-io'), '--cores', '4', '--load-tests', csv);
      const four = rec.trace.find((t) => t.step === '4')!;
      assert.equal(four.answer, '8,500 req/s is 5,000-10,000: keep 1 and load-test (measured: load test at 1 worker(s))');
      assert.equal(four.measured, true);
      assert.equal(rec.inputs.rps, 8500);
      assert.deepEqual(rec.inputs.measured, ['rps', 'memoryPerWorker']);
      assert.deepEqual([rec.memory.source, rec.memory.perWorkerMb], ['load-test', 380]);
      const mem = rec.trace.find((t) => t.step === 'memory')!;
      assert.equal(mem.measured, true);
      assert.match(mem.why, /measured in the load tests: 0 MB \+ 380 MB per process/);
      assert.equal(rec.workers, 1, '[6]: CPU 70 % < 80 % and p99 fine: keep 1');
      const text = await adviseText(app('pure-io'), '--cores', '4', '--load-tests', csv, '--lang', 'en');
      assert.match(text, /traffic 8,500 req\/s \(measured in the load test\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--ccu applies the mem0 constants only when asked, and names them as the guide\'s case study', async () => {
    const plain = await advise(app('pure-io'), '--cores', '4');
    assert.equal(plain.trace.some((t) => t.step === 'ccu'), false);
    const rec = await advise(app('pure-io'), '--cores', '4', '--ccu', '100');
    const ccu = rec.trace.find((t) => t.step === 'ccu')!;
    assert.match(ccu.question, /mem0-server case study/);
    assert.match(ccu.why, /measured on the guide's mem0-server, not on this app/);
    assert.deepEqual([rec.cpuLimit, rec.replicas, rec.workers], [8, 2, 1]);
  });
});

describe('advisor: projection == reality after `loopwise fix`', function () {
  this.timeout(180_000);
  const apps = ['hello', 'pure-io', 'predict', 'predict-pool', 'predict-method', 'n-plus-one', 'blocking-http', 'bcrypt'];

  for (const name of apps) {
    it(`${name}: what recommend projects is what it says once loopwise fix has run`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `lw-proj-${name}-`));
      try {
        cpSync(app(name), dir, { recursive: true });
        const before = await advise(dir, ...GUIDE_PREDICT);
        await runFix([dir], () => {});
        const after = await advise(dir, ...GUIDE_PREDICT);
        assert.deepEqual(
          { workers: after.workers, processPool: after.processPool, findingsLeft: after.afterFix.findingsLeft, workload: after.workload },
          { workers: before.afterFix.workers, processPool: before.afterFix.processPool, findingsLeft: before.afterFix.findingsLeft, workload: before.afterFix.workload },
        );
        // After the fix there is nothing more the fixes change.
        assert.deepEqual([after.afterFix.workers, after.afterFix.processPool], [after.workers, after.processPool]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('the apps cover the cases: unchanged, a pool, a thread or plain def, an async client and a finding no fix removes', async () => {
    const seen = new Map<string, Recommendation['afterFix']>();
    for (const name of apps) seen.set(name, (await advise(app(name), ...GUIDE_PREDICT)).afterFix);
    assert.equal(seen.get('hello')!.source, 'unchanged');
    assert.deepEqual([seen.get('predict-pool')!.workers, seen.get('predict-pool')!.processPool], [1, 4]);
    assert.deepEqual([seen.get('predict')!.workers, seen.get('predict')!.processPool], [4, 0]);
    assert.deepEqual([seen.get('bcrypt')!.processPool, seen.get('bcrypt')!.workload], [0, 'cpu-bound']);
    assert.deepEqual([seen.get('predict-method')!.processPool, seen.get('predict-method')!.workload], [0, 'cpu-bound']);
    assert.deepEqual([seen.get('blocking-http')!.workers, seen.get('blocking-http')!.findingsLeft, seen.get('blocking-http')!.source], [1, 0, 'fix-pipeline']);
    assert.equal(seen.get('n-plus-one')!.findingsLeft, 1);
  });
});
