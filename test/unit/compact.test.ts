// compactModel trims a finished model's arrays: what the model holds must not change, and a scan's
// findings come from compacted models.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { compactModel } from '../../src/core/python/compact';
import { boundList, type FileModel, isList } from '../../src/core/python/model';
import { intern, internRange, MAX_INTERN_LENGTH } from '../../src/core/python/intern';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

/**
 * A deep copy of what a model holds: call sites, functions and loops as their fields (toJSON), line starts as a list, not the
 * typed-array blocks their numbers sit in (compactModel moves those to one array per model).
 */
function records(m: FileModel): unknown {
  return structuredClone({ ...m, calls: m.calls.map((c) => c.toJSON()), functions: m.functions.map((f) => f.toJSON()), loops: m.loops.map((l) => l.toJSON()), lineStarts: [...m.lineStarts] });
}

describe('compactModel', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  it('keeps every record of the models of the rule fixtures', () => {
    for (const name of readdirSync(RULES).filter((n) => n.endsWith('.py'))) {
      const text = readFileSync(join(RULES, name), 'utf8');
      // An open document's model is not compacted by the analyzer: compact a copy of it here.
      const model = analyzer.updateDocument({ path: name, text, module: name.slice(0, -3), isPackage: false }, []).model;
      const before = records(model);
      const same = compactModel(model);
      assert.equal(same, model);
      assert.deepEqual(records(model), before, name);
      assert.ok(model.calls.length > 0 && model.scopes[0].bindings.size > 0, name);
    }
  });

  it('gives arrays of their exact length in place of grown ones', () => {
    const text = 'import os\n\ndef f(a, b):\n    x = 1\n    x = 2\n    return os.getcwd(a, b)\n';
    const model = analyzer.updateDocument({ path: 'g.py', text, module: 'g', isPackage: false }, []).model;
    const fnScope = model.scopes[model.functions[0].scope];
    const xs = fnScope.bindings.get('x')!;
    compactModel(model);
    const after = fnScope.bindings.get('x')!;
    assert.notEqual(after, xs, 'the binding list is replaced by a trimmed copy');
    assert.deepEqual(after, xs);
    assert.equal(model.calls[0].args.length, 2);
    assert.ok(model.lineStarts instanceof Int32Array, 'line starts off the JS heap');
    assert.deepEqual([...model.lineStarts], [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)]);
  });

  it('keeps a name bound once as its binding, and a list only for a name bound twice or more', () => {
    const text = 'import os\n\ndef f(a):\n    x = 1\n    x = 2\n    y = 3\n    return x + y\n';
    const model = analyzer.updateDocument({ path: 'g2.py', text, module: 'g2', isPackage: false }, []).model;
    const scope = model.scopes[model.functions[0].scope];
    const x = scope.bindings.get('x')!;
    const y = scope.bindings.get('y')!;
    assert.ok(isList(x) && x.length === 2 && x.every((b) => b.kind === 'value'), 'two bindings: a list of both, in order');
    assert.ok(isList(x) && x[0].off < x[1].off);
    assert.ok(!isList(y) && y.kind === 'value', 'one binding: the binding itself');
    assert.ok(!isList(model.scopes[0].bindings.get('os')!), 'a module-level import bound once');
    assert.deepEqual(boundList(y), [y]);
  });

  it("keeps a call site's arguments the very array of its call expression (a binding holds that expression too)", () => {
    const text = 'import os\n\ndef f(a, b):\n    x = os.path.join(a, b, k=1)\n    return x\n';
    const model = analyzer.updateDocument({ path: 'h.py', text, module: 'h', isPackage: false }, []).model;
    compactModel(model);
    const x = boundList(model.scopes[model.functions[0].scope].bindings.get('x'))[0].expr!;
    assert.equal(x.k, 'call');
    if (x.k !== 'call') return;
    assert.equal(model.calls[0].args, x.args, 'one array for both');
    assert.equal(model.calls[0].kw, x.kw);
    assert.equal(x.args.length, 2);
    assert.deepEqual(Object.keys(x.kw), ['k']);
  });

  it('gives every empty argument list and keyword map one frozen value, shared by models', () => {
    const one = analyzer.updateDocument({ path: 'i.py', text: 'def f():\n    g()\n    h()\n', module: 'i', isPackage: false }, []).model;
    const two = analyzer.updateDocument({ path: 'j.py', text: 'k()\n', module: 'j', isPackage: false }, []).model;
    compactModel(one);
    compactModel(two);
    const [g, h] = one.calls;
    const [k] = two.calls;
    assert.equal(g.args, h.args);
    assert.equal(g.args, k.args);
    assert.equal(g.kw, k.kw);
    assert.ok(Object.isFrozen(g.args) && Object.isFrozen(g.kw) && g.args.length === 0 && Object.keys(g.kw).length === 0);
    // Adding to one would change every model: it fails instead.
    assert.throws(() => { (g.args as unknown[]).push(1); }, TypeError);
  });
});

describe('intern (python/intern.ts)', () => {
  it('gives back a string equal to the text it was asked for, across table growth, hash collisions and non-ASCII text', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `n${(i * 7919) % 9973}_${i % 3 ? 'ä' : 'x'}${'y'.repeat(i % 30)}`).join(' ');
    const words: [number, number][] = [];
    for (let s = 0, e = text.indexOf(' '); s < text.length; s = e + 1, e = text.indexOf(' ', s) < 0 ? text.length : text.indexOf(' ', s)) words.push([s, e]);
    for (const pass of [0, 1]) {
      for (const [s, e] of words) {
        const want = text.slice(s, e);
        if (want.length > MAX_INTERN_LENGTH) continue;
        assert.equal(internRange(text, s, e), want, `pass ${pass}`);
        assert.equal(intern(want), want);
      }
    }
    // Copies of 13 characters and more: latin1 ones (decoded from bytes) and one beyond latin1 (from its JSON), each equal to the text.
    for (const word of ['abcdefghijklm', 'abcdefghijklmä_ÿ', 'abcdefghijklm€', 'αβγδεζηθικλμνξ', 'z'.repeat(MAX_INTERN_LENGTH)]) {
      const at = `(${word})`;
      assert.equal(internRange(at, 1, 1 + word.length), word);
      assert.equal(internRange(at, 1, 1 + word.length), word);
    }
    assert.equal(internRange('', 0, 0), '');
    assert.equal(intern('x'.repeat(MAX_INTERN_LENGTH + 5)), 'x'.repeat(MAX_INTERN_LENGTH + 5));
  });
});
