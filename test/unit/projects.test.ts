// Multi-file fixture projects: blocking calls reached through helpers in other modules are reported
// at the call site inside the coroutine, with the whole chain; sync helpers are not reported.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scanPaths } from '../../src/core/scan';
import { expectedCodes } from './expectations';

const DIR = join(__dirname, '..', 'fixtures', 'projects');

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pyFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

describe('fixture projects (cross-file)', () => {
  for (const name of readdirSync(DIR).sort()) {
    it(`${name}: reports exactly the expected findings`, async () => {
      const root = join(DIR, name);
      const expected = pyFiles(root).flatMap((f) => expectedCodes(readFileSync(f, 'utf8'), relative(process.cwd(), f).split('\\').join('/'))).sort();
      const { result } = await scanPaths([root], { noConfig: true });
      const got = result.findings.map((f) => `${f.file}:${f.line}:${f.code}`).sort();
      assert.deepEqual(got, expected, result.findings.map((f) => `${f.file}:${f.line}: ${f.message}`).join('\n'));
    });
  }

  it('gives the full chain of a three-hop call', async () => {
    const { result } = await scanPaths([join(DIR, 'chains')], { noConfig: true });
    const f = result.findings.find((x) => x.function === 'forecast')!;
    assert.deepEqual(f.chain.map((h) => `${h.file.replace(/.*projects\//, '')}:${h.line}:${h.name}`), [
      'chains/app/main.py:21:svc.run',
      'chains/app/services.py:31:self.fetch',
      'chains/app/services.py:34:fetch_json',
      'chains/app/utils/http.py:5:requests.get',
    ]);
    assert.match(f.message, /^requests\.get \(via svc\.run\(\) -> self\.fetch\(\) -> fetch_json\(\)\) blocks the event loop in async handler forecast \(GET \/forecast\)/);
  });

  it('terminates on recursive helpers and still finds the root', async () => {
    const { result } = await scanPaths([join(DIR, 'chains')], { noConfig: true });
    const f = result.findings.find((x) => x.function === 'do_ping')!;
    assert.equal(f.call, 'requests.get');
    assert.equal(f.chain[0].name, 'ping');
  });

  it('reports two codes at one call site when a helper blocks two ways', async () => {
    const { result } = await scanPaths([join(DIR, 'chains')], { noConfig: true });
    const codes = result.findings.filter((x) => x.function === 'current_user').map((x) => x.code).sort();
    assert.deepEqual(codes, ['LW105', 'LW203']);
  });

  it('rolls dependency costs into the route that uses them', async () => {
    const { result } = await scanPaths([join(DIR, 'chains')], { noConfig: true });
    const upload = result.handlers.find((h) => h.name === 'upload')!;
    const dep = result.handlers.find((h) => h.name === 'current_user')!;
    assert.equal(dep.kind, 'dependency');
    assert.equal(dep.blockingMs, 50, 'load_user: one DB query');
    assert.equal(dep.cpuMs, 250, 'verify_password: one bcrypt check');
    assert.equal(upload.blockingMs, 100 + 50, 'S3 put (100) plus the dependency query (50)');
    assert.equal(upload.cpuMs, 10 + 250, 'base 10 ms plus the dependency bcrypt');
  });
});

describe('module identity does not depend on the scanned folder', () => {
  const CORPUS = join(__dirname, '..', 'fixtures', 'corpus');
  const cases: [string, string][] = [
    [join(DIR, 'namespace'), 'svc'],
    [join(DIR, 'shadowed-names'), 'app'],
    [join(DIR, 'chains'), 'app'],
    [join(DIR, 'src-layout'), 'src'],
    [join(DIR, 'setup-module'), 'backend'],
    ...readdirSync(CORPUS).filter((d) => statSync(join(CORPUS, d)).isDirectory()).map((d): [string, string] => [join(CORPUS, d), 'app']),
  ];
  for (const [root, sub] of cases) {
    it(`${relative(join(__dirname, '..'), root)}: the root and ${sub}/ give the same findings for ${sub}/`, async () => {
      const inSub = (abs: string) => !relative(join(root, sub), abs).startsWith('..');
      const keys = async (path: string) => {
        const out = await scanPaths([path], { noConfig: true, fixes: false, jobs: 1 });
        const abs = (f: string) => out.files.get(f)!.abs;
        return out.result.findings
          .filter((f) => inSub(abs(f.file)) && f.chain.every((h) => inSub(out.files.get(h.file)?.abs ?? '/')))
          .map((f) => `${relative(root, abs(f.file))}:${f.line}:${f.code}:${f.message}`).sort();
      };
      const fromRoot = await keys(root);
      assert.ok(fromRoot.length > 0, 'the case has findings to compare');
      assert.deepEqual(await keys(join(root, sub)), fromRoot);
    });
  }
});

describe('module names', () => {
  it('a folder without __init__.py inside a package keeps the package name; setup.py in a package is a module', async () => {
    const { moduleName } = await import('../../src/core/python/sourceRoots');
    const root = join(DIR, 'setup-module');
    const app = join(root, 'backend', 'app');
    for (const scanRoot of [root, join(root, 'backend'), app, join(app, 'clients')]) {
      assert.deepEqual(moduleName(join(app, 'clients', 'http.py'), scanRoot), { module: 'app.clients.http', isPackage: false });
      assert.deepEqual(moduleName(join(app, 'setup.py'), scanRoot), { module: 'app.setup', isPackage: false });
      assert.deepEqual(moduleName(join(app, '__init__.py'), scanRoot), { module: 'app', isPackage: true });
    }
  });
});

describe('incremental re-analysis', () => {
  it('after an edit, re-analyses only the edited file and the files that import it', async () => {
    const root = join(DIR, 'chains');
    const { files, analyzer } = await scanPaths([root], { noConfig: true });
    const { moduleName } = await import('../../src/core/files');
    const sources = [...files.values()].map((f) => ({ path: f.rel, text: f.decoded.text, ...moduleName(f.abs, root) }));
    const http = sources.find((s) => s.path.endsWith('utils/http.py'))!;
    const deps = [...analyzer.dependents(sources, http.path)].map((p) => p.replace(/.*chains\//, '')).sort();
    assert.deepEqual(deps, ['app/main.py', 'app/services.py', 'app/utils/http.py']);

    // Make the helper async-safe: the findings that went through it disappear, others stay.
    const parsesBefore = analyzer.parses;
    http.text = http.text.replace('requests.get(url, timeout=5).json()', 'url');
    const r = analyzer.analyze(sources, { only: analyzer.dependents(sources, http.path) });
    assert.equal(analyzer.parses - parsesBefore, 1, 'only the edited file is parsed again');
    const left = r.findings.map((f) => `${f.file.replace(/.*chains\//, '')}:${f.line}:${f.code}`).sort();
    assert.deepEqual(left, ['app/main.py:31:LW106', 'app/main.py:37:LW105', 'app/services.py:41:LW102']);
  });
});
