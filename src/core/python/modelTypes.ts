// The file model's types: what the rules, the call graph, the fixes and the editor read of a file.
// Built by python/builder.ts, assembled from per-statement parts by python/parts.ts.
import type { Expr, SegmentHeader } from './ir';

/** `item`: a `for` target named alone; `expr` is the iterable, so the name holds one of its elements. */
export type BindingKind = 'import' | 'value' | 'def' | 'class' | 'param' | 'self' | 'with' | 'item' | 'opaque';

export interface Binding {
  kind: BindingKind;
  /** Offset from which the binding is visible (the end of its statement); -1 = whole scope. */
  off: number;
  /** import target, def/class qualified name, or class qname for `self`. */
  q?: string;
  expr?: Expr;
  annotation?: Expr;
}

// The most common bindings as class instances with their kind on the prototype: the object holds
// `off` and its one other field (40 bytes, 48 as a literal with its own `kind`: 70k bindings on the
// 500-file benchmark). Read as the literals are; as JSON (toJSON) the literal, fields in its order.

/** `{ kind: 'value', off, expr }`. */
export class ValueBinding {
  declare readonly kind: 'value';
  off: number;
  expr: Expr;
  constructor(off: number, expr: Expr) { this.off = off; this.expr = expr; }
  toJSON(): object { return { kind: 'value', off: this.off, expr: this.expr }; }
}

/** `{ kind, off, q }` for a def, a class or an import (DefBinding, ClassBinding, ImportBinding). */
abstract class QBinding {
  declare readonly kind: 'def' | 'class' | 'import';
  off: number;
  q: string;
  constructor(off: number, q: string) { this.off = off; this.q = q; }
  toJSON(): object { return { kind: this.kind, off: this.off, q: this.q }; }
}
export class DefBinding extends QBinding { declare readonly kind: 'def'; }
export class ClassBinding extends QBinding { declare readonly kind: 'class'; }
export class ImportBinding extends QBinding { declare readonly kind: 'import'; }

/** `{ kind: 'param', off, annotation }`: a name annotated without a value (`x: int` in a class body). */
export class AnnotationBinding {
  declare readonly kind: 'param';
  off: number;
  annotation: Expr;
  constructor(off: number, annotation: Expr) { this.off = off; this.annotation = annotation; }
  toJSON(): object { return { kind: 'param', off: this.off, annotation: this.annotation }; }
}

for (const [c, kind] of [[ValueBinding, 'value'], [DefBinding, 'def'], [ClassBinding, 'class'], [ImportBinding, 'import'], [AnnotationBinding, 'param']] as const) {
  (c.prototype as { kind: string }).kind = kind;
}

/**
 * A name's bindings in one scope: the binding when there is one (81k of 83k names on the 500-file
 * benchmark; a one-element list cost 56 bytes more each), a list of two or more in source order.
 * Read with isList / boundList / lastBound.
 */
export type Bound = Binding | Binding[];

/** Whether a name's bindings are a list (two or more) rather than one binding. */
export function isList(v: Bound): v is Binding[] {
  return Array.isArray(v);
}

/** A name's bindings as a list (a new one-element list for a single binding: for readers off the hot path). */
export function boundList(v: Bound | undefined): readonly Binding[] {
  return v === undefined ? [] : isList(v) ? v : [v];
}

/** The last of a name's bindings. */
export function lastBound(v: Bound): Binding {
  return isList(v) ? v[v.length - 1] : v;
}

/** Up to this many keys, a PairMap is one array of its pairs searched in order; beyond, a Map. */
const SMALL_MAP = 8;
const NO_PAIRS: readonly unknown[] = Object.freeze([]);

/**
 * A map by name with few keys: the part of Map's interface the readers use (get, has, set, size,
 * keys, values, entries, forEach, iteration). A Map costs 184 bytes empty or with up to four keys,
 * 296 with 5-8; up to SMALL_MAP keys this is one array of exactly its pairs ([key0, v0, key1, v1, ...]:
 * 64 bytes for one key; empty, a shared frozen one), beyond a Map. Values are never undefined.
 */
class PairMap<V> {
  protected d: (string | V)[] | Map<string, V> = NO_PAIRS as (string | V)[];

  get size(): number {
    const d = this.d;
    return Array.isArray(d) ? d.length >> 1 : d.size;
  }

