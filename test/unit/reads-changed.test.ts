// readsChanged (symbols.ts) takes a path without slicing when few names changed (a keystroke's):
// it must answer as the prefix walk does (a read of a changed name, or under one after the module).
import { strict as assert } from 'node:assert';
import { readsChanged } from '../../src/core/symbols';

/** The definition: some dotted prefix of the read's name (after the module's NUL), or the read itself, changed. */
function reference(reads: string[], changed: Set<string>): boolean {
  for (const r of reads) {
    if (changed.has(r)) return true;
    const nul = r.indexOf('\u0000');
    for (let i = r.lastIndexOf('.'); i > nul; i = r.lastIndexOf('.', i - 1)) if (changed.has(r.slice(0, i))) return true;
  }
  return false;
}

describe('readsChanged', () => {
  it('matches the prefix walk on random reads and changes, few and many names', () => {
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const parts = ['a', 'b', 'a.b', 'User', 'name', 'x'];
    const name = () => {
      const mod = ['m', 'm.db', 'p', ''][rand(4)];
      const segs = Array.from({ length: 1 + rand(3) }, () => parts[rand(parts.length)]);
      // Some names without a module part, or a dot right after the NUL.
      return rand(10) === 0 ? segs.join('.') : `${mod}\u0000${rand(8) === 0 ? '.' : ''}${segs.join('.')}`;
    };
    let hits = 0;
    for (let t = 0; t < 3000; t++) {
      const reads = Array.from({ length: rand(6) }, name);
      const changed = new Set(Array.from({ length: rand(t % 2 ? 4 : 14) }, name));
      const want = reference(reads, changed);
      assert.equal(readsChanged(reads, changed), want, JSON.stringify([reads, [...changed]]));
      if (want) hits++;
    }
    // Both answers occur, often.
    assert.ok(hits > 300 && hits < 2700, String(hits));
  });

  it('a read under a changed name, not a sibling sharing its prefix', () => {
    const changed = new Set(['m\u0000User.name']);
    assert.equal(readsChanged(['m\u0000User.name.label'], changed), true);
    assert.equal(readsChanged(['m\u0000User.names'], changed), false);
    assert.equal(readsChanged(['m\u0000User'], changed), false);
    assert.equal(readsChanged(['n\u0000User.name'], changed), false);
  });
});
