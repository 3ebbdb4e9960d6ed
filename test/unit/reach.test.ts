// Cold scans parse only the files the analysis can need (src/core/reach.ts): what is reached through
// imports still yields its findings, `def` routes still count as handlers, and a file nothing
// reaches is read and counted but not parsed.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { reach } from '../../src/core/reach';
import { scanPaths } from '../../src/core/scan';

const ROOT = join(__dirname, '..', 'fixtures', 'projects', 'reach');
const short = (p: string) => p.replace(/.*projects\/reach\//, '');

describe('reach: cold scans parse only what the analysis needs', () => {
  it('parses neither a file nothing reaches nor a re-exported module no coroutine uses', async () => {
    const out = await scanPaths([ROOT], { noConfig: true });
    // Empty package files are not needed either: an import of `app.main` does not read `app/__init__.py`.
    assert.deepEqual(out.unparsed.map(short).sort(), ['app/__init__.py', 'app/routes/__init__.py', 'pkg/extras.py', 'unreached.py']);
    assert.equal(out.result.summary.files, 11);
  });

  it('reports a syntax error only in a file it parses (an unreached file is read and counted)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-reach-'));
    try {
      writeFileSync(join(dir, 'reached.py'), 'async def f(:\n    pass\n');
      writeFileSync(join(dir, 'unreached.py'), 'def g(:\n    pass\n');
      const out = await scanPaths([dir], { noConfig: true });
      assert.deepEqual(out.result.notes.map((n) => `${basename(n.file)}:${n.kind}`), ['reached.py:syntax-error']);
      assert.deepEqual(out.unparsed.map((p) => basename(p)), ['unreached.py']);
      assert.equal(out.result.summary.files, 2);
      const all = await scanPaths([dir], { noConfig: true, reach: false });
      assert.deepEqual(all.result.notes.map((n) => `${basename(n.file)}:${n.kind}`).sort(), ['reached.py:syntax-error', 'unreached.py:syntax-error']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses everything when files with a plain seed word hold 90 % of the text (skipping could save little)', () => {
    const handler = 'async def handler():\n    pass\n';
    const unused = 'def unused():\n    return 1\n';
    const mostly = [{ text: handler + '# the rest of the service\n'.repeat(40), module: 'a', isPackage: false }, { text: unused, module: 'b', isPackage: false }];
    assert.deepEqual(reach(mostly).needed, [true, true]);
    const little = [{ text: handler, module: 'a', isPackage: false }, { text: unused.repeat(10), module: 'b', isPackage: false }];
    assert.deepEqual(reach(little).needed, [true, false]);
  });

  it('finds a blocking call reached through a relative import and a package re-export', async () => {
    const { result } = await scanPaths([ROOT], { noConfig: true });
    const f = result.findings.find((x) => x.function === 'report');
    assert.ok(f, JSON.stringify(result.findings));
    assert.deepEqual(f.chain.map((h) => `${short(h.file)}:${h.name}`), ['app/main.py:build_report', 'app/services.py:fetch_rows', 'pkg/impl.py:requests.get']);
  });

  it('keeps a `def` route in a file without `async` as a handler, and LW302 in a file without `async`', async () => {
    const { result } = await scanPaths([ROOT], { noConfig: true });
    const h = result.handlers.find((x) => x.name === 'health');
    assert.ok(h && !h.async && h.kind === 'route' && h.route === 'GET /health', JSON.stringify(result.handlers));
    assert.deepEqual(result.findings.filter((x) => x.code === 'LW302').map((x) => short(x.file)), ['script.py']);
  });

  it('gives the same result as parsing every file', async () => {
    const a = await scanPaths([ROOT], { noConfig: true });
    const b = await scanPaths([ROOT], { noConfig: true, reach: false });
    assert.deepEqual(b.unparsed, []);
    assert.deepEqual(a.result, b.result);
  });

  it('needs files by words in comments and strings too (a false "needed" costs only time)', () => {
    const files = [
      { module: 'a', isPackage: false, text: '# this used to be async\ndef f():\n    pass\n' },
      { module: 'b', isPackage: false, text: 'def g():\n    return "FastAPI"\n' },
      { module: 'c', isPackage: false, text: 'def h():\n    return 1\n' },
    ];
    assert.deepEqual(reach(files).needed, [true, true, false]);
  });

  it('follows aliases of registrations, and needs every file of a module name together', () => {
    const files = [
      { module: 'ev', isPackage: false, text: 'from sqlalchemy import event\non = event.listens_for\n' },
      { module: 'models', isPackage: false, text: 'from ev import on\n\n@on(User, "after_insert")\ndef audit(mapper, conn, target):\n    pass\n' },
      { module: 'dup', isPackage: false, text: 'async def a():\n    pass\n' },
      { module: 'dup', isPackage: false, text: 'def b():\n    pass\n' },
      { module: 'other', isPackage: false, text: 'def c():\n    pass\n' },
    ];
    assert.deepEqual(reach(files).needed, [true, true, true, true, false]);
  });

  it('follows `import pkg` through the submodules the importer names', () => {
    const files = [
      { module: 'main', isPackage: false, text: 'import lib.net\n\nasync def go():\n    lib.net.fetch()\n' },
      { module: 'lib', isPackage: true, text: '' },
      { module: 'lib.net', isPackage: false, text: 'import requests\ndef fetch():\n    requests.get("x")\n' },
      { module: 'lib.disk', isPackage: false, text: 'def load():\n    open("x").read()\n' },
    ];
    assert.deepEqual(reach(files).needed, [true, false, true, false]);
  });

  it('stays linear on hostile text (time budget)', function () {
    this.timeout(20_000);
    const big = (unit: string, n = 100_000) => unit.repeat(n);
    const texts = [
      big('a='), big('x = y == '), big('@'), big('@a.'), `x:${big('a.')}`, big('from x import (\n'), big('import m\n', 20_000),
      `${big('z', 200_000)}=${big('=a', 50_000)}`, big('a.get('), big(' '), big('gr.'),
    ];
    const files = texts.map((text, i) => ({ module: `m${i}`, isPackage: false, text: `async def f():\n    pass\n${text}` }));
    files.push({ module: 'pkg', isPackage: true, text: Array.from({ length: 5000 }, (_, i) => `from .m${i % 11} import n${i}`).join('\n') });
    files.push({ module: 'user', isPackage: false, text: `async def g():\n    pass\nfrom pkg import ${Array.from({ length: 5000 }, (_, i) => `n${i}`).join(', ')}\nimport m0\n${big('m0.x.', 20_000)}` });
    const t = performance.now();
    const r = reach(files);
    const ms = performance.now() - t;
    assert.equal(r.count, files.length);
    assert.ok(ms < 3000, `reach took ${ms.toFixed(0)} ms on ${(files.reduce((s, f) => s + f.text.length, 0) / 1e6).toFixed(1)} MB`);
  });
});