  get(key: string): V | undefined {
    const d = this.d;
    if (!Array.isArray(d)) return d.get(key);
    for (let i = 0; i < d.length; i += 2) if (d[i] === key) return d[i + 1] as V;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, v: V): this {
    const d = this.d;
    if (!Array.isArray(d)) { d.set(key, v); return this; }
    for (let i = 0; i < d.length; i += 2) if (d[i] === key) { d[i + 1] = v; return this; }
    const n = d.length;
    if (n >= SMALL_MAP * 2) {
      const m = new Map<string, V>();
      for (let i = 0; i < n; i += 2) m.set(d[i] as string, d[i + 1] as V);
      m.set(key, v);
      this.d = m;
      return this;
    }
    // A copy one pair longer: exactly sized (an array grown by push keeps spare room).
    const a = new Array<string | V>(n + 2);
    for (let i = 0; i < n; i++) a[i] = d[i];
    a[n] = key;
    a[n + 1] = v;
    this.d = a;
    return this;
  }

  *keys(): IterableIterator<string> {
    const d = this.d;
    if (!Array.isArray(d)) { yield* d.keys(); return; }
    for (let i = 0; i < d.length; i += 2) yield d[i] as string;
  }

  *values(): IterableIterator<V> {
    const d = this.d;
    if (!Array.isArray(d)) { yield* d.values(); return; }
    for (let i = 1; i < d.length; i += 2) yield d[i] as V;
  }

  *entries(): IterableIterator<[string, V]> {
    const d = this.d;
    if (!Array.isArray(d)) { yield* d.entries(); return; }
    for (let i = 0; i < d.length; i += 2) yield [d[i] as string, d[i + 1] as V];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Map's forEach: no iterator or entry array per key (hot readers run in the bundle's unoptimised code). */
  forEach(fn: (v: V, key: string) => void): void {
    const d = this.d;
    if (!Array.isArray(d)) { d.forEach(fn); return; }
    for (let i = 0; i < d.length; i += 2) fn(d[i + 1] as V, d[i] as string);
  }
}

/**
 * A scope's bindings by name, in the order the names were first bound (a PairMap: most scopes bind
 * 1-4 names, a comprehension's target, a function's parameters).
 */
export class Bindings extends PairMap<Bound> {
  /** Replaces each list of bindings by a copy of its exact length (compactModel): no iterator or entry array per name. */
  trimLists(): void {
    const d = this.d;
    if (Array.isArray(d)) {
      for (let i = 1; i < d.length; i += 2) { const v = d[i]; if (Array.isArray(v)) d[i] = v.slice(); }
      return;
    }
    d.forEach((v, name) => { if (Array.isArray(v)) d.set(name, v.slice()); });
  }
}

/**
 * A PairMap for a class's methods, attributes and their annotations and a loop's derived names (a Map
 * took 184 bytes empty or with up to four keys; this 32 empty, 96 with one key). As JSON, its entries
 * (as the replacers of parts.ts and analyzer.ts wrote a Map).
 */
export class SmallMap<V> extends PairMap<V> {
  toJSON(): [string, V][] {
    return [...this.entries()];
  }
}

/**
 * A set of few names (the names assigned in a loop's body): an exactly sized array (empty: a shared
 * frozen one), a Set beyond SMALL_MAP names. A Set took 152 bytes with up to four; this 96 with two.
 * As JSON, its names (as the replacers wrote a Set).
 */
export class SmallSet {
  private d: string[] | Set<string> = NO_PAIRS as string[];

  get size(): number {
    const d = this.d;
    return Array.isArray(d) ? d.length : d.size;
  }

  has(name: string): boolean {
    const d = this.d;
    return Array.isArray(d) ? d.includes(name) : d.has(name);
  }

  add(name: string): this {
    const d = this.d;
    if (!Array.isArray(d)) { d.add(name); return this; }
    if (d.includes(name)) return this;
    const n = d.length;
    if (n >= SMALL_MAP) { this.d = new Set(d).add(name); return this; }
    const a = new Array<string>(n + 1);
    for (let i = 0; i < n; i++) a[i] = d[i];
    a[n] = name;
    this.d = a;
    return this;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.d[Symbol.iterator]();
  }

  toJSON(): string[] {
    return [...this.d];
  }
}

