// Test code, scripts and examples: reported at information severity by default, configurable, and
// left out of the worker advice.
import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileScan, recommend } from '../../src/advisor/engine';
import { localizeMessage } from '../../src/core/i18n/diagnostics';
import { isTestCode, testCodeKind } from '../../src/core/python/sourceRoots';
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

  it('messages say what test code, scripts and examples hold up: their own event loop, not a served request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-testmsg-'));
    for (const d of ['tests', 'scripts', join('examples', 'demo'), 'app']) mkdirSync(join(dir, d), { recursive: true });
    const body = [
      'import time', 'import httpx', 'from fastapi import FastAPI', 'app = FastAPI()', '',
      '@app.get("/x")', 'async def handler():', '    time.sleep(1)', '',
      'async def job(ids):', '    time.sleep(1)', '    async with httpx.AsyncClient() as client:', '        for i in ids:', '            await client.get(f"/items/{i}")', '',
      'async def spin():', '    while True:', '        pass', '',
    ].join('\n');
    for (const f of ['tests/test_a.py', 'scripts/seed.py', 'examples/demo/app.py', 'app/main.py']) writeFileSync(join(dir, f), body);
    const { result } = await scanPaths([dir], { noConfig: true, jobs: 1 });
    const of = (file: string, code: string) => result.findings.filter((f) => f.file.endsWith(file) && f.code === code).map((f) => f.message);
    for (const [file, note] of [['tests/test_a.py', "(test code: it holds up this test's event loop, not a served request)"],
      ['scripts/seed.py', "(a script: it holds up the script's own event loop, not a served request)"],
      ['examples/demo/app.py', "(example code: it holds up the example's event loop, not your application's)"]]) {
      const blocking = of(file, 'LW102');
      assert.equal(blocking.length, 2, file);
      for (const m of blocking) assert.ok(m.includes(note) && !/worker|every request/.test(m), `${file}: ${m}`);
      assert.deepEqual(of(file, 'LW304'), ['`while True:` in coroutine spin never awaits: it has no way out and never yields, so nothing else on its event loop runs again; await what it waits for (an asyncio.Event, a queue get) or add `await asyncio.sleep(...)` in the loop'], file);
    }
    assert.equal(of('tests/test_a.py', 'LW102')[0], "time.sleep blocks the event loop in async handler handler (GET /x) (test code: it holds up this test's event loop, not a served request); use await asyncio.sleep(...)");
    // Awaits one after another do not block anything: they make the test slower.
    assert.deepEqual(of('tests/test_a.py', 'LW301').map((m) => m.replace(/; .*/, '')), ['await client.get(...) runs once per item of `ids`, one after another (N+1) in coroutine job (test code: it slows this test, not a served request)']);
    assert.match(localizeMessage(result.findings.find((f) => f.file.endsWith('scripts/seed.py') && f.code === 'LW301')!, 'vi'), /trong coroutine job \(một script: nó chỉ làm script chậm hơn, không phải một request đang được phục vụ\); /);
    // The application's own findings keep their wording.
    for (const m of [...of('app/main.py', 'LW102'), ...of('app/main.py', 'LW301')]) assert.doesNotMatch(m, /test code|script|example/, m);
    assert.match(of('app/main.py', 'LW304')[0], /so the worker stops serving requests/);
    // Vietnamese follows.
    const t = result.findings.find((f) => f.file.endsWith('tests/test_a.py') && f.code === 'LW102')!;
    assert.equal(localizeMessage(t, 'vi'), 'time.sleep chặn event loop trong handler async handler (GET /x) (mã test: nó chỉ giữ event loop của test này, không phải một request đang được phục vụ); dùng await asyncio.sleep(...)');
    const spin = result.findings.find((f) => f.file.endsWith('scripts/seed.py') && f.code === 'LW304')!;
    assert.match(localizeMessage(spin, 'vi'), /không gì khác trên event loop của nó chạy được nữa/);
  });

  it('advice and fixes in test code fit a test: no "plain def handler", no FastAPI threadpool, plain def only for a route', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'projects', 'test-code-advice');
    const { result } = await scanPaths([dir], { noConfig: true, jobs: 1 });
    const at = (file: string, line: number, code: string) => {
      const f = result.findings.find((x) => x.file.endsWith(file) && x.line === line && x.code === code);
      assert.ok(f, `${file}:${line} ${code}`);
      return f;
    };
    const kinds = (f: { fixes: { kind: string; title: string; isPreferred?: boolean }[] }) => f.fixes.map((x) => `${x.kind}${x.isPreferred ? '*' : ''}`);
    const test = at('tests/test_db.py', 13, 'LW105');
    assert.equal(test.message, "db_session.query blocks the event loop in coroutine test_user_row (test code: it holds up this test's event loop, not a served request); use an async driver (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), or await asyncio.to_thread(...)");
    assert.equal(localizeMessage(test, 'vi'), 'db_session.query chặn event loop trong coroutine test_user_row (mã test: nó chỉ giữ event loop của test này, không phải một request đang được phục vụ); dùng driver async (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), hoặc await asyncio.to_thread(...)');
    // A pytest coroutine is no handler: the one preferred fix moves the call to a thread, and nothing names FastAPI's threadpool.
    assert.deepEqual(kinds(test), ['thread-chain*', 'noqa', 'noqa']);
    const mail = at('tests/test_db.py', 18, 'LW106');
    assert.match(mail.message, /; use aiosmtplib, or await asyncio\.to_thread\(\.\.\.\)$/);
    assert.deepEqual(kinds(mail), ['thread*', 'noqa', 'noqa']);
    // A route of a test app still is a route: FastAPI runs it as a plain def in its threadpool.
    assert.deepEqual(kinds(at('tests/test_db.py', 24, 'LW105')), ['plain-def*', 'thread-chain', 'noqa', 'noqa']);
    for (const f of result.findings.filter((x) => x.testCode)) assert.doesNotMatch(`${f.message} ${localizeMessage(f, 'vi')} ${f.fixes.map((x) => x.title).join(' ')}`, /plain def handler|handler def thường|BackgroundTasks|run_in_threadpool/, f.message);
    // The served app keeps the handler advice and the threadpool choice.
    assert.match(at('app/main.py', 20, 'LW105').message, /, or a plain def handler$/);
    assert.match(at('app/main.py', 15, 'LW106').message, /; use aiosmtplib, or FastAPI BackgroundTasks$/);
    assert.ok(at('app/main.py', 15, 'LW106').fixes.some((x) => x.kind === 'threadpool'));
  });

  it('a @patch target that is no dotted name (100k characters) is not followed, quickly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-patch-'));
    mkdirSync(join(dir, 'tests'));
    const target = `${'a.'.repeat(50_000)}(`;
    writeFileSync(join(dir, 'tests', 'test_a.py'), `import time\nfrom unittest.mock import patch\n\n\n@patch("${target}")\nasync def test_a(m):\n    time.sleep(1)\n`);
    const t0 = process.hrtime.bigint();
    const { result } = await scanPaths([dir], { noConfig: true, jobs: 1 });
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 5000);
    assert.deepEqual(result.findings.map((f) => `${f.line}:${f.code}`), ['7:LW102']);
  });

  it('tells tests, scripts and examples apart by the innermost folder', () => {
    assert.equal(testCodeKind('backend/tests/unit/helpers.py'), 'test');
    assert.equal(testCodeKind('scripts/test_seed.py'), 'test');
    assert.equal(testCodeKind('tests/scripts/seed.py'), 'script');
    assert.equal(testCodeKind('examples/demo/app.py'), 'example');
    assert.equal(testCodeKind('qa/load.py'), 'other');
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
