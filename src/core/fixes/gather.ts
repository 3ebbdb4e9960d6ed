// LW301: sequential awaits in a loop run one after another. The simple shapes become one
// asyncio.gather over a generator of the same calls:
//   for x in xs: results.append(await f(x))      ->  results.extend(await asyncio.gather(*(f(x) for x in xs)))
//   results = [] just before it                    ->  results = await asyncio.gather(*(...))
//   [await f(x) for x in xs]                       ->  await asyncio.gather(*(f(x) for x in xs))
// Anything else in the loop body, an `else`, or calls sharing one AsyncSession keep the loop as is.
// Preferred only for independent iterations: the callee (a local coroutine, checked through its
// body, or a known async I/O call) writes no outer state, uses no shared counter and makes no writes
// that a failure would have stopped. An iterable that is not a short literal gets an
// asyncio.Semaphore bound around each call (loop form), or is offered with what to check.
import type { Fix } from '../types';
import { awaitExpr, type FixContext, Imports, type Target } from './context';
import { NEED } from './imports';
import { asyncIoKind } from '../cost';
import { indentAt, lex, lineStartAt, stripStrings, usesWord } from './pyText';
import { bodyCode, calleeSource, checkTitle, factsOf, mutatesAny, resolveMemo } from './safety';

const NOTE = 'The calls now run concurrently (at most LIMIT at a time when bounded); the results keep the input order; the first exception propagates while the other calls keep running.';
const LIMIT = 10;

