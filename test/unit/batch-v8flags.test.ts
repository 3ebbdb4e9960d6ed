// A batch run's V8 flags (BATCH_V8_FLAGS) are set at run time by the launcher (setFlagsFromString),
// where V8 ignores an unknown flag (it only prints an error). Checked in a child process: every flag is
// recognised, and the inlining limit works when set that way: an optimised caller does not inline a
// 250-byte callee with the flags, and does without them.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { BATCH_V8_FLAGS } from '../../src/cli/v8flags';

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
});
