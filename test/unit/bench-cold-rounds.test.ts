// The bench's cold rounds (bench/measure.ts coldRounds, bench/cold-rounds.cjs): run in a process of
// their own, warm-up first, then rounds in a rotated order; the first round's output of each command.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coldRounds } from '../../bench/measure';

describe('bench cold rounds (bench/cold-rounds.cjs)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-coldrounds-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('runs each command once to warm up, then once per round in a rotated order, in another process; keeps the first round\'s output', () => {
    const log = join(dir, 'order.log');
    // Each command notes its name and the process that started it, and prints its name and a count
    // of its runs so far (so the kept output is the first measured round's, not the warm-up's).
    const script = (name: string) => `const fs=require('fs');fs.appendFileSync(${JSON.stringify(log)},'${name} '+process.ppid+'\\n');` +
      `const n=fs.readFileSync(${JSON.stringify(log)},'utf8').split('\\n').filter((l)=>l.startsWith('${name} ')).length;process.stdout.write('${name}#'+n)`;
    const names = ['a', 'b', 'c'];
    const { samples, stdout, harnessCpuMs, callerCpuMs } = coldRounds(names.map((n) => [process.execPath, ['-e', script(n)]]), 3);
    const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' '));
    assert.deepEqual(runs.map(([n]) => n).join(''), 'abc' + 'abc' + 'bca' + 'cab');
    // Started by neither this process nor one of its threads: by the harness (GNU time in between when present).
    assert.ok(runs.every(([, ppid]) => Number(ppid) !== process.pid), runs.join(' '));
    assert.deepEqual(stdout, ['a#2', 'b#2', 'c#2']);
    assert.equal(samples.length, 3);
    for (const s of samples) {
      assert.equal(s.length, 3);
      for (const r of s) assert.ok(r.ms > 0 && r.peakRssMb > 0, JSON.stringify(r));
    }
    assert.ok(Number.isInteger(harnessCpuMs) && harnessCpuMs >= 0 && Number.isInteger(callerCpuMs) && callerCpuMs >= 0);
  });

  it('fails when its process does', () => {
    assert.throws(() => coldRounds([[join(dir, 'no-such-command'), []]], 1), /cold rounds failed.*no-such-command/s);
  });
});
