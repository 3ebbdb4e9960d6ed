// The text scanners of the fixes (pyText) were rewritten for speed (char codes, one pass, no
// per-line split or regex). Their results must not change: each is checked against the previous,
// straightforward implementation (kept here as the reference) on random text made of the characters
// that matter (quotes, backslashes, `#`, line breaks, brackets, JS-only whitespace) and on the fixtures.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atStatementStart, codeOnly, indentUnitOf, lex, type LexCache, lexFrom, type LexState, lineEndAt, lineStartAt, pySpans, type PySpan } from '../../src/core/fixes/pyText';

/** How many line starts atStatementStart found to begin a statement (so its check is not vacuous). */
const counts = { statements: 0 };

// ---- the reference implementations (as they were before the rewrite) ----
function refLineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}
function refLineEndAt(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}
function refIndentUnitOf(text: string): string {
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
function refLex(text: string, from: number, to: number, commaDepth = 1): LexState {
  const st: LexState = { depth: 0, inString: false, inComment: false, newlineInString: false, commas: [], commentStart: -1, comments: 0 };
  let i = from;
  while (i < to) {
    const ch = text[i];
    if (ch === '#') {
      st.commentStart = i;
      st.comments++;
      const e = refLineEndAt(text, i);
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
function refPySpans(text: string, start = 0, end = text.length): PySpan[] {
  const spans: PySpan[] = [];
  const push = (kind: PySpan['kind'], a: number, b: number, quote = '', closed = true) => { if (b > a) spans.push({ kind, start: a, end: b, quote, closed }); };
  let from = start;
  let i = start;
  while (i < end) {
    const ch = text[i];
    if (ch === '#') {
      const e = Math.min(refLineEndAt(text, i), end);
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
function refCodeOnly(text: string, start: number, end: number): string {
  const out: string[] = [];
  for (const sp of refPySpans(text, start, end)) {
    if (sp.kind === 'code') out.push(text.slice(sp.start, sp.end));
    else if (sp.kind === 'comment') out.push(' '.repeat(sp.end - sp.start));
    else {
      let nl = false;
      for (let i = sp.start; i < sp.end && !nl; i++) nl = text.charCodeAt(i) === 10;
      out.push(nl ? text.slice(sp.start, sp.end).replace(/[^\n]/g, ' ') : ' '.repeat(sp.end - sp.start));
    }
  }
  return out.join('');
}

// ---- inputs ----
/** A small deterministic PRNG (mulberry32), so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ["'", '"', "'''", '"""', '#', '\\', '\n', '\r', '\r\n', ' ', '    ', '\t', '(', ')', '[', ']', '{', '}', ',', 'x', 'def f():', 'a = 1', '\u00a0', '\ufeff', '\u2003', '\f', '\v', 'é'];

/** Runs longer than the scanners' regex step (1,024 characters), in code and inside strings. */
const LONG = ['y'.repeat(1023), 'y'.repeat(1024), 'z'.repeat(1025), ' '.repeat(2049)];

function randomText(r: () => number, len: number, pieces = PIECES): string {
  let s = '';
  while (s.length < len) s += pieces[Math.floor(r() * pieces.length)];
  return s;
}

function fixtureTexts(): string[] {
  const dirs = ['rules', 'fixes'].map((d) => join(__dirname, '..', 'fixtures', d));
  return dirs.flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.py')).map((n) => readFileSync(join(d, n), 'utf8')));
}

function checkAll(text: string, r: () => number, label: string): void {
  assert.equal(indentUnitOf(text), refIndentUnitOf(text), `${label}: indentUnitOf`);
  for (let k = 0; k < 12; k++) {
    const a = Math.floor(r() * (text.length + 1));
    const b = a + Math.floor(r() * (text.length + 2 - a));
    const at = `${label} [${a}, ${b})`;
    assert.equal(lineStartAt(text, a), refLineStartAt(text, a), `${at}: lineStartAt`);
    assert.equal(lineEndAt(text, a), refLineEndAt(text, a), `${at}: lineEndAt`);
    if (k === 0) for (const x of [-1, text.length + 3]) assert.equal(lineEndAt(text, x), refLineEndAt(text, x), `${label} ${x}: lineEndAt`);
    assert.deepEqual(pySpans(text, a, b), refPySpans(text, a, b), `${at}: pySpans`);
    assert.equal(codeOnly(text, a, b), refCodeOnly(text, a, b), `${at}: codeOnly`);
    const depth = [1, 99][k % 2];
    assert.deepEqual(lex(text, a, b, depth), refLex(text, a, b, depth), `${at}: lex`);
  }
  // lexFrom: one start asked with growing (and sometimes smaller) ends, sharing a cache.
  const cache: LexCache = new Map();
  const from = Math.floor(r() * (text.length + 1));
  for (let k = 0, to = from - 2; k < 10; k++) {
    to = r() < 0.2 ? Math.max(0, to - Math.floor(r() * 10)) : to + Math.floor(r() * (text.length / 4 + 3));
    assert.deepEqual(lexFrom(text, from, to, 99, cache), refLex(text, from, to, 99), `${label} lexFrom ${from}..${to}`);
  }
  // atStatementStart with lexFrom's cache (httpx asks it for each finding of a function, in order) as without.
  const starts: LexCache = new Map();
  const block = Math.floor(r() * (text.length + 1));
  let statements = 0;
  // Each line start after `block` (a line start is where a statement can begin), in order.
  for (let at = block; at <= text.length; at = text.indexOf('\n', at) + 1) {
    const want = atStatementStart(text, block, at);
    assert.equal(atStatementStart(text, block, at, starts), want, `${label} atStatementStart ${block}..${at}`);
    if (want) statements++;
    if (text.indexOf('\n', at) < 0) break;
  }
  counts.statements += statements;
  assert.deepEqual(pySpans(text), refPySpans(text), `${label}: pySpans whole`);
  assert.equal(codeOnly(text, 0, text.length), refCodeOnly(text, 0, text.length), `${label}: codeOnly whole`);
}

describe('pyText scanners: same results as the reference implementations', () => {
  it('on 3,000 random texts of quotes, backslashes, comments, line breaks and odd whitespace', () => {
    counts.statements = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      checkAll(randomText(r, 1 + Math.floor(r() * 120)), r, `seed ${seed}`);
    }
    assert.ok(counts.statements > 100, `${counts.statements} statement starts`);
  });

  it('on 150 long texts with runs around the scanners\' 1,024-character step', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(10_000 + seed);
      checkAll(randomText(r, 2000 + Math.floor(r() * 6000), [...PIECES, ...LONG, ...LONG]), r, `long seed ${seed}`);
    }
  });

  it('on every fixture file', () => {
    const r = rng(7);
    const texts = fixtureTexts();
    assert.ok(texts.length > 20, `${texts.length} fixtures`);
    for (const [i, t] of texts.entries()) checkAll(t, r, `fixture ${i}`);
  });

  it('indentUnitOf: tabs, two-space steps, comments, blank lines with JS-only whitespace, CRLF', () => {
    assert.equal(indentUnitOf('def f():\n\tx = 1\n'), '\t');
    assert.equal(indentUnitOf('def f():\r\n  x = 1\r\n  if x:\r\n    y\r\n'), '  ');
    assert.equal(indentUnitOf('def f():\n        # deep comment\n\u00a0\u00a0\n   x = 1\n'), '   ');
    assert.equal(indentUnitOf(''), '    ');
  });
});
