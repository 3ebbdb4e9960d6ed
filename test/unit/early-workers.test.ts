// The launcher starts a folder scan's worker threads before it loads the CLI bundle
// (src/core/earlyWorkers.ts): only for a command line that can use them, adopted by a scan that
// uses workers, stopped (before loading anything) by one that does not; same output either way.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCAN_SPEC } from '../../src/cli/scan';
import { earlyJobs, SCAN_VALUE_FLAGS } from '../../src/core/earlyWorkers';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

describe('early scan workers', () => {
  describe('earlyJobs (the command line alone)', () => {
    const dirs = new Set(['.', 'app', 'tests', 'src']);
    const jobs = (args: string[], cores = 2) => earlyJobs(args, cores, (p) => dirs.has(p));

    it('a folder (or no path: the current folder) with more than one thread', () => {
      assert.equal(jobs([]), 2);
      assert.equal(jobs(['app']), 2);
      assert.equal(jobs(['a.py', 'app', '--format', 'json']), 2);
      assert.equal(jobs(['app'], 4), 4);
      assert.equal(jobs(['app', '--jobs', '3']), 3);
      assert.equal(jobs(['app', '--jobs=3']), 3);
      assert.equal(jobs(['-j', '3', 'app']), 3);
      assert.equal(jobs(['-j3', 'app']), 3);
      assert.equal(jobs(['--', 'app']), 2);
    });

    it('none for files only, one thread, standard input, help, or what it cannot read', () => {
      assert.equal(jobs(['a.py', 'b.py']), 0, 'a pre-commit hook names files');
      assert.equal(jobs(['app'], 1), 0, 'one core');
      assert.equal(jobs(['app', '--jobs', '1']), 0);
      assert.equal(jobs(['app', '-j1']), 0);
      assert.equal(jobs(['-', '--stdin-filename', 'app/x.py']), 0);
      assert.equal(jobs(['app', '--help']), 0);
      assert.equal(jobs(['app', '--jobs', 'many']), 0);
      assert.equal(jobs(['app', '--jobs']), 0);
      // Option values are not paths: a folder named by --exclude or --select is no scan root.
      assert.equal(jobs(['a.py', '--exclude', 'tests']), 0);
      assert.equal(jobs(['a.py', '--select', 'src', '-f', 'app']), 0);
      assert.equal(jobs(['a.py', '--exclude=tests']), 0);
    });

    it('knows every scan flag that takes a value (else a value would be read as a path)', () => {
      const expected = Object.entries(SCAN_SPEC.flags).filter(([, f]) => f.type !== 'boolean').flatMap(([name, f]) => (f.short ? [name, f.short] : [name]));
      assert.deepEqual([...SCAN_VALUE_FLAGS].sort(), expected.sort());
    });
  });

  describe('the built CLI', function () {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-early-')); });
    after(() => { rmSync(dir, { recursive: true, force: true }); });
    const scan = (...args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, 'scan', ...args, '--format', 'json', '--exit-zero', '--no-config'],
        { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOOPWISE_TIMELINE: '1' } });
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    const workerLines = (stderr: string) => [...stderr.matchAll(/\[timeline\]\s+\d+ ms worker\d+ /g)].length;

    it('a small folder: the launcher\'s worker is stopped before it loads anything; files named: none is started', function () {
      this.timeout(60_000);
      if (availableParallelism() < 2) this.skip();
      const app = join(dir, 'small');
      mkdirSync(app);
      for (let i = 0; i < 5; i++) writeFileSync(join(app, `m${i}.py`), `import time\n\nasync def h${i}():\n    time.sleep(${i})\n`);
      const folder = scan(app);
      assert.match(folder.stderr, /stopped 1 early workers: one thread/);
      assert.equal(workerLines(folder.stderr), 0, folder.stderr);
      const files = scan(join(app, 'm0.py'), join(app, 'm1.py'));
      assert.doesNotMatch(files.stderr, /early workers|adopted|started \d+ workers/);
      const one = scan(app, '--jobs', '1');
      assert.doesNotMatch(one.stderr, /early workers|adopted|started \d+ workers/);
      assert.equal(one.stdout, folder.stdout);
    });

    it('a folder the scan shares with workers: it adopts the launcher\'s, which parse; same output as one thread', function () {
      this.timeout(120_000);
      // 40 files, ~1.3 MB: a worker with --jobs 2 (parallel.ts: 32 files, 1 MB).
      const app = join(dir, 'shared');
      mkdirSync(app);
      for (let i = 0; i < 40; i++) {
        const body = Array.from({ length: 260 }, (_, j) => `async def handler_${j}(x: int) -> dict:\n    items = [str(v) for v in range(x)]\n    return {"n": len(items), "k": ${i * 1000 + j}}\n`).join('\n');
        writeFileSync(join(app, `m${i}.py`), `import asyncio\n\n${body}`);
      }
      const two = scan(app, '--jobs', '3');
      assert.match(two.stderr, /adopted 2 workers/);
      assert.doesNotMatch(two.stderr, /started \d+ workers|early workers/);
      assert.match(two.stderr, /worker\d+ worker parsed [1-9]/);
      assert.equal(two.stdout, scan(app, '--jobs', '1').stdout);
    });
  });
});
