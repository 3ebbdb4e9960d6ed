// An edited document's line starts and tree-sitter rows are updated from the previous ones (not
// rescanned): they must be exactly what a fresh scan of the new text gives, line endings included.
import { strict as assert } from 'node:assert';
import { rng } from '../../bench/generate';
import { Analyzer, linesAfter } from '../../src/core/analyzer';
import { editLineStarts, lineStarts, textLines } from '../../src/core/python/model';

function newlineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** The file's line starts by one loop over the text: `\r\n`, `\n` and a lone `\r` end a line. */
function referenceLineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') out.push(i + 1);
    else if (text[i] === '\r') { if (text[i + 1] === '\n') i++; out.push(i + 1); }
  }
  return out;
}

describe('line starts after an edit', () => {
  it('of a whole text (made exactly sized) are those of one loop over it, \n only for the rows', () => {
    const next = rng(7);
    const alphabet = ['a', 'bc', ' ', '\n', '\r', '\r\n', '\n\n'];
    for (let t = 0; t < 5_000; t++) {
      const text = Array.from({ length: Math.floor(next() * 16) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const got = lineStarts(text);
      assert.deepEqual(got, referenceLineStarts(text), JSON.stringify(text));
      assert.equal(got.length, referenceLineStarts(text).length);
      assert.deepEqual(textLines(text).rows, newlineStarts(text), JSON.stringify(text));
    }
    assert.deepEqual(lineStarts(''), [0]);
    assert.deepEqual(lineStarts('a\r\nb\rc\n'), [0, 3, 5, 7]);
    assert.deepEqual(textLines('a\r\nb\rc\n').rows, [0, 3, 7]);
  });

  it('equal a fresh scan for random edits over \\n, \\r\\n and lone \\r', () => {
    const next = rng(13);
    const pick = (n: number) => Math.floor(next() * n);
    const alphabet = ['a', ' ', '\n', '\r', '\r\n'];
    const gen = (n: number) => Array.from({ length: n }, () => alphabet[pick(alphabet.length)]).join('');
    let checked = 0;
    for (let t = 0; t < 20_000; t++) {
      const before = gen(pick(12));
      const start = pick(before.length + 1);
      const end = start + pick(before.length - start + 1);
      const edit = { start, end, text: gen(pick(4)) };
      const after = before.slice(0, start) + edit.text + before.slice(end);
      assert.deepEqual(editLineStarts(lineStarts(before), after, edit, true), lineStarts(after), JSON.stringify({ before, edit }));
      assert.deepEqual(editLineStarts(newlineStarts(before), after, edit, false), newlineStarts(after), JSON.stringify({ before, edit }));
      checked++;
    }
    assert.equal(checked, 20_000);
  });

  it('of a document after one edit (a keystroke within a line copies the starts once) equal a fresh scan', () => {
    const next = rng(29);
    const pick = (n: number) => Math.floor(next() * n);
    const alphabet = ['a', 'b ', '\n', '\r', '\r\n', 'cd'];
    const typed = ['', 'x', 'yz', ' ', '\n', '\r', '\r\n'];
    const gen = (n: number) => Array.from({ length: n }, () => alphabet[pick(alphabet.length)]).join('');
    let withinLine = 0;
    for (let t = 0; t < 20_000; t++) {
      const before = gen(pick(14));
      const start = pick(before.length + 1);
      const end = start + pick(Math.min(3, before.length - start) + 1);
      const edit = { start, end, text: typed[pick(typed.length)] };
      const after = before.slice(0, start) + edit.text + before.slice(end);
      const prev = textLines(before);
      const got = linesAfter(prev, after, edit);
      const want = textLines(after);
      const ctx = JSON.stringify({ before, edit });
      assert.deepEqual(got.starts, want.starts, ctx);
      assert.deepEqual(got.rows, want.rows, ctx);
      if (!/[\r\n]/.test(before.slice(start - 1, end) + edit.text) && got.starts.length === prev.starts.length) withinLine++;
    }
    // The within-line case is most of them, and the line-break cases are checked too.
    assert.ok(withinLine > 5_000 && withinLine < 18_000, `${withinLine} edits within a line`);
  });

  it('an open document typed in with CRLF and lone CR line endings has the lines and findings of a fresh analysis', async () => {
    const live = await Analyzer.create();
    const fresh = await Analyzer.create();
    const doc = { path: 'crlf.py', module: 'crlf', isPackage: false };
    let text = 'import time\r\n\r\nasync def h():\r\n    x = 1\r    time.sleep(1)\r\n\r\nasync def g():\n    return 2\n';
    live.updateDocument({ ...doc, text }, []);
    const edits = [
      { at: () => text.indexOf('x = 1'), del: 0, ins: 'time.sleep(2)\r\n    ' },
      { at: () => text.indexOf('\r    time'), del: 1, ins: '' },
      { at: () => text.indexOf('\r\n\r\nasync def g') + 1, del: 1, ins: '' },
      { at: () => text.indexOf('return 2'), del: 0, ins: 'time.sleep(3)\r' },
      { at: () => 0, del: 0, ins: '# top\r\n' },
    ];
    try {
      for (const e of edits) {
        const start = e.at();
        const edit = { start, end: start + e.del, text: e.ins };
        text = text.slice(0, start) + e.ins + text.slice(start + e.del);
        const { model, incremental } = live.updateDocument({ ...doc, text }, [edit]);
        assert.ok(incremental);
        assert.deepEqual(model.lineStarts, textLines(text).starts);
        fresh.forget(doc.path);
        const got = live.analyze([{ ...doc, text }]);
        const want = fresh.analyze([{ ...doc, text }]);
        assert.deepEqual(got.findings, want.findings);
        assert.deepEqual(got.handlers, want.handlers);
        assert.ok(got.findings.length > 0);
      }
    } finally { live.dispose(); fresh.dispose(); }
  });
});
