// The language server's V8 flags (SERVER_V8_FLAGS) are set at run time (setFlagsFromString), where V8
// ignores an unknown flag (it only prints an error) and a flag it reads only at heap set-up does
// nothing. Checked in a child process: every flag is recognised, and under the same allocation churn the
// young generation stays at its initial size with the flags and grows without them.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { SERVER_V8_FLAGS } from '../../src/cli/v8flags';
import { SERVER_NODE_ARGS, SERVER_SEMI_SPACE_MB } from '../../src/core/batchHeap';

const churn = `
  const v8 = require('node:v8');
  for (const f of JSON.parse(process.argv[1])) v8.setFlagsFromString(f);
  let keep = [];
  for (let i = 0; i < 2e6; i++) { keep.push({ a: i, b: [i] }); if (keep.length > 50000) keep = []; }
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  console.log(s.space_size / 1048576);`;

function newSpaceMb(flags: string[], nodeArgs: string[] = []): { mb: number; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, '-e', churn, JSON.stringify(flags)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { mb: Number(r.stdout.trim()), stderr: r.stderr };
}

describe('language server V8 flags', () => {
  it('are all recognised when set at run time, and keep the young generation small', () => {
    const withFlags = newSpaceMb(SERVER_V8_FLAGS);
    assert.equal(withFlags.stderr, '', `V8 rejected a flag: ${withFlags.stderr}`);
    const without = newSpaceMb([]);
    assert.ok(withFlags.mb <= 2, `new space ${withFlags.mb} MB with ${SERVER_V8_FLAGS.join(' ')}`);
    assert.ok(without.mb > 2 * withFlags.mb, `control: new space ${without.mb} MB without the flags`);
  });

  it('with the Node options the extension starts the server with, the young generation is their size and stays there', () => {
    const started = newSpaceMb(SERVER_V8_FLAGS, SERVER_NODE_ARGS);
    assert.equal(started.stderr, '', `Node or V8 rejected an option: ${started.stderr}`);
    // Two semi-spaces of SERVER_SEMI_SPACE_MB each: neither the run-time flags' initial 1 MB nor V8's growth.
    assert.equal(started.mb, 2 * SERVER_SEMI_SPACE_MB, `new space ${started.mb} MB with ${SERVER_NODE_ARGS.join(' ')}`);
    assert.ok(newSpaceMb([], SERVER_NODE_ARGS).mb === 2 * SERVER_SEMI_SPACE_MB, 'the options alone cap the growth too');
  });
});
