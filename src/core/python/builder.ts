// Builds the model of one top-level statement (scopes, bindings, functions, classes, call sites,
// loops) in one pre-order pass over its flat tree (python/flatTree.ts). A stack of open containers
// (function, class, lambda, comprehension, loop) gives each node its context, so no recursive walk is
// needed and deeply nested code cannot overflow the stack.
import { copyString as copyStringImport } from '../parser';
import { ExprBuilder, K as KIND_IDS, NO_EXPRS as NO_EXPRS_IMPORT, resetCalls as resetCallsImport, resetPending as resetPendingImport } from './exprBuilder';
import { intern as internImport, MAX_INTERN_LENGTH } from './intern';
import { type Expr, namesList as namesListImport, readableCallee as readableCalleeImport, UNKNOWN as UNKNOWN_IMPORT } from './ir';
import { AnnotationBinding, type BuildOptions, CallSite, ClassBinding, DefBinding, ImportBinding, ImportRecord, ValueBinding, type ClassInfo, type FileModel, FN_SLOTS, FunctionInfo, LoopInfo, LOOP_SLOTS, type Param, ParamBinding, Scope, SmallMap, SmallSet, type Binding, isList as isListImport, SiteBlock } from './modelTypes';
import { NameTable } from './compact';
import { emptyModel } from './parts';
import { relativeImportTarget } from './sourceRoots';

// Names used per node are bound locally: where the sources run through a CommonJS transform (tsx:
// the tests and `npm run bench`), every use of an imported name is a getter call; the bundle is not affected.
const K = KIND_IDS;
const copyString = copyStringImport;
const namesList = namesListImport;
const readableCallee = readableCalleeImport;
const UNKNOWN = UNKNOWN_IMPORT;
const intern = internImport;
const resetPending = resetPendingImport;
const resetCalls = resetCallsImport;
const isList = isListImport;
const NO_EXPRS = NO_EXPRS_IMPORT;

interface Container { kind: 'fn' | 'class' | 'comp' | 'loop'; start: number; end: number; id: number; scope?: number }

export type { BuildOptions };

/**
 * What run() does at a node, by kind. A local enum: its case labels are constants however the source
 * is compiled (labels read from the imported kinds had no type feedback until a late case was first
 * reached, and each such first use deoptimised the whole walk).
 */
const enum Act {
  none, def, cls, lambda, comp, forIn, forStatement, whileStatement, call, await, imports, importFrom, assign, augAssign,
  walrus, with, withItem, returns, yields, global, breaks, tries, comment, error,
}
const ACT = new Uint8Array(256);
for (const [kind, act] of [
  [K.function_definition, Act.def], [K.class_definition, Act.cls], [K.lambda, Act.lambda], [K.list_comprehension, Act.comp],
  [K.set_comprehension, Act.comp], [K.dictionary_comprehension, Act.comp], [K.generator_expression, Act.comp], [K.for_in_clause, Act.forIn],
  [K.for_statement, Act.forStatement], [K.while_statement, Act.whileStatement], [K.call, Act.call], [K.await, Act.await],
  [K.import_statement, Act.imports], [K.import_from_statement, Act.importFrom], [K.assignment, Act.assign],
  [K.augmented_assignment, Act.augAssign], [K.named_expression, Act.walrus], [K.with_statement, Act.with], [K.with_item, Act.withItem],
  [K.return_statement, Act.returns], [K.yield, Act.yields], [K.global_statement, Act.global], [K.nonlocal_statement, Act.global],
  [K.break_statement, Act.breaks], [K.try_statement, Act.tries], [K.comment, Act.comment], [K.ERROR, Act.error],
] as const) ACT[kind] = act;

export class ModelBuilder extends ExprBuilder {
  model!: FileModel;
  private stack: Container[] = [];
  /** The numbers of this build's call sites (see CallSite). */
  private sites!: SiteBlock;
  /** The numbers of this build's functions (see FunctionInfo). */
  private fns!: SiteBlock;
  /** The loops' numbers (see LoopInfo). */
  private loopBlock!: SiteBlock;
  private forIterables = new Set<number>();
  /**
   * The start of the last call that is a whole expression statement: the calls that start there are
   * it and the calls on its leftmost path (`f()()`), and the walk visits those right after it, before
   * any other call (a call holds no statement), so one offset tells them.
   */
  private stmtStart = -1;
  /** The texts of the callees inside the last long callee read (calleeTextOf), by length, and where it starts. */
  private callees?: { start: number; texts: Map<number, string> };

  /** `share`: a whole-file build shares its names and constants as it makes them (see NameTable, and sharedExactly). */
  init(opts: BuildOptions, share = false): this {
    this.model = emptyModel(opts, []);
    this.selfBindings = [];
    this.callees = undefined;
    // A whole file's call sites: about one per 70 characters of source (62k in 4.4M on the benchmark),
    // its functions one per 380 (11.5k); one statement of an open document starts small.
    this.sites = new SiteBlock(this.header ? 4 : (this.text.length / 64) | 0);
    this.fns = new SiteBlock(this.header ? 1 : (this.text.length / 384) | 0, FN_SLOTS);
    this.loopBlock = new SiteBlock(this.header ? 1 : (this.text.length / 512) | 0, LOOP_SLOTS);
    if (share && !this.header) this.shared = new NameTable(this.model.scopes);
    return this;
  }

  /**
   * After the last statement of a build with `share`: whether the names were shared as shareNames
   * shares them (false: a binding came after a name it changes, and the model must be built again
   * without sharing, see NameTable). Lets go of the table either way.
   */
  sharedExactly(): boolean {
    const t = this.shared;
    if (!t) return false;
    t.done();
    this.shared = undefined;
    return !t.stale;
  }

