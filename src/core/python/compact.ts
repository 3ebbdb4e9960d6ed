// A scan keeps every file's model until the cross-file pass and the fixes are done, so what a model
// holds is most of a cold scan's heap. Once a model is complete, compactModel makes it smaller
// without changing what it holds:
// - arrays filled with push() keep spare capacity (an array that grew from [] to one element has
//   room for 17): they are replaced by copies of their exact length, each shared array still shared
//   (call arguments, subscripts, list items and the names of other expressions are built exactly
//   sized and kept);
// - equal short strings of all models become one string (python/intern.ts): the builder interns the
//   names it reads, this interns the strings it composes (qualified names, import targets, literals);
// - empty argument lists and keyword maps become one frozen empty array and object.
// The intern table lives as long as the process (a language server too): at most MAX_INTERNED
// strings of at most MAX_INTERN_LENGTH characters (under 10 MB with its table).
// On the benchmark the 500 models took 65.7 MB of heap compacted, 71.8 MB as built (67.7 and 91.8 MB
// before names were interned and expression lists exactly sized while building); 58.0 MB with the
// names and constants shared (shareNames below, bench/modelHeap.ts).
// Only for models nothing rebuilds in place: an open document's parts are shared with its next model.
import { intern } from './intern';
import type { Expr } from './ir';
import type { Binding, FileModel, Param } from './model';

/** Shared by every compacted model; frozen, so code that tried to add to one would fail loudly in tests. */
const NO_EXPRS: Expr[] = Object.freeze([]) as unknown as Expr[];
const NO_KW: Record<string, Expr> = Object.freeze({}) as Record<string, Expr>;

class Compactor {
  /**
   * A call site's arguments and keywords are the very array and object of its call expression
   * (which a binding or an enclosing call can hold too): old -> compacted, so both keep sharing one.
   */
  private callParts = new Map<object, object>();

  /** The call sites' arguments first (see callParts); every call expression met later reuses them. */
  callSite(call: { args: Expr[]; kw: Record<string, Expr> }): void {
    const args = this.exact(call.args);
    this.callParts.set(call.args, args);
    call.args = args;
    const kw = this.kw(call.kw);
    this.callParts.set(call.kw, kw);
    call.kw = kw;
  }

  exprs(a: Expr[]): Expr[] {
    if (a.length === 0) return NO_EXPRS;
    for (let i = 0; i < a.length; i++) this.expr(a[i]);
    return a.slice();
  }

  /** A list the builder made exactly sized (arguments, items, subscripts: exprBuilder.ts takeFrom): kept. */
  exact(a: Expr[]): Expr[] {
    if (a.length === 0) return NO_EXPRS;
    for (let i = 0; i < a.length; i++) this.expr(a[i]);
    return a;
  }

  kw(o: Record<string, Expr>): Record<string, Expr> {
    let any = false;
    for (const k in o) { any = true; this.expr(o[k]); }
    return any ? o : NO_KW;
  }

  expr(e: Expr | undefined): void {
    // Iterative along the spine (attribute chains, callees) and recursive into the rest.
    while (e) {
      switch (e.k) {
        // Names and attributes were interned by the builder (exprBuilder.ts str).
        case 'name': return;
        case 'attr': e = e.o; continue;
        case 'call': {
          const args = this.callParts.get(e.args) as Expr[] | undefined;
          // A call site's expression: its arguments were compacted with the call site.
          if (args) { e.args = args; e.kw = (this.callParts.get(e.kw) as Record<string, Expr> | undefined) ?? this.kw(e.kw); } else if (e.args !== NO_EXPRS || e.kw !== NO_KW) { e.args = this.exact(e.args); e.kw = this.kw(e.kw); }
          e = e.f;
          continue;
        }
        case 'sub': e.i = this.exact(e.i); e = e.o; continue;
        case 'op': this.expr(e.l); e = e.r; continue;
        case 'list': e.items = this.exact(e.items); return;
        case 'await': e = e.e; continue;
        case 'str': e.v = intern(e.v); return;
        case '?':
          e = e.elem;
          continue;
        default: return;
      }
    }
  }

