// Small text helpers for building fixes without a syntax tree: line ends, indentation, and a
// string/comment/bracket-aware scanner of Python source, enough to split a call's arguments and
// to tell whether an offset sits at statement level, in a string or in a comment.

/** The file's own line ending. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** One level of indentation as the file writes it: a tab, or the smallest step of spaces (default 4). */
export function indentUnitOf(text: string): string {
  let tabs = 0;
  let spaces = 0;
  let step = 0;
  let prev = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^[ \t]*/.exec(line)![0];
    if (m.startsWith('\t')) tabs++;
    else if (m.length) spaces++;
    const width = m.startsWith('\t') ? 0 : m.length;
    if (!m.startsWith('\t') && width > prev && (step === 0 || width - prev < step)) step = width - prev;
    prev = width;
  }
  if (tabs > spaces) return '\t';
  return ' '.repeat(step > 0 && step <= 8 ? step : 4);
}

export function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset of the end of the line holding `offset` (before its `\r\n` / `\n`). */
export function lineEndAt(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

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
  return new RegExp(`(?<!\\w)${escapeRegex(name)}(?!\\w)`).test(text);
}

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
  let i = from;
  while (i < to) {
    const ch = text[i];
    if (ch === '#') {
      st.commentStart = i;
      st.comments++;
      const e = lineEndAt(text, i);
      if (e >= to) { st.inComment = true; return st; }
      i = e;
      continue;
    }
    if (ch === '\n' || ch === '\r') { st.commentStart = -1; i++; continue; }
    if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const q = triple ? ch.repeat(3) : ch;
      let j = i + q.length;
      let closed = false;
      while (j < text.length) {
        const c = text[j];
        if (c === '\\') { j += 2; continue; }
        if ((c === '\n' || c === '\r') && !triple) break;
        if (c === '\n') st.newlineInString = true;
        if (text.startsWith(q, j)) { j += q.length; closed = true; break; }
        j++;
      }
      if (j >= to && !(closed && j === to)) { st.inString = true; return st; }
      i = j;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') st.depth++;
    else if (ch === ')' || ch === ']' || ch === '}') st.depth--;
    else if (ch === ',' && st.depth === commaDepth) st.commas.push(i);
    i++;
  }
  return st;
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
  const push = (kind: PySpan['kind'], a: number, b: number, quote = '', closed = true) => { if (b > a) spans.push({ kind, start: a, end: b, quote, closed }); };
  let from = start;
  let i = start;
  while (i < end) {
    const ch = text[i];
    if (ch === '#') {
      const e = Math.min(lineEndAt(text, i), end);
      push('code', from, i);
      push('comment', i, e);
      from = i = e;
      continue;
    }
    if (ch !== '"' && ch !== "'") { i++; continue; }
    const q = text.startsWith(ch + ch + ch, i) ? ch + ch + ch : ch;
    let j = i + q.length;
    let closed = false;
    while (j < end) {
      const c = text[j];
      if (c === '\\') { j += 2; continue; }
      if (q.length === 1 && (c === '\n' || c === '\r')) break;
      if (text.startsWith(q, j)) { closed = true; break; }
      j++;
    }
    const e = Math.min(closed ? j + q.length : j, end);
    push('code', from, i);
    push('string', i, e, q, closed);
    from = i = e;
  }
  push('code', from, end);
  return spans;
}

/** Whether an argument text is an unparenthesised generator expression (`f(x for x in y)`). */
export function isBareGenerator(arg: string): boolean {
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
    while (i < text.length && /[ \t\r\n\\]/.test(text[i])) i++;
    if (text[i] !== '#') break;
    i = lineEndAt(text, i);
  }
  return text[i] === '.' || text[i] === '[' || text[i] === '(';
}

/**
 * Whether `offset` begins a logical line (a statement) inside [blockStart, offset): bracket depth
 * zero, not in a string, and the previous line does not end with a backslash continuation.
 */
export function atStatementStart(text: string, blockStart: number, offset: number): boolean {
  const ls = lineStartAt(text, offset);
  if (!/^[ \t]*$/.test(text.slice(ls, offset))) return false;
  const st = lex(text, blockStart, ls, 99);
  if (st.depth !== 0 || st.inString) return false;
  let p = ls - 1;
  while (p >= 0 && (text[p] === '\n' || text[p] === '\r')) p--;
  return p < 0 || text[p] !== '\\';
}