  /**
   * Every node of the statement rooted at `root`, in source order (an outer node before an inner
   * one that starts at the same offset). Only the named node kinds below are read.
   */
  run(root: number): void {
    // Everything below is keyed by node index or offset, and read only within the statement
    // (clear() gives a Map or Set a new table: most statements leave them empty).
    if (this.exits.size) this.exits.clear();
    resetCalls();
    if (this.forIterables.size) this.forIterables.clear();
    this.stmtStart = -1;
    resetPending();
    const firstFn = this.model.functions.length;
    const firstCall = this.model.calls.length;
    const end = this.L[root];
    const type = this.type;
    const namedOf = this.namedOf;
    const kindOf = this.kindOf;
    for (let n = root; n < end; n++) {
      const id = type[n];
      if (namedOf[id] !== 1) continue;
      const act = ACT[kindOf[id]];
      if (act === Act.none) continue;
      this.closeUntil(this.S[n]);
      switch (act) {
        case Act.def: this.onDef(n); break;
        case Act.cls: this.onClass(n); break;
        case Act.lambda: this.onLambda(n); break;
        case Act.comp: this.onComp(n); break;
        case Act.forIn: this.onForIn(n); break;
        case Act.forStatement: this.onFor(n); break;
        case Act.whileStatement: this.onWhile(n); break;
        case Act.call: {
          const p = this.P[n];
          if (p >= 0 && this.kind(p) === K.expression_statement && this.isNamed(p)) this.stmtStart = this.S[n];
          this.onCall(n, p >= 0 && this.kind(p) === K.await && this.isNamed(p));
          break;
        }
        case Act.await: this.markAwait(); break;
        case Act.imports: this.onImport(n); break;
        case Act.importFrom: this.onImportFrom(n); break;
        case Act.assign: this.onAssign(n); break;
        case Act.augAssign: this.onAugAssign(n); break;
        case Act.walrus: this.onWalrus(n); break;
        case Act.with: if (this.text.startsWith('async', this.S[n])) this.markAwait(); break;
        case Act.withItem: this.onWithItem(n); break;
        case Act.returns: this.onReturn(n, false); break;
        case Act.yields: this.onReturn(n, true); break;
        case Act.global: this.onGlobal(n); break;
        case Act.breaks: this.onBreak(); break;
        case Act.tries: { const l = this.innermostLoop(); if (l) l.hasTry = true; break; }
        case Act.comment: this.onComment(n); break;
        case Act.error: {
          if (this.model.syntaxErrors.length < 50) { const r = this.row(this.S[n]); this.model.syntaxErrors.push({ line: r + 1, column: this.column(this.S[n], r) + 1 }); }
          break;
        }
        default: break;
      }
    }
    this.fillCalls(firstFn, firstCall);
  }

  /**
   * Gives each function of the statement just read (ids from `firstFn`) the ids of its call sites
   * (from `firstCall`; a function's calls are all in its own statement), in order, in a list of
   * exactly their number (one grown by push per call kept room for 17 and grew again from there).
   */
  private fillCalls(firstFn: number, firstCall: number): void {
    const fns = this.model.functions;
    const calls = this.model.calls;
    const nf = fns.length - firstFn;
    if (nf === 0 || firstCall === calls.length) return;
    if (callsFrom.length <= nf) { callsFrom = new Int32Array(nf * 2 + 1); callsAt = new Int32Array(nf * 2 + 1); }
    callsFrom.fill(0, 0, nf + 1);
    for (let i = firstCall; i < calls.length; i++) { const f = calls[i].fn; if (f >= firstFn) callsFrom[f - firstFn + 1]++; }
    for (let k = 0; k < nf; k++) { callsFrom[k + 1] += callsFrom[k]; callsAt[k] = callsFrom[k]; }
    const total = callsFrom[nf];
    if (total === 0) return;
    if (callIds.length < total) for (let k = callIds.length; k < total; k++) callIds.push(0);
    for (let i = firstCall; i < calls.length; i++) { const f = calls[i].fn; if (f >= firstFn) callIds[callsAt[f - firstFn]++] = calls[i].id; }
    for (let k = 0; k < nf; k++) if (callsFrom[k + 1] > callsFrom[k]) fns[firstFn + k].calls = callIds.slice(callsFrom[k], callsFrom[k + 1]);
  }

  // ---- context -------------------------------------------------------------------------------

  private closeUntil(offset: number): void {
    while (this.stack.length && this.stack[this.stack.length - 1].end <= offset) this.stack.pop();
  }

