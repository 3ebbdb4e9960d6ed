// Reads the flat tree (python/flatTree.ts) of one top-level statement: node kinds, fields, text and
// positions, and the expression IR (python/ir.ts) of any expression node. The statement builder
// (python/builder.ts) extends it.
import type { FlatTree, Kinds } from './flatTree';
import { CallX, type Expr, namesList as namesListImport, packAt as packAtImport, type SegmentHeader, UNKNOWN as UNKNOWN_IMPORT } from './ir';
import { copyString as copyStringImport } from '../parser';
import { intern as internImport, internedHash as internedHashImport, internRange as internRangeImport, MAX_INTERN_LENGTH, nameList as nameListImport, NO_STRINGS } from './intern';
import type { NameTable } from './compact';

// Names used per node are bound locally: where the sources run through a CommonJS transform (tsx:
// the tests and `npm run bench`), every use of an imported name is a getter call; the bundle is not affected.
const namesList = namesListImport;
const packAt = packAtImport;
const UNKNOWN = UNKNOWN_IMPORT;
const copyString = copyStringImport;
const internRange = internRangeImport;
const intern = internImport;
const internedHash = internedHashImport;
const nameList = nameListImport;

/**
 * The node types the builder tells apart, as small numbers (kindsFor maps every type id of the
 * grammar with one of these names, named or anonymous, as a comparison of `node.type` would).
 * An enum, so the bundle inlines the numbers: the builder's `switch` then compares with constants
 * (case labels read from an object had no type feedback until first reached, and each first use of
 * a late case deoptimised the whole walk).
 */
export enum K {
  identifier = 1, attribute = 2, call = 3, subscript = 4, type = 5, generic_type = 6, type_parameter = 7,
  binary_operator = 8, parenthesized_expression = 9, await = 10, string = 11, string_content = 12, interpolation = 13,
  concatenated_string = 14, integer = 15, float = 16, none = 17, false = 18, true = 19, list = 20, tuple = 21, lambda = 22,
  comment = 23, keyword_argument = 24, generator_expression = 25, function_definition = 26, class_definition = 27,
  decorated_definition = 28, decorator = 29, list_comprehension = 30, set_comprehension = 31,
  dictionary_comprehension = 32, for_in_clause = 33, for_statement = 34, while_statement = 35, expression_statement = 36,
  import_statement = 37, import_from_statement = 38, assignment = 39, augmented_assignment = 40, named_expression = 41,
  with_statement = 42, with_item = 43, return_statement = 44, yield = 45, global_statement = 46, nonlocal_statement = 47,
  break_statement = 48, try_statement = 49, ERROR = 50, typed_parameter = 51, default_parameter = 52,
  typed_default_parameter = 53, list_splat_pattern = 54, dictionary_splat_pattern = 55, dotted_name = 56,
  aliased_import = 57, relative_import = 58, import_prefix = 59, as_pattern = 60,
  // Guards of call sites (builder.ts guardsOf).
  block = 61, if_statement = 62, elif_clause = 63, else_clause = 64, boolean_operator = 65, comparison_operator = 66,
  not_operator = 67, conditional_expression = 68, raise_statement = 69, continue_statement = 70, list_splat = 71,
  dictionary_splat = 72,
}

/** The kind names in the order of their numbers (1, 2, ...). */
export const KIND_NAMES = Object.keys(K).filter((k) => Number.isNaN(Number(k))) as readonly string[];

/** Field names the builder reads. */
export const FIELD_NAMES = ['name', 'body', 'parameters', 'return_type', 'superclasses', 'left', 'right', 'type', 'value', 'alias',
  'function', 'arguments', 'object', 'attribute', 'subscript', 'operator', 'condition', 'module_name', 'consequence',
  'alternative', 'argument'] as const;
export type FieldName = typeof FIELD_NAMES[number];

const MAX_IR_DEPTH = 40;

/**
 * The expressions of the lists being read (arguments, items, subscripts), innermost list last: a list
 * is pushed here and sliced off when complete, so each comes out exactly sized (an array grown by
 * push() from [] keeps room for 17). One builder runs at a time.
 */
const pending: Expr[] = [];
let pendingTop = 0;

