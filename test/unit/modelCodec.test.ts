// modelCodec carries worker-built models to the main thread: what arrives must be the model that was
// built (every record, key and shared reference), and what the codec cannot carry must fail loudly.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { decode, encode, releaseEncodeBuffers } from '../../src/core/modelCodec';
import { routerModule } from '../../bench/generate';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

/** Every object reachable from `v`, in a fixed order (arrays, Map/Set entries and keys in order). */
function objectsOf(v: unknown, out: object[] = [], seen = new Set<object>()): object[] {
  if (v === null || typeof v !== 'object' || seen.has(v)) return out;
  seen.add(v);
  out.push(v);
  if (v instanceof Map) for (const [k, x] of v) { objectsOf(k, out, seen); objectsOf(x, out, seen); }
  else if (v instanceof Set) for (const x of v) objectsOf(x, out, seen);
  else for (const x of Object.values(v)) objectsOf(x, out, seen);
  return out;
}

describe('modelCodec', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  it('gives back the models of the rule fixtures and a generated router: same records, keys and sharing', () => {
    const files = readdirSync(RULES).filter((n) => n.endsWith('.py')).map((n) => ({ path: n, text: readFileSync(join(RULES, n), 'utf8') }));
    files.push({ path: 'router.py', text: routerModule(7, { bytes: 40_000 }) });
    const batch = files.map((f) => [f.path, analyzer.model({ ...f, module: f.path.slice(0, -3), isPackage: false })] as const);
    const back = decode(encode(batch)) as typeof batch;
    assert.deepStrictEqual(back, batch);
    // Same key order (so the same hidden classes as the builder's literals) and the same shared objects.
    const a = objectsOf(batch);
    const b = objectsOf(back);
    assert.equal(b.length, a.length, 'as many distinct objects: shared ones stay shared');
    for (let i = 0; i < a.length; i++) {
      assert.deepEqual(Object.keys(b[i]), Object.keys(a[i]));
      assert.equal(Object.getPrototypeOf(b[i]), Object.getPrototypeOf(a[i]));
    }
    assert.ok(a.length > 10_000, `${a.length} objects`);
  });

  it('carries every kind of value: numbers of every size, undefined keys, Maps, Sets, shared and repeated strings', () => {
    const shared = { k: 'name', n: 'db', off: -1 };
    const v = {
      nums: [0, -1, 1, -2, 2 ** 30, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, -0, NaN, Infinity, -Infinity],
      absent: undefined, nil: null, yes: true, no: false,
      map: new Map<unknown, unknown>([[1, new Set(['a', 'b'])], ['k', shared]]),
      list: [shared, shared, 'db', 'db'],
      kw: { 0: 'zero', 'with space': 1, constructor: 2 },
      empty: {},
    };
    const back = decode(encode(v)) as typeof v;
    assert.deepStrictEqual(back, v);
    assert.ok('absent' in back);
    assert.ok(Object.is(back.nums[10], NaN) && Object.is(back.nums[9], -0));
    assert.equal(back.list[0], back.list[1]);
    assert.equal(back.list[0], back.map.get('k'));
    const e = encode(v);
    assert.equal(e.strings.filter((s) => s === 'db').length, 1, 'a repeated string is written once');
  });

  it('a large batch then a small one (encode reuses its growth buffers): each encoding is exact-sized, stays as it was, and decodes to its own value', () => {
    releaseEncodeBuffers();
    const big = Array.from({ length: 5000 }, (_, i) => ({ i, x: i * 1.5, s: `k${i % 7}` }));
    const small = [{ i: -1, x: 0.25, s: 'other' }];
    const a = encode(big);
    const aInts = Array.from(a.ints);
    const aNums = Array.from(a.nums);
    const b = encode(small);
    assert.ok(b.ints.length < 20 && b.nums.length === 1, `${b.ints.length} ints, ${b.nums.length} nums`);
    assert.deepEqual(Array.from(a.ints), aInts, 'the first encoding is not overwritten by the second');
    assert.deepEqual(Array.from(a.nums), aNums);
    assert.deepEqual(decode(a), big);
    assert.deepEqual(decode(b), small);
    releaseEncodeBuffers();
    assert.deepEqual(decode(encode(small)), small);
  });

  it('batch after batch, shapes that differ only in key order or in a key stay apart (object makers are kept between batches)', () => {
    const batches = [
      [{ a: 1, b: 'x' }, { b: 2, a: 'y' }, { 'a\u0000b': 3 }, { 'a"b': 4 }],
      [{ b: 5, a: 6 }, { a: 7, b: 8 }, { a: 9 }, { 'a\u0000b': 10 }],
    ];
    for (const batch of batches) {
      const back = decode(encode(batch)) as Record<string, unknown>[];
      assert.deepEqual(back, batch);
      assert.deepEqual(back.map((o) => Object.keys(o)), batch.map((o) => Object.keys(o)), 'keys in the order they were written');
    }
    // More shapes than the kept table holds: still every object right.
    const many = Array.from({ length: 5000 }, (_, i) => ({ [`k${i}`]: i, z: i }));
    assert.deepEqual(decode(encode(many)), many);
    assert.deepEqual(decode(encode(many.slice(0, 3))), many.slice(0, 3));
  });

  it('refuses what it cannot carry', () => {
    assert.throws(() => encode({ f: () => 1 }), /function/);
    assert.throws(() => encode([new Date(0)]), /class instance/);
    assert.throws(() => encode(JSON.parse('{"__proto__": 1}')), /key/);
    assert.throws(() => encode(Object.create({ inherited: 1 })), /class instance/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.throws(() => decode(encode(cyclic)), /cycle/);
  });
});
