// Typing inside one top-level statement parses that statement alone (Analyzer.statementUpdate) when
// the document has no syntax error and the statement's new text parses cleanly as one statement;
// otherwise the whole file is reparsed. Either way the model must be exactly the one a fresh build of
// the new text gives, and so must the findings. Random edits over the rule fixtures, including ones
// that break a statement, split it in two, join it to the next, or open a string or a bracket.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../../bench/generate';
import { Analyzer, type DocumentEdit } from '../../src/core/analyzer';
import { offsetOf, scopeOf } from '../../src/core/python/ir';
import type { FileModel } from '../../src/core/python/model';

const DIR = join(__dirname, '..', 'fixtures', 'rules');
const INSERTS = ['x', ' ', '1', '(', ')', '"""', '#', '\n', '\n    ', '\nelse:\n    pass', '\n@dec', 'time.sleep(1)\n    ', '\nimport os\n', ':', '\\', 'await ', '    '];

/**
 * The model as JSON: Maps and Sets as entries, and an expression's offset and scope as the model reads
 * them (offsetOf, scopeOf: translated through its statement's header, which differs by build).
 */
function shape(m: FileModel): string {
  return JSON.stringify(m, (_k, v) => {
    if (v instanceof Map) return [...v];
    if (v instanceof Set) return [...v];
    if (v && typeof v === 'object' && v.k === 'name' && typeof v.at === 'number') return { k: 'name', n: v.n, off: offsetOf(v), scope: scopeOf(v) };
    if (v && typeof v === 'object' && 'seg' in v && typeof v.off === 'number') {
      const { seg: _seg, ...rest } = v;
      return { ...rest, off: offsetOf(v), ...(typeof v.scope === 'number' ? { scope: scopeOf(v) } : {}) };
    }
    return v;
  });
}

describe('statement-alone parses of an edited document', () => {
  let live: Analyzer;
  let fresh: Analyzer;
  before(async () => { live = await Analyzer.create(); fresh = await Analyzer.create(); });
  after(() => { live.dispose(); fresh.dispose(); });

  it('give the model and findings of a fresh build after each of many random edits', () => {
    const next = rng(29);
    const pick = (n: number) => Math.floor(next() * n);
    let statementParses = 0;
    let blanked = 0;
    let edits = 0;
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
      let text = readFileSync(join(DIR, file), 'utf8');
      const doc = { path: file, module: 'fixture', isPackage: false };
      live.updateDocument({ ...doc, text }, []);
      let undo: DocumentEdit | undefined;
      for (let k = 0; k < 10; k++) {
        // Every other edit undoes the one before (so the document is often clean again).
        let edit: DocumentEdit;
        if (undo) { edit = undo; undo = undefined; } else {
          const start = pick(text.length + 1);
          const del = next() < 0.3 ? pick(Math.min(4, text.length - start) + 1) : 0;
          edit = { start, end: start + del, text: next() < 0.25 ? '' : INSERTS[pick(INSERTS.length)] };
          undo = { start, end: start + edit.text.length, text: text.slice(start, start + del) };
        }
        text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        const before = live.buildStats.statementParses;
        const { model } = live.updateDocument({ ...doc, text }, [edit]);
        statementParses += live.buildStats.statementParses - before;
        edits++;
        fresh.forget(file);
        // Lines being typed that do not parse are left out (blanked): the model is a fresh build of
        // that text, with the syntax error noted.
        const built = live.modelText(file)!;
        const want = fresh.updateDocument({ ...doc, text: built }, []).model;
        if (built !== text) {
          blanked++;
          assert.ok(model.syntaxErrors.length > 0 && want.syntaxErrors.length === 0, `${file}, edit ${k}: blanked lines note the error`);
          assert.equal(shape({ ...model, syntaxErrors: [] }), shape(want), `${file}, edit ${k}: ${JSON.stringify(edit)}`);
        } else assert.equal(shape(model), shape(want), `${file}, edit ${k}: ${JSON.stringify(edit)}`);
        const got = live.analyze([{ ...doc, text }], { fixes: false });
        const wantResult = fresh.analyze([{ ...doc, text: built }], { fixes: false });
        assert.deepEqual(got.findings, wantResult.findings);
        assert.deepEqual(got.handlers, wantResult.handlers);
      }
      live.forget(file);
    }
    // Both paths were taken many times (with this seed about 45 % of the edits parse one statement alone).
    assert.ok(statementParses > edits / 5, `${statementParses} of ${edits}`);
    assert.ok(statementParses < edits * 0.9, `${statementParses} of ${edits}`);
    assert.ok(blanked > 5, `lines left out on ${blanked} of ${edits} edits`);
  });
  it('a decorated method cut and typed again: every keystroke parses its class alone, the next class stays', () => {
    const doc = { path: 'decorated.py', module: 'fixture', isPackage: false };
    let text = 'import time\n\n\nclass A:\n    x = 1\n\n    @property\n    def foo(self) -> list[str]:\n        time.sleep(1)\n        return [x for x in (\n            1, 2)]\n\n\nclass B:\n    y = 2\n';
    live.updateDocument({ ...doc, text }, []);
    const start = text.indexOf('    def foo');
    const end = text.indexOf('\n\n\nclass B') + 1;
    const body = text.slice(start, end);
    const edits: DocumentEdit[] = [{ start, end, text: '' }, ...[...body].map((ch, i) => ({ start: start + i, end: start + i, text: ch }))];
    let blanked = 0;
    for (const edit of edits) {
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      const before = live.buildStats.statementParses;
      const { model } = live.updateDocument({ ...doc, text }, [edit]);
      assert.equal(live.buildStats.statementParses, before + 1, JSON.stringify(edit));
      assert.deepEqual(model.classes.map((c) => c.name), ['A', 'B']);
      const built = live.modelText(doc.path)!;
      if (built !== text) blanked++;
      fresh.forget(doc.path);
      const want = fresh.updateDocument({ ...doc, text: built }, []).model;
      assert.equal(shape({ ...model, syntaxErrors: built !== text ? [] : model.syntaxErrors }), shape(want), JSON.stringify(edit));
    }
    assert.ok(blanked > body.length / 3, `${blanked} of ${edits.length}`);
    live.forget(doc.path);
  });
  it('an inconsistent dedent (no error for tree-sitter) left indented top-level statements: undoing it reparses the file', () => {
    const doc = { path: 'dedent.py', module: 'fixture', isPackage: false };
    const clean = 'import time\n\n\nasync def f():\n    x = 1\n    time.sleep(1)\n    return x\n';
    const at = clean.indexOf('    x = 1');
    const deeper = clean.slice(0, at) + '    ' + clean.slice(at);
    live.updateDocument({ ...doc, text: clean }, []);
    live.updateDocument({ ...doc, text: deeper }, [{ start: at, end: at, text: '    ' }]);
    const { model } = live.updateDocument({ ...doc, text: clean }, [{ start: at, end: at + 4, text: '' }]);
    fresh.forget(doc.path);
    assert.equal(shape(model), shape(fresh.updateDocument({ ...doc, text: clean }, []).model));
    assert.deepEqual(live.analyze([{ ...doc, text: clean }], { fixes: false }).findings.map((f) => `${f.line}:${f.code}`), ['6:LW102']);
    live.forget(doc.path);
  });
});