  /** The scope a node at `offset` binds into and resolves from. */
  private currentScope(offset: number): number {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.scope !== undefined && offset >= c.start) return c.scope;
    }
    return 0;
  }

  private currentFn(offset: number): number {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' && offset >= c.start) return c.id;
      if (c.kind === 'class' && offset >= c.start) return -1;
    }
    return -1;
  }

  private innermostLoop(offset = Infinity): LoopInfo | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' || c.kind === 'class') return undefined;
      if (c.kind === 'loop' && offset >= c.start) return this.model.loops[c.id];
    }
    return undefined;
  }

  private loopsInFn(): readonly LoopInfo[] {
    let out: LoopInfo[] | undefined;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' || c.kind === 'class') break;
      if (c.kind === 'loop') (out ??= []).push(this.model.loops[c.id]);
    }
    return out ?? NO_LOOPS;
  }

  /**
   * A new scope; a function's or class's gets its id (`fn` / `cls`) in the same literal, so it holds
   * it in the object itself, not in a property store added afterwards.
   */
  private newScope(kind: Scope['kind'], parent: number, owner = -1): Scope {
    const id = this.model.scopes.length;
    const s = new Scope(id, kind, parent, owner);
    this.model.scopes.push(s);
    return s;
  }

  /** Records that `name` is assigned in the body of loop `l` (its set is made on the first one). */
  private assignIn(l: LoopInfo, name: string): void {
    if (l.assigned === NO_NAMES) l.assigned = new SmallSet();
    l.assigned.add(name);
  }

  private bind(scope: number, name: string, b: Binding): void {
    const s = this.model.scopes[scope];
    const target = s.globals?.has(name) ? this.model.scopes[0] : s;
    if (this.shared && b.off !== -1) this.shared.bound(target.id, name, b.off);
    const prev = target.bindings.get(name);
    // Most names are bound once: the binding itself (see Bound); a second makes a list of two.
    if (prev === undefined) target.bindings.set(name, b);
    else if (isList(prev)) prev.push(b);
    else target.bindings.set(name, [prev, b]);
  }

  private markAwait(): void {
    for (const l of this.loopsInFn()) l.yields = true;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn') { this.model.functions[c.id].hasAwait = true; return; }
      if (c.kind === 'class') return;
    }
  }

  /** Interned (python/intern.ts) when short, as the bindings that hold it were by compactModel before. */
  private qnameFor(name: string): string {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn') return intern(`${this.model.functions[c.id].qname}.${name}`);
      if (c.kind === 'class') return intern(`${this.model.classes[c.id].qname}.${name}`);
    }
    return intern(`${this.model.module}.${name}`);
  }

  private enclosingClass(): number {
    const top = this.stack[this.stack.length - 1];
    return top && top.kind === 'class' ? top.id : -1;
  }

  // ---- definitions ---------------------------------------------------------------------------

  /**
   * Registers a def or lambda, opens its scope and makes its body the current container. The
   * function's fields are given one by one and written in one literal (an object spread into a
   * literal is copied property by property through a generic path).
   */
  private openFunction(n: number, body: number, name: string, qname: string, isLambda: boolean, isAsync: boolean, nameStart: number, nameEnd: number,
    defKeywordStart: number, cls: number, decorators: Expr[]): FunctionInfo {
    const start = this.S[n];
    const row = this.row(start);
    const bodyStart = this.S[body];
    // No parameters, returns or calls until readParams, onReturn and fillCalls give exact lists (frozen shared empties before).
    const fn = new FunctionInfo(this.fns, name, qname, decorators, NO_PARAMS, NO_EXPRS, NO_CALL_IDS);
    fn.id = this.model.functions.length;
    if (isAsync) fn.isAsync = true;
    if (isLambda) fn.isLambda = true;
    fn.line = row + 1;
    fn.column = this.column(start, row) + 1;
    fn.start = start;
    fn.end = this.E[n];
    fn.nameStart = nameStart;
    fn.nameEnd = nameEnd;
    fn.bodyStart = bodyStart;
    fn.asyncStart = isAsync ? start : -1;
    fn.defKeywordStart = defKeywordStart;
    fn.scope = -1;
    fn.parentFn = this.currentFn(start);
    fn.cls = cls;
    fn.bodyIndent = isLambda ? 0 : this.column(bodyStart);
    this.model.functions.push(fn);
    const scope = this.newScope('function', this.currentScope(start), fn.id);
    fn.scope = scope.id;
    this.stack.push({ kind: 'fn', start: bodyStart, end: this.E[n], id: fn.id, scope: scope.id });
    return fn;
  }

  private onDef(n: number): void {
    const nameNode = this.child(n, this.F.name);
    const body = this.child(n, this.F.body);
    if (nameNode < 0 || body < 0) return;
    const name = this.str(nameNode);
    const outerScope = this.currentScope(this.S[n]);
    const cls = this.enclosingClass();
    const isAsync = this.text.startsWith('async', this.S[n]);
    let decorators: Expr[] = NO_EXPRS;
    const parent = this.P[n];
    if (parent >= 0 && this.kind(parent) === K.decorated_definition) {
      // Pended and taken as one exactly sized list (an array grown by push keeps room for 17).
      const base = this.pendBase();
      for (let d = parent + 1, end = this.L[parent]; d < end; d = this.L[d]) {
        if (this.namedOf[this.type[d]] !== 1 || this.kind(d) !== K.decorator) continue;
        const e = this.firstNamedChild(d);
        if (e >= 0) this.pend(this.ir(e, outerScope));
      }
      decorators = this.taken(base);
    }
    const qname = this.qnameFor(name);
    // `async def`: the `def` keyword (a token the flat tree does not keep) is the second child.
    const defKeywordStart = isAsync ? this.afterAsync(this.S[n]) : this.S[n];
    const fn = this.openFunction(n, body, name, qname, false, isAsync, this.S[nameNode], this.E[nameNode], defKeywordStart, cls, decorators);
    // A whole-file build's function is its name's binding too (FunctionInfo.kind); opening it read no expression.
    this.bind(outerScope, name, this.shared ? fn : new DefBinding(this.S[n], qname));
    if (cls >= 0) this.model.classes[cls].methods.set(name, fn.id);
    const params = this.child(n, this.F.parameters);
    if (params >= 0) this.readParams(params, fn, outerScope, cls >= 0 && !decorators.some(isStaticDecorator));
    const ret = this.child(n, this.F.return_type);
    if (ret >= 0) fn.returnAnnotation = this.annotationOf(ret, outerScope);
  }

  /**
   * Where the definition's second child, the token after the `async` keyword at `at`, starts: past
   * blanks (`def`, or a line continuation or comment before it, as the tree has them), or at the
   * definition's start when nothing follows.
   */
  private afterAsync(at: number): number {
    const text = this.text;
    let i = at + 5;
    for (; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 32 && ch !== 9 && ch !== 12 && ch !== 10 && ch !== 13) break;
    }
    return i < text.length ? i : at;
  }

  /** The annotation of a `type` field: its first named child, or the node itself. */
  private annotationOf(t: number, scope: number): Expr {
    const inner = this.firstNamedChild(t);
    return this.ir(inner >= 0 ? inner : t, scope);
  }

  /** The bindings of `self` by class id: one for all the methods of a class (it holds no offset: -1). */
  private selfBindings: Binding[] = [];

  private selfBinding(cls: number): Binding {
    return (this.selfBindings[cls] ??= { kind: 'self', off: -1, q: this.model.classes[cls].qname });
  }

  private readParams(params: number, fn: FunctionInfo, outerScope: number, isMethod: boolean): void {
    let first = true;
    // Collected in a scratch list, then copied exactly sized (a list grown by push keeps room for 17).
    let count = 0;
    for (let p = params + 1, end = this.L[params]; p < end; p = this.L[p]) {
      if (this.namedOf[this.type[p]] !== 1) continue;
      let name: string | undefined;
      let annotation: Expr | undefined;
      let dflt: Expr | undefined;
      let star = false;
      switch (this.kind(p)) {
        case K.identifier: name = this.str(p); break;
        case K.typed_parameter: {
          const id = this.namedChildOfKind(p, K.identifier, K.identifier);
          const splat = this.namedChildOfKind(p, K.list_splat_pattern, K.dictionary_splat_pattern);
          name = id >= 0 ? this.str(id) : splat >= 0 ? this.textOf(this.firstNamedChild(splat)) : undefined;
          star = splat >= 0;
          const t = this.child(p, this.F.type);
          if (t >= 0) annotation = this.annotationOf(t, outerScope);
          break;
        }
        case K.default_parameter:
        case K.typed_default_parameter: {
          name = this.textOf(this.child(p, this.F.name));
          const t = this.child(p, this.F.type);
          if (t >= 0) annotation = this.annotationOf(t, outerScope);
          const v = this.child(p, this.F.value);
          if (v >= 0) dflt = this.ir(v, outerScope);
          break;
        }
        case K.list_splat_pattern:
        case K.dictionary_splat_pattern:
          name = this.textOf(this.firstNamedChild(p)); star = true; break;
        default: break;
      }
      if (!name) continue;
      const param = new ParamBinding(name, annotation, dflt, star);
      paramScratch[count++] = param;
      const selfLike = first && isMethod && !fn.decorators.some(isClassMethodDecorator);
      if (selfLike) this.bind(fn.scope, name, this.selfBinding(fn.cls));
      else this.bind(fn.scope, name, param);
      first = false;
    }
    if (count === 0) return;
    fn.params = paramScratch.slice(0, count);
    paramScratch.fill(NO_PARAM, 0, count);
  }

  private onClass(n: number): void {
    const nameNode = this.child(n, this.F.name);
    const body = this.child(n, this.F.body);
    if (nameNode < 0 || body < 0) return;
    const outerScope = this.currentScope(this.S[n]);
    const name = this.str(nameNode);
    const cls: ClassInfo = {
      id: this.model.classes.length,
      name,
      qname: this.qnameFor(name),
      bases: NO_EXPRS,
      scope: -1,
      line: this.row(this.S[n]) + 1,
      methods: new SmallMap(),
      attrs: new SmallMap(),
    };
    this.model.classes.push(cls);
    this.bind(outerScope, cls.name, new ClassBinding(this.S[n], cls.qname));
    // The bases are read after the class is bound (they sit after its start, so `class A(A)` reads
    // the new binding's count: see NameTable); reading them binds nothing.
    const supers = this.child(n, this.F.superclasses);
    if (supers >= 0) {
      const base = this.pendBase();
      for (let a = supers + 1, end = this.L[supers]; a < end; a = this.L[a]) if (this.isNamed(a) && this.kind(a) !== K.keyword_argument) this.pend(this.ir(a, outerScope));
      cls.bases = this.taken(base);
    }
    const scope = this.newScope('class', outerScope, cls.id);
    cls.scope = scope.id;
    this.stack.push({ kind: 'class', start: this.S[body], end: this.E[n], id: cls.id, scope: scope.id });
  }

  private onLambda(n: number): void {
    const body = this.child(n, this.F.body);
    if (body < 0) return;
    const start = this.S[n];
    const fn = this.openFunction(n, body, '<lambda>', this.qnameFor(`<lambda:${this.row(start) + 1}>`), true, false, start, start, start, -1, []);
    const params = this.child(n, this.F.parameters);
    if (params >= 0) {
      for (const p of this.namedChildren(params)) {
        let name: string | undefined;
        if (this.kind(p) === K.identifier) name = this.str(p);
        else {
          const named = this.child(p, this.F.name);
          name = named >= 0 ? this.str(named) : this.textOf(this.firstNamedChild(p));
        }
        if (name) this.bind(fn.scope, name, { kind: 'opaque', off: -1 });
      }
    }
  }

  private onComp(n: number): void {
    const outer = this.currentScope(this.S[n]);
    const scope = this.newScope('comp', outer);
    const loop = this.newLoop(n, 'comp', false, this.S[n]);
    this.stack.push({ kind: 'loop', start: this.S[n], end: this.E[n], id: loop.id, scope: scope.id });
  }

  private onForIn(n: number): void {
    const loop = this.innermostLoop(this.S[n]);
    const scope = this.currentScope(this.S[n]);
    const left = this.child(n, this.F.left);
    const right = this.child(n, this.F.right);
    if (this.text.startsWith('async', this.S[n])) { this.markAwait(); if (loop) loop.isAsync = true; }
    if (!loop || loop.kind !== 'comp') return;
    const iter = right >= 0 ? this.ir(right, scope) : undefined;
    if (iter && loop.iterText === '') { loop.iter = iter; loop.iterText = this.str(right); }
    const item = left >= 0 && this.kind(left) === K.identifier ? iter : undefined;
    if (left >= 0) for (const name of this.targetNames(left)) { loop.targets.push(name); this.bind(scope, name, item ? { kind: 'item', off: -1, expr: item } : { kind: 'opaque', off: -1 }); }
    // A list, set or dict comprehension iterates its source right away (a generator expression does not).
    const parent = this.P[n];
    if (right >= 0 && this.kind(right) === K.call && parent >= 0 && this.kind(parent) !== K.generator_expression) this.forIterables.add(this.S[right]);
  }

  private onFor(n: number): void {
    const body = this.child(n, this.F.body);
    const left = this.child(n, this.F.left);
    const right = this.child(n, this.F.right);
    if (body < 0) return;
    const isAsync = this.text.startsWith('async', this.S[n]);
    if (isAsync) this.markAwait();
    const scope = this.currentScope(this.S[n]);
    const loop = this.newLoop(n, 'for', isAsync, this.S[body]);
    const single = left >= 0 && this.kind(left) === K.identifier && right >= 0;
    // The targets are bound before the iterable is read (it sits after them, so `for x in f(x)` reads
    // the new binding's count: see NameTable); reading it binds nothing. A single target's binding
    // holds the iterable, filled in once read.
    let item: Binding | undefined;
    if (left >= 0) {
      for (const name of this.targetNames(left)) {
        loop.targets.push(name);
        const b: Binding = single ? (item = { kind: 'item', off: this.S[left], expr: UNKNOWN }) : { kind: 'opaque', off: this.S[left] };
        this.bind(scope, name, b);
      }
    }
    if (right >= 0) loop.iter = this.ir(right, scope);
    if (item) item.expr = loop.iter;
    if (right >= 0) {
      loop.iterText = this.str(right);
      if (this.kind(right) === K.call) this.forIterables.add(this.S[right]);
    }
    this.stack.push({ kind: 'loop', start: this.S[body], end: this.E[n], id: loop.id });
  }

  private onWhile(n: number): void {
    const body = this.child(n, this.F.body);
    if (body < 0) return;
    const loop = this.newLoop(n, 'while', false, this.S[body]);
    const cond = this.child(n, this.F.condition);
    if (cond >= 0) { loop.iter = this.ir(cond, this.currentScope(this.S[n])); loop.iterText = this.str(cond); }
    this.stack.push({ kind: 'loop', start: this.S[body], end: this.E[n], id: loop.id });
  }

  private newLoop(n: number, kind: LoopInfo['kind'], isAsync: boolean, bodyStart: number): LoopInfo {
    const parent = this.innermostLoop(this.S[n]);
    const loop = new LoopInfo(this.loopBlock, kind, [], UNKNOWN, '', NO_NAMES);
    loop.id = this.model.loops.length;
    if (isAsync) loop.isAsync = true;
    loop.fn = this.currentFn(this.S[n]);
    loop.parent = parent ? parent.id : -1;
    loop.start = this.S[n];
    loop.end = this.E[n];
    loop.bodyStart = bodyStart;
    loop.line = this.row(this.S[n]) + 1;
    this.model.loops.push(loop);
    return loop;
  }

  /**
   * A whole-file build's call expression is the call's site, made here with the expression and
   * completed by onCall (the statement walk reaches every call it reads); other builds' are plain.
   */
  protected override newCall(f: Expr, args: Expr[], kw: Record<string, Expr>): Extract<Expr, { k: 'call' }> {
    return this.shared ? new CallSite(this.sites, f, args, kw, '') : super.newCall(f, args, kw);
  }

  // ---- statements ----------------------------------------------------------------------------

  private onCall(n: number, awaited: boolean): void {
    const f = this.child(n, this.F.function);
    const argsNode = this.child(n, this.F.arguments);
    if (f < 0) return;
    const start = this.S[n];
    const scope = this.currentScope(start);
    const fnId = this.currentFn(start);
    const e = this.ir(n, scope, 0);
    if (e.k !== 'call') return;
    const loop = this.innermostLoop(start);
    const row = this.row(start);
    const end = this.E[n];
    const endRow = this.rowFrom(row, end);
    // A short plain name is its own text, interned already (python/intern.ts), as str() would read it again.
    const text = e.f.k === 'name' && e.f.n.length <= MAX_INTERN_LENGTH && this.kind(f) === K.identifier ? e.f.n : this.calleeTextOf(f);
    // A whole-file build made the site as the call's expression (newCall): its numbers are set here.
    let call: CallSite;
    if (e instanceof CallSite) { call = e; call.text = text; } else call = new CallSite(this.sites, e.f, e.args, e.kw, text);
    call.id = this.model.calls.length;
    call.fn = fnId;
    call.start = start;
    call.end = end;
    call.calleeEnd = this.E[f];
    call.argsStart = argsNode >= 0 ? this.S[argsNode] : this.E[f];
    call.line = row + 1;
    call.column = this.column(start, row) + 1;
    call.endLine = endRow + 1;
    call.endColumn = this.column(end, endRow) + 1;
    call.loop = loop ? loop.id : -1;
    if (awaited) call.awaited = true;
    if (this.forIterables.size !== 0 && this.forIterables.has(start)) call.forIterable = true;
    if (start === this.stmtStart) call.stmt = true;
    if (fnId >= 0) {
      const guard = this.guardsOf(n, this.model.functions[fnId]);
      if (guard) call.guard = guard;
      if (this.narrows.length) {
        const narrow = this.narrowingsAt(start, fnId, loop);
        if (narrow) call.narrow = narrow;
      }
      if (e.f.k === 'name' && e.f.n === 'isinstance' && e.args.length === 2) this.addNarrowing(n, e, fnId);
    }
    if (argsNode >= 0 && this.hasSplat(argsNode)) call.splat = true;
    this.model.calls.push(call);
  }

  /**
   * The callee's text (calleeText). A long one keeps the texts of the callees it holds (a chain's inner
   * calls, met next, each callee the start of this one), so a chain of n calls is read once, not n
   * times: 10,000 calls `a.b().b()...` held 10,000 callees of up to 40,000 characters.
   */
  private calleeTextOf(f: number): string {
    const start = this.S[f];
    const length = this.E[f] - start;
    if (length < LONG_CALLEE) return calleeText(this.str(f));
    const memo = this.callees;
    if (memo !== undefined && memo.start === start) {
      const known = memo.texts.get(length);
      if (known !== undefined) return intern(known);
    }
    const texts = new Map<number, string>();
    const text = calleeText(this.str(f), texts);
    this.callees = { start, texts };
    return text;
  }

  private hasSplat(argsNode: number): boolean {
    const end = this.L[argsNode];
    for (let j = argsNode + 1; j < end; j = this.L[j]) {
      const k = this.kind(j);
      if (k === K.list_splat || k === K.dictionary_splat) return true;
    }
    return false;
  }

  // ---- guards --------------------------------------------------------------------------------

  /**
   * The parameters of `fn` a caller that omits them leaves in a state where the call at node `n` does
   * not run: a `= None` parameter that must not be None, or a `= False` / `0` / `''` one that must be
   * true. Read from the syntax between the call and its function: the consequence of `if p:` /
   * `if p is not None:` (conjuncts of `and`), the `else` of `if p is None:` / `if not p:`, the right of
   * `p and ...`, either side of a conditional expression, and the statements after
   * `if p is None: return` (or raise, continue, break) in an enclosing block. callgraph.ts checks
   * that the function never rebinds them.
   */
  private guardsOf(n: number, fn: FunctionInfo): string[] | undefined {
    let optional: Map<string, boolean> | undefined;
    for (const p of fn.params) {
      const d = p.default;
      if (p.star || !d) continue;
      if (d.k === 'none') (optional ??= new Map()).set(p.name, true);
      else if ((d.k === 'num' && d.v === 0) || (d.k === 'str' && d.v === '')) (optional ??= new Map()).set(p.name, false);
    }
    if (!optional) return undefined;
    const out = new Set<string>();
    for (let c = n, a = this.P[n]; a >= 0; c = a, a = this.P[a]) {
      switch (this.kind(a)) {
        case K.function_definition: case K.lambda: case K.class_definition: a = -1; break;
        // A comprehension binds names of its own: conditions read inside it may not be the parameters.
        case K.list_comprehension: case K.set_comprehension: case K.dictionary_comprehension: case K.generator_expression: out.clear(); break;
        case K.boolean_operator:
          if (this.field[c] === this.F.right && this.operatorOf(a) === 'and') this.whenTrue(this.child(a, this.F.left), out);
          break;
        case K.if_statement:
          if (this.field[c] === this.F.consequence) this.whenTrue(this.child(a, this.F.condition), out);
          break;
        case K.elif_clause: case K.else_clause: {
          // Every earlier condition of the `if` was false; an `elif`'s own condition is true.
          const ifs = this.P[a];
          if (this.kind(a) === K.elif_clause && this.field[c] === this.F.consequence) this.whenTrue(this.child(a, this.F.condition), out);
          if (ifs < 0 || this.kind(ifs) !== K.if_statement) break;
          this.whenFalse(this.child(ifs, this.F.condition), out);
          for (let j = ifs + 1; j < a; j = this.L[j]) if (this.kind(j) === K.elif_clause) this.whenFalse(this.child(j, this.F.condition), out);
          break;
        }
        case K.conditional_expression: {
          const [value, cond, other] = this.namedChildren(a);
          if (c === value && cond !== undefined) this.whenTrue(cond, out);
          else if (c === other && cond !== undefined) this.whenFalse(cond, out);
          break;
        }
        case K.block: this.exitsBefore(a, this.S[c], out); break;
        default: break;
      }
      if (a < 0) break;
    }
    // `out` holds `p` for "p is not None" and `!p` for "p is true" (which implies the former).
    let kept: string[] | undefined;
    for (const [name, isNone] of optional) if (out.has(`!${name}`) || (isNone && out.has(name))) (kept ??= []).push(name);
    return kept;
  }

  /**
   * Open `isinstance(x, C)` narrowings, in document order: the consequence of the `if` / `elif` whose
   * condition has the check as a conjunct (`and`), with the check's IR and its function. Calls are
   * visited in document order, so a range that ended is dropped.
   */
  private narrows: { start: number; end: number; fn: number; check: Expr }[] = [];

  /** Opens the narrowing of `isinstance(...)` at node `n` when it is a conjunct of an `if` / `elif` condition. */
  private addNarrowing(n: number, check: Expr, fn: number): void {
    let c = n;
    for (let a = this.P[n], depth = 0; a >= 0 && depth < 20; c = a, a = this.P[a], depth++) {
      const k = this.kind(a);
      if (k === K.parenthesized_expression || (k === K.boolean_operator && this.operatorOf(a) === 'and')) continue;
      if ((k === K.if_statement || k === K.elif_clause) && this.field[c] === this.F.condition) {
        const body = this.child(a, this.F.consequence);
        if (body >= 0) this.narrows.push({ start: this.S[body], end: this.E[body], fn, check });
      }
      return;
    }
  }

  /**
   * The `isinstance(x, C)` checks true wherever a call at `offset` in function `fn` runs: the open
   * narrowings whose block holds it, innermost first. A comprehension inside the block (it binds names
   * of its own) and a nested function take none.
   */
  private narrowingsAt(offset: number, fn: number, loop: LoopInfo | undefined): Expr[] | undefined {
    let out: Expr[] | undefined;
    let keep = 0;
    for (const r of this.narrows) {
      if (r.end <= offset) continue;
      this.narrows[keep++] = r;
      if (r.fn !== fn || offset < r.start || (loop?.kind === 'comp' && loop.start >= r.start)) continue;
      (out ??= []).unshift(r.check);
    }
    this.narrows.length = keep;
    return out;
  }

  /** Per block node: the early exits among its statements, `if <cond>: ... return` with no else (end offset, names). */
  private exits = new Map<number, { end: number; names: Set<string> }[]>();

  /** Names that are not None after the early exits of `block` that end before `offset`. */
  private exitsBefore(block: number, offset: number, out: Set<string>): void {
    let list = this.exits.get(block);
    if (!list) {
      list = [];
      const end = this.L[block];
      for (let s = block + 1; s < end; s = this.L[s]) {
        if (this.kind(s) !== K.if_statement || this.child(s, this.F.alternative) >= 0) continue;
        const body = this.child(s, this.F.consequence);
        let last = -1;
        if (body >= 0) for (let j = body + 1; j < this.L[body]; j = this.L[j]) if (this.isNamed(j) && this.kind(j) !== K.comment) last = j;
        const k = last >= 0 ? this.kind(last) : -1;
        if (k !== K.return_statement && k !== K.raise_statement && k !== K.continue_statement && k !== K.break_statement) continue;
        const names = new Set<string>();
        this.whenFalse(this.child(s, this.F.condition), names);
        if (names.size) list.push({ end: this.E[s], names });
      }
      this.exits.set(block, list);
    }
    for (const x of list) if (x.end <= offset) for (const name of x.names) out.add(name);
  }

  /** Names that are not None (`p`) or true (`!p`) when condition `x` is true. */
  private whenTrue(x: number, out: Set<string>, depth = 0): void {
    if (x < 0 || depth > 20) return;
    switch (this.kind(x)) {
      case K.identifier: out.add(`!${this.str(x)}`); break;
      case K.parenthesized_expression: this.whenTrue(this.firstNamedChild(x), out, depth + 1); break;
      case K.not_operator: this.whenFalse(this.child(x, this.F.argument), out, depth + 1); break;
      case K.boolean_operator:
        if (this.operatorOf(x) === 'and') { this.whenTrue(this.child(x, this.F.left), out, depth + 1); this.whenTrue(this.child(x, this.F.right), out, depth + 1); }
        break;
      case K.comparison_operator: { const name = this.noneTest(x); if (name && !name.is) out.add(name.n); break; }
      default: break;
    }
  }

  /** Names that are not None (`p`) or true (`!p`) when condition `x` is false. */
  private whenFalse(x: number, out: Set<string>, depth = 0): void {
    if (x < 0 || depth > 20) return;
    switch (this.kind(x)) {
      case K.parenthesized_expression: this.whenFalse(this.firstNamedChild(x), out, depth + 1); break;
      case K.not_operator: this.whenTrue(this.child(x, this.F.argument), out, depth + 1); break;
      case K.boolean_operator:
        if (this.operatorOf(x) === 'or') { this.whenFalse(this.child(x, this.F.left), out, depth + 1); this.whenFalse(this.child(x, this.F.right), out, depth + 1); }
        break;
      case K.comparison_operator: { const name = this.noneTest(x); if (name?.is) out.add(name.n); break; }
      default: break;
    }
  }

  /** `p is None` / `p == None` (is: true), `p is not None` / `p != None` (is: false), either order; else undefined. */
  private noneTest(x: number): { n: string; is: boolean } | undefined {
    const kids = this.namedChildren(x);
    if (kids.length !== 2) return undefined;
    const [a, b] = kids;
    const id = this.kind(a) === K.identifier && this.kind(b) === K.none ? a : this.kind(b) === K.identifier && this.kind(a) === K.none ? b : -1;
    if (id < 0) return undefined;
    const op = this.text.slice(this.E[a], this.S[b]).replace(/\s+/g, ' ').trim();
    if (op === 'is' || op === '==') return { n: this.str(id), is: true };
    if (op === 'is not' || op === '!=') return { n: this.str(id), is: false };
    return undefined;
  }

  private operatorOf(x: number): string {
    const op = this.child(x, this.F.operator);
    return op >= 0 ? this.text.slice(this.S[op], this.E[op]) : '';
  }

  private onImport(n: number): void {
    const scope = this.currentScope(this.S[n]);
    for (let c = n + 1, end = this.L[n]; c < end; c = this.L[c]) {
      if (!this.isNamed(c)) continue;
      const k = this.kind(c);
      if (k === K.dotted_name) {
        const full = this.str(c).replace(/\s+/g, '');
        const head = full.split('.')[0];
        this.addImport(scope, head, head, n);
      } else if (k === K.aliased_import) {
        const name = this.textOf(this.child(c, this.F.name))?.replace(/\s+/g, '');
        const alias = this.textOf(this.child(c, this.F.alias));
        if (name && alias) this.addImport(scope, alias, name, n);
      }
    }
  }

  private onImportFrom(n: number): void {
    const scope = this.currentScope(this.S[n]);
    const modNode = this.child(n, this.F.module_name);
    if (modNode < 0) return;
    const base = this.absoluteModule(modNode);
    for (let c = n + 1, end = this.L[n]; c < end; c = this.L[c]) {
      if (!this.isNamed(c) || this.S[c] === this.S[modNode]) continue;
      const k = this.kind(c);
      if (k === K.dotted_name) {
        const name = this.str(c).replace(/\s+/g, '');
        this.addImport(scope, name, base ? `${base}.${name}` : name, n);
      } else if (k === K.aliased_import) {
        const name = this.textOf(this.child(c, this.F.name))?.replace(/\s+/g, '');
        const alias = this.textOf(this.child(c, this.F.alias));
        if (name && alias) this.addImport(scope, alias, base ? `${base}.${name}` : name, n);
      }
    }
  }

  /** `from ..x import y` in module a.b.c -> `a.x`; in package a/b/__init__.py -> `a.x`. */
  private absoluteModule(modNode: number): string {
    if (this.kind(modNode) !== K.relative_import) return this.str(modNode).replace(/\s+/g, '');
    const prefixNode = this.namedChildOfKind(modNode, K.import_prefix, K.import_prefix);
    const prefix = prefixNode >= 0 ? this.E[prefixNode] - this.S[prefixNode] : 1;
    const restNode = this.namedChildOfKind(modNode, K.dotted_name, K.dotted_name);
    const rest = restNode >= 0 ? this.str(restNode).replace(/\s+/g, '') : undefined;
    return relativeImportTarget(this.model.module, this.model.isPackage, prefix, rest);
  }

  private addImport(scope: number, alias: string, target: string, n: number): void {
    // Composed (`a.b` from `a . b`, `pkg.mod.name`): interned here, as the names the builder reads are.
    const name = intern(alias);
    const q = intern(target);
    const line = this.row(this.S[n]) + 1;
    if (this.shared) {
      // A whole-file build: the import is its name's binding too (ImportRecord).
      const im = new ImportRecord(name, q, line, this.S[n], this.E[n], scope);
      this.bind(scope, name, im);
      this.model.imports.push(im);
      return;
    }
    this.bind(scope, name, new ImportBinding(this.E[n], q));
    this.model.imports.push({ name, q, line, start: this.S[n], end: this.E[n], scope });
  }

  private onAssign(n: number): void {
    const left = this.child(n, this.F.left);
    let right = this.child(n, this.F.right);
    const type = this.child(n, this.F.type);
    if (left < 0) return;
    while (right >= 0 && this.kind(right) === K.assignment) right = this.child(right, this.F.right);
    const scope = this.currentScope(this.S[n]);
    const off = this.E[n];
    const loops = this.loopsInFn();
    const lk = this.kind(left);
    if (lk === K.identifier) {
      // One name (targetNames would make a list of it).
      const leftText = this.str(left);
      for (const l of loops) this.assignIn(l, leftText);
      const annotation = type >= 0 ? this.annotationOf(type, scope) : undefined;
      // Outside a loop the value is read only as resolution reads it (valueAt); in one, its names too.
      const value = right < 0 ? undefined : loops.length ? this.ir(right, scope) : this.valueAt(right, scope);
      for (const l of loops) {
        l.derived ??= new SmallMap();
        l.derived.set(leftText, value && !l.derived.has(leftText) ? namesList(value) : null);
      }
      // No `annotation` field when there is none (most assignments): 8 bytes less per binding. `expr` is set whenever `right` is.
      const expr = value && resolvable(value);
      if (right >= 0) this.bind(scope, leftText, annotation ? { kind: 'value', off, expr, annotation } : new ValueBinding(off, expr!));
      else if (annotation) this.bind(scope, leftText, new AnnotationBinding(off, annotation));
      const clsScope = this.model.scopes[scope];
      if (clsScope.kind === 'class' && clsScope.cls !== undefined) {
        const cls = this.model.classes[clsScope.cls];
        if (expr) cls.attrs.set(leftText, expr);
        if (annotation) (cls.attrTypes ??= new SmallMap()).set(leftText, annotation);
      }
      return;
    }
    // An attribute or subscript target binds no name.
    if (lk === K.attribute && right >= 0) {
      const obj = this.child(left, this.F.object);
      const attr = this.child(left, this.F.attribute);
      const fnId = this.currentFn(this.S[n]);
      if (obj >= 0 && this.kind(obj) === K.identifier && attr >= 0 && fnId >= 0) {
        const fn = this.model.functions[fnId];
        const selfName = fn.cls >= 0 ? fn.params[0]?.name : undefined;
        if (selfName && this.str(obj) === selfName) {
          const cls = this.model.classes[fn.cls];
          cls.attrs.set(this.str(attr), this.valueAt(right, scope));
          if (type >= 0) (cls.attrTypes ??= new SmallMap()).set(this.str(attr), this.annotationOf(type, scope));
        }
      }
      return;
    }
    const names = this.targetNames(left);
    for (const l of loops) for (const name of names) this.assignIn(l, name);
    for (const name of names) this.bind(scope, name, { kind: 'opaque', off });
  }

  /**
   * resolvable(this.ir(n, scope)), without reading what resolvable drops: an expression ir() reads as a
   * '?' of its names alone (a dict or set literal, a conditional, a comparison, an f-string...) is
   * UNKNOWN at once, its identifiers neither interned nor listed (those cases of ir() read no call, so
   * no call site's expression is made there either).
   */
  private valueAt(n: number, scope: number): Expr {
    const k = this.kind(n);
    if (IR_KINDS[k] !== 1 || (k === K.string && this.interpolated(n))) return UNKNOWN;
    return resolvable(this.ir(n, scope));
  }

  /** Whether string node `n` holds an interpolation (an f-string's `{...}`). */
  private interpolated(n: number): boolean {
    for (let j = n + 1, end = this.L[n]; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1 && this.kind(j) === K.interpolation) return true;
    return false;
  }

  private onAugAssign(n: number): void {
    const left = this.child(n, this.F.left);
    if (left < 0) return;
    const names = this.targetNames(left);
    for (const l of this.loopsInFn()) for (const name of names) this.assignIn(l, name);
  }

  private onWalrus(n: number): void {
    const nameNode = this.child(n, this.F.name);
    const value = this.child(n, this.F.value);
    if (nameNode < 0 || value < 0) return;
    const name = this.str(nameNode);
    const scope = this.currentScope(this.S[n]);
    this.bind(scope, name, new ValueBinding(this.E[n], this.valueAt(value, scope)));
    for (const l of this.loopsInFn()) this.assignIn(l, name);
  }

  private onWithItem(n: number): void {
    const value = this.child(n, this.F.value);
    if (value < 0 || this.kind(value) !== K.as_pattern) return;
    const expr = this.firstNamedChild(value);
    const alias = this.child(value, this.F.alias);
    if (expr < 0 || alias < 0) return;
    const scope = this.currentScope(this.S[n]);
    const names = this.targetNames(alias);
    const aliasFirst = this.firstNamedChild(alias);
    if (names.length === 1 && ((aliasFirst >= 0 && this.kind(aliasFirst) === K.identifier) || this.kind(alias) === K.identifier)) {
      this.bind(scope, names[0], { kind: 'with', off: this.E[n], expr: this.valueAt(expr, scope) });
    } else {
      for (const name of names) this.bind(scope, name, { kind: 'opaque', off: this.E[n] });
    }
    for (const l of this.loopsInFn()) for (const name of names) this.assignIn(l, name);
  }

  private onReturn(n: number, isYield: boolean): void {
    const fnId = this.currentFn(this.S[n]);
    if (fnId < 0) return;
    const fn = this.model.functions[fnId];
    if (isYield && !fn.isLambda) { fn.isGenerator = true; for (const l of this.loopsInFn()) l.yields = true; }
    const v = this.firstNamedChild(n);
    // `yield from gen()` iterates gen right here, like `for x in gen()`.
    if (isYield && v >= 0 && this.kind(v) === K.call && /^yield\s+from\b/.test(this.text.slice(this.S[n], this.S[v]))) this.forIterables.add(this.S[v]);
    if (v >= 0 && fn.returns.length < 8) fn.returns = withOneMore(fn.returns, this.valueAt(v, this.currentScope(this.S[n])));
    if (!isYield) { const l = this.innermostLoop(this.S[n]); if (l) l.hasBreak = true; }
  }

  private onGlobal(n: number): void {
    const scope = this.model.scopes[this.currentScope(this.S[n])];
    scope.globals ??= new Set();
    for (let c = n + 1, end = this.L[n]; c < end; c = this.L[c]) {
      if (!this.isNamed(c) || this.kind(c) !== K.identifier) continue;
      const name = this.str(c);
      if (this.shared) this.shared.declaredGlobal(scope.id, name);
      scope.globals.add(name);
    }
  }

  private onBreak(): void {
    const l = this.innermostLoop();
    if (l) l.hasBreak = true;
  }

  private onComment(n: number): void {
    // Both directives below spell `noqa`: most comments are passed over without slicing them.
    if (!hasNoqa(this.text, this.S[n], this.E[n])) return;
    // Codes are cut from the comment's text: a copy, so that no code keeps an open document alive.
    const text = this.own ? copyString(this.text.slice(this.S[n], this.E[n])) : this.text.slice(this.S[n], this.E[n]);
    const file = /^#\s*loopwise\s*:\s*noqa(?:\s*:\s*(LW\d*(?:\s*,\s*LW\d*)*))?\s*$/i.exec(text);
    if (file && this.ownLine(this.S[n])) {
      const set = (this.model.fileNoqa ??= new Set());
      if (!file[1]) set.add('');
      else for (const c of file[1].split(',')) if (c.trim()) set.add(c.trim().toUpperCase());
      return;
    }
    const m = /#\s*noqa(?::\s*([A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?/i.exec(text);
    if (!m) return;
    const line = this.row(this.S[n]) + 1;
    const codes = new Set<string>();
    if (m[1]) for (const c of m[1].split(/[\s,]+/)) if (c) codes.add(c.toUpperCase());
    this.model.noqa.set(line, codes);
  }

  /** Only blanks between the start of the line and `at` (a file-level directive must stand alone). */
  private ownLine(at: number): boolean {
    if (this.text[at] !== '#') return true;
    for (let i = at - 1; i >= 0; i--) {
      const ch = this.text[i];
      if (ch === '\n' || ch === '\r') return true;
      if (ch !== ' ' && ch !== '\t' && ch !== '\f') return false;
    }
    return true;
  }
}