export function gatherFix(ctx: FixContext, t: Target): Fix | undefined {
  const { text, model } = ctx;
  if (t.finding.code !== 'LW301' || t.finding.sharesAsyncSession) return undefined;
  const loop = model.loops[t.site.loop];
  if (!loop || loop.isAsync || loop.fn !== t.fn.id) return undefined;
  const call = text.slice(t.site.start, t.site.end);
  // No await or yield in the call itself (asked once the loop has a shape this fix rewrites).
  const plainCall = (): boolean => { const code = stripStrings(call); return !/\bawait\b/.test(code) && !/\byield\b/.test(code); };
  const imports = new Imports(ctx, t.fn);
  // The import and the independence of the iterations are read only for a loop of a shape this fix
  // rewrites (on the 500-file benchmark none of the 876 LW301 loops is).
  const fix = (importEdits: Fix['edits'], edit: Fix['edits'][number], bounded: boolean): Fix => {
    const problems = independence(ctx, t);
    const all = bounded ? problems : [...problems, `${loop.iterText} may be long: bound the concurrency`];
    return { kind: 'gather', title: checkTitle('Run the awaits concurrently with asyncio.gather', all), isPreferred: all.length === 0, edits: [...importEdits, edit], note: NOTE.replace('LIMIT', String(LIMIT)) };
  };
  const short = isShortLiteral(loop.iterText);
  if (loop.kind === 'comp') {
    if (text[loop.start] !== '[' || loop.parent >= 0) return undefined;
    if (!/^\[\s*await\s+$/.test(text.slice(loop.start, t.site.start))) return undefined;
    const rest = text.slice(t.site.end, loop.end - 1);
    if (!/^\s+for\b/.test(rest) || /\b(await|async|yield)\b/.test(stripStrings(rest)) || lex(text, t.site.end, loop.end - 1, 99).comments) return undefined;
    if (!plainCall()) return undefined;
    const asyncio = imports.need(NEED.asyncio);
    if (!asyncio) return undefined;
    return fix(imports.edits, { start: loop.start, end: loop.end, newText: awaitExpr(ctx, loop.end, `${asyncio}.gather(*(${call}${rest}))`) }, short);
  }
  if (loop.kind !== 'for') return undefined;
  // The body's shape first: most loops do more than append one awaited call.
  const list = appendedList(text.slice(loop.bodyStart, loop.end).trim(), call);
  if (list === undefined) return undefined;
  const header = forHeader(text.slice(loop.start, loop.bodyStart), loop.iterText);
  if (!header || header[2] !== loop.iterText || /#/.test(header[0]) || /\b(await|yield)\b/.test(stripStrings(header[2]))) return undefined;
  if (usesWord(call, list.split('.')[0]) || usesWord(header[2], list.split('.')[0]) || !plainCall()) return undefined;
  const asyncio = imports.need(NEED.asyncio);
  if (!asyncio) return undefined;
  const iter = /^[A-Za-z_][\w.]*(\([^()]*\))?$/.test(header[2]) || /^\[[^[\]]*\]$/.test(header[2]) ? header[2] : `(${header[2]})`;
  let gen = `${asyncio}.gather(*(${call} for ${header[1]} in ${iter}))`;
  const indent = indentAt(text, loop.start);
  // Unbounded: each call waits for a slot of a Semaphore, defined just before the gather.
  let prelude = '';
  const targets = header[1].split(',').map((x) => x.trim()).filter(Boolean);
  const bounded = short || targets.every((x) => /^[A-Za-z_]\w*$/.test(x));
  if (!short && bounded) {
    const body = ctx.text.slice(t.fn.start, t.fn.end);
    const limit = ['_gather_limit', '_loopwise_gather_limit'].find((n) => !usesWord(body, n));
    const one = ['_gather_one', '_loopwise_gather_one'].find((n) => !usesWord(body, n));
    if (!limit || !one) return undefined;
    const u = ctx.unit;
    const e = ctx.eol;
    const params = targets.join(', ');
    prelude = `${limit} = ${asyncio}.Semaphore(${LIMIT})${e}${indent}async def ${one}(${params}):${e}${indent}${u}async with ${limit}:${e}${indent}${u}${u}return await ${call}${e}${indent}`;
    gen = `${asyncio}.gather(*(${one}(${params}) for ${header[1]} in ${iter}))`;
  }
  // `results = []` right before the loop (same indentation): assign the gathered list instead.
  const loopLine = lineStartAt(text, loop.start);
  const before = text.slice(0, loopLine).replace(/[ \t]*(\r?\n)?$/, '');
  const prevStart = lineStartAt(text, before.length);
  const prev = text.slice(prevStart, before.length);
  if (prev === `${indent}${list} = []` && /^[A-Za-z_]\w*$/.test(list) && text.slice(before.length, loopLine).split(/\n/).length === 2) {
    return fix(imports.edits, { start: prevStart + indent.length, end: loop.end, newText: `${prelude}${list} = await ${gen}` }, bounded);
  }
  return fix(imports.edits, { start: loop.start, end: loop.end, newText: `${prelude}${list}.extend(await ${gen})` }, bounded);
}

/**
 * `for TARGET in ITER:` split by position from the end, where ITER is the loop's known iterable.
 * No regex: two lazy groups around `\s+in\s+` backtracked cubically on a long header that failed.
 */
function forHeader(h: string, iter: string): [whole: string, target: string, iter: string] | undefined {
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\\';
  if (!h.startsWith('for') || !ws(h[3]) || !iter) return undefined;
  let e = h.length;
  while (e > 0 && ws(h[e - 1])) e--;
  if (h[e - 1] !== ':') return undefined;
  e--;
  while (e > 0 && ws(h[e - 1])) e--;
  if (!h.slice(0, e).endsWith(iter)) return undefined;
  let q = e - iter.length;
  const afterIn = q;
  while (q > 0 && ws(h[q - 1])) q--;
  if (q === afterIn || h.slice(q - 2, q) !== 'in') return undefined;
  const beforeIn = q - 2;
  let r = beforeIn;
  while (r > 0 && ws(h[r - 1])) r--;
  let s = 3;
  while (ws(h[s])) s++;
  if (r === beforeIn || r <= s) return undefined;
  return [h, h.slice(s, r), iter];
}

/** `LIST.append(await REST)` with `LIST` a dotted name: `[\w.]*` runs up to the `(` after `.append`, so there is one place to split. */
const APPEND_AWAIT = /^([A-Za-z_][\w.]*)\.append\(\s*await\s+([\s\S]*)\)$/;

/**
 * `LIST` when the loop body is exactly `LIST.append(await CALL)` (white space allowed around
 * `await CALL`): one regex for every finding, CALL compared as text (nothing compiled per finding).
 */
export function appendedList(body: string, call: string): string | undefined {
  const m = APPEND_AWAIT.exec(body);
  return m && m[2].startsWith(call) && m[2].slice(call.length).trim() === '' ? m[1] : undefined;
}

/** A list or tuple literal, or range(n) with a small literal n. */
function isShortLiteral(iter: string): boolean {
  const r = /^range\(\s*(\d+)\s*\)$/.exec(iter.trim());
  if (r) return Number(r[1]) <= LIMIT;
  return /^[[(][^()[\]]*[\])]$/.test(iter.trim());
}

const WRITES = /\.(post|put|patch|delete|commit|add|add_all|insert_one|insert_many|update_one|delete_one|send|publish|set|incr)\s*\(/;

/** Why the iterations might not be independent, as "check: ..." phrases. */
function independence(ctx: FixContext, t: Target): string[] {
  const problems: string[] = [];
  const src = calleeSource(ctx, t.site.callee, ctx.functions, ctx.memo);
  if (src && src.fn.isAsync) {
    const facts = factsOf(src, ctx.functions, ctx.memo);
    for (const h of ['global-write', 'param-mutation'] as const) { const why = facts.hazards.get(h); if (why) problems.push(why); }
    const code = bodyCode(src.text, src.fn, ctx.memo);
    if (src.fn.params.some((p) => p.name === 'self') && mutatesAny(code, 'self', false)) problems.push(`${src.fn.name} changes self`);
    if (/\bnext\s*\(|\bitertools\.count\b|\bcount\s*\(\s*\)/.test(code)) problems.push(`${src.fn.name} draws from a shared counter (the order of IDs would change)`);
    if (WRITES.test(code)) problems.push(`${src.fn.name} writes (a failure no longer stops the later calls)`);
  } else {
    const q = resolveMemo(ctx, t.site.callee, ctx.memo);
    const kind = q ? asyncIoKind(q) : undefined;
    const last = /\.(\w+)$/.exec(q ?? '')?.[1] ?? '';
    if (!kind || /^(post|put|patch|delete|execute|commit|send|publish|set)$/.test(last)) problems.push(`the calls to ${ctx.text.slice(t.site.start, t.site.calleeEnd)} are independent`);
  }
  return problems;
}

