// readableCallee (python/ir.ts): a callee's text as a reader names it. Plain dotted names come back
// as they are (the same string); calls inside, strings, blanks and comments are rewritten.
import { strict as assert } from 'node:assert';
import { readableCallee } from '../../src/core/python/ir';

describe('readableCallee', () => {
  it('returns a dotted name of ASCII words as it is, and rewrites anything else', () => {
    for (const t of ['f', 'a.b.c', 'self._db2.execute', '', '__init__', 'A.B_C.d9']) assert.equal(readableCallee(t), t);
    const long = `${'x'.repeat(50)}.${'y'.repeat(40)}`;
    assert.equal(readableCallee(long), `${long.slice(0, 30)}…${long.slice(long.length - 49)}`);
    assert.equal(readableCallee('db.query(User).filter(x == 1).first'), 'db.query(...).filter(...).first');
    assert.equal(readableCallee('datetime.utcnow().isoformat'), 'datetime.utcnow().isoformat');
    assert.equal(readableCallee('a[0].b'), 'a[0].b');
    assert.equal(readableCallee('a .\n    b'), 'a.b');
    assert.equal(readableCallee('"".join'), '"".join');
    assert.equal(readableCallee('café.get'), 'café.get');
    assert.equal(readableCallee('a\u00a0.b'), 'a.b');
  });
});
