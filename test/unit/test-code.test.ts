// Test code, scripts and examples: reported at information severity by default, configurable, and
// left out of the worker advice.
import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileScan, recommend } from '../../src/advisor/engine';
import { isTestCode } from '../../src/core/python/sourceRoots';
import { scanPaths } from '../../src/core/scan';
import { runScan } from '../../src/cli/scan';
import { UsageError } from '../../src/cli/args';

const ROOT = join(__dirname, '..', 'fixtures', 'projects', 'test-code');

describe('test code, scripts and examples', () => {
  it('recognises pytest files and test/script/example folders by their path in the project', () => {
    for (const p of ['tests/test_api.py', 'app/tests/helpers.py', 'test_x.py', 'pkg/x_test.py', 'conftest.py', 'scripts/seed.py', 'examples/demo/app.py', 'test/a.py']) assert.equal(isTestCode(p), true, p);
    for (const p of ['app/main.py', 'app/testing_utils.py', 'app/latest.py', 'mytests/x.py', 'app/contest.py', 'scriptsx/a.py']) assert.equal(isTestCode(p), false, p);
  });

  it('reports them at info, the app at warning, and marks them', async () => {
    const { result } = await scanPaths([ROOT], { noConfig: true, jobs: 1 });
    const sev = result.findings.map((f) => `${f.file.replace(/.*test-code\//, '')}:${f.severity}:${f.testCode ?? false}`).sort();
    assert.deepEqual(sev, ['app/main.py:warning:false', 'scripts/seed.py:info:true', 'tests/test_weather.py:info:true']);
  });

  it('leaves them out of the worker advice', async () => {
    const { result } = await scanPaths([ROOT], { noConfig: true, jobs: 1 });
    assert.ok(result.handlers.some((h) => h.testCode), 'the scan itself keeps the test handlers');
    assert.deepEqual(profileScan(result).handlers.map((h) => h.name), ['weather']);
    const rec = recommend(result, { cores: 4, memoryMb: 4096, rps: 100, ccu: null, concurrency: 50, targetLatencyMs: 200, cannotRefactor: false, perWorkerMemoryMb: null, loadTests: [], assumed: [], source: {} });
    const step1 = rec.trace.find((t) => t.step === '1')!;
    assert.match(step1.answer, /^no: 1 blocking call\(s\) in 1 coroutine/);
  });

  it('the severity is configurable (--test-severity, severity.test-code)', async () => {
    const { result } = await scanPaths([ROOT], { noConfig: true, jobs: 1, testSeverity: 'error' });
    assert.deepEqual(result.findings.filter((f) => f.testCode).map((f) => f.severity), ['error', 'error']);
    let out = '';
    await runScan([ROOT, '--no-config', '--format', 'json', '--test-severity', 'warning', '--jobs', '1'], (s) => { out += s; });
    const json = JSON.parse(out) as { findings: { file: string; severity: string }[] };
    assert.deepEqual(json.findings.map((f) => f.severity), ['warning', 'warning', 'warning']);
    await assert.rejects(runScan([ROOT, '--test-severity', 'loud'], () => undefined), UsageError);
  });

  it('info findings are listed but do not fail the run unless --fail-on info', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-failon-'));
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests', 'test_a.py'), 'import time\n\nasync def test_a():\n    time.sleep(1)\n');
    const code = (extra: string[]) => runScan([dir, '--no-config', '--jobs', '1', ...extra], () => undefined);
    assert.equal(await code([]), 0, 'an info finding alone: exit 0 by default');
    assert.equal(await code(['--fail-on', 'info']), 1);
    assert.equal(await code(['--test-severity', 'warning']), 1, 'raised to warning, it fails the default');
    assert.equal(await code(['--test-severity', 'warning', '--fail-on', 'error']), 0);
    await assert.rejects(runScan([dir, '--fail-on', 'loud'], () => undefined), /--fail-on needs error, warning or info, got "loud"/);
  });

  it('[tool.loopwise] test-code replaces the default paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-testcode-'));
    mkdirSync(join(dir, 'qa'));
    mkdirSync(join(dir, 'tests'));
    const body = 'import time\n\nasync def main():\n    time.sleep(1)\n';
    writeFileSync(join(dir, 'qa', 'load.py'), body);
    writeFileSync(join(dir, 'tests', 'test_a.py'), body);
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.loopwise]\ntest-code = ["qa"]\n\n[tool.loopwise.severity]\ntest-code = "warning"\n');
    const { result } = await scanPaths([dir], { jobs: 1 });
    const got = result.findings.map((f) => `${f.file.replace(/.*lw-testcode-[^/]+\//, '')}:${f.severity}:${f.testCode ?? false}`).sort();
    assert.deepEqual(got, ['qa/load.py:warning:true', 'tests/test_a.py:warning:false']);
  });
});