/**
 * A scope. It holds its bindings itself (it is a Bindings, and `bindings` is the scope): one object
 * where a scope and its Bindings took two (20k scopes on the 500-file benchmark, 32 bytes each).
 */
export class Scope extends Bindings {
  id: number;
  kind: 'module' | 'function' | 'class' | 'comp';
  parent: number;
  /** Set only when there is one (a declared field: no scope holds it as undefined). */
  declare globals?: Set<string>;
  declare fn?: number;
  declare cls?: number;

  /** `owner`: a function scope's function id (`fn`), a class scope's class id (`cls`), set in the constructor so the object holds it in itself. */
  constructor(id: number, kind: Scope['kind'], parent: number, owner = -1) {
    super();
    this.id = id;
    this.kind = kind;
    this.parent = parent;
    if (kind === 'function') this.fn = owner;
    else if (kind === 'class') this.cls = owner;
  }

  /** The bindings of each name in source order: the binding itself when the name is bound once (most), a list when more (see Bound). */
  get bindings(): Bindings { return this; }
}

export interface Param {
  name: string;
  annotation?: Expr;
  default?: Expr;
  star?: boolean;
}

/**
 * A parameter that is also its binding in the function's scope (kind 'param', visible in the whole
 * scope, its default value as `expr`): one object where a Param and a Binding took two (18k parameters
 * on the 500-file benchmark, 112 bytes each as two objects, 72 as one).
 */
export class ParamBinding implements Param, Binding {
  /** 'param' and -1 (visible in the whole scope) on the prototype: 16 bytes less for each of 18k parameters on the 500-file benchmark. */
  declare readonly kind: 'param';
  declare readonly off: number;
  name: string;
  annotation: Expr | undefined;
  expr: Expr | undefined;
  star: boolean;

  constructor(name: string, annotation: Expr | undefined, dflt: Expr | undefined, star: boolean) {
    this.name = name;
    this.annotation = annotation;
    this.expr = dflt;
    this.star = star;
  }

  /** The default value (the binding's `expr`). */
  get default(): Expr | undefined { return this.expr; }
  set default(v: Expr | undefined) { this.expr = v; }

  /** The parameter as JSON: its fields in the order they were its own. */
  toJSON(): object {
    return { kind: 'param', off: -1, name: this.name, annotation: this.annotation, expr: this.expr, star: this.star };
  }
}
(ParamBinding.prototype as { kind: string }).kind = 'param';
(ParamBinding.prototype as { off: number }).off = -1;

/** Where a function's numbers sit in its block (see FunctionInfo). */
const F_ID = 0, F_LINE = 1, F_COLUMN = 2, F_START = 3, F_END = 4, F_NAME_START = 5, F_NAME_END = 6, F_BODY_START = 7, F_ASYNC_START = 8,
  F_DEF_KEYWORD_START = 9, F_SCOPE = 10, F_PARENT_FN = 11, F_CLS = 12, F_BODY_INDENT = 13, F_FLAGS = 14, F_CALL_FIRST = 15, F_CALL_COUNT = 16;
export const FN_SLOTS = 17;
/** A function's call list when its call ids are one run kept in its block (FunctionInfo.packCalls). */
const CALL_RUN: number[] = Object.freeze([]) as unknown as number[];
const IS_ASYNC = 1, IS_GENERATOR = 2, IS_LAMBDA = 4, HAS_AWAIT = 8;

/**
 * A record whose numbers sit in a SiteBlock (a call site, a function): `slots` of them from index `i`
 * of `p`. The subclasses read and write them through accessors.
 */
export abstract class BlockRecord {
  protected p: Int32Array;
  protected i: number;

  constructor(block: SiteBlock) {
    const i = block.take();
    this.p = block.p; // read after take(): a full array is followed by a new one
    this.i = i;
  }

  /** How many numbers a record of this kind holds. */
  protected abstract get slots(): number;

  protected flag(slot: number, bit: number, v: boolean): void {
    const k = this.i + slot;
    this.p[k] = v ? this.p[k] | bit : this.p[k] & ~bit;
  }

