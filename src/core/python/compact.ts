// A scan keeps every file's model until the cross-file pass and the fixes are done, so what a model
// holds is most of a cold scan's heap. Once a model is complete, compactModel makes it smaller
// without changing what it holds:
// - arrays filled with push() keep spare capacity (an array that grew from [] to one element has
//   room for 17): they are replaced by copies of their exact length (call arguments, subscripts, list
//   items and the names of expressions are built exactly sized, and empty ones as one shared frozen
//   array, python/exprBuilder.ts NO_EXPRS, so no expression is walked here);
// - equal short strings of all models are one string (python/intern.ts): the builder interns the
//   names it reads and the strings it composes (qualified names, import targets, callee texts, literals).
// The intern table lives as long as the process (a language server too): at most MAX_INTERNED
// strings of at most MAX_INTERN_LENGTH characters (under 10 MB with its table).
// On the benchmark the 500 models took 65.7 MB of heap compacted, 71.8 MB as built (67.7 and 91.8 MB
// before names were interned and expression lists exactly sized while building); 58.0 MB with the
// names and constants shared (shareNames below, bench/modelHeap.ts); 45.5 MB (+3.5 MB of array buffers)
// with single bindings unlisted, small scopes' bindings in arrays, and the numbers of call sites and
// functions in typed arrays (modelTypes.ts Bindings, CallSite, FunctionInfo; moved to one array per model below).
// 38.3 MB (+5.9 MB of array buffers) with a name's offset and scope in one number (ir.ts packAt), values
// only resolution reads and cannot ('?') as UNKNOWN (builder.ts resolvable), a parameter its own binding,
// a scope its own Bindings, loops in blocks, attributes per object and name and short constants per
// value shared (NameTable), and the line starts in an Int32Array (below). 29.3 MB (+6.0) with lists of
// one or two expressions, subscripts, list and '?' expressions one per model and content (NameTable.list1
// and after), one-name lists one per name (intern.ts nameList), expressions and bindings with their kind
// on the prototype (ir.ts NameX ..., modelTypes.ts ValueBinding ...), a call site as its call's expression,
// a function as its def binding and an import as its binding, small maps and sets in arrays (SmallMap,
// SmallSet), and a function's call ids as a run in its block (FunctionInfo.packCalls).
// Only for models nothing rebuilds in place: an open document's parts are shared with its next model.
import { NO_EXPRS } from './exprBuilder';
import { AttrX, atOffset, atScope, type Expr, ListX, NamesX, NameX, NumX, packAt, StrX, SubX, UNKNOWN } from './ir';
import { BlockRecord, type Bound, boundList, type FileModel, isList, type Scope } from './modelTypes';
import { MAX_INTERN_LENGTH, nameList, NO_STRINGS } from './intern';

/**
 * `[UNKNOWN]`, shared: most functions return one value resolution cannot read (builder.ts resolvable;
 * 8.5k of 11.5k functions on the 500-file benchmark). Frozen: nothing writes to a compacted model's lists.
 */
const ONE_UNKNOWN: Expr[] = Object.freeze([UNKNOWN]) as unknown as Expr[];
/** The call ids of every function that makes no call (frozen, as ONE_UNKNOWN). */
const NO_CALLS: number[] = Object.freeze([]) as unknown as number[];

/**
 * A function's decorators or returns, a class's bases: the shared empty list, the shared `[UNKNOWN]`, or
 * the list itself (python/builder.ts makes these lists exactly sized: a copy would only add garbage).
 */
function exprs(a: Expr[]): Expr[] {
  return a.length === 0 ? NO_EXPRS : a.length === 1 && a[0] === UNKNOWN ? ONE_UNKNOWN : a;
}

