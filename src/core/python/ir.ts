// A small expression IR: the parts of a Python expression that name resolution and the rules need,
// kept as plain data so a file's model outlives its syntax tree (trees are freed right after the walk).

/**
 * Where the top-level statement an expression came from sits now. A file's model is built per
 * top-level statement and reused across edits, so names keep the offset and scope id they had when
 * built, and this shared header (updated when the model is reassembled) says how to translate them.
 */
export interface SegmentHeader { delta: number; scopeBase: number }

export type Expr =
  /** `at`: the name's offset and scope id in one number (see packAt); read with offsetOf and scopeOf. */
  | { k: 'name'; n: string; at: number; seg?: SegmentHeader }
  | { k: 'attr'; o: Expr; a: string }
  | { k: 'call'; f: Expr; args: Expr[]; kw: Record<string, Expr> }
  | { k: 'sub'; o: Expr; i: Expr[] }
  | { k: 'op'; op: string; l: Expr; r: Expr }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'list'; items: Expr[] }
  | { k: 'lambda'; off: number; seg?: SegmentHeader }
  | { k: 'await'; e: Expr }
  | { k: 'none' }
  /**
   * Anything else; an f-string keeps its leading literal text in `head`, a list / set comprehension
   * or generator expression its element in `elem` (when that does not read the comprehension's names).
   */
  | { k: '?'; names?: string[]; head?: string; elem?: Expr };

export const UNKNOWN: Expr = { k: '?' };

// The expressions of a whole-file build (python/compact.ts NameTable, python/exprBuilder.ts): the
// same fields as the literals above, with the kind `k` on the prototype, so an object holds only its
// other fields (8 bytes less each: ~150k expressions on the 500-file benchmark). Read as the literals
// are (`e.k`, `e.n`, ...); as JSON (toJSON) the literal, its fields in the same order.

/** `{ k: 'name', n, at }`. */
export class NameX {
  declare readonly k: 'name';
  declare readonly seg?: SegmentHeader;
  n: string;
  at: number;
  constructor(n: string, at: number) { this.n = n; this.at = at; }
  toJSON(): object { return { k: 'name', n: this.n, at: this.at }; }
}

/** `{ k: 'attr', o, a }`. */
export class AttrX {
  declare readonly k: 'attr';
  o: Expr;
  a: string;
  constructor(o: Expr, a: string) { this.o = o; this.a = a; }
  toJSON(): object { return { k: 'attr', o: this.o, a: this.a }; }
}

/** `{ k: 'call', f, args, kw }`. */
export class CallX {
  declare readonly k: 'call';
  f: Expr;
  args: Expr[];
  kw: Record<string, Expr>;
  constructor(f: Expr, args: Expr[], kw: Record<string, Expr>) { this.f = f; this.args = args; this.kw = kw; }
  toJSON(): object { return { k: 'call', f: this.f, args: this.args, kw: this.kw }; }
}

/** `{ k: 'sub', o, i }`. */
export class SubX {
  declare readonly k: 'sub';
  o: Expr;
  i: Expr[];
  constructor(o: Expr, i: Expr[]) { this.o = o; this.i = i; }
  toJSON(): object { return { k: 'sub', o: this.o, i: this.i }; }
}

/** `{ k: 'list', items }`. */
export class ListX {
  declare readonly k: 'list';
  items: Expr[];
  constructor(items: Expr[]) { this.items = items; }
  toJSON(): object { return { k: 'list', items: this.items }; }
}

/** `{ k: '?', names }`. */
export class NamesX {
  declare readonly k: '?';
  declare readonly head?: string;
  declare readonly elem?: Expr;
  names: string[];
  constructor(names: string[]) { this.names = names; }
  toJSON(): object { return { k: '?', names: this.names }; }
}

/** `{ k: 'str', v }`. */
export class StrX {
  declare readonly k: 'str';
  v: string;
  constructor(v: string) { this.v = v; }
  toJSON(): object { return { k: 'str', v: this.v }; }
}

/** `{ k: 'num', v }`. */
export class NumX {
  declare readonly k: 'num';
  v: number;
  constructor(v: number) { this.v = v; }
  toJSON(): object { return { k: 'num', v: this.v }; }
}

for (const [c, k] of [[NameX, 'name'], [AttrX, 'attr'], [CallX, 'call'], [SubX, 'sub'], [ListX, 'list'], [NamesX, '?'], [StrX, 'str'], [NumX, 'num']] as const) {
  (c.prototype as { k: string }).k = k;
}

type NameExpr = Extract<Expr, { k: 'name' }>;

