// From argv to a recommendation over fixture files, as the CLI will run it.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { ScanResult } from '../../src/core/types';
import { deploymentFindings, loadAdvisorContext, parseRecommendArgs, recommend, UsageError } from '../../src/advisor';

const fx = join(__dirname, '..', 'fixtures');
const emptyScan: ScanResult = {
  version: 1, findings: [], handlers: [], notes: [],
  summary: { files: 0, skipped: 0, findings: 0, byCode: {}, handlers: 0, asyncHandlers: 0, blockedHandlers: 0 },
};

describe('advisor context', () => {
  it('reads limits from the deployment files and the tagged load tests', () => {
    const args = parseRecommendArgs([join(fx, 'deploy', 'shop'), '--load-tests', `1:${join(fx, 'loadtests', 'wrk-1-worker.txt')}`, '--load-tests', `2:${join(fx, 'loadtests', 'k6-summary.json')}`]);
    const ctx = loadAdvisorContext(args);
    assert.equal(ctx.inputs.cores, 4);
    assert.equal(ctx.inputs.memoryMb, 1024);
    assert.deepEqual(Object.keys(ctx.inputs.source).sort(), ['cores', 'memoryMb']);
    assert.deepEqual(ctx.inputs.loadTests.map((r) => r.workers), [1, 2]);
    const rec = recommend(emptyScan, ctx.inputs, ctx.deployments);
    // wrk 8,499 req/s p99 800 ms -> k6 11,998 req/s p99 499 ms: +41 %, and 1 GB fits 2 by the measured
    // memory, but the guide scales past 1 worker only with >= 2 GB available.
    assert.equal(rec.workers, 1);
    assert.match(rec.trace.map((t) => t.answer).join('\n'), /1,024 MB < 2 GB: keep 1 worker instead of 2/);
    assert.equal(recommend(emptyScan, { ...ctx.inputs, memoryMb: 2048 }, ctx.deployments).workers, 2);
    assert.deepEqual(rec.inputs.fromDeployment.sort(), ['cores', 'memoryMb']);
    assert.ok(deploymentFindings(ctx.deployments, rec).some((f) => f.code === 'LW401'));
  });

  it('a raw load test without its worker tag is a usage error naming the file', () => {
    const args = parseRecommendArgs([join(fx, 'deploy', 'shell'), '--load-tests', join(fx, 'loadtests', 'locust_stats.csv')]);
    assert.throws(() => loadAdvisorContext(args), (e: unknown) => e instanceof UsageError && /locust_stats\.csv: locust output does not say how many workers/.test((e as Error).message));
  });

  it('malformed deployment files become notes', () => {
    const ctx = loadAdvisorContext(parseRecommendArgs([join(fx, 'deploy', 'broken')]));
    assert.equal(ctx.notes.length, 2);
  });
});
