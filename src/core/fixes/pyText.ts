// Small text helpers for building fixes without a syntax tree: line ends, indentation, and a
// string/comment/bracket-aware scanner of Python source, enough to split a call's arguments and
// to tell whether an offset sits at statement level, in a string or in a comment.

/** The file's own line ending. */
export function eolOf(text: string): string {
  // A file of `\r` line ends alone (Python reads them as line breaks) gets `\r` too, not a mix.
  return text.includes('\r\n') ? '\r\n' : text.includes('\r') && !text.includes('\n') ? '\r' : '\n';
}

/**
 * One level of indentation as the file writes it: a tab, or the smallest step of spaces (default 4).
 * Lines are split at `\n` (a `\r` before it dropped); blank lines (JS whitespace only) and comment
 * lines do not count. One pass over the text, no split or per-line regex.
 */
export function indentUnitOf(text: string): string {
  let tabs = 0;
  let spaces = 0;
  let step = 0;
  let prev = 0;
  const n = text.length;
  for (let ls = 0; ls <= n;) {
    let le = text.indexOf('\n', ls);
    if (le < 0) le = n;
    const next = le + 1;
    if (le > ls && text.charCodeAt(le - 1) === 13 && le < n) le--;
    // The first character trim() would keep: none means a blank line; `#` a comment line.
    let k = ls;
    while (k < le && isJsSpace(text.charCodeAt(k))) k++;
    if (k < le && text.charCodeAt(k) !== 35) {
      let w = ls;
      while (w < le && (text.charCodeAt(w) === 32 || text.charCodeAt(w) === 9)) w++;
      const tab = w > ls && text.charCodeAt(ls) === 9;
      if (tab) tabs++;
      else if (w > ls) spaces++;
      const width = tab ? 0 : w - ls;
      if (!tab && width > prev && (step === 0 || width - prev < step)) step = width - prev;
      prev = width;
    }
    ls = next;
  }
  if (tabs > spaces) return '\t';
  return ' '.repeat(step > 0 && step <= 8 ? step : 4);
}

/** What String.prototype.trim removes (WhiteSpace and LineTerminator, the same set as `\s`). */
function isJsSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export function lineStartAt(text: string, offset: number): number {
  let i = offset;
  for (; i > 0; i--) { const c = text.charCodeAt(i - 1); if (c === 10 || c === 13) break; }
  return i;
}

/** Offset of the end of the line holding `offset` (before its `\r\n` / `\n`). */
export function lineEndAt(text: string, offset: number): number {
  if (offset >= text.length) return offset;
  // The rest of the line by a sticky regex (native; `test` makes no match array or substring), not a
  // charCodeAt loop: the fixes ask for many line ends, in code that stays cold.
  const re = LINE_REST;
  re.lastIndex = offset;
  re.test(text);
  return re.lastIndex;
}

/** What follows on the line: every character up to `\n`, `\r` or the text's end (always matches). */
const LINE_REST = /[^\n\r]*/y;

/** Offset just after the line break ending the line at `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  let i = lineEndAt(text, offset);
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

export function indentAt(text: string, offset: number): string {
  const s = lineStartAt(text, offset);
  return /^[ \t]*/.exec(text.slice(s, s + 200))![0];
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `name` occurs as a whole identifier in the text. */
export function usesWord(text: string, name: string): boolean {
  // One regex per name (the fixes ask about a few fixed names, such as `client`, for every finding).
  let re = wordPatterns.get(name);
  if (!re) {
    re = new RegExp(`(?<!\\w)${escapeRegex(name)}(?!\\w)`);
    if (wordPatterns.size >= 4096) wordPatterns.clear();
    wordPatterns.set(name, re);
  }
  return re.test(text);
}

/** usesWord's regex per name (neither global nor sticky: `test` keeps no state in it). */
const wordPatterns = new Map<string, RegExp>();

export interface LexState {
  /** Bracket depth at the end of the range. */
  depth: number;
  /** The range ended inside a string literal. */
  inString: boolean;
  /** The range ended inside a comment. */
  inComment: boolean;
  /** A line break occurred inside a string (a multi-line string literal). */
  newlineInString: boolean;
  /** Offsets of the top-level (depth 0 relative to the start) commas. */
  commas: number[];
  /** Offset where the last comment on the final line starts, or -1. */
  commentStart: number;
  /** Any comment was seen. */
  comments: number;
}

/**
 * Scans [from, to) assuming `from` is outside any string or comment. Depth is relative to `from`.
 * Commas are recorded at relative depth `commaDepth`.
 */
