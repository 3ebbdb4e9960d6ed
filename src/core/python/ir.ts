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

/** Characters next to which the reader's text drops a blank: `a . b ( c )` -> `a.b(c)`. */
const TIGHT = '.()[]';

/**
 * readableCallee's output, written as it is made, one callee at a time. What the reader sees is the
 * text with every run of blanks one space, no space next to `.()[]`, none at either end, and cut in
 * the middle past MAX_READABLE characters; it is made so here, as characters come: a space waits
 * until the next character says whether it stays, and past LONG_TEXT characters only the head and a
 * bounded tail are kept. (Building the whole text and rewriting it with regular expressions read it
 * back at every call of a chained callee: a chain of 10,000 calls, `a.b().b()...`, held 10,000 texts
 * of up to 40,000 characters; 17 s, most of it the garbage collector.)
 */
const LONG_TEXT = 4096;
let text_ = '';
let head_ = '';
let length_ = 0;
let lastOut = '';
let space = false;

function startText(): void { text_ = ''; head_ = ''; length_ = 0; lastOut = ''; space = false; }

/** Appends `s`, which holds no blank. */
function put(s: string): void {
  if (space) {
    space = false;
    if (length_ > 0 && !TIGHT.includes(lastOut) && !TIGHT.includes(s[0])) { text_ += ' '; length_++; }
  }
  text_ += s;
  length_ += s.length;
  lastOut = s[s.length - 1];
  if (text_.length > LONG_TEXT) {
    // Keep the head once; the tail only needs its last characters.
    if (head_ === '') head_ = text_.slice(0, 30);
    text_ = text_.slice(text_.length - MAX_READABLE);
  }
}

/** Appends one character of the source text (a blank waits). */
function putChar(ch: string): void {
  const c = ch.charCodeAt(0);
  if (c === 32 || (c >= 9 && c <= 13) || (c >= 128 && /\s/.test(ch))) space = true;
  else put(ch);
}

function endText(): string {
  if (length_ <= MAX_READABLE) return text_;
  const start = head_ === '' ? text_.slice(0, 30) : head_;
  return `${start}…${text_.slice(text_.length - (MAX_READABLE - 31))}`;
}

/**
 * A callee's source text as a reader names it, on one line: `db.query(User).filter(x == 1).first`
 * -> `db.query(...).filter(...).first`; line breaks, comments and indentation inside a chained call
 * are dropped, and a very long name is shortened in the middle.
 *
 * `prefixes`, when given, gets the reader's text of every callee inside a chained one, by its length:
 * `a.b().c` gives `a.b` at 3 (what readableCallee('a.b') is). The calls of a chain are met outermost
 * first, each callee the start of the one before: those texts spare reading it again for each call.
 */
export function readableCallee(text: string, prefixes?: Map<number, string>): string {
  if (text.length <= MAX_READABLE && isDottedWords(text)) return text;
  startText();
  /** The last character written outside blanks (a call's `(` follows a name, `)` or `]`), and where it ends. */
  let last = '';
  let lastEnd = 0;
  let depth = 0;
  let quote = '';
  /** No quote or `#` in the text (told when first needed): every parenthesis is one the loop counts. */
  let plain: boolean | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') { i++; continue; }
      if (text.startsWith(quote, i)) { i += quote.length - 1; quote = ''; if (depth === 0) { put(ch); last = ch; lastEnd = i + 1; } }
      else if (depth === 0) { putChar(ch); last = ch; }
      continue;
    }
    // A run of characters none of the cases below treats specially: copied at once (at depth 0) or skipped.
    if (PLAIN[text.charCodeAt(i)] === 1) {
      let j = i + 1;
      while (j < text.length && PLAIN[text.charCodeAt(j)] === 1) j++;
      if (depth === 0) { put(j === i + 1 ? ch : text.slice(i, j)); last = text[j - 1]; lastEnd = j; }
      i = j - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      if (depth === 0) { put(ch); last = ch; }
      i += quote.length - 1;
      continue;
    }
    if (ch === '#') { while (i + 1 < text.length && text[i + 1] !== '\n') i++; continue; }
    if (ch === '(') {
      if (depth === 0) {
        // `f(...)`, but a leading or bare parenthesised expression keeps its inside; blanks before a call's `(` go.
        if (/[\w)\]]/.test(last)) {
          if (prefixes !== undefined) prefixes.set(lastEnd, endText());
          space = false; put('('); last = '('; lastEnd = i + 1; depth++; continue;
        }
      }
      if (depth > 0) { depth++; continue; }
      put(ch); last = ch; lastEnd = i + 1;
      continue;
    }
    if (ch === ')' && depth > 0) {
      depth--;
      if (depth === 0) {
        if (plain === undefined) plain = text.indexOf('"') < 0 && text.indexOf("'") < 0 && text.indexOf('#') < 0;
        put(last === '(' && argsBlank(text, i, plain) ? ')' : '...)');
        last = ')';
        lastEnd = i + 1;
      }
      continue;
    }
    if (depth > 0) continue;
    putChar(ch);
    if (!space) { last = ch; lastEnd = i + 1; }
  }
  const out = endText();
  text_ = ''; head_ = '';
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