/** How far `pending` was filled since the last reset (its slots above pendingTop hold stale lists). */
let pendingHigh = 0;

function pend(e: Expr): void {
  pending[pendingTop++] = e;
  if (pendingTop > pendingHigh) pendingHigh = pendingTop;
}

/**
 * The expressions pended since `base`, as a new array of exactly their number; with `shared` (a
 * whole-file build's NameTable), one or two expressions as the model's one list of them (see NameTable.list1).
 */
function takeFrom(base: number, shared?: NameTable): Expr[] {
  const n = pendingTop - base;
  if (n === 0) return NO_EXPRS;
  if (shared !== undefined && n <= 2) {
    pendingTop = base;
    return n === 1 ? shared.list1(pending[base]) : shared.list2(pending[base], pending[base + 1]);
  }
  const out = pending.slice(base, pendingTop);
  pendingTop = base;
  return out;
}

/** The names identifiersIn is reading (it reads no expression, so one list serves). */
const identifiers: string[] = [];
let identifiersHigh = 0;

/**
 * Before a statement is read: forgets a list left unfinished (a walk that threw) and lets go of the
 * expressions and names the scratch lists still point to, so they keep no earlier model alive.
 */
export function resetPending(): void {
  pendingTop = 0;
  if (pendingHigh > 0) { pending.fill(UNKNOWN, 0, pendingHigh); pendingHigh = 0; }
  if (identifiersHigh > 0) { identifiers.fill('', 0, identifiersHigh); identifiersHigh = 0; }
}

type CallExpr = Extract<Expr, { k: 'call' }>;

/**
 * The call expressions read in the current statement, by node index (a call nested in another's
 * arguments is met twice: as an argument, then as a call site): callSlot[node] is 1 + its index in
 * callExprs, 0 for none. Typed arrays shared by every builder (one runs at a time), cleared per
 * statement by the nodes listed in callNodes, so no map is hashed or grown per call.
 */
let callSlot = new Int32Array(1 << 16);
const callExprs: CallExpr[] = [];
const callNodes: number[] = [];
/** How many of callExprs and callNodes are the current statement's (the lists are overwritten, not emptied: one emptied grows again in every statement). */
let callCount = 0;
const NO_CALL = Object.freeze({ k: 'call', f: UNKNOWN_IMPORT, args: [], kw: {} }) as CallExpr;

/** Forgets the call expressions of the last statement (see callSlot). */
export function resetCalls(): void {
  if (callCount === 0) return;
  for (let i = 0; i < callCount; i++) callSlot[callNodes[i]] = 0;
  callExprs.fill(NO_CALL, 0, callCount);
  callCount = 0;
}

/** A file's row table: where each line starts, counting only `\n` as tree-sitter does. */
export interface Rows { starts: number[] }

