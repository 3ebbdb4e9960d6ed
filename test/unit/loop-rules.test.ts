// LW302-LW304 and LW501 beyond the one-file fixtures: across modules, which modules count as the web
// app for sync log handlers, severities, the fixes each finding offers, and the advisor's actions.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { applyEdits } from '../../src/core/fixes';
import type { ScanResult } from '../../src/core/types';
import { recommend } from '../../src/advisor/engine';
import { makeInputs } from '../../src/advisor/inputs';

type Files = Record<string, string>;

describe('loop rules (LW302-LW304, LW501)', () => {
  let a: Analyzer;
  before(async () => { a = await Analyzer.create(); });
  const scan = (files: Files): ScanResult => a.analyze(Object.entries(files).map(([path, text]) => ({
    path, text, module: path.replace(/\.py$/, '').replace(/\//g, '.').replace(/\.__init__$/, ''), isPackage: path.endsWith('__init__.py'),
    ...(path.startsWith('tests/') ? { testCode: true } : {}),
  })));
  const codes = (r: ScanResult) => r.findings.map((f) => `${f.file}:${f.line}:${f.code}`).sort();

  it('LW302 follows the callee into another module, and says why in sync code', () => {
    const r = scan({
      'app/mail.py': 'async def send(to):\n    return to\n\ndef render(to):\n    return to\n',
      'app/main.py': 'from fastapi import FastAPI\nfrom app.mail import send, render\nfrom app import mail\napp = FastAPI()\n\n@app.post("/a")\nasync def a():\n    send("x")\n    mail.send("y")\n    render("z")\n\ndef job():\n    send("x")\n',
    });
    assert.deepEqual(codes(r), ['app/main.py:13:LW302', 'app/main.py:8:LW302', 'app/main.py:9:LW302']);
    const inJob = r.findings.find((f) => f.line === 13)!;
    assert.equal(inJob.severity, 'warning');
    assert.match(inJob.message, /sync function job: .*asyncio\.run/);
    assert.deepEqual(inJob.fixes.map((f) => f.title), ['Suppress LW302 on this line (# noqa)', 'Ignore LW302 in this file (# loopwise: noqa: LW302)']);
    const inRoute = r.findings.find((f) => f.line === 8)!;
    assert.match(inRoute.message, /async handler a \(POST \/a\)/);
    assert.equal(inRoute.fixes[0].kind, 'await');
    assert.equal(inRoute.fixes[0].isPreferred, false);
    assert.deepEqual(inRoute.fixes[0].edits, [{ start: inRoute.startOffset, end: inRoute.startOffset, newText: 'await ' }]);
  });

  it('LW304 is info, points at the while header, and offers only the two noqa fixes', () => {
    const text = 'import asyncio\nready = False\n\nasync def wait():\n    while not ready:\n        pass\n';
    const r = scan({ 'w.py': text });
    assert.deepEqual(codes(r), ['w.py:5:LW304']);
    const f = r.findings[0];
    assert.equal(f.severity, 'info');
    assert.equal(text.slice(f.startOffset, f.endOffset), 'while not ready');
    assert.deepEqual(f.fixes.map((x) => x.title), ['Suppress LW304 on this line (# noqa)', 'Ignore LW304 in this file (# loopwise: noqa: LW304)']);
    const fixed = applyEdits(text, f.fixes[0].edits)!;
    assert.match(fixed, /while not ready: {2}# noqa: LW304\n/);
    assert.deepEqual(codes(scan({ 'w.py': fixed })), []);
    assert.deepEqual(codes(scan({ 'w.py': applyEdits(text, f.fixes[1].edits)! })), [], 'the file-level noqa covers the loop too');
  });

  it('a sync FileHandler counts in modules of the web app only', () => {
    const logSetup = 'import logging\nhandler = logging.FileHandler("app.log")\nlogging.getLogger().addHandler(handler)\n';
    const app = 'import logging\nfrom fastapi import FastAPI\nfrom app import log_setup\nlog = logging.getLogger(__name__)\napp = FastAPI()\n\n@app.get("/")\nasync def root():\n    log.info("root")\n';
    // Imported by the app module: reported, with the count of coroutines that log.
    const r = scan({ 'app/log_setup.py': logSetup, 'app/main.py': app });
    assert.deepEqual(codes(r), ['app/log_setup.py:2:LW501']);
    assert.match(r.findings[0].message, /^FileHandler writes synchronously .* 1 coroutine log/);
    assert.equal(r.findings[0].severity, 'info');
    // A stand-alone script with its own handler: not part of the app.
    const script = 'import asyncio, logging\nlogging.basicConfig(handlers=[logging.FileHandler("x.log")])\n\nasync def main():\n    logging.info("x")\n';
    assert.deepEqual(codes(scan({ 'scripts/job.py': script, 'app/main.py': app })), []);
    // A worker that imports the app's modules is not the app; the entry point that serves it is.
    const worker = 'import logging\nfrom app import main\nlogging.getLogger().addHandler(logging.FileHandler("w.log"))\n';
    const entry = 'import logging\nimport uvicorn\nfrom app.main import app\nlogging.basicConfig(handlers=[logging.FileHandler("a.log")])\nuvicorn.run(app)\n';
    assert.deepEqual(codes(scan({ 'worker.py': worker, 'run.py': entry, 'app/main.py': app })), ['run.py:4:LW501']);
  });

  it('test code neither makes a module part of the web app nor counts as coroutines that log (same result from any scan root)', () => {
    const loggers = 'import logging\nfrom logging.handlers import RotatingFileHandler\n\ndef setup():\n    logging.getLogger().addHandler(RotatingFileHandler("bot.log"))\n';
    const suite = 'import logging\nfrom fastapi.testclient import TestClient\nfrom pkg import loggers\n\nasync def test_api():\n    logging.info("x")\n';
    assert.deepEqual(codes(scan({ 'pkg/loggers.py': loggers, 'tests/test_api.py': suite })), []);
    // The same module in the app itself: its coroutine logs on the app's loop.
    assert.deepEqual(codes(scan({ 'pkg/loggers.py': loggers, 'pkg/api.py': suite })), ['pkg/loggers.py:5:LW501']);
  });

  it('the LW501 fix is not preferred and leaves nothing to fix the second time', () => {
    const text = 'import logging\nfrom fastapi import FastAPI\napp = FastAPI()\nlog = logging.getLogger()\n\n@app.middleware("http")\nasync def m(request, call_next):\n    response = await call_next(request)\n    log.info("%s", request.url)\n    return response\n';
    const r = scan({ 'm.py': text });
    assert.deepEqual(codes(r), ['m.py:9:LW501']);
    const fix = r.findings[0].fixes.find((f) => f.title.startsWith('Log only slow'))!;
    assert.equal(fix.isPreferred, false);
    const once = applyEdits(text, fix.edits)!;
    assert.match(once, /request_start = time\.perf_counter\(\)\n {4}response = await call_next/);
    assert.match(once, /^import time$/m);
    const again = scan({ 'm.py': once });
    assert.deepEqual(codes(again), []);
  });

  it('the advisor lists LW302-LW304 under what to do, and LW501 with --ccu or a busy load test', () => {
    const r = scan({
      'm.py': 'import asyncio, logging\nfrom fastapi import FastAPI\napp = FastAPI()\nlog = logging.getLogger()\n\nasync def job():\n    return 1\n\n@app.middleware("http")\nasync def m(request, call_next):\n    asyncio.create_task(job())\n    job()\n    response = await call_next(request)\n    log.info("%s", request.url)\n    return response\n',
    });
    assert.deepEqual(codes(r), ['m.py:11:LW303', 'm.py:12:LW302', 'm.py:14:LW501']);
    const plain = recommend(r, makeInputs());
    assert.ok(plain.actions.some((x) => /^Fix 1 LW302 coroutine call\(s\) never awaited .*\(m\.py: 1\): add await/.test(x)), plain.actions.join('\n'));
    assert.ok(plain.actions.some((x) => x.startsWith('Fix 1 LW303 ')));
    assert.ok(!plain.actions.some((x) => x.includes('LW501')), 'LW501 without --ccu or a load test');
    assert.equal(plain.fixFirst, false, 'these findings do not hold the worker count at 1');
    const ccu = recommend(r, makeInputs({ ccu: 30 }));
    assert.ok(ccu.actions.some((x) => /^Cut CPU spent on logging .*30 concurrent users.*1 LW501 finding\(s\) \(m\.py: 1\)/.test(x)), ccu.actions.join('\n'));
    const calm = recommend(r, makeInputs({ loadTests: [{ workers: 1, rps: 100, p99Ms: 50, cpuPercent: 20 }] }));
    assert.ok(!calm.actions.some((x) => x.includes('LW501')));
    const busy = recommend(r, makeInputs({ loadTests: [{ workers: 1, rps: 900, p99Ms: 80, cpuPercent: 64 }] }));
    assert.ok(busy.actions.some((x) => x.includes('a load test at 64 % CPU') && x.includes('LW501')));
    const vi = recommend(r, makeInputs({ ccu: 30 }), [], { lang: 'vi' });
    assert.ok(vi.actions.some((x) => x.startsWith('Sửa 1 lệnh gọi coroutine LW302')), vi.actions.join('\n'));
    assert.ok(vi.actions.some((x) => x.startsWith('Giảm CPU dành cho logging') && x.includes('30 người dùng đồng thời')));
  });

  it('the real-repository sample is pinned, judged, carries no source, and each code is at 0.9 or more', () => {
    const data = JSON.parse(readFileSync(join(__dirname, '..', 'real', 'new-rules-sample.json'), 'utf8'));
    for (const code of ['LW302', 'LW303', 'LW304', 'LW501']) {
      const rows = data.sample.filter((x: { code: string }) => x.code === code);
      assert.equal(rows.length, Math.min(20, data.totals[code]), `${code}: the sample takes up to 20 findings`);
      const tp = rows.filter((x: { verdict: string }) => x.verdict === 'tp').length;
      assert.ok(rows.length === 0 || tp / rows.length >= 0.9, `${code}: ${tp}/${rows.length}`);
    }
    for (const x of data.sample) {
      assert.match(x.commit, /^[0-9a-f]{40}$/);
      assert.ok(['tp', 'fp'].includes(x.verdict) && x.reason.length > 10, JSON.stringify(x));
      assert.deepEqual(Object.keys(x).sort(), ['code', 'commit', 'line', 'path', 'reason', 'repo', 'verdict']);
    }
  });
});