  /**
   * Moves the numbers of `records` (all of one kind) into one array of exactly their size, in order:
   * a build's blocks doubled as they filled (compactModel). Records that sit one after the other in
   * the same block (a build takes them in order) are copied as one range.
   */
  static intoOneBlock(records: readonly BlockRecord[]): void {
    if (!records.length) return;
    const n = records[0].slots;
    const p = new Int32Array(records.length * n);
    for (let k = 0; k < records.length;) {
      const src = records[k].p;
      const from = records[k].i;
      let e = k + 1;
      while (e < records.length && records[e].p === src && records[e].i === from + (e - k) * n) e++;
      p.set(src.subarray(from, from + (e - k) * n), k * n);
      for (let r = k; r < e; r++) { const rec = records[r]; rec.p = p; rec.i = r * n; }
      k = e;
    }
  }
}

/**
 * A def or lambda. Its numbers (ids, offsets, line, column, indentation, flags: 18 fields) are read
 * and written through accessors from its build's block (a SiteBlock of FN_SLOTS per function), as a
 * call site's are: 11.5k functions on the 500-file benchmark went from ~240 bytes of JS heap each to 96.
 */
export class FunctionInfo extends BlockRecord {
  name: string;
  qname: string;
  decorators: Expr[];
  params: Param[];
  returns: Expr[];
  /** The `-> T` annotation, if any (set only when there is one: a declared field, not one every function holds as undefined). */
  declare returnAnnotation?: Expr;
  private callList: number[];
  /**
   * A whole-file build's def is also its name's binding (11.5k def bindings on the 500-file benchmark
   * repeated its qualified name and start): `kind` 'def' on the prototype, `off` its start, `q` its
   * qualified name. Only where nothing moves it (an open document's parts shift bindings and functions apart).
   */
  declare readonly kind: 'def';
  get off(): number { return this.start; }
  set off(v: number) { this.start = v; }
  get q(): string { return this.qname; }

  constructor(block: SiteBlock, name: string, qname: string, decorators: Expr[], params: Param[], returns: Expr[], calls: number[]) {
    super(block);
    this.name = name;
    this.qname = qname;
    this.decorators = decorators;
    this.params = params;
    this.returns = returns;
    this.callList = calls;
  }

  /**
   * The ids of the function's call sites, in order. A compacted function whose ids are one run (all
   * on the 500-file benchmark: a function's calls sit together unless a nested def or class splits
   * them) keeps its first id and their count in its block, and each read makes the list anew (callers
   * read it once per function and only read it); 9.5k lists of 92 bytes on average were kept before.
   */
  get calls(): number[] {
    const c = this.callList;
    if (c !== CALL_RUN) return c;
    const first = this.p[this.i + F_CALL_FIRST];
    const n = this.p[this.i + F_CALL_COUNT];
    const out = new Array<number>(n);
    for (let k = 0; k < n; k++) out[k] = first + k;
    return out;
  }
  set calls(v: number[]) { this.callList = v; }

  /** Keeps the call ids in the block when they are one run (see calls; compactModel, after the numbers moved into one block). */
  packCalls(): void {
    const c = this.callList;
    if (c.length === 0 || c === CALL_RUN) return;
    for (let k = 1; k < c.length; k++) if (c[k] !== c[0] + k) return;
    this.p[this.i + F_CALL_FIRST] = c[0];
    this.p[this.i + F_CALL_COUNT] = c.length;
    this.callList = CALL_RUN;
  }

