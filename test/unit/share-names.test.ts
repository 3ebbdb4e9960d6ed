// A whole-file model keeps one name expression for the names of a scope that resolve alike
// (compact.ts shareNames): every name must still resolve to the binding it resolved to with a
// name object of its own, and names that resolve differently must stay apart.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initParser, parsePython } from '../../src/core/parser';
import { type Expr, offsetOf, scopeOf } from '../../src/core/python/ir';
import { boundList, buildModel, type CallSite, type FileModel } from '../../src/core/python/model';
import { Resolver } from '../../src/core/python/resolve';
import { routerModule } from '../../bench/generate';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

type Name = Extract<Expr, { k: 'name' }>;

/** Every name occurrence of the model, in one fixed order (the same for two models of one text). */
function namesOf(m: FileModel): Name[] {
  const out: Name[] = [];
  const ex = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.k) {
      case 'name': out.push(e); break;
      case 'attr': ex(e.o); break;
      case 'call': ex(e.f); e.args.forEach(ex); Object.values(e.kw).forEach(ex); break;
      case 'sub': ex(e.o); e.i.forEach(ex); break;
      case 'op': ex(e.l); ex(e.r); break;
      case 'list': e.items.forEach(ex); break;
      case 'await': ex(e.e); break;
      case '?': ex(e.elem); break;
      default: break;
    }
  };
  for (const c of m.calls) { ex(c.callee); c.args.forEach(ex); Object.values(c.kw).forEach(ex); c.narrow?.forEach(ex); }
  for (const s of m.scopes) for (const list of s.bindings.values()) for (const b of boundList(list)) { ex(b.expr); ex(b.annotation); }
  for (const f of m.functions) { f.params.forEach((p) => { ex(p.annotation); ex(p.default); }); f.decorators.forEach(ex); f.returns.forEach(ex); ex(f.returnAnnotation); }
  for (const c of m.classes) { c.bases.forEach(ex); [...c.attrs.values()].forEach(ex); [...(c.attrTypes?.values() ?? [])].forEach(ex); }
  for (const l of m.loops) ex(l.iter);
  return out;
}

function build(text: string, parts: boolean): FileModel {
  const tree = parsePython(text);
  try {
    return buildModel(tree, text, { module: 'pkg.m', isPackage: false }, undefined, parts ? new Map() : undefined);
  } finally {
    tree.delete();
  }
}

/** Where each name's lookup lands: the binding's kind and offset, and its scope. */
function lookups(m: FileModel): string[] {
  const r = new Resolver(m);
  return namesOf(m).map((e) => {
    const hit = r.lookup(e.n, scopeOf(e), offsetOf(e));
    return hit ? `${e.n}@${scopeOf(e)} -> ${hit.b.kind}:${hit.b.off}:${hit.scope.id}` : `${e.n}@${scopeOf(e)} -> none`;
  });
}

/**
 * Checks that the model holds one name object per (scope, text, count of bindings before it) and one
 * per string or number value, as shareNames makes them; returns the number of name occurrences.
 */
function checkSharing(m: FileModel): number {
  const before = (e: Name) => (m.scopes[scopeOf(e)].globals?.has(e.n) ? 0 : boundList(m.scopes[scopeOf(e)].bindings.get(e.n)).filter((b) => b.off !== -1 && b.off <= offsetOf(e)).length);
  const byKey = new Map<string, Set<Name>>();
  const keyOf = new Map<Name, string>();
  const names = namesOf(m);
  for (const e of names) {
    const key = `${scopeOf(e)}:${e.n}:${before(e)}`;
    if (!byKey.has(key)) byKey.set(key, new Set());
    byKey.get(key)!.add(e);
    const seen = keyOf.get(e);
    assert.ok(seen === undefined || seen === key, `one name object for ${seen} and ${key}`);
    keyOf.set(e, key);
  }
  for (const [key, set] of byKey) assert.equal(set.size, 1, `${set.size} name objects for ${key}`);
  return names.length;
}

