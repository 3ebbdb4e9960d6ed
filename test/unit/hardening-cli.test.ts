// The CLI on hostile folders: symlink loops, things named *.py that are not readable files, and
// 10,000 files. It must terminate, say what it skipped, and keep its documented exit codes
// (0 clean, 1 findings, 2 usage or I/O error). Runs the built CLI (npm test builds first).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const cli = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout });

describe('hardening: CLI on hostile folders', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (!existsSync(CLI)) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'lw-cli-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('symlink loops, a FIFO named *.py and a directory named *.py: terminates and reports the skips', function () {
    const root = join(dir, 'loops');
    mkdirSync(join(root, 'pkg', 'inner.py'), { recursive: true });
    writeFileSync(join(root, 'pkg', 'inner.py', 'real.py'), 'import time\nasync def h():\n    time.sleep(1)\n');
    symlinkSync(root, join(root, 'pkg', 'loop'));
    symlinkSync(join(root, 'pkg'), join(root, 'pkg', 'inner.py', 'up'));
    symlinkSync(join(root, 'missing'), join(root, 'broken.py'));
    // As root, chmod 000 does not make a file unreadable; a FIFO is the honest unreadable case
    // (reading it would block forever), so discovery must not open it.
    const fifo = spawnSync('mkfifo', [join(root, 'pipe.py')]);
    const r = cli(['scan', root, '--format', 'json'], 30_000);
    assert.equal(r.error, undefined, 'terminates');
    // A file that cannot be read is no silent pass: exit 2, the output still complete.
    if (fifo.status === 0) assert.equal(r.status, 2, r.stderr);
    else assert.equal(r.status, 1, r.stderr);
    if (fifo.status === 0) assert.match(r.stderr, /^loopwise: 1 file could not be analysed \(.*pipe\.py: not a regular file\)\n$/);
    assert.equal(cli(['scan', root, '--format', 'json', '--exit-zero'], 30_000).status, 0);
    const out = JSON.parse(r.stdout) as { findings: { file: string }[]; notes: { file: string; kind: string; message: string }[] };
    assert.equal(out.findings.length, 1, 'the real file is scanned once, not once per path through the loops');
    const skipped = out.notes.filter((n) => n.kind === 'skipped');
    assert.ok(skipped.some((n) => /symlink loop/.test(n.message)), JSON.stringify(out.notes));
    assert.ok(skipped.some((n) => n.file.endsWith('broken.py') && /broken symlink/.test(n.message)));
    if (fifo.status === 0) assert.ok(skipped.some((n) => n.file.endsWith('pipe.py') && /not a regular file/.test(n.message)), JSON.stringify(out.notes));
  });

  it('10,000 files: terminates with every file counted', function () {
    const root = join(dir, 'many');
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(root, `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(root, `d${d}`, `m${f}.py`), f === 0 && d === 0 ? 'import time\nasync def h():\n    time.sleep(1)\n' : `def f${f}():\n    return ${f}\n`);
    }
    const r = cli(['scan', root, '--format', 'json']);
    assert.equal(r.error, undefined, 'terminates');
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { summary: { files: number; findings: number } };
    assert.equal(out.summary.files, 10_000);
    assert.equal(out.summary.findings, 1);
  });

  it('exit codes: 0 clean, 1 findings, 2 missing path / bad option', () => {
    const clean = join(dir, 'clean');
    mkdirSync(clean, { recursive: true });
    writeFileSync(join(clean, 'ok.py'), 'async def h():\n    return 1\n');
    assert.equal(cli(['scan', clean]).status, 0);
    writeFileSync(join(clean, 'bad.py'), 'import time\nasync def h():\n    time.sleep(1)\n');
    assert.equal(cli(['scan', join(clean, 'bad.py')]).status, 1);
    const missing = cli(['scan', join(dir, 'nope')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /path not found/);
    assert.equal(cli(['scan', clean, '--jobs', '0']).status, 2);
    assert.equal(cli(['scan', clean, '--bogus']).status, 2);
  });
});