/**
 * What a model keeps of a value read only by resolution (a return or yield value, an assigned value,
 * a class attribute): an expression resolution cannot read (`{...}`, `a if b else c`, an f-string: a
 * '?' with no element) is the shared UNKNOWN, without its names and text, which are read only of call
 * sites' arguments and loops' iterables (ir.ts namesIn; n-plus-one.ts isDdl). 13k such values on the
 * 500-file benchmark, ~100 bytes each with their name lists.
 */
function resolvable(e: Expr): Expr {
  return e.k === '?' && !e.elem ? UNKNOWN : e;
}

const NO_LOOPS: readonly LoopInfo[] = [];

/**
 * The kinds ir() reads as more than a '?' of their names (its cases before `default`); any other kind
 * is such a '?', which resolvable() makes UNKNOWN (see valueAt). Kept in step with ir() by a test
 * (test/unit/value-at.test.ts).
 */
export const IR_KINDS = new Uint8Array(256);
for (const k of [K.identifier, K.attribute, K.call, K.subscript, K.type, K.generic_type, K.binary_operator, K.parenthesized_expression, K.await,
  K.string, K.concatenated_string, K.integer, K.float, K.none, K.false, K.true, K.list, K.tuple, K.lambda, K.list_comprehension,
  K.set_comprehension, K.generator_expression]) IR_KINDS[k] = 1;