  get id(): number { return this.p[this.i + F_ID]; }
  set id(v: number) { this.p[this.i + F_ID] = v; }
  get line(): number { return this.p[this.i + F_LINE]; }
  set line(v: number) { this.p[this.i + F_LINE] = v; }
  get column(): number { return this.p[this.i + F_COLUMN]; }
  set column(v: number) { this.p[this.i + F_COLUMN] = v; }
  /** Offsets: the whole definition (decorators excluded), its name, its body, and the `async` keyword. */
  get start(): number { return this.p[this.i + F_START]; }
  set start(v: number) { this.p[this.i + F_START] = v; }
  get end(): number { return this.p[this.i + F_END]; }
  set end(v: number) { this.p[this.i + F_END] = v; }
  get nameStart(): number { return this.p[this.i + F_NAME_START]; }
  set nameStart(v: number) { this.p[this.i + F_NAME_START] = v; }
  get nameEnd(): number { return this.p[this.i + F_NAME_END]; }
  set nameEnd(v: number) { this.p[this.i + F_NAME_END] = v; }
  get bodyStart(): number { return this.p[this.i + F_BODY_START]; }
  set bodyStart(v: number) { this.p[this.i + F_BODY_START] = v; }
  get asyncStart(): number { return this.p[this.i + F_ASYNC_START]; }
  set asyncStart(v: number) { this.p[this.i + F_ASYNC_START] = v; }
  get defKeywordStart(): number { return this.p[this.i + F_DEF_KEYWORD_START]; }
  set defKeywordStart(v: number) { this.p[this.i + F_DEF_KEYWORD_START] = v; }
  get scope(): number { return this.p[this.i + F_SCOPE]; }
  set scope(v: number) { this.p[this.i + F_SCOPE] = v; }
  get parentFn(): number { return this.p[this.i + F_PARENT_FN]; }
  set parentFn(v: number) { this.p[this.i + F_PARENT_FN] = v; }
  get cls(): number { return this.p[this.i + F_CLS]; }
  set cls(v: number) { this.p[this.i + F_CLS] = v; }
  /** Column of the body's first statement (its indentation), for fixes that add lines. */
  get bodyIndent(): number { return this.p[this.i + F_BODY_INDENT]; }
  set bodyIndent(v: number) { this.p[this.i + F_BODY_INDENT] = v; }
  get isAsync(): boolean { return (this.p[this.i + F_FLAGS] & IS_ASYNC) !== 0; }
  set isAsync(v: boolean) { this.flag(F_FLAGS, IS_ASYNC, v); }
  get isGenerator(): boolean { return (this.p[this.i + F_FLAGS] & IS_GENERATOR) !== 0; }
  set isGenerator(v: boolean) { this.flag(F_FLAGS, IS_GENERATOR, v); }
  get isLambda(): boolean { return (this.p[this.i + F_FLAGS] & IS_LAMBDA) !== 0; }
  set isLambda(v: boolean) { this.flag(F_FLAGS, IS_LAMBDA, v); }
  get hasAwait(): boolean { return (this.p[this.i + F_FLAGS] & HAS_AWAIT) !== 0; }
  set hasAwait(v: boolean) { this.flag(F_FLAGS, HAS_AWAIT, v); }

  protected get slots(): number { return FN_SLOTS; }

  /** The function as a plain object (its fields in the order an object literal held them before), for JSON. */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id, name: this.name, qname: this.qname, isAsync: this.isAsync, isGenerator: this.isGenerator, isLambda: this.isLambda,
      line: this.line, column: this.column, start: this.start, end: this.end, nameStart: this.nameStart, nameEnd: this.nameEnd,
      bodyStart: this.bodyStart, asyncStart: this.asyncStart, defKeywordStart: this.defKeywordStart, scope: this.scope,
      parentFn: this.parentFn, cls: this.cls, decorators: this.decorators, params: this.params, hasAwait: this.hasAwait,
      returns: this.returns, returnAnnotation: this.returnAnnotation, calls: this.calls, bodyIndent: this.bodyIndent,
    };
  }
}

export interface ClassInfo {
  id: number;
  name: string;
  qname: string;
  bases: Expr[];
  scope: number;
  line: number;
  methods: SmallMap<number>;
  /** `self.x = ...` in any method and class-level assignments. */
  attrs: SmallMap<Expr>;
  /** Annotations of those attributes (`self.x: T = ...`, class-level `x: T`), when written. */
  attrTypes?: SmallMap<Expr>;
}

/** Where a loop's numbers sit in its block (see LoopInfo). */
const L_ID = 0, L_FN = 1, L_PARENT = 2, L_START = 3, L_END = 4, L_BODY_START = 5, L_LINE = 6, L_FLAGS = 7;
export const LOOP_SLOTS = 8;
const L_ASYNC = 1, L_BREAK = 2, L_TRY = 4, L_YIELDS = 8;

/**
 * A loop (`for`, comprehension, `while`). Its numbers (ids, offsets, line, flags) are read and written
 * through accessors from its build's block (a SiteBlock of LOOP_SLOTS per loop), as a call site's are:
 * 8.2k loops on the 500-file benchmark went from 144 bytes of JS heap each to 80.
 */
export class LoopInfo extends BlockRecord {
  kind: 'for' | 'comp' | 'while';
  targets: string[];
  iter: Expr;
  iterText: string;
  /** Names assigned anywhere in the body (data carried between iterations). */
  assigned: SmallSet;
  /** `x = expr` assigned once in the body: the names expr reads (null when assigned more than once or otherwise). Set only when there is one. */
  declare derived?: SmallMap<string[] | null>;

