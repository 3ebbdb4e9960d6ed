// The published package as a user installs it: `npm pack`, install the tarball into an empty folder
// with no network (the package has no runtime dependencies: the bundle carries them, and the
// grammars ship as .wasm), then `npx loopwise scan app/` there.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

describe('npm package', function () {
  this.timeout(120_000);
  let dir: string;
  let tarball: string;
  let files: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-pack-'));
    // `npm test` has just built dist/ and grammars/; --ignore-scripts keeps prepack from building again.
    const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const info = JSON.parse(out)[0] as { filename: string; files: { path: string }[] };
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path).sort();
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('holds the CLI bundle, its worker and both grammars, and no sources or tests', () => {
    for (const f of ['dist/cli.js', 'dist/loopwise.js', 'dist/scan.js', 'dist/scanWorker.js', 'dist/scanWorkerMain.js', 'grammars/tree-sitter-python.wasm', 'grammars/web-tree-sitter.wasm', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|scripts|node_modules|examples)\//.test(f) || f.endsWith('.map') || f.endsWith('.cache')), []);
  });

  it('declares a bin and no runtime dependencies (tree-sitter-python only as a dev dependency)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.bin.loopwise, 'dist/cli.js');
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
    assert.ok(pkg.devDependencies['tree-sitter-python']);
  });

  it('installs offline into an empty folder and `npx loopwise scan app/` finds the blocker', () => {
    const consumer = join(dir, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    const env = { ...process.env, npm_config_cache: join(dir, 'cache'), npm_config_update_notifier: 'false' };
    execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumer, env, stdio: 'pipe' });
    cpSync(join(ROOT, 'examples', 'shop-api', 'app'), join(consumer, 'app'), { recursive: true });
    const r = spawnSync(NPX, ['--offline', 'loopwise', 'scan', 'app/'], { cwd: consumer, env, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^app\/routers\/orders\.py:\d+:\d+: LW101 requests\.post \(via payments\.charge\(\)\)/m);
    assert.match(r.stdout, /^Found \d+ issues/m);
    const v = spawnSync(NPX, ['--offline', 'loopwise', '--version'], { cwd: consumer, env, encoding: 'utf8' });
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
