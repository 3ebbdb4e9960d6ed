// A route or dependency that awaits nothing gains nothing from `async def`: as a plain `def`, FastAPI
// runs it in its threadpool, so its blocking calls no longer hold the event loop.
import type { Fix } from '../types';
import type { FixContext, Target } from './context';

export function plainDefFix(ctx: FixContext, t: Target): Fix | undefined {
  const { fn } = t;
  if (!fn.isAsync || fn.hasAwait || fn.asyncStart < 0 || fn.defKeywordStart <= fn.asyncStart) return undefined;
  if (!t.finding.code.startsWith('LW1')) return undefined;
  const kind = ctx.kindAt(fn.line);
  if (kind !== 'route' && kind !== 'dependency') return undefined;
  if (!/^async\s+$/.test(ctx.text.slice(fn.asyncStart, fn.defKeywordStart))) return undefined;
  return {
    kind: 'plain-def',
    title: `Make ${fn.name} a plain def (FastAPI runs it in its threadpool)`,
    isPreferred: false,
    edits: [{ start: fn.asyncStart, end: fn.defKeywordStart, newText: '' }],
    note: `${fn.name} awaits nothing, so as a plain def FastAPI runs it in a worker thread (40 by default) instead of on the event loop; code that awaits ${fn.name}() directly must call it without await.`,
  };
}