/** Compacts the model in place (see the file comment); returns the model. */
export function compactModel(model: FileModel): FileModel {
  // A name bound once holds its binding, no list (builder.ts bind).
  for (const scope of model.scopes) scope.bindings.trimLists();
  // The functions' and the call sites' numbers, made in blocks that doubled as they filled: one array each of exactly their size.
  BlockRecord.intoOneBlock(model.functions);
  for (const fn of model.functions) {
    // fn.calls and fn.params are made exactly sized (builder.ts fillCalls, readParams); no calls, one shared list.
    if (fn.calls.length === 0) fn.calls = NO_CALLS;
    else fn.packCalls();
    fn.decorators = exprs(fn.decorators);
    fn.returns = exprs(fn.returns);
  }
  for (const cls of model.classes) cls.bases = exprs(cls.bases);
  // A loop's targets: mostly one name, the process's one list of it (python/intern.ts nameList).
  for (const loop of model.loops) { const t = loop.targets; loop.targets = t.length === 0 ? NO_STRINGS : t.length === 1 ? nameList(t[0]) : t.slice(); }
  model.scopes = model.scopes.slice();
  model.functions = model.functions.slice();
  model.classes = model.classes.slice();
  model.calls = model.calls.slice();
  BlockRecord.intoOneBlock(model.calls);
  model.loops = model.loops.slice();
  BlockRecord.intoOneBlock(model.loops);
  model.imports = model.imports.slice();
  // The line starts, off the JS heap (a list of numbers took 8 bytes a line in it, 1 MB on the benchmark; 4 in an Int32Array's buffer).
  if (Array.isArray(model.lineStarts)) model.lineStarts = new Int32Array(model.lineStarts as number[]);
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
      for (const v of scope.bindings.values()) {
        for (const b of boundList(v)) {
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
type AttrExpr = Extract<Expr, { k: 'attr' }>;

/** How many of a name's bindings (those with an offset) are at or before `off`. */
function boundBefore(v: Bound | undefined, off: number): number {
  if (v === undefined) return 0;
  if (!isList(v)) return v.off !== -1 && v.off <= off ? 1 : 0;
  let before = 0;
  for (let i = 0; i < v.length; i++) { const o = v[i].off; if (o !== -1 && o <= off) before++; }
  return before;
}

/**
 * NameTable's entries: per entry its scope, its count of bindings before it, the largest offset of
 * the names it stands for, and the next entry of its chain (same text and scope, see slotEntry). Shared by every table
 * (one whole-file build runs at a time) and emptied by done(), so they keep no model alive.
 */
let tableScope = new Int32Array(1 << 12);
let tableBefore = new Int32Array(1 << 12);
let tableMax = new Int32Array(1 << 12);
let tableNext = new Int32Array(1 << 12);
const tableNames: NameExpr[] = [];
/** The constants of the model being built, by their index in tableStrs (strings longer than the shared ones, see sharedStrs). */
const tableConsts: Expr[] = [];
/**
 * How many of tableNames and tableConsts are the current model's: the lists are not emptied between
 * models (one emptied grows again, element by element, in every file), their slots are overwritten.
 */
let nameCount = 0;
let constCount = 0;
const NO_NAME: NameExpr = Object.freeze({ k: 'name', n: '', at: packAt(0, 0) }) as NameExpr;
/**
 * The chains by (text, scope): open addressing over `slotEntry` (the first entry of a chain; its
 * entries differ only in their count of bindings before them), a slot in use by the current model
 * when its `slotStamp` is `stamp` (a new model takes a new stamp instead of emptying the slots).
 * Keyed by text alone, a chain held an entry per scope: a 10k-line file's `self` chain was walked
 * through every earlier method's entry at each method's first `self`.
 */
let slotStamp = new Int32Array(1 << 12);
let slotEntry = new Int32Array(1 << 12);
let stamp = 1;
let slotsUsed = 0;
/** Each entry's keyHash. */
let tableHash = new Int32Array(1 << 12);
/**
 * The current model's attribute expressions (NameTable.attr), by entry: each entry's expression, the
 * next entry with the same object, and the first entry whose object is it (attrOfAttr; attrOfName for
 * the name of entry j). `lastExpr` is the expression name() or attr() returned last and `lastKey` its
 * entry (a name's j, an attribute's ~k). An object that is neither finds its first entry in tableAttrs.
 * Emptied by done().
 */
const attrExprs: AttrExpr[] = [];
let attrNext = new Int32Array(1 << 12);
let attrOfAttr = new Int32Array(1 << 12);
let attrOfName = new Int32Array(1 << 12);
let attrCount = 0;
let lastExpr: Expr | undefined;
let lastKey = 0;
const tableAttrs = new Map<Expr, number>();
/**
 * The current model's shared expression lists, subscripts, list and '?' expressions (NameTable.list1
 * and after), emptied by done(). An expression in a list or a subscript's object has an id (exprIds):
 * listHead[id] is the first list entry starting with it, subHead[id] its first subscript entry. A
 * list entry k holds its second element's id (-1: none), the next entry of its chain, its list and
 * its list expression (UNKNOWN until made); a subscript entry its index list's entry (-1: none), the
 * next entry and the subscript. `lastList` is the entry list1 / list2 returned last (-2: a list of its own, see once).
 */
const exprIds = new Map<Expr, number>();
let listHead = new Int32Array(1 << 12);
let subHead = new Int32Array(1 << 12);
let listSecond = new Int32Array(1 << 12);
let listNext = new Int32Array(1 << 12);
const listArrs: Expr[][] = [];
const listExprs: Expr[] = [];
let listCount = 0;
let subList = new Int32Array(1 << 12);
let subNext = new Int32Array(1 << 12);
const subExprs: Expr[] = [];
let subCount = 0;
let lastList = -1;
let emptyList: Expr | undefined;
const unknowns = new Map<string[], Expr>();

/**
 * Each name entry's and attribute entry's id in exprIds (-1: none yet), so the expression name() or
 * attr() returned last (most list elements and subscript objects: read just before their list is
 * taken) is found without hashing it.
 */
let nameExprId = new Int32Array(1 << 12);
let attrExprId = new Int32Array(1 << 12);

/**
 * Whether `e` is held in one place only (a call, an operation, an `await`, a lambda, a '?' of its own),
 * so no list or subscript of it is met twice and none is looked up (list1 and after; `lastList` -2).
 */
function once(e: Expr): boolean {
  const k = e.k;
  return k === 'call' || k === 'op' || k === 'await' || k === 'lambda' || (k === '?' && e !== UNKNOWN && !(e instanceof NamesX));
}

/** The id of `e` in the current model (a new one, with no lists or subscripts yet, when first met). */
function exprId(e: Expr): number {
  if (e === lastExpr) {
    const key = lastKey;
    const known = key >= 0 ? nameExprId[key] : attrExprId[~key];
    if (known >= 0) return known;
    const id = exprIdOf(e);
    if (key >= 0) nameExprId[key] = id; else attrExprId[~key] = id;
    return id;
  }
  return exprIdOf(e);
}

/** exprId by the map. */
function exprIdOf(e: Expr): number {
  let id = exprIds.get(e);
  if (id === undefined) {
    id = exprIds.size;
    exprIds.set(e, id);
    if (id === listHead.length) { listHead = grown(listHead); subHead = grown(subHead); }
    listHead[id] = -1;
    subHead[id] = -1;
  }
  return id;
}

/** A new list entry for `list` (first element's id `ia`, second's `ib` or -1); returns the list. */
function newList(ia: number, ib: number, list: Expr[]): Expr[] {
  const k = listCount++;
  if (k === listNext.length) { listNext = grown(listNext); listSecond = grown(listSecond); }
  if (k < listArrs.length) { listArrs[k] = list; listExprs[k] = UNKNOWN; } else { listArrs.push(list); listExprs.push(UNKNOWN); }
  listSecond[k] = ib;
  listNext[k] = listHead[ia];
  listHead[ia] = k;
  lastList = k;
  return list;
}
const NO_ATTR: AttrExpr = Object.freeze({ k: 'attr', o: UNKNOWN, a: '' }) as AttrExpr;

function grown(a: Int32Array) {
  const g = new Int32Array(a.length * 2);
  g.set(a);
  return g;
}
/**
 * String (of at most MAX_INTERN_LENGTH characters: interned, python/intern.ts) and number constants
 * of every whole-file model, one object per value for the process: a constant holds no position, and
 * nothing writes to one (20k constants of 1,161 values on the 500-file benchmark). Emptied when large.
 */
const sharedStrs = new Map<string, Expr>();
const sharedNums = new Map<number, Expr>();
const MAX_SHARED_CONSTS = 1 << 14;
/**
 * The index of each long constant's value in tableConsts. Kept from one model to the next (a Map
 * emptied per model grows its table again from four entries, in every file): an index is the current
 * model's only when it is below the length of its list and its entry has that value (an entry made
 * for this model replaced any older index). Emptied when a key longer than the interned strings
 * (python/intern.ts), which may be a slice of a source text, was added, and when large.
 */
const tableStrs = new Map<string, number>();
const MAX_TABLE_KEYS = 1 << 16;
let tableLongKeys = false;

/**
 * shareNames done while a whole-file model is built (python/builder.ts): a name is made only when no
 * name of its scope with its text and its count of bindings before it was made yet, so the names
 * shareNames would drop are never made, and no second walk over the model is needed. Equal string and
 * number constants are one object the same way.
 *
 * A name's count is taken when it is made; it stays right unless a binding of its text in its scope is
 * made later in the walk at or before its offset (the walk mostly binds a name before reading the names
 * after it, and python/builder.ts binds a `for` target and a class before reading its iterable or bases),
 * or a `global` declaration of its text comes after it. bound() and declaredGlobal() watch for
 * that: then `stale` is set, and the model is built again without the table and shared by shareNames.
 */
export class NameTable {
  /** A binding or a `global` declaration came after a name whose resolution it changes (see the class comment). */
  stale = false;
  /** The largest offset of a name made so far: a binding after it changes no name made (most bindings; see bound()). */
  private maxOff = -1;

  constructor(private readonly scopes: readonly Scope[]) {
    this.done();
  }

  /** The name expression of `n` at `off` in scope `scope`: the one made before that resolves alike, else a new one. */
  name(n: string, off: number, scope: number): Expr {
    return this.nameHashed(n, off, scope, textHash(n));
  }

  /** name(), given the hash of `n`'s text (textHash; python/intern.ts internedHash, for a name just interned). */
  nameHashed(n: string, off: number, scope: number, textH: number): Expr {
    const s = this.scopes[scope];
    let before = 0;
    if (s && !s.globals?.has(n)) {
      before = boundBefore(s.bindings.get(n), off);
    }
    const h = (textH ^ Math.imul(scope + 1, 0x9e3779b1)) | 0;
    const slot = findSlot(n, scope, h);
    const head = slotStamp[slot] === stamp ? slotEntry[slot] : -1;
    for (let j = head; j >= 0; j = tableNext[j]) {
      if (tableBefore[j] !== before) continue;
      if (off > tableMax[j]) tableMax[j] = off;
      if (off > this.maxOff) this.maxOff = off;
      lastKey = j;
      return (lastExpr = tableNames[j]);
    }
    const e: NameExpr = new NameX(n, packAt(off, scope));
    if (off > this.maxOff) this.maxOff = off;
    const j = nameCount++;
    if (j === tableScope.length) {
      const grow = (a: Int32Array) => { const g = new Int32Array(a.length * 2); g.set(a); return g; };
      tableScope = grow(tableScope); tableBefore = grow(tableBefore); tableMax = grow(tableMax); tableNext = grow(tableNext); tableHash = grow(tableHash);
    }
    if (j < tableNames.length) tableNames[j] = e; else tableNames.push(e);
    tableScope[j] = scope;
    tableBefore[j] = before;
    tableMax[j] = off;
    tableNext[j] = head;
    tableHash[j] = h;
    slotStamp[slot] = stamp;
    slotEntry[slot] = j;
    if (head < 0 && ++slotsUsed * 2 > slotEntry.length) growSlots();
    if (j === attrOfName.length) { attrOfName = grown(attrOfName); nameExprId = grown(nameExprId); }
    attrOfName[j] = -1;
    nameExprId[j] = -1;
    lastKey = j;
    return (lastExpr = e);
  }

  /** A string constant: one object per value (per process for a short one, see sharedStrs). */
  str(v: string): Expr {
    if (v.length <= MAX_INTERN_LENGTH) {
      let e = sharedStrs.get(v);
      if (e === undefined) {
        if (sharedStrs.size >= MAX_SHARED_CONSTS) sharedStrs.clear();
        sharedStrs.set(v, (e = new StrX(v)));
      }
      return e;
    }
    const j = tableStrs.get(v);
    if (j !== undefined && j < constCount) { const e = tableConsts[j]; if (e.k === 'str' && e.v === v) return e; }
    const e: Expr = new StrX(v);
    if (v.length > MAX_INTERN_LENGTH) tableLongKeys = true;
    tableStrs.set(v, constCount);
    putConst(e);
    return e;
  }

  /** A number constant: one object per value, for the process (see sharedStrs). */
  num(v: number): Expr {
    let e = sharedNums.get(v);
    if (e === undefined) {
      if (sharedNums.size >= MAX_SHARED_CONSTS) sharedNums.clear();
      sharedNums.set(v, (e = new NumX(v)));
    }
    return e;
  }

  /**
   * `o.a`: one object per object expression and attribute name in the model (`self.db` read ten
   * times in a method is one expression: its object is one shared name, python/compact.ts NameTable,
   * so every reading resolves alike). 9k of 36k attributes on the 500-file benchmark. An object that
   * is the expression name() or attr() returned last (the object of `o.a` is read just before it:
   * nearly always a name or an attribute) is found by its entry (see attrOfName), any other by tableAttrs.
   */
  attr(o: Expr, a: string): Expr {
    // A name's entry j >= 0, an attribute's ~k < 0 (see lastKey).
    const keyed = o === lastExpr;
    const key = lastKey;
    let first: number;
    if (keyed) first = key >= 0 ? attrOfName[key] : attrOfAttr[~key];
    else { const seen = tableAttrs.get(o); first = seen === undefined ? -1 : seen; }
    for (let k = first; k >= 0; k = attrNext[k]) {
      const x = attrExprs[k];
      if (x.a === a) { lastKey = ~k; return (lastExpr = x); }
    }
    const e: AttrExpr = new AttrX(o, a);
    const k = attrCount++;
    if (k === attrNext.length) { attrNext = grown(attrNext); attrOfAttr = grown(attrOfAttr); attrExprId = grown(attrExprId); }
    if (k < attrExprs.length) attrExprs[k] = e; else attrExprs.push(e);
    attrNext[k] = first;
    attrOfAttr[k] = -1;
    attrExprId[k] = -1;
    if (!keyed) tableAttrs.set(o, k);
    else if (key >= 0) attrOfName[key] = k;
    else attrOfAttr[~key] = k;
    lastKey = ~k;
    return (lastExpr = e);
  }

  /**
   * `[a]`: one list per expression in the model. Expression lists are only read (an argument list is
   * its call site's too), and `a` is a shared name, attribute or constant, or an expression of its own,
   * so equal lists are interchangeable as their elements are. On the 500-file benchmark most argument,
   * subscript and item lists hold one or two expressions (73k and 42k lists before). Kept in typed
   * arrays and lists reused from model to model, not a Map per expression: those, live while a model
   * was built, were promoted by the scavenges that met them (more than the lists saved).
   */
  list1(a: Expr): Expr[] {
    if (once(a)) { lastList = -2; return [a]; }
    const ia = exprId(a);
    for (let k = listHead[ia]; k >= 0; k = listNext[k]) if (listSecond[k] === -1) { lastList = k; return listArrs[k]; }
    return newList(ia, -1, [a]);
  }

  /** `[a, b]`: one list per pair of expressions in the model (see list1). */
  list2(a: Expr, b: Expr): Expr[] {
    if (once(a) || once(b)) { lastList = -2; return [a, b]; }
    const ia = exprId(a);
    const ib = exprId(b);
    for (let k = listHead[ia]; k >= 0; k = listNext[k]) if (listSecond[k] === ib) { lastList = k; return listArrs[k]; }
    return newList(ia, ib, [a, b]);
  }

  /**
   * `o[i]`, `i` the list list1 / list2 returned last (or NO_EXPRS): one subscript per object and
   * index list in the model (`Optional[str]`, `Dict[str, Any]`).
   */
  sub(o: Expr, i: Expr[]): Expr {
    const list = i.length === 0 ? -1 : lastList;
    if (list === -2 || once(o)) return new SubX(o, i);
    const io = exprId(o);
    for (let s = subHead[io]; s >= 0; s = subNext[s]) if (subList[s] === list) return subExprs[s];
    const e: Expr = new SubX(o, i);
    const s = subCount++;
    if (s === subNext.length) { subNext = grown(subNext); subList = grown(subList); }
    if (s < subExprs.length) subExprs[s] = e; else subExprs.push(e);
    subNext[s] = subHead[io];
    subList[s] = list;
    subHead[io] = s;
    return e;
  }

  /** `[...items]`, `items` the list list1 / list2 returned last (or NO_EXPRS): one list expression per item list in the model. */
  list(items: Expr[]): Expr {
    if (items.length === 0) return (emptyList ??= new ListX(NO_EXPRS));
    const k = lastList;
    if (k === -2) return new ListX(items);
    let e = listExprs[k];
    if (e === UNKNOWN) listExprs[k] = e = new ListX(items);
    return e;
  }

  /** `{ k: '?', names }`, `names` empty or a one-name list of python/intern.ts nameList: one such expression per list in the model. */
  unknown(names: string[]): Expr {
    let e = unknowns.get(names);
    if (e === undefined) unknowns.set(names, (e = new NamesX(names)));
    return e;
  }

  /** A binding of `n` at `off` was added to scope `scope`: stale when a name made already sits at or after it. */
  bound(scope: number, n: string, off: number): void {
    if (off === -1 || off > this.maxOff || this.stale) return;
    for (let j = headOf(n, scope); j >= 0; j = tableNext[j]) if (tableMax[j] >= off) { this.stale = true; return; }
  }

  /** `global n` in scope `scope`: stale when a name of `n` was made in that scope already. */
  declaredGlobal(scope: number, n: string): void {
    if (this.stale) return;
    if (headOf(n, scope) >= 0) this.stale = true;
  }

  /** Lets go of the names and constants (the shared chains keep no model alive). */
  done(): void {
    if (exprIds.size) exprIds.clear();
    listArrs.fill(NO_EXPRS, 0, listCount);
    listExprs.fill(UNKNOWN, 0, listCount);
    subExprs.fill(UNKNOWN, 0, subCount);
    listCount = 0;
    subCount = 0;
    emptyList = undefined;
    if (unknowns.size) unknowns.clear();
    tableNames.fill(NO_NAME, 0, nameCount);
    tableConsts.fill(UNKNOWN, 0, constCount);
    if (tableAttrs.size) tableAttrs.clear();
    attrExprs.fill(NO_ATTR, 0, attrCount);
    attrCount = 0;
    lastExpr = undefined;
    nameCount = 0;
    constCount = 0;
    // A new stamp empties every slot (see slotStamp).
    if (++stamp === 0x7fffffff) { slotStamp.fill(0); stamp = 1; }
    slotsUsed = 0;
    if (tableLongKeys || tableStrs.size > MAX_TABLE_KEYS) {
      tableStrs.clear();
      tableLongKeys = false;
    }
  }
}

/** A hash of text `n` in scope `scope`: its textHash with the scope mixed in. */
function keyHash(n: string, scope: number): number {
  return (textHash(n) ^ Math.imul(scope + 1, 0x9e3779b1)) | 0;
}

/** FNV-1a over the characters of `n`, seeded with its length: the hash python/intern.ts gives an interned string (internedHash). */
function textHash(n: string): number {
  let h = 0x811c9dc5 ^ n.length;
  for (let i = 0; i < n.length; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The slot of (text `n`, scope `scope`) with hash `h`: the one holding its chain, or the empty slot where it would go. */
function findSlot(n: string, scope: number, h: number): number {
  const mask = slotEntry.length - 1;
  let i = h & mask;
  while (slotStamp[i] === stamp) {
    const j = slotEntry[i];
    if (tableHash[j] === h && tableScope[j] === scope && tableNames[j].n === n) return i;
    i = (i + 1) & mask;
  }
  return i;
}

/** The first entry of the chain of text `n` in scope `scope` in the current model, or -1. */
function headOf(n: string, scope: number): number {
  const slot = findSlot(n, scope, keyHash(n, scope));
  return slotStamp[slot] === stamp ? slotEntry[slot] : -1;
}

/** Twice the slots, the chains' heads placed again (a chain's entries all have its head's text, scope and hash). */
function growSlots(): void {
  const heads: number[] = [];
  for (let i = 0; i < slotEntry.length; i++) if (slotStamp[i] === stamp) heads.push(slotEntry[i]);
  const size = slotEntry.length * 2;
  slotStamp = new Int32Array(size);
  slotEntry = new Int32Array(size);
  stamp = 1;
  const mask = size - 1;
  for (const j of heads) {
    let i = tableHash[j] & mask;
    while (slotStamp[i] === stamp) i = (i + 1) & mask;
    slotStamp[i] = stamp;
    slotEntry[i] = j;
  }
}

function putConst(e: Expr): void {
  if (constCount < tableConsts.length) tableConsts[constCount] = e; else tableConsts.push(e);
  constCount++;
}

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
    const id = atScope(e.at);
    const scope = this.model.scopes[id];
    let before = 0;
    if (scope && !scope.globals?.has(e.n)) {
      before = boundBefore(scope.bindings.get(e.n), atOffset(e.at));
    }
    // The first name met per (scope, bindings before, text): by text, the head of a chain of entries,
    // most recently used first, so the names of one scope, met together, are found at once.
    const head = chainHeads.get(e.n);
    let prev = -1;
    for (let j = head ?? -1; j >= 0; prev = j, j = chainNext[j]) {
      if (chainScope[j] !== id || chainBefore[j] !== before) continue;
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
    chainScope[j] = id;
    chainBefore[j] = before;
    chainNext[j] = head ?? -1;
    chainHeads.set(e.n, j);
    return e;
  }
}