  constructor(block: SiteBlock, kind: LoopInfo['kind'], targets: string[], iter: Expr, iterText: string, assigned: SmallSet) {
    super(block);
    this.kind = kind;
    this.targets = targets;
    this.iter = iter;
    this.iterText = iterText;
    this.assigned = assigned;
  }

  get id(): number { return this.p[this.i + L_ID]; }
  set id(v: number) { this.p[this.i + L_ID] = v; }
  get fn(): number { return this.p[this.i + L_FN]; }
  set fn(v: number) { this.p[this.i + L_FN] = v; }
  get parent(): number { return this.p[this.i + L_PARENT]; }
  set parent(v: number) { this.p[this.i + L_PARENT] = v; }
  get start(): number { return this.p[this.i + L_START]; }
  set start(v: number) { this.p[this.i + L_START] = v; }
  get end(): number { return this.p[this.i + L_END]; }
  set end(v: number) { this.p[this.i + L_END] = v; }
  get bodyStart(): number { return this.p[this.i + L_BODY_START]; }
  set bodyStart(v: number) { this.p[this.i + L_BODY_START] = v; }
  get line(): number { return this.p[this.i + L_LINE]; }
  set line(v: number) { this.p[this.i + L_LINE] = v; }
  get isAsync(): boolean { return (this.p[this.i + L_FLAGS] & L_ASYNC) !== 0; }
  set isAsync(v: boolean) { this.flag(L_FLAGS, L_ASYNC, v); }
  get hasBreak(): boolean { return (this.p[this.i + L_FLAGS] & L_BREAK) !== 0; }
  set hasBreak(v: boolean) { this.flag(L_FLAGS, L_BREAK, v); }
  get hasTry(): boolean { return (this.p[this.i + L_FLAGS] & L_TRY) !== 0; }
  set hasTry(v: boolean) { this.flag(L_FLAGS, L_TRY, v); }
  /** An `await`, `async for`, `async with` or `yield` in the loop (a `while`'s condition included), not in a nested def. */
  get yields(): boolean { return (this.p[this.i + L_FLAGS] & L_YIELDS) !== 0; }
  set yields(v: boolean) { this.flag(L_FLAGS, L_YIELDS, v); }

  protected get slots(): number { return LOOP_SLOTS; }

  /** The loop as a plain object (its fields in the order an object literal held them before), for JSON. */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {
      id: this.id, kind: this.kind, isAsync: this.isAsync, fn: this.fn, parent: this.parent, targets: this.targets, iter: this.iter,
      iterText: this.iterText, assigned: this.assigned, hasBreak: this.hasBreak, hasTry: this.hasTry, start: this.start, end: this.end,
      bodyStart: this.bodyStart, line: this.line,
    };
    if (this.derived) o.derived = this.derived;
    if (this.yields) o.yields = true;
    return o;
  }
}

/** Where a call site's numbers sit in its block (see CallSite). */
const ID = 0, FN = 1, START = 2, END = 3, CALLEE_END = 4, ARGS_START = 5, LINE = 6, COLUMN = 7, END_LINE = 8, END_COLUMN = 9, LOOP = 10, FLAGS = 11;
export const SLOTS = 12;
const NO_NUMBERS = new Int32Array(0);
const AWAITED = 1, FOR_ITERABLE = 2, STMT = 4, SPLAT = 8;

/**
 * The numbers of the call sites of one build, SLOTS per site, in typed arrays (off the JS heap: a
 * scavenge neither copies nor promotes them). A full array is followed by a new one twice its size;
 * the sites made already keep theirs.
 */
export class SiteBlock {
  p: Int32Array = NO_NUMBERS;
  used = 0;
  /**
   * `sites`: room for this many records in the first array, made when the first record is (a statement
   * of an open document with no call or function makes none); `slots`: numbers per record (SLOTS for
   * call sites, FN_SLOTS for functions).
   */
  constructor(private readonly sites = 8, private readonly slots = SLOTS) {}

  /** The index of a new record's numbers in `p` (read `p` after this call: a full array is followed by a new one). */
  take(): number {
    if (this.used + this.slots > this.p.length) {
      this.p = new Int32Array(this.p.length ? this.p.length * 2 : Math.max(1, this.sites) * this.slots);
      this.used = 0;
    }
    const i = this.used;
    this.used += this.slots;
    return i;
  }
}

