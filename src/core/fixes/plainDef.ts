// A route or dependency that awaits nothing gains nothing from `async def`: as a plain `def`, FastAPI
// runs it in its threadpool (what FastAPI's docs recommend for sync DB, file and SDK work), so its
// blocking calls no longer hold the event loop and every call keeps its semantics. Preferred, for
// every finding of the function, when nothing else calls it directly and its body passes the thread
// conditions (no event-loop API, no global writes, no sqlite3 connection made on the loop thread).
import type { Fix } from '../types';
import type { FixContext, Target } from './context';
import type { FileUses } from './safety';
import { bodyCode, calleeSource, checkTitle, codeOnly, threadFactsOf } from './safety';
import { fStringSpans } from './pyText';

export function plainDefFix(ctx: FixContext, t: Target): Fix | undefined {
  const { fn } = t;
  if (!fn.isAsync || fn.hasAwait || fn.asyncStart < 0 || fn.defKeywordStart <= fn.asyncStart) return undefined;
  if (!/^LW[12]/.test(t.finding.code)) return undefined;
  // The same for every finding of the function: read once per fix run.
  let problems = ctx.memo?.plainDef.get(fn);
  if (problems === undefined) {
    problems = plainDefCheck(ctx, t);
    ctx.memo?.plainDef.set(fn, problems);
  }
  if (!problems) return undefined;
  return {
    kind: 'plain-def',
    title: checkTitle(`Make ${fn.name} a plain def (FastAPI runs it in its threadpool)`, problems),
    isPreferred: problems.length === 0,
    edits: [{ start: fn.asyncStart, end: fn.defKeywordStart, newText: '' }],
    note: `${fn.name} awaits nothing, so as a plain def FastAPI runs it in a worker thread (40 by default) instead of on the event loop.`,
  };
}

/** The failed conditions of the function's plain def fix, or null when it gets none. */
function plainDefCheck(ctx: FixContext, t: Target): string[] | null {
  const { fn } = t;
  const kind = ctx.kindAt(fn.line);
  if (kind !== 'route' && kind !== 'dependency') return null;
  if (!/^async\s+$/.test(ctx.text.slice(fn.asyncStart, fn.defKeywordStart))) return null;
  const body = bodyCode(ctx.text, fn, ctx.memo);
  if (/\basync\s+(with|for)\b/.test(body)) return null;
  return plainDefProblems(ctx, t);
}

