// namesList (python/ir.ts) is `[...namesIn(e)]` made without a set: the same names in the same order,
// on every expression of the rule fixtures' models, and on expressions with many names (its set).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initParser, parsePython } from '../../src/core/parser';
import { type Expr, namesIn, namesList } from '../../src/core/python/ir';
import { boundList, buildModel, type FileModel } from '../../src/core/python/model';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

function exprsOf(m: FileModel): Expr[] {
  const out: Expr[] = [];
  for (const c of m.calls) { out.push(c.callee, ...c.args, ...Object.values(c.kw)); out.push({ k: 'call', f: c.callee, args: c.args, kw: c.kw }); }
  for (const s of m.scopes) for (const list of s.bindings.values()) for (const b of boundList(list)) { if (b.expr) out.push(b.expr); if (b.annotation) out.push(b.annotation); }
  for (const l of m.loops) out.push(l.iter);
  return out;
}

function model(text: string): FileModel {
  const tree = parsePython(text);
  try { return buildModel(tree, text, { module: 'm', isPackage: false }); } finally { tree.delete(); }
}

describe('namesList', () => {
  before(async () => { await initParser(); });

  it('gives the names of namesIn, in its order, for every expression of the rule fixtures', () => {
    let exprs = 0;
    let names = 0;
    for (const f of readdirSync(RULES).filter((n) => n.endsWith('.py'))) {
      for (const e of exprsOf(model(readFileSync(join(RULES, f), 'utf8')))) {
        const want = [...namesIn(e)];
        assert.deepEqual(namesList(e), want);
        exprs++;
        names += want.length;
      }
    }
    assert.ok(exprs > 2000 && names > 2000, `${exprs} expressions, ${names} names`);
  });

  it('keeps the first of repeated names, also past the names it scans for (a set then)', () => {
    const many = Array.from({ length: 80 }, (_, i) => `v${i % 50}`).join(', ');
    const text = `for x in xs:\n    y = f(a, b.c, a, [d, *e], g[h], k=a, m=(n + o), p=f"{q} {a} {v3}")\n    z = [${many}, w, v7]\n`;
    const m = model(text);
    const loop = m.loops[0];
    assert.deepEqual(loop.derived?.get('y'), [...namesIn(boundList(m.scopes[0].bindings.get('y'))[0].expr!)]);
    const z = loop.derived?.get('z');
    assert.ok(z);
    assert.equal(z.length, 51);
    assert.equal(new Set(z).size, 51);
    assert.deepEqual(z, [...namesIn(boundList(m.scopes[0].bindings.get('z'))[0].expr!)]);
  });
});