/**
 * A call. Its numbers (ids, offsets, lines, columns, flags: 12 fields, 96 bytes of object) are read
 * and written through accessors from its build's SiteBlock, so the object holds six fields; on the
 * 500-file benchmark 62k call sites went from 168 bytes each to 72.
 */
export class CallSite extends BlockRecord {
  /**
   * A whole-file build's call site is also its call's expression (where the call is read as a value,
   * an argument, a callee's object: 35k call expressions on the 500-file benchmark, 48-56 bytes each,
   * were objects of their own): `k` on the prototype, `f` its callee, `args`, `kw`. See
   * ModelBuilder.newCall. As JSON it is the site (toJSON), wherever it is held.
   */
  declare readonly k: 'call';
  get f(): Expr { return this.callee; }
  set f(v: Expr) { this.callee = v; }
  callee: Expr;
  args: Expr[];
  kw: Record<string, Expr>;
  /** The callee as a reader names it, on one line (`db.query(...).first`, see readableCallee). */
  text: string;
  /**
   * Parameters of the enclosing function that a caller who omits them leaves in a state where the
   * call does not run: `= None` ones that must not be None, `= False` / `0` / `''` ones that must be
   * true (`if p is not None:`, `if p:`, `p and f()`, after `if p is None: return`); see guardsOf.
   */
  declare guard?: string[];
  /**
   * The `isinstance(x, C)` calls (their IR) that hold wherever the call runs: conjuncts of the enclosing
   * `if` / `elif` conditions in the same function; see narrowingsOf in builder.ts.
   */
  declare narrow?: Expr[];

  constructor(block: SiteBlock, callee: Expr, args: Expr[], kw: Record<string, Expr>, text: string) {
    super(block);
    this.callee = callee;
    this.args = args;
    this.kw = kw;
    this.text = text;
  }

  get id(): number { return this.p[this.i + ID]; }
  set id(v: number) { this.p[this.i + ID] = v; }
  get fn(): number { return this.p[this.i + FN]; }
  set fn(v: number) { this.p[this.i + FN] = v; }
  get start(): number { return this.p[this.i + START]; }
  set start(v: number) { this.p[this.i + START] = v; }
  get end(): number { return this.p[this.i + END]; }
  set end(v: number) { this.p[this.i + END] = v; }
  get calleeEnd(): number { return this.p[this.i + CALLEE_END]; }
  set calleeEnd(v: number) { this.p[this.i + CALLEE_END] = v; }
  get argsStart(): number { return this.p[this.i + ARGS_START]; }
  set argsStart(v: number) { this.p[this.i + ARGS_START] = v; }
  get line(): number { return this.p[this.i + LINE]; }
  set line(v: number) { this.p[this.i + LINE] = v; }
  get column(): number { return this.p[this.i + COLUMN]; }
  set column(v: number) { this.p[this.i + COLUMN] = v; }
  get endLine(): number { return this.p[this.i + END_LINE]; }
  set endLine(v: number) { this.p[this.i + END_LINE] = v; }
  get endColumn(): number { return this.p[this.i + END_COLUMN]; }
  set endColumn(v: number) { this.p[this.i + END_COLUMN] = v; }
  /** Innermost loop in the same function, or -1. */
  get loop(): number { return this.p[this.i + LOOP]; }
  set loop(v: number) { this.p[this.i + LOOP] = v; }
  get awaited(): boolean { return (this.p[this.i + FLAGS] & AWAITED) !== 0; }
  set awaited(v: boolean) { this.flag(FLAGS, AWAITED, v); }
  /** The call is the iterable of a `for` (so a generator's body runs here). */
  get forIterable(): boolean { return (this.p[this.i + FLAGS] & FOR_ITERABLE) !== 0; }
  set forIterable(v: boolean) { this.flag(FLAGS, FOR_ITERABLE, v); }
  /** The call is a whole expression statement: its result is discarded. */
  get stmt(): boolean { return (this.p[this.i + FLAGS] & STMT) !== 0; }
  set stmt(v: boolean) { this.flag(FLAGS, STMT, v); }
  /** A `*args` or `**kwargs` argument: which parameters the call fills is unknown. */
  get splat(): boolean { return (this.p[this.i + FLAGS] & SPLAT) !== 0; }
  set splat(v: boolean) { this.flag(FLAGS, SPLAT, v); }