function plainDefProblems(ctx: FixContext, t: Target): string[] {
  const { fn } = t;
  const problems: string[] = [];
  // Called (or awaited) by other code in the file: those callers would get a value, not a coroutine.
  let elsewhere = ctx.memo?.usedElsewhere.get(fn);
  if (elsewhere === undefined) {
    elsewhere = usedElsewhere(ctx, fn.name, fn.nameStart);
    ctx.memo?.usedElsewhere.set(fn, elsewhere);
  }
  if (elsewhere) problems.push(`other code uses ${fn.name} directly`);
  const facts = threadFactsOf({ text: ctx.text, model: ctx.model, resolver: ctx.resolver, fn }, ctx.functions, ctx.memo);
  for (const h of ['loop-api', 'global-write', 'thread-affine'] as const) { const why = facts.hazards.get(h); if (why) problems.push(why); }
  // A dependency's value is used by its dependants, which may run on the loop thread.
  if (ctx.kindAt(fn.line) === 'dependency' && facts.hazards.has('makes-connection')) problems.push(facts.hazards.get('makes-connection')!);
  // An async dependency that opens a sqlite3 connection on the loop thread: a threadpool route cannot use it.
  for (const p of fn.params) {
    const d = p.default;
    if (!d || d.k !== 'call' || ctx.resolver.resolve(d.f) !== 'fastapi.Depends' || !d.args[0]) continue;
    const dep = calleeSource(ctx, d.args[0], ctx.functions, ctx.memo);
    if (!dep || !dep.fn.isAsync) continue;
    const depCode = bodyCode(dep.text, dep.fn, ctx.memo);
    if (/\bsqlite3\s*\.\s*connect\s*\(/.test(depCode) && !/check_same_thread\s*=\s*False/.test(depCode)) problems.push(`${p.name} comes from ${dep.fn.name}, a coroutine that opens a sqlite3 connection on the loop thread`);
  }
  return problems;
}

/**
 * Whether directUses holds an offset other than `at` (the def's name). A use in the code is a whole
 * word in the text too (blanking only turns strings and comments into spaces, and what it blanks next
 * to a use starts or ends with a quote, `#` or a line break), so a name the text holds only at its def
 * needs no reading of the file's code: most routes are named once.
 *
 * A file asked about many names (a 10k-line file: hundreds of handlers) has its whole words read in
 * one pass (wordsOf) instead of one search of the text per name, which was quadratic in the file.
 */
export function usedElsewhere(ctx: FixContext, name: string, at: number, indexAfter = INDEX_AFTER): boolean {
  if (/^[A-Za-z_]\w*$/.test(name)) {
    let other = false;
    // Indexed: the name's whole words (every coroutine's name has a list, maybe empty).
    const list = wordsOf(ctx, indexAfter)?.get(name);
    if (list) {
      for (let i = 0; i < list.length && !other; i++) other = list[i] !== at;
    } else {
      for (let i = ctx.text.indexOf(name); i >= 0 && !other; i = ctx.text.indexOf(name, i + 1)) other = i !== at;
    }
    if (!other) return false;
  }
  return directUses(ctx, name).some((x) => x !== at) || inFString(ctx, name, at);
}

/**
 * Whether `name` occurs as a whole word inside an f-string other than at `at`. The code the uses are
 * searched in has every string blanked, an f-string's replacement fields with it, so
 * `f"{await get_user()}"` would not count and the plain def fix would break that `await`. Any
 * occurrence in an f-string counts, in its literal text too: a fix then offered as a choice is
 * better than one that breaks code.
 */
function inFString(ctx: FixContext, name: string, at: number): boolean {
  const file = fileUses(ctx);
  const spans = (file.fstrings ??= fStringSpans(ctx.text));
  if (!spans.length || !name) return false;
  const text = ctx.text;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    if (i === at || (i > 0 && isWord(text.charCodeAt(i - 1))) || isWord(text.charCodeAt(i + name.length))) continue;
    // The last span starting at or before i.
    let lo = 0;
    let hi = spans.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[2 * mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    if (spans[2 * lo] <= i && i < spans[2 * lo + 1]) return true;
  }
  return false;
}

/**
 * How much text (characters, summed over the names asked) the searches of one file may read before
 * its words are indexed: the regex costs about as much as a few searches of the text, and most files
 * are asked about a few names (a 10k-line file is indexed at its first name).
 */
const INDEX_AFTER = 256 * 1024;

/**
 * Offsets of the whole words of the file's text that name one of its coroutines (a list for each
 * coroutine's name: those are the names asked), once the searches of its text per name would read more
 * than `indexAfter` characters (memoised per file in the run's FixMemo); undefined before, and for a
 * file whose names make no regex.
 * One regex of the names finds them all in one native pass (a 10k-line file: about 1 ms for its 194
 * names, against about 10 ms to list its 45k words in JavaScript).
 */
function wordsOf(ctx: FixContext, indexAfter: number): Map<string, number[]> | undefined {
  const file = fileUses(ctx);
  if (file.words !== undefined) return file.words ?? undefined;
  if ((file.asked++ + 1) * ctx.text.length <= indexAfter) return undefined;
  const words = new Map<string, number[]>();
  for (const f of ctx.model.functions) if (f.isAsync && !f.isLambda && /^[A-Za-z_]\w*$/.test(f.name) && !words.has(f.name)) words.set(f.name, []);
  let re: RegExp | undefined;
  // Whole words (`\w` without the u flag: ASCII, as the search reads them): at an offset at most one name is the whole word there.
  try { re = new RegExp(`(?<!\\w)(?:${[...words.keys()].join('|')})(?!\\w)`, 'g'); } catch { re = undefined; }
  if (!re || !words.size) { file.words = null; return undefined; }
  for (const m of ctx.text.matchAll(re)) words.get(m[0])!.push(m.index!);
  return (file.words = words);
}

/** The file's entry in the run's FixMemo (a fresh one without a memo). */
function fileUses(ctx: FixContext): FileUses {
  let file = ctx.memo?.uses.get(ctx.model);
  if (!file) {
    file = { asked: 0, byName: new Map() };
    ctx.memo?.uses.set(ctx.model, file);
  }
  return file;
}

/**
 * Offsets where `name` is used other than after `Depends(` (a reference FastAPI resolves, not a call).
 * The file's code and each name's uses are memoised per file in the run's FixMemo: fix-all asks once
 * per finding, and re-reading a 10k-line file for each was quadratic.
 */
function directUses(ctx: FixContext, name: string): number[] {
  const file = fileUses(ctx);
  const code = (file.code ??= codeOnly(ctx.text, 0, ctx.text.length));
  const { byName } = file;
  let uses = byName.get(name);
  if (!uses && !/^[A-Za-z_]\w*$/.test(name)) {
    // A name the parser made up from broken code (empty, say): the pattern as it stands.
    uses = [...code.matchAll(new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g'))]
      .filter((m) => !/Depends\(\s*$/.test(code.slice(Math.max(0, m.index! - 40), m.index)))
      .map((m) => m.index!);
    byName.set(name, uses);
  }
  if (!uses) {
    uses = [];
    // `(?<![\w.])name(?!\w)` found by indexOf: the name not after a word character or `.`, not
    // followed by a word character; after a hit the search goes on past it, as a global regex does.
    for (let at = code.indexOf(name); at >= 0; at = code.indexOf(name, at + 1)) {
      if ((at > 0 && isWordOrDot(code.charCodeAt(at - 1))) || isWord(code.charCodeAt(at + name.length))) continue;
      if (!/Depends\(\s*$/.test(code.slice(Math.max(0, at - 40), at))) uses.push(at);
      at += name.length - 1;
    }
    byName.set(name, uses);
  }
  return uses;
}

/** `\w` as a regex without the u flag reads it: ASCII letters, digits and `_`. */
function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isWordOrDot(c: number): boolean {
  return c === 46 || isWord(c);
}
