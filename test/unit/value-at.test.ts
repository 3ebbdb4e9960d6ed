// The builder reads a value kept only for resolution (an assigned or returned value, a class
// attribute) as resolvable(ir(node)), but skips ir() where that is a '?' of names alone, which
// resolvable() drops (builder.ts valueAt, IR_KINDS). The shortcut must give the same expression as
// the full read at every node of the rule fixtures: a kind missing from IR_KINDS would turn a value
// resolution reads into UNKNOWN (an extra one only costs the time of the full read).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initParser, parsePython } from '../../src/core/parser';
import { ModelBuilder } from '../../src/core/python/builder';
import { K, KIND_NAMES } from '../../src/core/python/exprBuilder';
import { kindsFor } from '../../src/core/python/flatTree';
import { type Expr, UNKNOWN } from '../../src/core/python/ir';
import { fieldIds, flattenFile, textLines } from '../../src/core/python/model';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

interface Probe { valueAt(n: number, scope: number): Expr; ir(n: number, scope: number): Expr; kind(n: number): number; isNamed(n: number): boolean }

/** For every named node of `text`: [its kind, valueAt's expression, resolvable(ir)'s expression]. */
function both(text: string): [number, Expr, Expr][] {
  const tree = parsePython(text);
  try {
    const kinds = kindsFor(tree.language, KIND_NAMES);
    const { rows } = textLines(text);
    const file = flattenFile(tree, text, rows);
    const b = new ModelBuilder(text, file.flat, kinds, fieldIds(kinds), { starts: rows }, undefined, false).init({ module: 'm', isPackage: false });
    for (const r of file.roots) b.run(r);
    const p = b as unknown as Probe;
    const out: [number, Expr, Expr][] = [];
    for (let n = 0; n < file.flat.n; n++) {
      if (!p.isNamed(n)) continue;
      const full = p.ir(n, 0);
      out.push([p.kind(n), p.valueAt(n, 0), full.k === '?' && !full.elem ? UNKNOWN : full]);
    }
    return out;
  } finally {
    tree.delete();
  }
}

describe('valueAt', () => {
  before(async () => { await initParser(); });

  it('gives resolvable(ir(node)) at every named node of the rule fixtures', () => {
    let skipped = 0;
    let read = 0;
    for (const f of readdirSync(RULES).filter((n) => n.endsWith('.py'))) {
      for (const [kind, fast, full] of both(readFileSync(join(RULES, f), 'utf8'))) {
        assert.deepEqual(fast, full, `${f}: kind ${KIND_NAMES[kind - 1] ?? kind}`);
        if (fast === UNKNOWN) skipped++; else read++;
      }
    }
    // Both outcomes are exercised: values resolution reads, and '?' values dropped.
    assert.ok(skipped > 1000 && read > 1000, `${skipped} unknown, ${read} read`);
  });

  it('drops a dict literal, a conditional and an f-string, and keeps a call, a name and a plain string', () => {
    const text = 'a = {"k": f(x)}\nb = y if z else w\nc = f"{v}"\nd = g(h)\ne = n\ns = "plain"\n';
    const byKind = new Map<number, Expr>();
    for (const [kind, fast] of both(text)) if (!byKind.has(kind)) byKind.set(kind, fast);
    assert.equal(byKind.get(K.call)?.k, 'call');
    assert.equal(byKind.get(K.identifier)?.k, 'name');
    const kept = both(text).filter(([kind, fast]) => kind === K.string && fast !== UNKNOWN);
    assert.deepEqual(kept.map(([, e]) => e), [{ k: 'str', v: 'k' }, { k: 'str', v: 'plain' }]);
    const dropped = both(text).filter(([, fast]) => fast === UNKNOWN).length;
    assert.ok(dropped >= 3, `${dropped}`);
  });

  it('keeps the kinds the fixtures hold no kept value of: concatenated strings, generator and set comprehensions', () => {
    const text = 'p = "a" "b"\ng = (f() for _ in r)\nq = {f() for _ in r}\n';
    const kinds = new Set([K.concatenated_string, K.generator_expression, K.set_comprehension]);
    let kept = 0;
    for (const [kind, fast, full] of both(text)) {
      assert.deepEqual(fast, full, `kind ${KIND_NAMES[kind - 1] ?? kind}`);
      if (kinds.has(kind) && fast !== UNKNOWN) kept++;
    }
    assert.equal(kept, 3);
  });
});