/** Offsets below this, with scope ids below SMALL_SCOPES, pack into a small integer (V8 keeps it in the field, unboxed). */
const SMALL_OFFSETS = 1 << 21;
const SMALL_SCOPES = 1 << 10;
const WIDE = 2 ** 32;

/**
 * A name's offset and scope id as one number (a name expression holds one field for both: 76k names
 * on the 500-file benchmark, 8 bytes each). Offsets under 2M characters with scope ids under 1,024
 * give `scope * 2^21 + off` (under 2^31: a small integer); anything else `-(scope * 2^32 + off) - 1`,
 * exact as a double.
 */
export function packAt(off: number, scope: number): number {
  return off >= 0 && off < SMALL_OFFSETS && scope >= 0 && scope < SMALL_SCOPES ? scope * SMALL_OFFSETS + off : -(scope * WIDE + off) - 1;
}

/** The offset packAt packed into `at`. */
export function atOffset(at: number): number {
  return at >= 0 ? at & (SMALL_OFFSETS - 1) : (-at - 1) % WIDE;
}

/** The scope id packAt packed into `at`. */
export function atScope(at: number): number {
  return at >= 0 ? at >>> 21 : Math.floor((-at - 1) / WIDE);
}

/** The file offset of a name or lambda, wherever its statement has moved since it was built. */
export function offsetOf(e: NameExpr | { off: number; seg?: SegmentHeader }): number {
  return ('at' in e ? atOffset(e.at) : e.off) + (e.seg?.delta ?? 0);
}

/** The model-wide scope id of a name (0, the module scope, is shared by every statement). */
export function scopeOf(e: NameExpr): number {
  const scope = atScope(e.at);
  return scope === 0 || !e.seg ? scope : e.seg.scopeBase + scope - 1;
}

/** The last name of a callee or reference: `f` for `f` and `a.b.f`, '' for anything else. */
export function lastName(e: Expr): string {
  return e.k === 'name' ? e.n : e.k === 'attr' ? e.a : '';
}

/** Names an expression reads (identifiers at any depth), for data-dependency checks. */
export function namesIn(e: Expr, out: Set<string> = new Set()): Set<string> {
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    switch (x.k) {
      case 'name': out.add(x.n); break;
      case 'attr': stack.push(x.o); break;
      case 'call': stack.push(x.f, ...x.args, ...Object.values(x.kw)); break;
      case 'sub': stack.push(x.o, ...x.i); break;
      case 'op': stack.push(x.l, x.r); break;
      case 'list': stack.push(...x.items); break;
      case 'await': stack.push(x.e); break;
      case '?': for (const n of x.names ?? []) out.add(n); break;
      default: break;
    }
  }
  return out;
}

/** namesList's stack and list (it runs to its end before the next call: nothing it reads calls it). */
const listStack: Expr[] = [];
const listOut: string[] = [];
/** Names namesList finds by a scan of its list; beyond that, by a set of them. */
const SCAN_NAMES = 32;

/**
 * `[...namesIn(e)]`, the same names in the same order, made without a set (unless there are many), a
 * stack or spread copies of its own: the builder asks it for every assignment in a loop and every
 * comprehension's element.
 */
export function namesList(e: Expr): string[] {
  let top = 0;
  let high = 0;
  let count = 0;
  let seen: Set<string> | undefined;
  listStack[top++] = e;
  while (top > 0) {
    if (top > high) high = top;
    const x = listStack[--top];
    let name: string | undefined;
    let names: string[] | undefined;
    switch (x.k) {
      case 'name': name = x.n; break;
      case 'attr': listStack[top++] = x.o; break;
      case 'call': {
        listStack[top++] = x.f;
        for (let i = 0; i < x.args.length; i++) listStack[top++] = x.args[i];
        for (const k in x.kw) listStack[top++] = x.kw[k];
        break;
      }
      case 'sub': listStack[top++] = x.o; for (let i = 0; i < x.i.length; i++) listStack[top++] = x.i[i]; break;
      case 'op': listStack[top++] = x.l; listStack[top++] = x.r; break;
      case 'list': for (let i = 0; i < x.items.length; i++) listStack[top++] = x.items[i]; break;
      case 'await': listStack[top++] = x.e; break;
      case '?': names = x.names; break;
      default: break;
    }
    if (name === undefined && !names) continue;
    for (let k = 0, len = names ? names.length : 1; k < len; k++) {
      const n = names ? names[k] : name!;
      if (seen) {
        if (seen.has(n)) continue;
        seen.add(n);
      } else {
        let dup = false;
        for (let i = 0; i < count; i++) if (listOut[i] === n) { dup = true; break; }
        if (dup) continue;
        if (count === SCAN_NAMES) { seen = new Set(listOut.slice(0, count)); seen.add(n); }
      }
      listOut[count++] = n;
    }
  }
  const out = listOut.slice(0, count);
  // The scratch lists let go of what they held.
  listStack.fill(UNKNOWN, 0, high + 1);
  listOut.fill('', 0, count);
  return out;
}

