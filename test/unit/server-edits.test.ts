// The language server checks that a document's pending edits lead from the last parsed text to the
// client's text before it reparses incrementally (workspace.ts flush). editsLeadTo answers that
// without building the edited text; it must agree with building it (applyEdits) on every sequence
// of edits inside the text, and say no to edits out of range.
import { strict as assert } from 'node:assert';
import type { DocumentEdit } from '../../src/core/analyzer';
import { applyEdits, editsLeadTo } from '../../src/server/workspace';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

const ALPHABET = ['a', 'b', ' ', '\n', '\r\n', '(', 'é', '\u2019', '\ud83d\ude00', 'x'];

describe('server: editsLeadTo', () => {
  it('agrees with applying the edits, for random texts, edit sequences and candidate texts', () => {
    const rand = rng(Number(process.env.LW_SEED ?? 17));
    const word = (n: number) => { let w = ''; for (let i = 0; i < n; i++) w += ALPHABET[Math.floor(rand() * ALPHABET.length)]; return w; };
    let yes = 0;
    let no = 0;
    for (let round = 0; round < 3000; round++) {
      const base = word(Math.floor(rand() * 40));
      const edits: DocumentEdit[] = [];
      let len = base.length;
      for (let k = Math.floor(rand() * 6); k > 0; k--) {
        const start = Math.floor(rand() * (len + 1));
        const end = start + Math.floor(rand() * (len - start + 1) * (rand() < 0.5 ? 0 : 1));
        const text = rand() < 0.3 ? '' : word(1 + Math.floor(rand() * 4));
        edits.push({ start, end, text });
        len += text.length - (end - start);
      }
      const result = applyEdits(base, edits);
      assert.equal(editsLeadTo(base, edits, result), true, JSON.stringify({ base, edits }));
      yes++;
      // Candidates: one code unit changed, added or removed anywhere; the result of other edits.
      const at = Math.floor(rand() * (result.length + 1));
      const candidates = [
        result.slice(0, at) + 'q' + result.slice(at),
        result.slice(0, at) + result.slice(at + 1),
        at < result.length ? result.slice(0, at) + (result[at] === 'z' ? 'y' : 'z') + result.slice(at + 1) : result + 'z',
        applyEdits(base, edits.slice(0, -1)),
        applyEdits(base, edits.slice(1)),
      ];
      for (const c of candidates) {
        assert.equal(editsLeadTo(base, edits, c), c === result, JSON.stringify({ base, edits, c }));
        if (c !== result) no++;
      }
    }
    assert.ok(yes === 3000 && no > 10000, `${yes} / ${no}`);
  });

  it('says no to an edit out of range of the text it applies to', () => {
    assert.equal(editsLeadTo('abc', [{ start: 2, end: 4, text: '' }], 'ab'), false);
    assert.equal(editsLeadTo('abc', [{ start: 4, end: 4, text: 'x' }], 'abcx'), false);
    assert.equal(editsLeadTo('abc', [{ start: 2, end: 1, text: '' }], 'abc'), false);
    assert.equal(editsLeadTo('abc', [{ start: 0, end: 3, text: '' }, { start: 1, end: 1, text: 'x' }], 'x'), false);
    assert.equal(editsLeadTo('abc', [{ start: 0, end: 3, text: '' }, { start: 0, end: 0, text: 'x' }], 'x'), true);
    assert.equal(editsLeadTo('abc', [], 'abc'), true);
    assert.equal(editsLeadTo('abc', [], 'abd'), false);
  });
});
