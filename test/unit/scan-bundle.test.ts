// The scan's own bundle (cli/scanMain.ts, dist/scan.js): what it holds, and that a scan runs it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');

describe('the scan\'s own bundle (dist/scan.js)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-scanbundle-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  /** The source files esbuild put in a bundle (it names each one in a comment, unminified). */
  const sources = (bundle: string) => new Set([...readFileSync(join(DIST, bundle), 'latin1').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]));

  it('holds the scan and none of the other commands\' code or libraries; the whole CLI does', () => {
    const others = /^(src\/(server|advisor)\/|src\/cli\/(fix|recommend)\.ts$|node_modules\/(yaml|csv-parse|vscode-languageserver[\w-]*|vscode-jsonrpc)\/)/;
    const scan = sources('scan.js');
    assert.ok(scan.has('src/cli/scan.ts') && scan.has('src/core/analyzer.ts'), [...scan].join(' '));
    assert.deepEqual([...scan].filter((f) => others.test(f)), []);
    const whole = [...sources('loopwise.js')].filter((f) => others.test(f));
    for (const lib of ['yaml', 'csv-parse', 'vscode-languageserver', 'src/server/', 'src/advisor/']) assert.ok(whole.some((f) => f.includes(lib)), lib);
    assert.ok(readFileSync(join(DIST, 'scan.js')).length * 1.6 < readFileSync(join(DIST, 'loopwise.js')).length);
  });

  it('a scan runs it and needs nothing else; without it (a VSIX ships the whole CLI only) a scan runs the whole CLI, same output', () => {
    const copy = (name: string, files: string[]) => {
      const root = join(dir, name);
      for (const f of files) cpSync(join(DIST, f), join(root, 'dist', f));
      cpSync(join(ROOT, 'grammars'), join(root, 'grammars'), { recursive: true });
      return join(root, 'dist', 'cli.js');
    };
    const scanOnly = copy('scan-only', ['cli.js', 'scan.js', 'scanWorker.js', 'scanWorkerMain.js']);
    const whole = copy('whole', ['cli.js', 'loopwise.js', 'scanWorker.js', 'scanWorkerMain.js']);
    const app = join(ROOT, 'examples', 'shop-api');
    const run = (cli: string, args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    for (const args of [['scan', app, '--format', 'json', '--no-config'], ['scan', app, '--no-config'], ['scan', '--help'], ['scan', app, '--format', 'xml']]) {
      const a = run(scanOnly, args);
      const b = run(whole, args);
      assert.equal(a.status, b.status, `${args.join(' ')}: ${a.stderr}`);
      assert.equal(a.stdout, b.stdout);
      assert.equal(a.stderr, b.stderr);
    }
    assert.equal(run(scanOnly, ['scan', app, '--no-config']).status, 1);
    // The other commands are the whole CLI's: without it they cannot run.
    assert.notEqual(run(scanOnly, ['recommend', app]).status, 0);
    assert.equal(run(whole, ['recommend', '--help']).status, 0);
  });
});
