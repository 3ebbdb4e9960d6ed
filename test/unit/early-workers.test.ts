// The launcher starts a folder scan's worker threads before it loads the CLI bundle
// (src/core/earlyWorkers.ts): only for a command line that can use them, adopted by a scan that
// uses workers, stopped (before loading anything) by one that does not; same output either way.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCAN_SPEC } from '../../src/cli/scan';
import { dropEarlyListings, EARLY_MIN_BYTES, EARLY_MIN_FILES, earlyJobs, enoughSource, SCAN_VALUE_FLAGS } from '../../src/core/earlyWorkers';
import { discover } from '../../src/core/files';
import { PARALLEL_DEFAULT_MIN_CHARS, PARALLEL_MIN_FILES } from '../../src/core/parallel';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

describe('early scan workers', () => {
  describe('earlyJobs (the command line alone)', () => {
    // Folders holding enough Python source (enoughSource is tested on disk below); `--jobs` asks for files only (0 bytes).
    const dirs = new Set(['.', 'app', 'tests', 'src']);
    const asked: number[] = [];
    const jobs = (args: string[], cores = 2) => earlyJobs(args, cores, (paths, minBytes) => { asked.push(minBytes); return paths.some((p) => dirs.has(p)); });

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
      asked.length = 0;
      jobs(['app']);
      jobs(['app', '--jobs', '2']);
      assert.deepEqual(asked, [EARLY_MIN_BYTES, 0], 'the default job count needs 4 MiB, as the scan does; --jobs only the files');
    });

    it('its bounds are the scan\'s (parallel.ts)', () => {
      assert.equal(EARLY_MIN_FILES, PARALLEL_MIN_FILES);
      assert.equal(EARLY_MIN_BYTES, PARALLEL_DEFAULT_MIN_CHARS);
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

    it(`enoughSource: ${EARLY_MIN_FILES} .py files (hidden, virtualenv and output folders not entered) whose sampled sizes make the bytes asked`, () => {
      const root = mkdtempSync(join(tmpdir(), 'loopwise-many-'));
      try {
        const put = (rel: string, bytes = 100) => { mkdirSync(join(root, rel, '..'), { recursive: true }); writeFileSync(join(root, rel), 'x'.repeat(bytes)); };
        for (let i = 0; i < EARLY_MIN_FILES - 1; i++) put(`pkg/sub${i % 3}/m${i}.py`);
        for (let i = 0; i < 40; i++) { put(`.venv/lib/v${i}.py`); put(`node_modules/n${i}.py`); put(`build/b${i}.py`); put(`pkg/data${i}.txt`); }
        assert.equal(enoughSource([root], 0), false, 'one file short');
        assert.equal(enoughSource([join(root, 'pkg', 'sub0'), join(root, 'pkg', 'sub0', 'm0.py')], 0), false);
        put('pkg/last.py');
        assert.equal(enoughSource([root], 0), true);
        // 32 files of 100 bytes: the estimate is exact.
        assert.equal(enoughSource([root], 32 * 100), true);
        assert.equal(enoughSource([root], 32 * 100 + 1), false, 'one byte short');
        for (let i = 0; i < 64; i++) put(`more/big${i}.py`, 5000);
        assert.equal(enoughSource([root], 64 * 5000), true, 'the larger files sampled');
        assert.equal(enoughSource([root], 10 * 96 * 5000), false);
        assert.equal(enoughSource([join(root, 'none')], 0), false);
        // Files named count too; a .txt does not.
        const named = Array.from({ length: EARLY_MIN_FILES - 1 }, (_, i) => join(root, 'pkg', `sub${i % 3}`, `m${i}.py`));
        assert.equal(enoughSource([...named, join(root, 'pkg', 'data0.txt')], 0), false);
        assert.equal(enoughSource([...named, join(root, 'pkg', 'last.py')], 0), true);
        // The scan's walk takes the folder listings enoughSource made (it does not list them again).
        const names = () => discover([root]).files.map((f) => f.abs.slice(root.length)).sort();
        const before = names();
        assert.equal(enoughSource([root], 0), true);
        put('pkg/sub0/added.py');
        assert.deepEqual(names(), before, 'pkg/sub0 as the launcher listed it');
        assert.ok(names().includes(join('/pkg', 'sub0', 'added.py')), 'a listing is taken once');
        enoughSource([root], 0);
        dropEarlyListings();
        assert.equal(names().length, before.length + 1);
      } finally { dropEarlyListings(); rmSync(root, { recursive: true, force: true }); }
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

    it('the launcher\'s worker is stopped before it loads anything when the walk finds too little source (excluded); a folder of little source, files named, --jobs 1: none is started', function () {
      this.timeout(60_000);
      if (availableParallelism() < 2) this.skip();
      const app = join(dir, 'small');
      mkdirSync(join(app, 'vendored'), { recursive: true });
      for (let i = 0; i < 40; i++) writeFileSync(join(app, `m${i}.py`), `import time\n\nasync def h${i}():\n    time.sleep(${i})\n`);
      // 4.4 MB the launcher counts (it reads no excludes) but the scan excludes.
      for (let i = 0; i < 40; i++) writeFileSync(join(app, 'vendored', `v${i}.py`), `x = "${'v'.repeat(110_000)}"\n`);
      const excluded = scan(app, '--exclude', 'vendored');
      assert.match(excluded.stderr, /stopped 1 early workers: one thread/);
      assert.equal(workerLines(excluded.stderr), 0, excluded.stderr);
      // 40 files of little source: none started (the launcher counted the bytes).
      rmSync(join(app, 'vendored'), { recursive: true });
      const folder = scan(app);
      assert.doesNotMatch(folder.stderr, /early workers|adopted|started \d+ workers/);
      assert.equal(folder.stdout, excluded.stdout);
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