const MAX_READABLE = 80;

/** ASCII characters readableCallee copies as they are outside a string: not blank, not a quote, `#`, `(` or `)`. */
const PLAIN = new Uint8Array(128);
for (let c = 33; c < 127; c++) PLAIN[c] = 1;
for (const ch of '"\'#()') PLAIN[ch.charCodeAt(0)] = 0;

/**
 * A callee's source text as a reader names it, on one line: `db.query(User).filter(x == 1).first`
 * -> `db.query(...).filter(...).first`; line breaks, comments and indentation inside a chained call
 * are dropped, and a very long name is shortened in the middle.
 */
export function readableCallee(text: string): string {
  if (text.length <= MAX_READABLE && isDottedWords(text)) return text;
  let out = '';
  let depth = 0;
  let quote = '';
  /** No quote or `#` in the text (told when first needed): every parenthesis is one the loop counts. */
  let plain: boolean | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') { i++; continue; }
      if (text.startsWith(quote, i)) { i += quote.length - 1; quote = ''; if (depth === 0) out += ch; }
      else if (depth === 0) out += ch;
      continue;
    }
    // A run of characters none of the cases below treats specially: copied at once (at depth 0) or skipped.
    if (PLAIN[text.charCodeAt(i)] === 1) {
      let j = i + 1;
      while (j < text.length && PLAIN[text.charCodeAt(j)] === 1) j++;
      if (depth === 0) out += text.slice(i, j);
      i = j - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      if (depth === 0) out += ch;
      i += quote.length - 1;
      continue;
    }
    if (ch === '#') { while (i + 1 < text.length && text[i + 1] !== '\n') i++; continue; }
    if (ch === '(') {
      if (depth === 0) {
        // `f(...)`, but a leading or bare parenthesised expression keeps its inside.
        const prev = out.trimEnd().slice(-1);
        if (/[\w)\]]/.test(prev)) { out = out.trimEnd() + '(' ; depth++; continue; }
      }
      if (depth > 0) { depth++; continue; }
      out += ch;
      continue;
    }
    if (ch === ')' && depth > 0) {
      depth--;
      if (depth === 0) {
        if (plain === undefined) plain = text.indexOf('"') < 0 && text.indexOf("'") < 0 && text.indexOf('#') < 0;
        out += (/\($/.test(out) && argsBlank(text, i, plain) ? ')' : '...)');
      }
      continue;
    }
    if (depth > 0) continue;
    out += /\s/.test(ch) ? ' ' : ch;
  }
  // Without a blank (most callees) the three rewrites below leave the text as it is.
  if (/\s/.test(out)) out = out.replace(/\s+/g, ' ').replace(/\s*([.()[\]])\s*/g, '$1').trim();
  if (out.length > MAX_READABLE) out = `${out.slice(0, 30)}…${out.slice(out.length - (MAX_READABLE - 31))}`;
  return out;
}

/** Whether `text` matches /^[\w.]*$/ (ASCII letters, digits, `_` and `.`): most callees, told without a regular expression. */
function isDottedWords(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (WORD_OR_DOT[text.charCodeAt(i)] !== 1) return false;
  return true;
}

const WORD_OR_DOT = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) WORD_OR_DOT[c] = 1;
for (let c = 65; c <= 90; c++) WORD_OR_DOT[c] = 1;
for (let c = 97; c <= 122; c++) WORD_OR_DOT[c] = 1;
WORD_OR_DOT[95] = 1;
WORD_OR_DOT[46] = 1;

/**
 * Whether lastArgs(text, close) is blank, mostly told from the characters just before `close`: a `(`
 * after blanks is its match (blank); in a `plain` text (no quote or `#`: the backward count of
 * lastArgs finds the `(` the forward walk opened) any other character before it is inside (not
 * blank). Anything else, or a character beyond ASCII (`\s` holds some of those), asks lastArgs, which
 * reads back to the match: that scan, at every call of a chained callee, was a third of this function's time.
 */
function argsBlank(text: string, close: number, plain: boolean): boolean {
  for (let i = close - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c === 40) return true;
    if (c < 128 && plain) return false;
    break;
  }
  return !/\S/.test(lastArgs(text, close));
}

/** The text between the `(` that matches the `)` at `close` and that `)` (for `f()` vs `f(x)`). */
function lastArgs(text: string, close: number): string {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return text.slice(i + 1, close);
  }
  return '';
}
