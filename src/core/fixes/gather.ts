// LW301: sequential awaits in a loop run one after another. The simple shapes become one
// asyncio.gather over a generator of the same calls:
//   for x in xs: results.append(await f(x))      ->  results.extend(await asyncio.gather(*(f(x) for x in xs)))
//   results = [] just before it                    ->  results = await asyncio.gather(*(...))
//   [await f(x) for x in xs]                       ->  await asyncio.gather(*(f(x) for x in xs))
// Anything else in the loop body, an `else`, or calls sharing one AsyncSession keep the loop as is.
import type { Fix } from '../types';
import { awaitExpr, type FixContext, Imports, type Target } from './context';
import { escapeRegex, indentAt, lex, lineStartAt, stripStrings, usesWord } from './pyText';

const NOTE = 'All the calls now run at once: for long inputs bound the concurrency (an asyncio.Semaphore). The results keep the input order; the first exception propagates while the other calls keep running.';

export function gatherFix(ctx: FixContext, t: Target): Fix | undefined {
  const { text, model } = ctx;
  if (t.finding.code !== 'LW301' || t.finding.sharesAsyncSession) return undefined;
  const loop = model.loops[t.site.loop];
  if (!loop || loop.isAsync || loop.fn !== t.fn.id) return undefined;
  const call = text.slice(t.site.start, t.site.end);
  if (/\bawait\b/.test(stripStrings(call)) || /\byield\b/.test(stripStrings(call))) return undefined;
  const imports = new Imports(ctx, t.fn);
  const asyncio = imports.need({ module: 'asyncio' });
  if (!asyncio) return undefined;
  if (loop.kind === 'comp') {
    if (text[loop.start] !== '[' || loop.parent >= 0) return undefined;
    if (!/^\[\s*await\s+$/.test(text.slice(loop.start, t.site.start))) return undefined;
    const rest = text.slice(t.site.end, loop.end - 1);
    if (!/^\s+for\b/.test(rest) || /\b(await|async|yield)\b/.test(stripStrings(rest)) || lex(text, t.site.end, loop.end - 1, 99).comments) return undefined;
    return fix(imports.edits, { start: loop.start, end: loop.end, newText: awaitExpr(ctx, loop.end, `${asyncio}.gather(*(${call}${rest}))`) });
  }
  if (loop.kind !== 'for') return undefined;
  const header = /^for\s+([\s\S]+?)\s+in\s+([\s\S]+?)\s*:\s*$/.exec(text.slice(loop.start, loop.bodyStart));
  if (!header || header[2] !== loop.iterText || /#/.test(header[0]) || /\b(await|yield)\b/.test(stripStrings(header[2]))) return undefined;
  const body = text.slice(loop.bodyStart, loop.end).trim();
  const bm = new RegExp(`^([A-Za-z_][\\w.]*)\\.append\\(\\s*await\\s+${escapeRegex(call)}\\s*\\)$`).exec(body);
  if (!bm || usesWord(call, bm[1].split('.')[0]) || usesWord(header[2], bm[1].split('.')[0])) return undefined;
  const list = bm[1];
  const iter = /^[A-Za-z_][\w.]*(\([^()]*\))?$/.test(header[2]) ? header[2] : `(${header[2]})`;
  const gen = `${asyncio}.gather(*(${call} for ${header[1]} in ${iter}))`;
  // `results = []` right before the loop (same indentation): assign the gathered list instead.
  const loopLine = lineStartAt(text, loop.start);
  const before = text.slice(0, loopLine).replace(/[ \t]*(\r?\n)?$/, '');
  const prevStart = lineStartAt(text, before.length);
  const prev = text.slice(prevStart, before.length);
  const indent = indentAt(text, loop.start);
  if (prev === `${indent}${list} = []` && /^[A-Za-z_]\w*$/.test(list) && text.slice(before.length, loopLine).split(/\n/).length === 2) {
    return fix(imports.edits, { start: prevStart + indent.length, end: loop.end, newText: `${list} = await ${gen}` });
  }
  return fix(imports.edits, { start: loop.start, end: loop.end, newText: `${list}.extend(await ${gen})` });
}

function fix(importEdits: Fix['edits'], edit: Fix['edits'][number]): Fix {
  return { kind: 'gather', title: 'Run the awaits concurrently with asyncio.gather', isPreferred: true, edits: [...importEdits, edit], note: NOTE };
}
