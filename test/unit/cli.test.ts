// The CLI as a user meets it: the built dist/cli.js in a child process, on real files in temp folders.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

function run(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const BLOCKING = 'import requests\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/weather")\nasync def weather(city: str):\n    r = requests.get("https://x", params={"q": city})\n    return r.json()\n';

describe('loopwise CLI', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-cli-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('prints findings as file:line:col: code message and exits 1', () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'main.py'), BLOCKING);
    const r = run(['scan', 'app'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^app\/main\.py:7:9: LW101 requests\.get blocks the event loop in async handler weather \(GET \/weather\); use httpx\.AsyncClient/m);
  });

  it('exits 0 on clean code and skips virtualenvs', () => {
    writeFileSync(join(dir, 'ok.py'), 'import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        return await c.get("u")\n');
    mkdirSync(join(dir, '.venv', 'lib'), { recursive: true });
    writeFileSync(join(dir, '.venv', 'lib', 'bad.py'), BLOCKING);
    const r = run(['scan', '.'], dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /No event-loop blockers found in 1 file/);
  });

  it('exits 2 with a one-line error on a missing path, bad format or unknown option', () => {
    for (const args of [['scan', 'nope'], ['scan', '--format', 'xml', '.'], ['scan', '--frobnicate'], ['launch']]) {
      const r = run(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^loopwise: /);
    }
  });

  it('writes the JSON contract with 1-based positions and handlers', () => {
    writeFileSync(join(dir, 'main.py'), BLOCKING);
    const r = run(['scan', '--format', 'json', 'main.py'], dir);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.version, 1);
    assert.deepEqual(Object.keys(j.findings[0]).sort(), ['call', 'chain', 'code', 'column', 'endColumn', 'endLine', 'file', 'fixes', 'function', 'line', 'message', 'route', 'severity'].sort());
    assert.deepEqual([j.findings[0].line, j.findings[0].column, j.findings[0].endLine, j.findings[0].endColumn], [7, 9, 7, 54]);
    assert.equal(j.findings[0].route, 'GET /weather');
    assert.deepEqual(Object.keys(j.handlers[0]).sort(), ['async', 'blockingMs', 'cpuMs', 'cpuRatio', 'file', 'findings', 'ioMs', 'kind', 'line', 'name', 'route', 'workload'].sort());
    assert.equal(j.summary.findings, 1);
  });

  it('writes SARIF 2.1.0 with rules and locations', () => {
    writeFileSync(join(dir, 'main.py'), BLOCKING);
    const r = run(['scan', '--format', 'sarif', '.'], dir);
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    const res = s.runs[0].results[0];
    assert.equal(res.ruleId, 'LW101');
    assert.equal(s.runs[0].tool.driver.rules[res.ruleIndex].id, 'LW101');
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 7, startColumn: 9, endLine: 7, endColumn: 54 });
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'main.py');
  });

  it('--select and --ignore filter by code or prefix', () => {
    writeFileSync(join(dir, 'main.py'), 'import time, bcrypt\nasync def f():\n    time.sleep(1)\n    bcrypt.hashpw(b"", b"")\n');
    assert.deepEqual(JSON.parse(run(['scan', '--format', 'json', '--select', 'LW2', '.'], dir).stdout).findings.map((f: { code: string }) => f.code), ['LW203']);
    assert.deepEqual(JSON.parse(run(['scan', '--format', 'json', '--ignore', 'LW203', '.'], dir).stdout).findings.map((f: { code: string }) => f.code), ['LW102']);
  });

  it('keeps findings from the parts of a file that parse, and notes the syntax error', () => {
    writeFileSync(join(dir, 'broken.py'), 'import time\n\nasync def ok():\n    time.sleep(1)\n\ndef broken(:\n    pass\n');
    const r = run(['scan', '--format', 'json', '.'], dir);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.findings.map((f: { line: number; code: string }) => `${f.line}:${f.code}`), ['4:LW102']);
    assert.equal(j.notes[0].kind, 'syntax-error');
    assert.match(j.notes[0].message, /line 6/);
  });

  it('skips huge and binary files with a note, decodes UTF-16 and latin-1, keeps CRLF positions', () => {
    writeFileSync(join(dir, 'huge.py'), '# x\n'.repeat(600_000));
    writeFileSync(join(dir, 'blob.py'), Buffer.from([0x69, 0x6d, 0x00, 0x01, 0x02]));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('import time\nasync def f():\n    time.sleep(1)\n', 'utf16le')]);
    writeFileSync(join(dir, 'wide.py'), utf16);
    writeFileSync(join(dir, 'latin.py'), Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nimport time\n# caf'), Buffer.from([0xe9]), Buffer.from('\nasync def f():\n    time.sleep(1)\n')]));
    writeFileSync(join(dir, 'crlf.py'), 'import time\r\n\r\nasync def f():\r\n    x = 1; time.sleep(1)\r\n');
    const j = JSON.parse(run(['scan', '--format', 'json', '.'], dir).stdout);
    const found = j.findings.map((f: { file: string; line: number; column: number }) => `${f.file}:${f.line}:${f.column}`).sort();
    assert.deepEqual(found, ['crlf.py:4:12', 'latin.py:5:5', 'wide.py:3:5']);
    const notes = Object.fromEntries(j.notes.map((n: { file: string; message: string }) => [n.file, n.message]));
    assert.match(notes['huge.py'], /over the 2 MB limit/);
    assert.match(notes['blob.py'], /binary/);
    assert.equal(j.summary.skipped, 2);
  });

  it('reads [tool.loopwise] from pyproject.toml: ignore, exclude and extra blocking calls', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.loopwise]\nignore = ["LW102"]\nexclude = ["legacy/**"]\n\n[tool.loopwise.blocking]\n"mylib.fetch" = { code = "LW101", hint = "use mylib.afetch" }\n');
    writeFileSync(join(dir, 'main.py'), 'import time\nimport mylib\nasync def f():\n    time.sleep(1)\n    mylib.fetch("x")\n');
    mkdirSync(join(dir, 'legacy'));
    writeFileSync(join(dir, 'legacy', 'old.py'), BLOCKING);
    const j = JSON.parse(run(['scan', '--format', 'json', '.'], dir).stdout);
    assert.deepEqual(j.findings.map((f: { file: string; line: number; code: string }) => `${f.file}:${f.line}:${f.code}`), ['main.py:5:LW101']);
    assert.match(j.findings[0].message, /use mylib\.afetch$/);
  });

  it('refuses a malformed [tool.loopwise] with exit 2 naming the file (a config silently dropped is a silent pass)', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.loopwise\nignore = [');
    writeFileSync(join(dir, 'main.py'), BLOCKING);
    const r = run(['scan', '--format', 'json', '.'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^loopwise: .*pyproject\.toml: cannot parse TOML: /);
    // A pyproject.toml that does not parse and never mentions loopwise belongs to other tools: skipped.
    writeFileSync(join(dir, 'pyproject.toml'), '[project\nname = "x"');
    assert.equal(run(['scan', '.'], dir).code, 1);
  });
});

