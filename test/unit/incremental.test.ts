// Editing an open document rebuilds only the top-level statements the edit touched; the result must
// be exactly what a fresh analysis of the new text gives (with the lines being typed left out while they
// do not parse: Analyzer.modelText), wherever the edit lands.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer, type DocumentEdit } from '../../src/core/analyzer';

const DIR = join(__dirname, '..', 'fixtures', 'rules');

function apply(text: string, e: DocumentEdit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

/** Edits that move later statements (lines and offsets), change a body, add and remove statements. */
function editsFor(text: string): DocumentEdit[] {
  const mid = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  const sleep = text.indexOf('(', text.indexOf('async def')) + 1;
  return [
    { start: 0, end: 0, text: '# a comment on top\n\n' },
    { start: mid, end: mid, text: 'import time\nasync def added():\n    time.sleep(1)\n' },
    { start: sleep, end: sleep, text: 'x, ' },
    { start: mid, end: mid + 40, text: '' },
    { start: 5, end: 5, text: 'é😀' },
  ];
}

describe('incremental model building', () => {
  let live: Analyzer;
  let fresh: Analyzer;
  before(async () => { live = await Analyzer.create(); fresh = await Analyzer.create(); });

  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    it(`${file}: every edit gives the same findings and handlers as a fresh analysis`, () => {
      let text = readFileSync(join(DIR, file), 'utf8');
      const doc = { path: file, module: 'fixture', isPackage: false };
      live.updateDocument({ ...doc, text }, []);
      for (const e of editsFor(text)) {
        const edit = { ...e, start: Math.min(e.start, text.length), end: Math.min(e.end, text.length) };
        text = apply(text, edit);
        const { incremental } = live.updateDocument({ ...doc, text }, [edit]);
        assert.ok(incremental);
        const got = live.analyze([{ ...doc, text }]);
        fresh.forget(file);
        // Lines being typed that do not parse are left out of the document's model (see Analyzer.modelText).
        const want = fresh.analyze([{ ...doc, text: live.modelText(file)! }]);
        assert.deepEqual(got.findings, want.findings);
        assert.deepEqual(got.handlers, want.handlers);
      }
    });
  }

  it('several edits at once (typing within the debounce) still reuse untouched statements', () => {
    const text = Array.from({ length: 50 }, (_, i) => `async def h${i}():\n    return ${i}\n`).join('\n');
    const doc = { path: 'typed.py', module: 'typed', isPackage: false };
    live.updateDocument({ ...doc, text }, []);
    const at = text.indexOf('return 20') + 'return '.length;
    const e1 = { start: at, end: at, text: 'x' };
    const e2 = { start: at + 1, end: at + 1, text: 'y' };
    const next = apply(apply(text, e1), e2);
    live.updateDocument({ ...doc, text: next }, [e1, e2]);
    assert.equal(live.buildStats.built, 1);
    fresh.forget('typed.py');
    assert.deepEqual(live.analyze([{ ...doc, text: next }]).handlers, fresh.analyze([{ ...doc, text: next }]).handlers);
  });

  it('rebuilds only the statement an edit touched', () => {
    const body = Array.from({ length: 200 }, (_, i) => `async def h${i}():\n    return ${i}\n`).join('\n');
    const text = `import time\n\n${body}`;
    const doc = { path: 'many.py', module: 'many', isPackage: false };
    live.updateDocument({ ...doc, text }, []);
    assert.equal(live.buildStats.built, 201);
    const at = text.indexOf('return 100') + 'return '.length;
    const edit = { start: at, end: at, text: 'time.sleep(1) or ' };
    const next = apply(text, edit);
    live.updateDocument({ ...doc, text: next }, [edit]);
    assert.equal(live.buildStats.built, 1);
    const r = live.analyze([{ ...doc, text: next }]);
    assert.deepEqual(r.findings.map((f) => `${f.line}:${f.function}:${f.code}`), ['304:h100:LW102']);
  });
});
