// A small batch scan parses on V8's baseline wasm code only (core/batchHeap.ts liftoffForSmallScan):
// no optimising compile of the parser is started that the scan would wait for at exit; a larger scan
// keeps V8's tier-up; and the code cache stays valid (the flags are set back before it is written).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIFTOFF_MAX_BYTES } from '../../src/core/batchHeap';

const ROOT = join(__dirname, '..', '..');

describe('small scans parse on Liftoff only', () => {
  let dir: string;
  let cli: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-liftoff-'));
    // A copy of the build: runs with V8 tracing flags write their own code caches, not dist's.
    for (const f of ['cli.js', 'loopwise.js', 'scan.js', 'scanWorker.js', 'scanWorkerMain.js']) cpSync(join(ROOT, 'dist', f), join(dir, 'dist', f));
    cpSync(join(ROOT, 'grammars'), join(dir, 'grammars'), { recursive: true });
    cli = join(dir, 'dist', 'cli.js');
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  const run = (args: string[], nodeFlags: string[] = [], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [...nodeFlags, cli, 'scan', ...args, '--format', 'json', '--exit-zero', '--no-config'],
      { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOOPWISE_TIMELINE: '1', ...env } });
    assert.equal(r.status, 0, r.stderr);
    return r;
  };
  /** Wasm functions compiled by each tier (V8 prints one line per function on standard output). */
  const tiers = (stdout: string) => ({ liftoff: stdout.match(/using Liftoff/g)?.length ?? 0, turbofan: stdout.match(/using TurboFan/g)?.length ?? 0 });
  const trace = ['--trace-wasm-compilation-times'];

  it('a one-file scan compiles no wasm function with TurboFan; without the batch heap switch it does', function () {
    this.timeout(60_000);
    const app = join(dir, 'one');
    mkdirSync(app);
    writeFileSync(join(app, 'a.py'), 'import time\n\nasync def h():\n    time.sleep(1)\n');
    const small = run([app], trace);
    assert.match(small.stderr, /small scan: parses on Liftoff only/);
    const t = tiers(small.stdout);
    assert.ok(t.liftoff > 0, 'the trace lists the compiled functions');
    assert.equal(t.turbofan, 0, small.stdout.split('\n').filter((l) => l.includes('TurboFan')).join('\n'));
    // The same scan outside the launcher's batch mode keeps V8's tiers: the parser's loops tier up at once.
    const batchOff = run([app], trace, { LOOPWISE_BATCH_HEAP: '0' });
    assert.doesNotMatch(batchOff.stderr, /Liftoff only/);
    assert.ok(tiers(batchOff.stdout).turbofan > 0, 'a one-line scan tiers the parser up');
    // Same findings either way (without the trace, whose lines V8 writes amid the output).
    const plain = run([app]).stdout;
    assert.equal(plain, run([app], [], { LOOPWISE_BATCH_HEAP: '0' }).stdout);
    assert.match(plain, /"code": "LW\d+"/);
  });

  it(`a scan of ${LIFTOFF_MAX_BYTES} bytes or more keeps V8's tier-up, --jobs 1 too`, function () {
    this.timeout(120_000);
    const app = join(dir, 'large');
    mkdirSync(app);
    let bytes = 0;
    for (let i = 0; bytes < LIFTOFF_MAX_BYTES + 4096; i++) {
      const text = `import asyncio\n\n${Array.from({ length: 200 }, (_, j) => `async def handler_${j}(x: int) -> dict:\n    items = [str(v) for v in range(x)]\n    return {"n": len(items), "k": ${i * 1000 + j}}\n`).join('\n')}`;
      writeFileSync(join(app, `m${i}.py`), text);
      bytes += Buffer.byteLength(text);
    }
    // Below the worker's threshold: one thread, like the small scan.
    const large = run([app], trace);
    assert.doesNotMatch(large.stderr, /Liftoff only|started \d+ workers/);
    assert.ok(tiers(large.stdout).turbofan > 0);
    // With --jobs the walk stops looking for workers at 32 files, which hold less than the bound here:
    // it still counts the rest.
    assert.ok(bytes / (readdirSync(app).length) * 32 < LIFTOFF_MAX_BYTES, 'the first 32 files are under the bound');
    const one = run([app, '--jobs', '1'], trace);
    assert.doesNotMatch(one.stderr, /Liftoff only/);
    assert.ok(tiers(one.stdout).turbofan > 0);
  });

  it('the code cache written after a small scan is the one the next scans read (small or large)', function () {
    this.timeout(120_000);
    const cache = join(dir, 'dist', 'scan.js.cache');
    rmSync(cache, { force: true });
    const app = join(dir, 'one');
    const first = run([app]);
    const written = readFileSync(cache);
    const second = run([app]);
    assert.ok(readFileSync(cache).equals(written), 'the cache was accepted, not written again');
    assert.equal(second.stdout, first.stdout);
    run([join(dir, 'large')]);
    assert.ok(readFileSync(cache).equals(written), 'a large scan accepts it too');
  });
});
