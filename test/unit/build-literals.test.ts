// The builder's number literals (exprBuilder.ts numberAt): the value `Number` gives the literal's text
// without its `_` separators, which the builder computed before by a slice and a regular expression.
import { strict as assert } from 'node:assert';
import { numberAt } from '../../src/core/python/exprBuilder';

const reference = (s: string): number => Number(s.replace(/_/g, ''));

describe('numberAt', () => {
  it('reads every literal as Number reads its text without separators', () => {
    const literals = ['0', '7', '00', '42', '1_000', '123456789012345', '1234567890123456', '99999999999999999999', '0x1F', '0X_ff',
      '0o17', '0b1010', '1.5', '.5', '5.', '1e5', '1E-3', '1_0.2_5', '3j', '10L', '', '0_0', '1__2'];
    for (const lit of literals) {
      const text = `x = ${lit} + 1`;
      const start = 4;
      const got = numberAt(text, start, start + lit.length);
      assert.ok(Object.is(got, reference(lit)), `${lit}: ${got} vs ${reference(lit)}`);
    }
    // Digits read in place: the literal's range only, not the characters around it.
    assert.equal(numberAt('a12b', 1, 3), 12);
    assert.ok(Number.isNaN(numberAt('a1xb', 1, 3)));
  });
});