  protected get slots(): number { return SLOTS; }

  /** The site as a plain object (its fields as an object literal held them before they moved to the block), for JSON. */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {
      id: this.id, fn: this.fn, callee: this.callee, args: this.args, kw: this.kw, text: this.text, start: this.start, end: this.end,
      calleeEnd: this.calleeEnd, argsStart: this.argsStart, line: this.line, column: this.column, endLine: this.endLine,
      endColumn: this.endColumn, awaited: this.awaited, loop: this.loop, forIterable: this.forIterable, stmt: this.stmt,
    };
    if (this.guard) o.guard = this.guard;
    if (this.narrow) o.narrow = this.narrow;
    if (this.splat) o.splat = true;
    return o;
  }

  /** A copy of this site with another callee, no arguments, not awaited (a callable passed by reference, as it would be called). */
  asReference(callee: Expr): CallSite {
    const c = new CallSite(new SiteBlock(1), callee, [], {}, this.text);
    for (let k = 0; k < SLOTS; k++) c.p[c.i + k] = this.p[this.i + k];
    c.awaited = false;
    if (this.guard) c.guard = this.guard;
    if (this.narrow) c.narrow = this.narrow;
    return c;
  }
}

(CallSite.prototype as { k: string }).k = 'call';

export interface ImportInfo { name: string; q: string; line: number; start: number; end: number; scope: number }

/**
 * A whole-file build's import is also the binding of its name (9.5k import bindings on the 500-file
 * benchmark repeated its target): `kind` 'import' on the prototype, `off` its statement's end, `q`
 * its target. Only where nothing moves it (an open document's parts shift imports and bindings apart).
 * As JSON, the import.
 */
export class ImportRecord implements ImportInfo {
  declare readonly kind: 'import';
  name: string;
  q: string;
  line: number;
  start: number;
  end: number;
  scope: number;
  constructor(name: string, q: string, line: number, start: number, end: number, scope: number) {
    this.name = name; this.q = q; this.line = line; this.start = start; this.end = end; this.scope = scope;
  }
  /** The binding's offset: the end of the import statement. */
  get off(): number { return this.end; }
  set off(v: number) { this.end = v; }
  toJSON(): object { return { name: this.name, q: this.q, line: this.line, start: this.start, end: this.end, scope: this.scope }; }
}
(ImportRecord.prototype as { kind: string }).kind = 'import';
(FunctionInfo.prototype as { kind: string }).kind = 'def';

export interface FileModel {
  module: string;
  isPackage: boolean;
  scopes: Scope[];
  functions: FunctionInfo[];
  classes: ClassInfo[];
  calls: CallSite[];
  loops: LoopInfo[];
  imports: ImportInfo[];
  /** line (1-based) -> codes from `# noqa: ...`; an empty set means a bare `# noqa`. */
  noqa: Map<number, Set<string>>;
  /** Codes (or prefixes) from own-line `# loopwise: noqa: LW101` comments; '' for a bare `# loopwise: noqa` (every code). */
  fileNoqa?: Set<string>;
  syntaxErrors: { line: number; column: number }[];
  /** Where each line starts: a list as built, an Int32Array once compacted (compactModel: off the JS heap). */
  lineStarts: readonly number[] | Int32Array;
  /** Hash of what the file exposes to name resolution (see surfaceHash); only for documents built from kept parts. */
  surface?: string;
}


export interface BuildOptions {
  module: string;
  isPackage: boolean;
  /** An open document's model: the strings it keeps are copies, so none pins the document's text after the next edit. */
  ownText?: boolean;
}

/**
 * The model of one top-level statement, kept between edits: an edit rebuilds only the statements
 * it touched, and the file's model is reassembled from these parts (offsets, lines and ids shifted).
 */
export interface Part { model: FileModel; header: SegmentHeader; placed: Placement; surface: number; column: number }

/** Where a part's records currently point: its statement's start and row, and its first ids. */
export interface Placement { start: number; row: number; fn: number; cls: number; call: number; loop: number; scope: number }

/** A document's parts by the `start:end` range of their statement in the text they were built from. */
export type PartCache = Map<string, Part>;
