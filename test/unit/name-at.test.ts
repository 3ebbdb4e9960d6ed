// A name expression keeps its offset and scope id in one number (python/ir.ts packAt): every pair
// must come back as it went in, small ones as a small integer, large ones exactly.
import { strict as assert } from 'node:assert';
import { atOffset, atScope, offsetOf, packAt, scopeOf } from '../../src/core/python/ir';

describe('a name\'s offset and scope in one number', () => {
  it('gives back the offset and scope of small and large pairs', () => {
    const offsets = [0, 1, 17, 4095, (1 << 21) - 1, 1 << 21, (1 << 21) + 5, 50_000_000, 2 ** 32 - 1];
    const scopes = [0, 1, 2, 1023, 1024, 5000, 1 << 20];
    for (const off of offsets) {
      for (const scope of scopes) {
        const at = packAt(off, scope);
        assert.equal(atOffset(at), off, `offset of ${off}, ${scope}`);
        assert.equal(atScope(at), scope, `scope of ${off}, ${scope}`);
        const small = off < 1 << 21 && scope < 1024;
        // A small pair fits a 31-bit integer (V8 keeps it unboxed); a large one is negative.
        assert.equal(at >= 0 && at <= 2 ** 31 - 1 && Number.isInteger(at), small, `${off}, ${scope} -> ${at}`);
      }
    }
  });

  it('tells apart pairs that differ in either part', () => {
    const seen = new Set<number>();
    for (let off = 0; off < 40; off++) for (let scope = 0; scope < 40; scope++) seen.add(packAt(off * 99_991, scope * 37));
    assert.equal(seen.size, 1600);
  });

  it('reads a name through its statement header with offsetOf and scopeOf', () => {
    const seg = { delta: 100, scopeBase: 7 };
    const e = { k: 'name' as const, n: 'x', at: packAt(12, 3), seg };
    assert.equal(offsetOf(e), 112);
    assert.equal(scopeOf(e), 9);
    const module = { k: 'name' as const, n: 'x', at: packAt(12, 0), seg };
    assert.equal(scopeOf(module), 0, 'the module scope is shared by every statement');
    assert.equal(offsetOf({ k: 'name', n: 'y', at: packAt(3_000_000, 2000) }), 3_000_000);
  });
});