  binding(b: Binding): void {
    if (b.q !== undefined) b.q = intern(b.q);
    this.expr(b.expr);
    this.expr(b.annotation);
  }

  param(p: Param): void {
    this.expr(p.annotation);
    this.expr(p.default);
  }
}

/** Compacts the model in place (see the file comment); returns the model. */
export function compactModel(model: FileModel): FileModel {
  const c = new Compactor();
  for (const call of model.calls) {
    c.expr(call.callee);
    c.callSite(call);
    call.text = intern(call.text);
  }
  for (const scope of model.scopes) {
    // A name bound once has a list of one, exactly sized already (builder.ts bind).
    for (const [name, list] of scope.bindings) {
      for (const b of list) c.binding(b);
      if (list.length > 1) scope.bindings.set(name, list.slice());
    }
  }
  for (const fn of model.functions) {
    fn.calls = fn.calls.slice();
    for (const p of fn.params) c.param(p);
    fn.params = fn.params.slice();
    fn.decorators = c.exprs(fn.decorators);
    fn.returns = c.exprs(fn.returns);
    c.expr(fn.returnAnnotation);
  }
  for (const cls of model.classes) {
    cls.bases = c.exprs(cls.bases);
    for (const e of cls.attrs.values()) c.expr(e);
    if (cls.attrTypes) for (const e of cls.attrTypes.values()) c.expr(e);
  }
  for (const loop of model.loops) {
    loop.targets = loop.targets.slice();
    c.expr(loop.iter);
  }
  model.scopes = model.scopes.slice();
  model.functions = model.functions.slice();
  model.classes = model.classes.slice();
  model.calls = model.calls.slice();
  model.loops = model.loops.slice();
  model.imports = model.imports.slice();
  model.lineStarts = model.lineStarts.slice();
  return model;
}

/**
 * One name expression for all the names of a whole-file model that resolve alike: a name is read only
 * by resolution (Resolver.lookup: its scope, its text, and which of its scope's bindings of that name
 * come before its offset), so two names of one scope with the same text and the same bindings before
 * them are interchangeable, and the second is replaced by the first wherever it is held. On the
 * 500-file benchmark this halves the name expressions (151k -> 76k). Equal string and number
 * constants become one object too. Only for models built from a
 * whole file at once (names without a segment header), once every binding is known; an edited
 * document's parts keep their own names, which their statement's header translates.
 */
export function shareNames(model: FileModel): void {
  const s = new NameSharer(model);
  try {
    for (const call of model.calls) {
      call.callee = s.expr(call.callee);
      s.list(call.args);
      s.kw(call.kw);
      if (call.narrow) s.list(call.narrow);
    }
    for (const scope of model.scopes) {
      for (const list of scope.bindings.values()) {
        for (const b of list) {
          if (b.expr) b.expr = s.expr(b.expr);
          if (b.annotation) b.annotation = s.expr(b.annotation);
        }
      }
    }
    for (const fn of model.functions) {
      for (const p of fn.params) {
        if (p.annotation) p.annotation = s.expr(p.annotation);
        if (p.default) p.default = s.expr(p.default);
      }
      s.list(fn.decorators);
      s.list(fn.returns);
      if (fn.returnAnnotation) fn.returnAnnotation = s.expr(fn.returnAnnotation);
    }
    for (const cls of model.classes) {
      s.list(cls.bases);
      for (const [k, e] of cls.attrs) { const c = s.expr(e); if (c !== e) cls.attrs.set(k, c); }
      if (cls.attrTypes) for (const [k, e] of cls.attrTypes) { const c = s.expr(e); if (c !== e) cls.attrTypes.set(k, c); }
    }
    for (const loop of model.loops) loop.iter = s.expr(loop.iter);
  } finally {
    s.done();
  }
}

type NameExpr = Extract<Expr, { k: 'name' }>;