/** The 0-based row of an offset in a table of line starts (binary search). */
export function rowOf(starts: ArrayLike<number>, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

export class ExprBuilder {
  protected readonly type: Uint16Array;
  protected readonly field: Uint16Array;
  protected readonly S: Int32Array;
  protected readonly E: Int32Array;
  protected readonly P: Int32Array;
  protected readonly L: Int32Array;
  protected readonly kindOf: Uint8Array;
  protected readonly namedOf: Uint8Array;
  protected readonly F: Record<FieldName, number>;

  /**
   * `header`: the segment header of a part's statement (its names and lambdas keep it); undefined
   * for a whole file built at once, whose offsets and scope ids are the file's already (see offsetOf
   * and scopeOf): its expressions are one field smaller.
   */
  constructor(protected text: string, t: FlatTree, protected kinds: Kinds, fields: Record<FieldName, number>, protected rows: Rows, protected header: SegmentHeader | undefined, protected own: boolean) {
    this.type = t.type; this.field = t.field; this.S = t.start; this.E = t.end; this.P = t.parent; this.L = t.last;
    this.kindOf = kinds.byId; this.namedOf = kinds.named; this.F = fields;
    if (callSlot.length < t.type.length) { resetCalls(); callSlot = new Int32Array(t.type.length); }
  }

  /**
   * Shares the names and constants of a whole-file build as they are made (python/compact.ts
   * NameTable); undefined for a part's build (its names keep their own objects) or when not asked.
   */
  protected shared: NameTable | undefined;

  private strExpr(v: string): Expr {
    return this.shared ? this.shared.str(v) : { k: 'str', v };
  }

  protected kind(i: number): number { return this.kindOf[this.type[i]]; }
  protected isNamed(i: number): boolean { return this.namedOf[this.type[i]] === 1; }

  /**
   * The node's text: a short one interned (python/intern.ts: no new string for a name met before),
   * a longer one sliced from the source, or copied when the model must not pin the source.
   */
  protected str(i: number): string {
    const start = this.S[i];
    const end = this.E[i];
    if (end - start <= MAX_INTERN_LENGTH) return internRange(this.text, start, end);
    const s = this.text.slice(start, end);
    return this.own ? copyString(s) : s;
  }

  /**
   * A string constant's value: a short one interned (equal constants of all models are one string, as
   * python/compact.ts made them after the build before), a longer one copied when the model must not pin the source.
   */
  protected literal(s: string): string {
    if (s.length <= MAX_INTERN_LENGTH) return intern(s);
    return this.own ? copyString(s) : s;
  }

  /** The text of node `i`, or undefined for -1 (as `node?.text`). */
  protected textOf(i: number): string | undefined { return i >= 0 ? this.str(i) : undefined; }

  /** The row row() found last: the walk asks in source order, so the next answer is mostly that row or a few after it. */
  private lastRow = 0;

  /** The 0-based row of an offset: a few rows on from the last answer, else a binary search (rowOf). */
  protected row(offset: number): number {
    const starts = this.rows.starts;
    const r = this.lastRow;
    return (this.lastRow = r >= starts.length || starts[r] > offset ? rowOf(starts, offset) : this.rowFrom(r, offset));
  }

  /** The row of `offset`, at or after row `from` (the row of an offset before it): the hint of row() is left as it is. */
  protected rowFrom(from: number, offset: number): number {
    const starts = this.rows.starts;
    const last = starts.length - 1;
    let r = from;
    for (let steps = 0; r < last && starts[r + 1] <= offset; r++) if (++steps > 8) return rowOf(starts, offset);
    return r;
  }
  protected column(offset: number, row = this.row(offset)): number { return offset - this.rows.starts[row]; }

  /**
   * First child holding field `id` (as childForFieldName), or -1. Callers pass `this.F.name` and the
   * like: a named property of one object, where a field name passed as a string was a keyed lookup
   * (a dictionary probe per call; half of child()'s time in a profile of the build).
   */
  protected child(i: number, id: number): number {
    const end = this.L[i];
    for (let j = i + 1; j < end; j = this.L[j]) if (this.field[j] === id) return j;
    return -1;
  }

  protected children(i: number): number[] {
    const out: number[] = [];
    const end = this.L[i];
    for (let j = i + 1; j < end; j = this.L[j]) out.push(j);
    return out;
  }

  protected namedChildren(i: number): number[] {
    const out: number[] = [];
    const end = this.L[i];
    for (let j = i + 1; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1) out.push(j);
    return out;
  }

  /** The first named child of kind `a` or `b`, or -1. */
  protected namedChildOfKind(i: number, a: number, b: number): number {
    const end = this.L[i];
    for (let j = i + 1; j < end; j = this.L[j]) {
      if (this.namedOf[this.type[j]] !== 1) continue;
      const k = this.kindOf[this.type[j]];
      if (k === a || k === b) return j;
    }
    return -1;
  }

  protected firstNamedChild(i: number): number {
    const end = this.L[i];
    for (let j = i + 1; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1) return j;
    return -1;
  }

  /** Identifiers bound by an assignment / for target (`a`, `a, b`, `(a, [b, *c])`). */
  protected targetNames(n: number): string[] {
    const k = this.kind(n);
    if (k === K.identifier) return [this.str(n)];
    if (k === K.attribute || k === K.subscript) return [];
    const out: string[] = [];
    const end = this.L[n];
    for (let j = n + 1; j < end; j++) {
      if (this.kind(j) !== K.identifier) continue;
      const pk = this.kind(this.P[j]);
      if (pk !== K.attribute && pk !== K.subscript) out.push(this.str(j));
    }
    return out;
  }

  /** Named identifiers at any depth (the node included), in source order, empty (MISSING) ones left out. */
  protected identifiersIn(n: number): string[] {
    const start = this.S[n];
    const end = this.E[n];
    if (end - start > 4000) return [];
    // Collected in a scratch list, then copied exactly sized (see takeFrom).
    let count = 0;
    const last = this.L[n];
    for (let j = n; j < last; j++) {
      if (this.kind(j) === K.identifier && this.namedOf[this.type[j]] === 1 && this.E[j] > this.S[j]) identifiers[count++] = this.str(j);
    }
    if (count > identifiersHigh) identifiersHigh = count;
    // None or one name (most): a shared list (python/intern.ts nameList).
    return count === 0 ? NO_STRINGS : count === 1 ? nameList(identifiers[0]) : identifiers.slice(0, count);
  }

  /** The expression IR of node `n`. */
  protected ir(n: number, scope: number, depth = 0): Expr {
    if (depth > MAX_IR_DEPTH) return UNKNOWN;
    switch (this.kind(n)) {
      case K.identifier: {
        const seg = this.header;
        if (seg) return { k: 'name', n: this.str(n), at: packAt(this.S[n], scope), seg };
        const shared = this.shared;
        if (!shared) return { k: 'name', n: this.str(n), at: packAt(this.S[n], scope) };
        const start = this.S[n];
        const end = this.E[n];
        // An interned name comes with its hash (see internedHash), which the table's lookup reuses.
        return end - start <= MAX_INTERN_LENGTH ? shared.nameHashed(internRange(this.text, start, end), start, scope, internedHash()) : shared.name(this.str(n), start, scope);
      }
      case K.attribute: {
        const o = this.child(n, this.F.object);
        const a = this.child(n, this.F.attribute);
        if (o < 0 || a < 0) return UNKNOWN;
        const oe = this.ir(o, scope, depth + 1);
        const shared = this.shared;
        return shared ? shared.attr(oe, this.str(a)) : { k: 'attr', o: oe, a: this.str(a) };
      }
      case K.call: {
        const slot = callSlot[n];
        if (slot > 0) return callExprs[slot - 1];
        const f = this.child(n, this.F.function);
        const argsNode = this.child(n, this.F.arguments);
        if (f < 0) return UNKNOWN;
        const full = depth < 6;
        const base = pendingTop;
        const kw = argsNode >= 0 && full ? this.readArgs(argsNode, scope, depth) : NO_KEYWORDS;
        const args = takeFrom(base, this.shared);
        const fe = this.ir(f, scope, depth + 1);
        const e: Expr = full ? this.newCall(fe, args, kw) : this.shared ? new CallX(fe, args, kw) : { k: 'call', f: fe, args, kw };
        if (full) {
          if (callCount < callExprs.length) { callExprs[callCount] = e as CallExpr; callNodes[callCount] = n; } else { callExprs.push(e as CallExpr); callNodes.push(n); }
          callSlot[n] = ++callCount;
        }
        return e;
      }
      case K.subscript: {
        const o = this.child(n, this.F.value);
        if (o < 0) return UNKNOWN;
        const base = pendingTop;
        const id = this.F.subscript;
        const end = this.L[n];
        for (let j = n + 1; j < end; j = this.L[j]) if (this.field[j] === id) pend(this.ir(j, scope, depth + 1));
        return this.subExpr(this.ir(o, scope, depth + 1), base);
      }
      case K.type: {
        const inner = this.firstNamedChild(n);
        return inner >= 0 ? this.ir(inner, scope, depth + 1) : UNKNOWN;
      }
      case K.generic_type: {
        // `Annotated[Session, Depends(get_db)]` in a parameter annotation.
        const base = this.firstNamedChild(n);
        if (base < 0) return UNKNOWN;
        let params = -1;
        for (let j = n + 1, end = this.L[n]; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1 && this.kind(j) === K.type_parameter) { params = j; break; }
        const from = pendingTop;
        if (params >= 0) for (let j = params + 1, end = this.L[params]; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1) pend(this.ir(j, scope, depth + 1));
        return this.subExpr(this.ir(base, scope, depth + 1), from);
      }
      case K.binary_operator: {
        const l = this.child(n, this.F.left);
        const r = this.child(n, this.F.right);
        const opNode = this.child(n, this.F.operator);
        const op = opNode >= 0 ? this.kinds.names[this.type[opNode]] : '?';
        return l >= 0 && r >= 0 ? { k: 'op', op, l: this.ir(l, scope, depth + 1), r: this.ir(r, scope, depth + 1) } : UNKNOWN;
      }
      case K.parenthesized_expression: {
        for (let j = n + 1, end = this.L[n]; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1 && this.kind(j) !== K.comment) return this.ir(j, scope, depth + 1);
        return UNKNOWN;
      }
      case K.await: {
        const inner = this.firstNamedChild(n);
        return inner >= 0 ? { k: 'await', e: this.ir(inner, scope, depth + 1) } : UNKNOWN;
      }
      case K.string: {
        // The first string_content before any interpolation, and whether there is an interpolation.
        let first = -1;
        let interp = false;
        let content = '';
        let pieces = 0;
        for (let j = n + 1, end = this.L[n]; j < end; j = this.L[j]) {
          if (this.namedOf[this.type[j]] !== 1) continue;
          const k = this.kind(j);
          if (k === K.interpolation) interp = true;
          else if (k === K.string_content) {
            if (first < 0 && !interp) first = j;
            // The first piece is sliced only when a second one follows (see below).
            if (!interp && pieces++ > 0) content += (pieces === 2 ? this.text.slice(this.S[first], this.E[first]) : '') + this.text.slice(this.S[j], this.E[j]);
          }
        }
        if (interp) {
          const head = first >= 0 ? this.str(first) : undefined;
          return head ? { k: '?', names: this.identifiersIn(n), head } : { k: '?', names: this.identifiersIn(n) };
        }
        // One piece (most strings): read as a node's text is (the same string literal() makes of it, without the slice).
        return this.strExpr(pieces === 1 ? this.str(first) : this.literal(content));
      }
      case K.concatenated_string: return this.strExpr(this.literal(this.concatenated(n)));
      case K.integer:
      case K.float: { const v = numberAt(this.text, this.S[n], this.E[n]); return Number.isFinite(v) ? (this.shared ? this.shared.num(v) : { k: 'num', v }) : UNKNOWN; }
      case K.none: return NONE;
      // False / True as 0 / 1 (Python's own values), so `acquire(blocking=False)` reads as a number.
      case K.false: return FALSE;
      case K.true: return TRUE;
      case K.list:
      case K.tuple: {
        const base = pendingTop;
        for (let j = n + 1, end = this.L[n]; j < end; j = this.L[j]) if (this.namedOf[this.type[j]] === 1 && this.kind(j) !== K.comment) pend(this.ir(j, scope, depth + 1));
        const shared = this.shared;
        if (shared && pendingTop - base <= 2) return shared.list(takeFrom(base, shared));
        return { k: 'list', items: takeFrom(base) };
      }
      case K.lambda: { const seg = this.header; return seg ? { k: 'lambda', off: this.S[n], seg } : { k: 'lambda', off: this.S[n] }; }
      case K.list_comprehension:
      case K.set_comprehension:
      case K.generator_expression: {
        const names = this.identifiersIn(n);
        const elem = this.comprehensionElement(n, scope, depth);
        return elem ? { k: '?', names, elem } : { k: '?', names };
      }
      default:
        return this.unknown(n);
    }
  }

  /** A call's expression, as read where its call site is (python/builder.ts overrides it: there, a whole-file build's site). */
  protected newCall(f: Expr, args: Expr[], kw: Record<string, Expr>): CallExpr {
    return this.shared ? new CallX(f, args, kw) : { k: 'call', f, args, kw };
  }

  /** `o[...]` of the expressions pended since `base`: with a NameTable and at most two of them, the model's one such subscript. */
  private subExpr(o: Expr, base: number): Expr {
    const shared = this.shared;
    if (shared && pendingTop - base <= 2) return shared.sub(o, takeFrom(base, shared));
    return { k: 'sub', o, i: takeFrom(base) };
  }

  /** `{ k: '?', names }` of the identifiers in node `n`: with a NameTable and at most one name, the model's one such expression. */
  protected unknown(n: number): Expr {
    const names = this.identifiersIn(n);
    const shared = this.shared;
    return shared && names.length <= 1 ? shared.unknown(names) : { k: '?', names };
  }

  /**
   * The value of a concatenated string (`"a" "b"`). A method of its own: a closure in ir() that read
   * `this` made V8 allocate a context for `this` on every call of ir(), whatever the node (~48 bytes
   * per expression read, a sixth of the model build's allocation).
   */
  private concatenated(n: number): string {
    let v = '';
    const end = this.L[n];
    for (let c = n + 1; c < end; c = this.L[c]) if (this.namedOf[this.type[c]] === 1) v += stripQuotes(this.text.slice(this.S[c], this.E[c]));
    return v;
  }

  /** `[engine.connect() for _ in range(n)]`: the element, unless it reads the comprehension's own names. */
  private comprehensionElement(n: number, scope: number, depth: number): Expr | undefined {
    const body = this.child(n, this.F.body);
    if (body < 0) return undefined;
    const elem = this.ir(body, scope, depth + 1);
    const names = namesList(elem);
    if (names.length === 0) return elem;
    // The comprehension's own names: the targets of its `for` clauses.
    for (let c = n + 1, end = this.L[n]; c < end; c = this.L[c]) {
      if (!this.isNamed(c) || this.kind(c) !== K.for_in_clause) continue;
      const left = this.child(c, this.F.left);
      if (left < 0) continue;
      if (this.kind(left) === K.identifier) { if (names.includes(this.str(left))) return undefined; continue; }
      for (const t of this.targetNames(left)) if (names.includes(t)) return undefined;
    }
    return elem;
  }

  /** Where a list to be pended (pend) starts: taken with taken(base). */
  protected pendBase(): number { return pendingTop; }
  protected pend(e: Expr): void { pend(e); }
  /** The expressions pended since `base`, as a new array of exactly their number (NO_EXPRS for none; see takeFrom for one or two). */
  protected taken(base: number): Expr[] { return takeFrom(base, this.shared); }

  /** Pends the positional arguments of `argsNode` (see takeFrom); returns the keyword arguments. */
  protected readArgs(argsNode: number, scope: number, depth: number): Record<string, Expr> {
    let kw: Record<string, Expr> | undefined;
    if (this.kind(argsNode) === K.generator_expression) { pend(this.unknown(argsNode)); return NO_KEYWORDS; }
    for (let a = argsNode + 1, end = this.L[argsNode]; a < end; a = this.L[a]) {
      if (this.namedOf[this.type[a]] !== 1) continue;
      const t = this.kind(a);
      if (t === K.comment) continue;
      if (t === K.keyword_argument) {
        const name = this.textOf(this.child(a, this.F.name));
        const v = this.child(a, this.F.value);
        if (name && v >= 0) (kw ??= {})[name] = this.ir(v, scope, depth + 1);
      } else pend(this.ir(a, scope, depth + 1));
    }
    return kw ?? NO_KEYWORDS;
  }
}

// `None`, `False` and `True`: one expression each for every model (they hold no position); frozen,
// so code that tried to change one would fail loudly in tests.
const NONE: Expr = Object.freeze({ k: 'none' });
const FALSE: Expr = Object.freeze({ k: 'num', v: 0 });
const TRUE: Expr = Object.freeze({ k: 'num', v: 1 });

/**
 * The arguments, items or subscripts of every expression that has none (one shared array, as python/
 * compact.ts made them before; frozen: nothing writes to a model's expression lists).
 */
export const NO_EXPRS: Expr[] = Object.freeze([]) as unknown as Expr[];

/** The keyword arguments of every call that has none (one shared object; nothing writes to a model's `kw`). */
const NO_KEYWORDS: Record<string, Expr> = Object.freeze({}) as Record<string, Expr>;

/**
 * The value of the number literal `text[start, end)`, as `Number` reads it without its `_` separators:
 * a literal of up to 15 decimal digits (most) is read digit by digit, with no slice or regular expression.
 */
export function numberAt(text: string, start: number, end: number): number {
  if (end - start <= 15) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === end) return v;
  }
  const raw = text.slice(start, end);
  return Number(raw.indexOf('_') >= 0 ? raw.replace(/_/g, '') : raw);
}

function stripQuotes(s: string): string {
  return s.replace(/^[rbuRBUfF]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}