export function lex(text: string, from: number, to: number, commaDepth = 1): LexState {
  const st: LexState = { depth: 0, inString: false, inComment: false, newlineInString: false, commas: [], commentStart: -1, comments: 0 };
  lexRun(text, from, to, commaDepth, st);
  return st;
}

/** Where lexFrom stopped last for each start: `to` and the state there. */
export type LexCache = Map<number, { to: number; st: LexState }>;

/**
 * lex(text, from, to, commaDepth) for one `from` asked again with a later `to` (each finding of a
 * function asks from the function's start; one cache per text and commaDepth): the scan resumes where the last one that reached its end
 * stopped. Reaching `to` means no string or comment spans it, so a longer scan passes there in the
 * same state.
 */
export function lexFrom(text: string, from: number, to: number, commaDepth: number, cache: LexCache): LexState {
  const known = cache.get(from);
  const resume = known && known.to <= to;
  const st: LexState = resume ? copyState(known.st) : { depth: 0, inString: false, inComment: false, newlineInString: false, commas: [], commentStart: -1, comments: 0 };
  if (lexRun(text, resume ? known.to : from, to, commaDepth, st) && from <= to) cache.set(from, { to, st: copyState(st) });
  return st;
}

function copyState(st: LexState): LexState {
  // Field by field (a spread is a generic copy): noqa's scans at depth 99 record no comma, so the list is mostly empty.
  return { depth: st.depth, inString: st.inString, inComment: st.inComment, newlineInString: st.newlineInString, commas: st.commas.length ? st.commas.slice() : [], commentStart: st.commentStart, comments: st.comments };
}

/** The scan of lex from `i`, into `st`; false when it stopped early in a string or comment that reaches `to`. */
function lexRun(text: string, i: number, to: number, commaDepth: number, st: LexState): boolean {
  const n = text.length;
  while (i < to) {
    const ch = text.charCodeAt(i);
    if (ch === 35) { // #
      st.commentStart = i;
      st.comments++;
      const e = lineEndAt(text, i);
      if (e >= to) { st.inComment = true; return false; }
      i = e;
      continue;
    }
    if (ch === 10 || ch === 13) { st.commentStart = -1; i++; continue; }
    if (ch === 34 || ch === 39) { // " '
      const triple = text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch;
      let j = i + (triple ? 3 : 1);
      let closed = false;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 92) { j += 2; continue; } // backslash
        if ((c === 10 || c === 13) && !triple) break;
        if (c === 10) st.newlineInString = true;
        if (c === ch && (!triple || (text.charCodeAt(j + 1) === ch && text.charCodeAt(j + 2) === ch))) { j += triple ? 3 : 1; closed = true; break; }
        j++;
      }
      if (j >= to && !(closed && j === to)) { st.inString = true; return false; }
      i = j;
      continue;
    }
    if (ch === 40 || ch === 91 || ch === 123) st.depth++; // ( [ {
    else if (ch === 41 || ch === 93 || ch === 125) st.depth--; // ) ] }
    else if (ch === 44 && st.depth === commaDepth) st.commas.push(i); // ,
    i++;
  }
  return true;
}

export interface ArgText {
  start: number;
  end: number;
  text: string;
  /** Keyword name for `name=value`; `*` / `**` for splats. */
  kw?: string;
  /** Offset of the value for keyword arguments. */
  valueStart: number;
}