describe('shared names (compact.ts shareNames)', () => {
  before(async () => { await initParser(); });

  it('every name of the rule fixtures and a generated router resolves as it does with a name object of its own', () => {
    const texts = readdirSync(RULES).filter((n) => n.endsWith('.py')).map((n) => readFileSync(join(RULES, n), 'utf8'));
    texts.push(routerModule(7, { bytes: 40_000 }));
    let names = 0;
    let shared = 0;
    let own = 0;
    for (const text of texts) {
      const whole = build(text, false);
      // The parts kept for an edited document: each name its own object (as built).
      const parts = build(text, true);
      checkSharing(whole);
      const a = lookups(whole);
      assert.deepEqual(a, lookups(parts));
      names += a.length;
      shared += new Set(namesOf(whole)).size;
      own += new Set(namesOf(parts)).size;
    }
    assert.ok(names > 5000, `${names} names`);
    assert.ok(shared < own * 0.8, `${shared} name objects shared, ${own} as built`);
  });

  it('shares the names of one scope with the same bindings before them, and no others', () => {
    const text = [
      'import db',
      'async def f(session):',
      '    db.a(session)',
      '    db.b(session)',
      '    db = other()',
      '    db.c()',
      '    [db.d(x) for x in db.e()]',
      'def g():',
      '    db.a()',
      'def h():',
      '    global db',
      '    db.a(); db.b()',
      'x = f("id", 200, "id", 201)',
      '',
    ].join('\n');
    const m = build(text, false);
    const callee = (name: string, nth = 0) => {
      const c = m.calls.filter((s: CallSite) => s.text === name)[nth];
      assert.ok(c && c.callee.k === 'attr', name);
      const o = (c.callee as Extract<Expr, { k: 'attr' }>).o;
      assert.equal(o.k, 'name');
      return o as Name;
    };
    // In f: before `db = other()` one object; after it another (the rebinding is before it).
    assert.equal(callee('db.a', 0), callee('db.b', 0));
    assert.notEqual(callee('db.c'), callee('db.a', 0));
    assert.equal(offsetOf(callee('db.c')), text.indexOf('db.c'));
    // The comprehension is a scope of its own; `db.e()` is read in it too (scope of the comprehension).
    assert.notEqual(callee('db.d'), callee('db.c'));
    // `session` passed twice: one object.
    const [s1, s2] = [m.calls.find((c) => c.text === 'db.a')!.args[0], m.calls.find((c) => c.text === 'db.b')!.args[0]];
    assert.equal(s1, s2);
    // Another function's `db` is another scope's name; `global db` reads the module: shared within h.
    assert.notEqual(callee('db.a', 1), callee('db.a', 0));
    assert.equal(callee('db.a', 2), callee('db.b', 1));
    assert.notEqual(callee('db.a', 2), callee('db.a', 1));
    assert.deepEqual(lookups(m), lookups(build(text, true)));
    // Constants hold no position: equal ones are one object, others stay apart.
    const args = m.calls.find((c) => c.text === 'f')!.args;
    assert.deepEqual(args.map((a) => (a.k === 'str' || a.k === 'num' ? a.v : a.k)), ['id', 200, 'id', 201]);
    assert.equal(args[0], args[2]);
    assert.notEqual(args[1], args[3]);
  });

  it('shares names as they are made exactly as shareNames would, also where the walk binds a name after reading one it changes', () => {
    const texts = [
      // A `for` target and a class are bound before their iterable and bases are read.
      'def f(x):\n    x = 1\n    g(x)\n    for x in h(x):\n        g(x)\n    g(x)\n',
      'class A:\n    pass\nclass A(A):\n    a = A\nx = A()\n',
      // A walrus in arguments binds after the call read the names after it; a `global` after a use:
      // the model is built again and shared afterwards.
      'def f():\n    y = 0\n    g(y, y := h(), y)\n    g(y)\n',
      'x = [(m := f()), m, m]\nprint(m)\n',
      'def f():\n    x.a()\n    global x\n    x.b()\nx = 1\nx.c()\n',
      // Constants: equal ones one object.
      'f("a", 1, "a", 1.0, 2, "b")\ng("a", 2)\n',
    ];
    for (const text of texts) {
      const whole = build(text, false);
      assert.ok(checkSharing(whole) >= 2, text);
      assert.deepEqual(lookups(whole), lookups(build(text, true)), text);
    }
    const consts = build(texts[5], false).calls.flatMap((c) => c.args);
    assert.equal(consts[0], consts[2]);
    assert.equal(consts[0], consts[6]);
    assert.equal(consts[1], consts[3]);
    assert.equal(consts[4], consts[7]);
    assert.notEqual(consts[0], consts[5]);
    // `for x in h(x)`: the `x` read by h() is the loop's (a second binding before it), not the one before the loop.
    const m = build(texts[0], false);
    const xs = m.calls.filter((c) => c.text === 'g' || c.text === 'h').map((c) => c.args[0] as Name);
    assert.equal(xs.length, 4);
    assert.notEqual(xs[0], xs[1]);
    assert.equal(xs[1], xs[2]);
    assert.equal(xs[2], xs[3]);
  });

  it('makes one attribute expression per object and name, and one constant per short value for every model', () => {
    const text = 'async def f(self, other):\n    self.db.q(1)\n    self.db.q("x")\n    other.db.q()\n    self.cache.q()\n    self.db = 2\n    self.db.q()\n';
    const m = build(text, false);
    const callees = m.calls.map((c) => c.callee as Extract<Expr, { k: 'attr' }>);
    assert.deepEqual(m.calls.map((c) => c.text), ['self.db.q', 'self.db.q', 'other.db.q', 'self.cache.q', 'self.db.q']);
    assert.equal(callees[0], callees[1], 'self.db.q twice: one expression');
    assert.equal(callees[0].o, callees[1].o, 'and one self.db');
    assert.notEqual(callees[2], callees[0], 'other.db.q: another object');
    assert.notEqual(callees[3].o, callees[0].o, 'self.cache: another name');
    // `self.db = 2` binds no name (an attribute target): `self` resolves alike after it, so one expression still.
    assert.equal(callees[4], callees[0]);
    // A rebinding of the object's name makes another name, so another attribute.
    const g = build('def g(db):\n    db.q()\n    db = h()\n    db.q()\n', false);
    assert.notEqual(g.calls[0].callee, g.calls[2].callee);
    // Constants: one object per short value across models; a long string per model.
    const long = 'x'.repeat(60);
    const a = build(`f("ab", 7, "${long}")\n`, false).calls[0].args;
    const b = build(`g("ab", 7, "${long}")\n`, false).calls[0].args;
    assert.equal(a[0], b[0]);
    assert.equal(a[1], b[1]);
    assert.deepEqual(a[2], b[2]);
    assert.notEqual(a[2], b[2]);
  });
});
