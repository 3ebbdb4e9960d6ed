// Flag parsing and size parsing for `loopwise recommend`.
import { strict as assert } from 'node:assert';
import { makeInputs, parseCpus, parseMemory, parseRecommendArgs, resolveInputs, UsageError } from '../../src/advisor/inputs';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test((e as Error).message));
}

describe('advisor inputs: parseRecommendArgs', () => {
  it('reads every flag and keeps positional paths', () => {
    const a = parseRecommendArgs([
      'app', '--cores', '4', '--memory', '1.5G', '--rps', '7000', '--ccu', '80', '--concurrency', '50',
      '--target-latency', '150', '--cannot-refactor', '--load-tests', 't.csv', '--load-tests', '2:wrk.txt',
      '--per-worker-memory', '350', '--traffic', 'get /a=0.8,GET /b=0.2', '--format', 'json', 'other',
    ]);
    assert.deepEqual(a.paths, ['app', 'other']);
    assert.equal(a.cores, 4);
    assert.equal(a.memoryMb, 1536);
    assert.equal(a.rps, 7000);
    assert.equal(a.ccu, 80);
    assert.equal(a.concurrency, 50);
    assert.equal(a.targetLatencyMs, 150);
    assert.equal(a.cannotRefactor, true);
    assert.equal(a.perWorkerMemoryMb, 350);
    assert.deepEqual(a.loadTests, [{ file: 't.csv' }, { file: 'wrk.txt', workers: 2 }]);
    assert.deepEqual(a.routeTraffic, { 'GET /a': 0.8, 'GET /b': 0.2 });
    assert.equal(a.format, 'json');
  });

  it('accepts --flag=value', () => {
    const a = parseRecommendArgs(['--cores=8', '--memory=512Mi']);
    assert.equal(a.cores, 8);
    assert.equal(a.memoryMb, 512);
  });

  it('leaves unspecified values undefined so defaults can be recorded as assumed', () => {
    const a = parseRecommendArgs(['.']);
    assert.equal(a.cores, undefined);
    assert.equal(a.format, 'text');
    assert.equal(a.cannotRefactor, false);
  });

  it('rejects negative cores, non-numbers, unknown units, bad formats and unknown flags', () => {
    usage(() => parseRecommendArgs(['--cores', '-2']), /--cores: -2 is negative/);
    usage(() => parseRecommendArgs(['--rps', 'lots']), /--rps: "lots" is not a number/);
    usage(() => parseRecommendArgs(['--memory', '2X']), /unknown unit "X"/);
    usage(() => parseRecommendArgs(['--memory', 'big']), /"big" is not a size/);
    usage(() => parseRecommendArgs(['--format', 'xml']), /--format must be text or json/);
    usage(() => parseRecommendArgs(['--workers', '2']), /unknown flag --workers/);
    usage(() => parseRecommendArgs(['--cores']), /--cores needs a value/);
    usage(() => parseRecommendArgs(['--concurrency', '2.5']), /not a whole number/);
    usage(() => parseRecommendArgs(['--cores', '0']), /too small/);
  });

  it('rejects a load-test tag that is not a worker count', () => {
    usage(() => parseRecommendArgs(['--load-tests', 'two:wrk.txt']), /worker tag before ":" must be a whole number/);
    usage(() => parseRecommendArgs(['--load-tests', '0:wrk.txt']), /at least 1/);
  });

  it('rejects malformed --traffic', () => {
    usage(() => parseRecommendArgs(['--traffic', 'GET /a']), /not ROUTE=SHARE/);
    usage(() => parseRecommendArgs(['--traffic', 'GET /a=much']), /share "much" of GET \/a/);
  });
});

describe('advisor inputs: sizes and CPU quantities', () => {
  it('reads CLI memory sizes in MiB', () => {
    assert.equal(parseMemory('512M', 'cli'), 512);
    assert.equal(parseMemory('2G', 'cli'), 2048);
    assert.equal(parseMemory('1.5G', 'cli'), 1536);
    assert.equal(parseMemory('1024', 'cli'), 1024);
    assert.equal(parseMemory('512Mi', 'cli'), 512);
    assert.equal(parseMemory('2Gi', 'cli'), 2048);
  });

  it('reads Docker bare numbers as bytes and Kubernetes G as decimal', () => {
    assert.equal(parseMemory('1073741824', 'docker'), 1024);
    assert.equal(parseMemory('2g', 'docker'), 2048);
    assert.equal(parseMemory('1Gi', 'k8s'), 1024);
    assert.equal(Math.round(parseMemory('1G', 'k8s')), 954);
  });

  it('reads CPU quantities', () => {
    assert.equal(parseCpus('2'), 2);
    assert.equal(parseCpus('500m'), 0.5);
    assert.equal(parseCpus('6.0'), 6);
    assert.equal(parseCpus(1.5), 1.5);
    usage(() => parseCpus('two'), /not a CPU quantity/);
  });
});

describe('advisor inputs: resolveInputs', () => {
  it('prefers flags, then deployment limits, then documented defaults (recorded as assumed)', () => {
    const args = parseRecommendArgs(['--rps', '3000']);
    const inputs = resolveInputs(args, { cores: { value: 4, at: 'docker-compose.yml:9' } });
    assert.equal(inputs.rps, 3000);
    assert.equal(inputs.cores, 4);
    assert.deepEqual(inputs.source, { cores: 'docker-compose.yml:9' });
    assert.equal(inputs.memoryMb, 2048);
    assert.deepEqual(inputs.assumed.sort(), ['concurrency', 'memoryMb', 'targetLatencyMs']);
    assert.equal(inputs.ccu, null);
  });

  it('a flag beats a deployment file', () => {
    const inputs = resolveInputs(parseRecommendArgs(['--cores', '8']), { cores: { value: 4, at: 'k8s.yaml:20' } });
    assert.equal(inputs.cores, 8);
    assert.deepEqual(inputs.source, {});
  });

  it('makeInputs marks only the defaulted fields as assumed', () => {
    assert.deepEqual(makeInputs({ cores: 4, rps: 10 }).assumed.sort(), ['concurrency', 'memoryMb', 'targetLatencyMs']);
  });
});