/**
 * NameSharer's chains (see there), shared by every call (shareNames runs to its end before the next
 * one): per entry its scope, its count of bindings before it and the next entry, grown as needed and
 * reused, so a model's sharing allocates no arrays of its own. `chainNames` is emptied after each
 * call, so it keeps no model alive.
 */
let chainScope = new Int32Array(1 << 12);
let chainBefore = new Int32Array(1 << 12);
let chainNext = new Int32Array(1 << 12);
const chainNames: NameExpr[] = [];
const chainHeads = new Map<string, number>();

class NameSharer {
  private strs = new Map<string, Expr>();
  private nums = new Map<number, Expr>();

  constructor(private model: FileModel) {}

  /** Lets go of the names (see chainNames). */
  done(): void {
    chainNames.length = 0;
    chainHeads.clear();
  }

  /** `e` with its names replaced by the first of their kind (in place: the IR is a tree of plain objects, at most MAX_IR_DEPTH deep). */
  expr(e: Expr): Expr {
    switch (e.k) {
      case 'name': return this.name(e);
      case 'attr': { const o = this.expr(e.o); if (o !== e.o) e.o = o; return e; }
      case 'call': { const f = this.expr(e.f); if (f !== e.f) e.f = f; this.list(e.args); this.kw(e.kw); return e; }
      case 'sub': { const o = this.expr(e.o); if (o !== e.o) e.o = o; this.list(e.i); return e; }
      case 'op': { const l = this.expr(e.l); if (l !== e.l) e.l = l; const r = this.expr(e.r); if (r !== e.r) e.r = r; return e; }
      case 'list': this.list(e.items); return e;
      case 'await': { const x = this.expr(e.e); if (x !== e.e) e.e = x; return e; }
      case '?': { if (e.elem) { const x = this.expr(e.elem); if (x !== e.elem) e.elem = x; } return e; }
      // A constant holds no position: one object per value.
      case 'str': { const seen = this.strs.get(e.v); if (seen) return seen; this.strs.set(e.v, e); return e; }
      case 'num': { const seen = this.nums.get(e.v); if (seen) return seen; this.nums.set(e.v, e); return e; }
      default: return e;
    }
  }

  list(a: Expr[]): void {
    for (let i = 0; i < a.length; i++) { const x = this.expr(a[i]); if (x !== a[i]) a[i] = x; }
  }

  kw(o: Record<string, Expr>): void {
    for (const k in o) { const x = this.expr(o[k]); if (x !== o[k]) o[k] = x; }
  }

  private name(e: NameExpr): NameExpr {
    // What Resolver.lookup reads of a name's offset: how many of its own scope's bindings of that
    // name (those with an offset; a `global` declaration sends the lookup to the module, unfiltered)
    // are at or before it.
    if (e.seg) return e;
    const scope = this.model.scopes[e.scope];
    let before = 0;
    if (scope && !scope.globals?.has(e.n)) {
      const list = scope.bindings.get(e.n);
      if (list) for (let i = 0; i < list.length; i++) { const off = list[i].off; if (off !== -1 && off <= e.off) before++; }
    }
    // The first name met per (scope, bindings before, text): by text, the head of a chain of entries,
    // most recently used first, so the names of one scope, met together, are found at once.
    const head = chainHeads.get(e.n);
    let prev = -1;
    for (let j = head ?? -1; j >= 0; prev = j, j = chainNext[j]) {
      if (chainScope[j] !== e.scope || chainBefore[j] !== before) continue;
      // Found: moved to the front of its chain.
      if (prev >= 0) { chainNext[prev] = chainNext[j]; chainNext[j] = head!; chainHeads.set(e.n, j); }
      return chainNames[j];
    }
    const j = chainNames.length;
    if (j === chainScope.length) {
      const grow = (a: Int32Array) => { const g = new Int32Array(a.length * 2); g.set(a); return g; };
      chainScope = grow(chainScope); chainBefore = grow(chainBefore); chainNext = grow(chainNext);
    }
    chainNames.push(e);
    chainScope[j] = e.scope;
    chainBefore[j] = before;
    chainNext[j] = head ?? -1;
    chainHeads.set(e.n, j);
    return e;
  }
}