describe('the pure core', () => {
  it('never imports vscode', () => {
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, name.name);
        if (name.isDirectory()) walk(p);
        else if (/\.ts$/.test(name.name) && /from ['"]vscode['"]|require\(['"]vscode['"]\)/.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const d of ['core', 'advisor', 'cli']) { try { walk(join(__dirname, '..', '..', 'src', d)); } catch { /* folder not there yet */ } }
    assert.deepEqual(offenders, []);
  });
});

describe('loopwise recommend', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-rec-'));
    writeFileSync(join(dir, 'main.py'), 'import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\n@app.get("/u")\nasync def u():\n    async with httpx.AsyncClient() as c:\n        return (await c.get("x")).json()\n');
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('gives 1 worker for an async I/O-bound app, with the trace, as JSON', () => {
    const r = run(['recommend', '--format', 'json', '--cores', '4', '--rps', '800', '.'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.workers, 1);
    assert.equal(j.workload, 'io-bound');
    assert.ok(j.trace.some((t: { step: string }) => t.step === '4'));
    assert.ok(j.inputs.assumed.includes('memoryMb'), JSON.stringify(j.inputs.assumed));
    assert.match(j.command, /--workers 1 --loop uvloop$/);
  });

  it('follows the guide\'s load-test table to 4 workers', () => {
    writeFileSync(join(dir, 'lt.csv'), 'workers,rps,p99_ms,cpu_percent,memory_mb\n1,8500,800,95,400\n2,12000,500,85,700\n4,15000,250,80,1300\n');
    const j = JSON.parse(run(['recommend', '--format', 'json', '--cores', '4', '--memory', '4G', '--rps', '8000', '--load-tests', 'lt.csv', '.'], dir).stdout);
    assert.equal(j.workers, 4);
  });

  it('rejects bad inputs with exit 2 and a one-line error naming the problem', () => {
    writeFileSync(join(dir, 'bad.csv'), 'workers,rps\n1,abc\n');
    writeFileSync(join(dir, 'wrk.txt'), 'Running 30s test @ http://127.0.0.1:8000/\n  Requests/sec:   8500.00\n');
    const cases: [string[], RegExp][] = [
      [['--memory', '2X'], /memory/i],
      [['--cores', '-2'], /cores/i],
      [['--load-tests', 'bad.csv'], /bad\.csv/],
      [['--load-tests', 'wrk.txt'], /worker/i],
    ];
    for (const [args, re] of cases) {
      const r = run(['recommend', ...args, '.'], dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    }
  });

  it('flags a deployment file whose workers differ (LW401) and exits 1', () => {
    writeFileSync(join(dir, 'Procfile'), 'web: gunicorn main:app -k uvicorn.workers.UvicornWorker -w 4\n');
    const r = run(['recommend', '--cores', '4', '.'], dir);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /Procfile:1:\d+: LW401 runs 4 worker/);
  });
});