/** A function's parameters and call ids before it has any (frozen: readParams and fillCalls replace them, nothing writes to them). */
const NO_PARAMS: Param[] = Object.freeze([]) as unknown as Param[];
const NO_CALL_IDS: number[] = Object.freeze([]) as unknown as number[];

/** `list` and then `e`, in a new array of exactly their number (a function's returns: most have one or none). */
function withOneMore(list: Expr[], e: Expr): Expr[] {
  const n = list.length;
  if (n === 0) return [e];
  const out = new Array<Expr>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i];
  out[n] = e;
  return out;
}

/** readParams' list (one runs at a time, and reads no other parameters); NO_PARAM fills what it held. */
const paramScratch: Param[] = [];
const NO_PARAM: Param = Object.freeze({ name: '' });

/** fillCalls' per-function counts and positions, and the call ids by function. */
let callsFrom = new Int32Array(256);
let callsAt = new Int32Array(256);
const callIds: number[] = [];

/** How long a callee's text is before calleeTextOf keeps the texts of the callees inside it. */
const LONG_CALLEE = 1024;

/** A call site's `text` (readableCallee), interned: a callee read as it is written was interned by str() already. */
function calleeText(raw: string, prefixes?: Map<number, string>): string {
  const text = readableCallee(raw, prefixes);
  return text === raw ? raw : intern(text);
}

/**
 * One empty set for every loop that assigns nothing (most comprehensions); only assignIn adds to a
 * loop's set, and it makes the loop its own first. (A plain Set, so a worker's model decodes to the
 * same prototypes as one built here.)
 */
const NO_NAMES: SmallSet = new SmallSet();

/** Whether `text[start, end)` holds `noqa` in any case (as the `i` flag of onComment's patterns matches it). */
function hasNoqa(text: string, start: number, end: number): boolean {
  for (let i = start; i + 4 <= end; i++) {
    if ((text.charCodeAt(i) | 32) === 110 && (text.charCodeAt(i + 1) | 32) === 111 && (text.charCodeAt(i + 2) | 32) === 113 && (text.charCodeAt(i + 3) | 32) === 97) return true;
  }
  return false;
}

function isStaticDecorator(e: Expr): boolean {
  return e.k === 'name' && e.n === 'staticmethod';
}
function isClassMethodDecorator(e: Expr): boolean {
  return e.k === 'name' && e.n === 'classmethod';
}
