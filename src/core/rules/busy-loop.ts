// LW304: a `while` loop in a coroutine that never yields to the event loop (no `await`, `async for`,
// `async with` or `yield` in it) and is not bounded by its own work: `while True:` with no way out, or
// a condition that nothing in the body can change (`while not done:` waiting for another task, which
// cannot run while the loop spins). No other request is served until it ends.
import { pySpans } from '../fixes/pyText';
import { namesIn } from '../python/ir';
import type { LoopInfo } from '../python/model';
import { testCodeKind } from '../python/sourceRoots';
import type { ModuleEntry } from '../symbols';
import { type LoopCheckContext, lineOf, suppressedOn } from './loop-checks';

export const busyLoop = { code: 'LW304', name: 'busy-loop', title: 'Loop that never yields to the event loop' };

/** Why the loop spins, or undefined when it is bounded by what its body does. */
function spins(loop: LoopInfo, body: string): 'forever' | 'waits' | undefined {
  const cond = loop.iterText.trim();
  if (/^(True|1|\(True\))$/.test(cond)) return loop.hasBreak || /\b(raise|exit)\b/.test(body) ? undefined : 'forever';
  if (loop.hasBreak || loop.iter.k === '?' && !loop.iter.names?.length) return undefined;
  const names = [...namesIn(loop.iter)].filter((n) => !/^(not|and|or|is|in|None|True|False|len)$/.test(n));
  if (!names.length) return undefined;
  // Anything the body assigns, mutates or passes on may end the loop: only a body that never
  // mentions the condition's names leaves it to someone else.
  for (const n of names) if (loop.assigned.has(n) || new RegExp(`(?<![\\w.])${n}(?!\\w)`).test(body)) return undefined;
  return 'waits';
}

export function checkBusyLoop(cx: LoopCheckContext, mod: ModuleEntry): void {
  const { code } = busyLoop;
  if (!cx.enabled(code)) return;
  const text = cx.textOf(mod.file);
  if (text === undefined) return;
  // Indexed: every loop of the workspace, and an iterator result per loop in code not yet optimised.
  const loops = mod.model.loops;
  for (let i = 0; i < loops.length; i++) {
    const loop = loops[i];
    if (loop.kind !== 'while' || loop.yields || loop.fn < 0) continue;
    const fn = mod.model.functions[loop.fn];
    if (!fn.isAsync || fn.isLambda) continue;
    const why = spins(loop, stripComments(text.slice(loop.bodyStart, loop.end)));
    if (!why) continue;
    const headEnd = text.indexOf(':', loop.start + 5 + loop.iterText.length);
    const end = headEnd > 0 && headEnd < loop.bodyStart ? headEnd : loop.bodyStart;
    const line = lineOf(mod, loop.start);
    if (suppressedOn(mod, line, lineOf(mod, end), code)) continue;
    const cond = loop.iterText.length > 40 ? `${loop.iterText.slice(0, 37)}...` : loop.iterText;
    // Test code, scripts and examples serve no requests: what stops is their own event loop.
    const holder = mod.testCode ? 'its event loop' : 'the worker';
    const effect = why === 'forever'
      ? `it has no way out and never yields, so ${mod.testCode ? 'nothing else on its event loop runs again' : 'the worker stops serving requests'}`
      : `nothing in its body changes the condition and no other task can run while it spins, so it holds ${holder} until something outside the loop changes`;
    const message = `\`while ${cond}:\` in ${cx.where(mod, fn)} never awaits: ${effect}; await what it waits for (an asyncio.Event, a queue get) or add \`await asyncio.sleep(...)\` in the loop`;
    cx.report(mod, fn, { start: loop.start, end }, code, 'info', message, `while ${cond}`, { shape: 'busy-loop', cond, why, ...(mod.testCode ? { test: testCodeKind(mod.file) } : {}) });
  }
}

/** The body with `#` comments blanked (strings kept: a name in a string is harmless to count). */
function stripComments(s: string): string {
  return pySpans(s).filter((sp) => sp.kind !== 'comment').map((sp) => s.slice(sp.start, sp.end)).join('');
}
