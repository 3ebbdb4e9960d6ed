// Call sites keep their numbers in typed-array blocks (python/modelTypes.ts CallSite, SiteBlock): a
// site reads back what was written to it, whichever block it sits in, and a change to one site
// touches no other.
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';
import { join } from 'node:path';
import { CallSite, SiteBlock } from '../../src/core/python/model';
import { LoopInfo, LOOP_SLOTS, SmallSet } from '../../src/core/python/modelTypes';
import { UNKNOWN } from '../../src/core/python/ir';

describe('call sites in blocks', () => {
  it('reads back every field of every site across block growth, and a write changes only its own site', () => {
    const block = new SiteBlock(1);
    const sites: CallSite[] = [];
    for (let k = 0; k < 100; k++) {
      const s = new CallSite(block, UNKNOWN, [], {}, `f${k}`);
      s.id = k; s.fn = k - 1; s.start = 10 * k; s.end = 10 * k + 5; s.calleeEnd = 10 * k + 1; s.argsStart = 10 * k + 2;
      s.line = k + 1; s.column = k + 2; s.endLine = k + 3; s.endColumn = k + 4; s.loop = k - 50;
      if (k % 2) s.awaited = true;
      if (k % 3 === 0) s.forIterable = true;
      if (k % 5 === 0) s.stmt = true;
      if (k % 7 === 0) s.splat = true;
      sites.push(s);
    }
    sites[50].start += 3;
    sites[50].awaited = false;
    sites.forEach((s, k) => {
      assert.deepEqual([s.id, s.fn, s.start, s.end, s.calleeEnd, s.argsStart, s.line, s.column, s.endLine, s.endColumn, s.loop, s.text],
        [k, k - 1, 10 * k + (k === 50 ? 3 : 0), 10 * k + 5, 10 * k + 1, 10 * k + 2, k + 1, k + 2, k + 3, k + 4, k - 50, `f${k}`]);
      assert.equal(s.awaited, k % 2 === 1 && k !== 50, `awaited ${k}`);
      assert.equal(s.forIterable, k % 3 === 0, `forIterable ${k}`);
      assert.equal(s.stmt, k % 5 === 0, `stmt ${k}`);
      assert.equal(s.splat, k % 7 === 0, `splat ${k}`);
    });
  });

  it("gives a reference's site the same position and flags, other arguments, and never awaited", async () => {
    const analyzer = await Analyzer.create(join(__dirname, '..', '..', 'grammars'));
    const text = 'import asyncio\n\nasync def f(x=None):\n    if x is not None:\n        await asyncio.to_thread(g, x, *x)\n\ndef g(y):\n    return y\n';
    const model = analyzer.updateDocument({ path: 'r.py', text, module: 'r', isPackage: false }, []).model;
    const site = model.calls.find((c) => c.text === 'asyncio.to_thread')!;
    assert.ok(site.awaited && site.splat && site.guard?.includes('x'), 'the awaited call with a splat, guarded by x');
    const ref = site.asReference(site.args[0]);
    assert.equal(ref.awaited, false);
    assert.equal(site.awaited, true, 'the original keeps its flag');
    assert.deepEqual([ref.start, ref.end, ref.line, ref.column, ref.fn, ref.id, ref.splat, ref.guard], [site.start, site.end, site.line, site.column, site.fn, site.id, true, site.guard]);
    assert.equal(ref.callee, site.args[0]);
    assert.equal(ref.args.length, 0);
    const json = JSON.parse(JSON.stringify(site)) as Record<string, unknown>;
    assert.equal(json.start, site.start);
    assert.equal(json.awaited, true);
    assert.equal(json.splat, true);
    assert.ok(!('p' in json) && !('i' in json), 'JSON shows the fields, not the block');
  });

  it('keeps a loop\'s numbers and flags in its block across growth, and a write changes only its own loop', () => {
    const block = new SiteBlock(1, LOOP_SLOTS);
    const loops: LoopInfo[] = [];
    for (let k = 0; k < 60; k++) {
      const l = new LoopInfo(block, k % 3 === 0 ? 'while' : 'for', [`t${k}`], UNKNOWN, `it${k}`, new SmallSet());
      l.id = k; l.fn = k - 1; l.parent = k - 2; l.start = 7 * k; l.end = 7 * k + 6; l.bodyStart = 7 * k + 3; l.line = k + 1;
      if (k % 2) l.isAsync = true;
      if (k % 3 === 1) l.hasBreak = true;
      if (k % 4 === 0) l.hasTry = true;
      if (k % 5 === 0) l.yields = true;
      loops.push(l);
    }
    loops[30].hasTry = false;
    loops[30].end += 2;
    loops.forEach((l, k) => {
      assert.deepEqual([l.id, l.fn, l.parent, l.start, l.end, l.bodyStart, l.line, l.kind, l.targets[0], l.iterText],
        [k, k - 1, k - 2, 7 * k, 7 * k + 6 + (k === 30 ? 2 : 0), 7 * k + 3, k + 1, k % 3 === 0 ? 'while' : 'for', `t${k}`, `it${k}`]);
      assert.equal(l.isAsync, k % 2 === 1, `isAsync ${k}`);
      assert.equal(l.hasBreak, k % 3 === 1, `hasBreak ${k}`);
      assert.equal(l.hasTry, k % 4 === 0 && k !== 30, `hasTry ${k}`);
      assert.equal(l.yields, k % 5 === 0, `yields ${k}`);
    });
    const json = JSON.parse(JSON.stringify(loops[5])) as Record<string, unknown>;
    assert.deepEqual([json.start, json.isAsync, json.yields, json.hasTry], [35, true, true, false]);
    assert.ok(!('p' in json) && !('i' in json) && !('yields' in JSON.parse(JSON.stringify(loops[1]))), 'JSON shows the fields, and yields only when set');
  });
});
