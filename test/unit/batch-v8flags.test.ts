// A batch run's V8 flags (BATCH_V8_FLAGS) are set at run time by the launcher (setFlagsFromString),
// where V8 ignores an unknown flag (it only prints an error). Checked in a child process: every flag is
// recognised, and the inlining limit works when set that way: an optimised caller does not inline a
// 250-byte callee with the flags, and does without them.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_V8_FLAGS, batchV8Flags, runsPreloads } from '../../src/cli/v8flags';

const child = `
  const v8 = require('node:v8');
  for (const f of JSON.parse(process.argv[1])) v8.setFlagsFromString(f);
  function middle(a, b) {
    let s = 0;
    for (let i = 0; i < a.length; i++) { s += a[i] * b + (i & 3); if (s > 1e9) s -= 1e9; }
    if (s & 1) s = s * 3 + 1; else s = s / 2;
    if (b > 10) s += b * 2; else if (b > 5) s -= b; else s ^= b;
    const o = { x: s, y: b, z: a.length };
    return o.x + o.y * 2 + o.z * 3 + (o.x > o.y ? 1 : 2) + (o.z > 3 ? o.x : o.y);
  }
  function caller(a) { let t = 0; for (let b = 0; b < 20; b++) t += middle(a, b); return t; }
  const a = [1, 2, 3, 4, 5];
  %PrepareFunctionForOptimization(caller); %PrepareFunctionForOptimization(middle);
  caller(a); caller(a);
  %OptimizeFunctionOnNextCall(caller); caller(a);`;

/** The probe above as a preload that runs at the process's exit, after the launcher set its flags. */
const probeAtExit = `process.on('exit', () => { require('node:v8').setFlagsFromString('--trace-turbo-inlining'); eval(${JSON.stringify(child.replace("for (const f of JSON.parse(process.argv[1])) v8.setFlagsFromString(f);", ''))}); });`;

function run(flags: readonly string[]): { inlined: boolean; stderr: string } {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--trace-turbo-inlining', '-e', child, JSON.stringify(flags)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /consider(ing)? .*middle/i, 'the caller was optimised and its call to the callee looked at');
  return { inlined: /Inlining .*middle/.test(r.stdout), stderr: r.stderr };
}

describe('batch V8 flags', () => {
  it('are all recognised when set at run time, and keep a mid-size function out of its optimised caller', () => {
    const withFlags = run(BATCH_V8_FLAGS);
    assert.equal(withFlags.stderr, '', `V8 rejected a flag: ${withFlags.stderr}`);
    assert.equal(withFlags.inlined, false, `inlined with ${BATCH_V8_FLAGS.join(' ')}`);
    assert.equal(run([]).inlined, true, 'control: V8 inlines it by default');
  });

  it('are told a preload from the command line or NODE_OPTIONS', () => {
    assert.equal(runsPreloads([], ''), false);
    assert.equal(runsPreloads(['--max-old-space-size=4096', '--enable-source-maps'], '--inspect'), false);
    assert.equal(runsPreloads(['--import', 'tsx'], ''), true);
    assert.equal(runsPreloads(['-r', 'dd-trace/init'], ''), true);
    assert.equal(runsPreloads(['--require=./apm.js'], ''), true);
    assert.equal(runsPreloads([], '--max-old-space-size=4096 --import=tsx'), true);
    assert.equal(runsPreloads([], '  --experimental-loader ./hooks.mjs'), true);
    assert.equal(runsPreloads([], '--loader=ts-node/esm'), true);
    assert.equal(runsPreloads([], '--requires-nothing --imports'), false);
    assert.deepEqual(batchV8Flags(false), BATCH_V8_FLAGS);
    assert.deepEqual(batchV8Flags(true), BATCH_V8_FLAGS.filter((f) => !f.startsWith('--max-inlined-bytecode-size')));
    assert.ok(batchV8Flags(true).length > 0 && batchV8Flags(true).length < BATCH_V8_FLAGS.length);
  });

  it('leave V8\'s inlining limit alone in a CLI run after a preload (a TurboFan compile in flight across the change aborts the process)', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'lw-preload-'));
    try {
      const probe = join(dir, 'probe.cjs');
      writeFileSync(probe, probeAtExit);
      writeFileSync(join(dir, 'app.py'), 'import time\n\nasync def handler():\n    time.sleep(1)\n');
      const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
      const scan = (preload: boolean) => spawnSync(process.execPath, ['--allow-natives-syntax', ...(preload ? ['--require', probe] : []), cli, 'scan', dir, '--format', 'json', '--exit-zero', '--no-config'], { encoding: 'utf8' });
      const r = scan(true);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"LW\d+"/, 'the scan ran and reported');
      assert.match(r.stdout, /consider(ing)? .*middle/i, 'the probe ran after the scan');
      assert.match(r.stdout, /Inlining .*middle/, 'the 250-byte callee is inlined: the launcher left the limit alone');
      // The same probe with the flags of a plain run (the launcher's, set at run time): not inlined.
      assert.equal(run(batchV8Flags(false)).inlined, false);
      assert.equal(scan(false).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('write no code cache, on the main thread or in a scan worker, in a CLI run after a preload (a plain run would refuse it)', function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'lw-preload-cache-'));
    try {
      // Enough text for a worker thread (parallel.ts: 32 files, 1 MB).
      const app = join(dir, 'app');
      mkdirSync(app);
      for (let i = 0; i < 40; i++) writeFileSync(join(app, `m${i}.py`), `import asyncio\n\n${Array.from({ length: 260 }, (_, j) => `async def handler_${j}(x: int) -> dict:\n    items = [str(v) for v in range(x)]\n    return dict(n=len(items), k=${i * 1000 + j})\n`).join('\n')}`);
      const dist = join(__dirname, '..', '..', 'dist');
      const caches = ['scan.js.cache', 'scanWorkerMain.js.cache'].map((f) => join(dist, f));
      const scan = (nodeOptions?: string) => spawnSync(process.execPath, [join(dist, 'cli.js'), 'scan', app, '--format', 'json', '--exit-zero', '--no-config', '--jobs', '2'],
        { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOOPWISE_TIMELINE: '1', NODE_OPTIONS: nodeOptions ?? '' } });
      for (const c of caches) rmSync(c, { force: true });
      const preloaded = scan('--require /dev/null');
      assert.equal(preloaded.status, 0, preloaded.stderr);
      assert.match(preloaded.stderr, /worker1 worker ready/, 'the scan used a worker');
      assert.deepEqual(caches.filter((c) => existsSync(c)), [], 'no cache written by the preloaded run');
      const plain = scan();
      assert.equal(plain.status, 0, plain.stderr);
      assert.deepEqual(caches.filter((c) => existsSync(c)), caches, 'control: a plain run writes both');
      assert.equal(plain.stdout, preloaded.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