/** The arguments of a call whose parenthesis opens at `open` and whose call ends at `end` (after `)`). */
export function splitArgs(text: string, open: number, end: number, allowComments = false): ArgText[] | undefined {
  if (text[open] !== '(' || text[end - 1] !== ')') return undefined;
  const st = lex(text, open, end, 1);
  if (st.depth !== 0 || st.inString) return undefined;
  const bounds = [open, ...st.commas, end - 1];
  const out: ArgText[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    let s = bounds[k] + 1;
    let e = bounds[k + 1];
    const raw = text.slice(s, e);
    if (!raw.trim()) { if (k + 2 === bounds.length) continue; return undefined; }
    // A comment inside the argument list cannot be carried over safely.
    if (!allowComments && lex(text, s, e, 99).comments) return undefined;
    while (/\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    const t = text.slice(s, e);
    const kwm = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(t);
    if (t.startsWith('**')) out.push({ start: s, end: e, text: t, kw: '**', valueStart: s + 2 });
    else if (t.startsWith('*')) out.push({ start: s, end: e, text: t, kw: '*', valueStart: s + 1 });
    else if (kwm) out.push({ start: s, end: e, text: t, kw: kwm[1], valueStart: s + kwm[0].length });
    else out.push({ start: s, end: e, text: t, valueStart: s });
  }
  return out;
}

/**
 * The text with string literal contents blanked (quotes kept) and comments cut to their `#`, for
 * keyword checks. One left-to-right pass, no regex (a backtracking pattern here took seconds on a
 * comment's apostrophe followed by backslashes): a comment's quote does not open a string, a
 * backslash escapes the next character, and a one-quote string ends at the line's end as in Python.
 * An unterminated string keeps its opening quote(s) and drops the rest.
 */
export function stripStrings(s: string): string {
  const out: string[] = [];
  for (const sp of pySpans(s)) {
    if (sp.kind === 'code') out.push(s.slice(sp.start, sp.end));
    else if (sp.kind === 'comment') out.push('#');
    else out.push(sp.closed ? sp.quote + sp.quote : sp.quote);
  }
  return out.join('');
}

/** A run of Python source that is all code, one string literal (quotes included) or one `#` comment. */
export interface PySpan { kind: 'code' | 'string' | 'comment'; start: number; end: number; quote: string; closed: boolean }

/**
 * Splits text[start, end) into code, string and comment spans in one left-to-right pass (linear: no
 * backtracking on hostile input). A backslash escapes the next character; a one-quote string ends at the
 * line's end as in Python, and a string still open at `end` runs to `end`.
 */
export function pySpans(text: string, start = 0, end = text.length): PySpan[] {
  const spans: PySpan[] = [];
  eachSpan(text, start, end, (kind, s, e, quote, closed) => { spans.push({ kind, start: s, end: e, quote, closed }); });
  return spans;
}

/**
 * The walk of pySpans (and codeOnly): `visit` gets each non-empty span of text[start, end) in order,
 * with its opening quote for a string and whether the string closed before `end`.
 */
function eachSpan(text: string, start: number, end: number, visit: (kind: PySpan['kind'], s: number, e: number, quote: string, closed: boolean) => void): void {
  let from = start;
  let i = start;
  while (i < end) {
    i = nextOpener(text, i, end);
    if (i >= end) break;
    if (i > from) visit('code', from, i, '', true);
    const ch = text.charCodeAt(i);
    if (ch === 35) { // #
      const e = Math.min(lineEndAt(text, i), end);
      if (e > i) visit('comment', i, e, '', true);
      from = i = e;
      continue;
    }
    const { e, triple, closed } = stringEnd(text, i, end, ch);
    if (e > i) visit('string', i, e, ch === 34 ? (triple ? '"""' : '"') : (triple ? "'''" : "'"), closed);
    from = i = e;
  }
  if (end > from) visit('code', from, end, '', true);
}

// The scanners skip runs of plain code and of string contents with a sticky regex (V8 runs a
// character class much faster than a charCodeAt loop), at most RUN characters per step so that a
// scan of a small range never reads far past its end.
const RUN = 1024;
const CODE_RUN = /[^"'#]{0,1024}/y;
const STRING_RUN = { 34: /[^\\\n\r"]{0,1024}/y, 39: /[^\\\n\r']{0,1024}/y } as Record<number, RegExp>;
const TRIPLE_RUN = { 34: /[^\\"]{0,1024}/y, 39: /[^\\']{0,1024}/y } as Record<number, RegExp>;

/** The offset of the first character in [i, end) that `run` does not skip, or `end` (also past the text's end). */
function skip(run: RegExp, text: string, i: number, end: number): number {
  while (i < end) {
    if (i >= text.length) return end;
    run.lastIndex = i;
    run.test(text);
    const j = run.lastIndex;
    if (j >= end || j >= text.length) return end;
    if (j - i < RUN) return j;
    i = j;
  }
  return end;
}

/** The offset of the next quote or `#` in [i, end), or `end`. */
function nextOpener(text: string, i: number, end: number): number {
  return skip(CODE_RUN, text, i, end);
}

/**
 * Where the string literal opening at `i` (quote char code `ch`) ends, cut at `end`: a backslash
 * escapes the next character, a one-quote string stops before a line break (unclosed).
 */
function stringEnd(text: string, i: number, end: number, ch: number): { e: number; triple: boolean; closed: boolean } {
  const triple = text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch;
  const len = triple ? 3 : 1;
  const run = (triple ? TRIPLE_RUN : STRING_RUN)[ch];
  let j = i + len;
  let closed = false;
  while (j < end) {
    j = skip(run, text, j, end);
    if (j >= end) break;
    const c = text.charCodeAt(j);
    if (c === 92) { j += 2; continue; } // backslash
    if (c === 10 || c === 13) break; // only stops a one-quote string
    if (!triple || (text.charCodeAt(j + 1) === ch && text.charCodeAt(j + 2) === ch)) { closed = true; break; }
    j++;
  }
  return { e: Math.min(closed ? j + len : j, end), triple, closed };
}

let SPACES = ' '.repeat(256);

function spaces(n: number): string {
  while (SPACES.length < n) SPACES += SPACES;
  return SPACES.slice(0, n);
}

/**
 * text[start, end) with every string literal and comment blanked to spaces (a string's `\n` kept),
 * same length as the source: the spans of pySpans, written in one pass.
 */
export function codeOnly(text: string, start: number, end: number): string {
  const out: string[] = [];
  eachSpan(text, start, end, (kind, s, e) => {
    if (kind === 'code') out.push(text.slice(s, e));
    else if (kind === 'comment') out.push(spaces(e - s));
    else blankString(text, s, e, out);
  });
  return out.join('');
}

/**
 * The f-strings of the text as [start, end) pairs in order, each from its quote: codeOnly blanks an
 * f-string whole, replacement fields (`f"{await get_user()}"`) included, although those are code.
 */
export function fStringSpans(text: string): number[] {
  const spans: number[] = [];
  eachSpan(text, 0, text.length, (kind, s, e) => {
    if (kind !== 'string') return;
    // The prefix is the (at most two) letters before the quote, not the end of a longer word.
    let p = s;
    while (p > 0 && s - p < 2 && /[rRbBfFuU]/.test(text[p - 1])) p--;
    if (p < s && !(p > 0 && /\w/.test(text[p - 1])) && /[fF]/.test(text.slice(p, s))) spans.push(s, e);
  });
  return spans;
}

/** A string literal text[s, e) blanked to spaces, its line breaks kept (such a string is cut at the text's end). */
function blankString(text: string, s: number, e: number, out: string[]): void {
  let nl = text.indexOf('\n', s);
  if (nl < 0 || nl >= e) { out.push(spaces(e - s)); return; }
  const stop = Math.min(e, text.length);
  for (let k = s; k < stop; nl = text.indexOf('\n', k)) {
    if (nl < 0 || nl >= stop) nl = stop;
    if (nl > k) out.push(spaces(nl - k));
    if (nl < stop) out.push('\n');
    k = nl + 1;
  }
}

/** Whether an argument text is an unparenthesised generator expression (`f(x for x in y)`). */
export function isBareGenerator(arg: string): boolean {
  // The `for` it looks for is in the code, so in the text (stripping only blanks strings and comments).
  if (!arg.includes('for')) return false;
  const flat = stripStrings(arg);
  let depth = 0;
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && i > 0 && /\W/.test(flat[i - 1]) && /^for\b/.test(flat.slice(i))) return true;
  }
  return false;
}

/** A call followed by `.x`, `[i]` or `(...)` needs parentheses once `await` is put in front of it. */
export function hasTrailer(text: string, end: number): boolean {
  // Line breaks and comments are skipped too: inside brackets `.json()` may follow on the next line.
  // Outside brackets that may look at the next statement, which only costs a pair of parentheses.
  let i = end;
  for (;;) {
    // Spaces, tabs, line breaks and backslashes (by char code: a regex per character cost more than the rest of a thread fix).
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 13 || c === 10 || c === 92; c = text.charCodeAt(++i));
    if (text[i] !== '#') break;
    i = lineEndAt(text, i);
  }
  return text[i] === '.' || text[i] === '[' || text[i] === '(';
}

/**
 * Whether `offset` begins a logical line (a statement) inside [blockStart, offset): bracket depth
 * zero, not in a string, and the previous line does not end with a backslash continuation. `cache`:
 * lexFrom's states for this text at bracket depth 99.
 */
export function atStatementStart(text: string, blockStart: number, offset: number, cache?: LexCache): boolean {
  const ls = lineStartAt(text, offset);
  if (!/^[ \t]*$/.test(text.slice(ls, offset))) return false;
  // With a cache (the fix context's, see lexFrom), a function's findings asked in order scan its body once.
  const st = cache ? lexFrom(text, blockStart, ls, 99, cache) : lex(text, blockStart, ls, 99);
  if (st.depth !== 0 || st.inString) return false;
  let p = ls - 1;
  while (p >= 0 && (text[p] === '\n' || text[p] === '\r')) p--;
  return p < 0 || text[p] !== '\\';
}
