// LW102: `time.sleep(x)` in a coroutine becomes `await asyncio.sleep(x)`, which lets the loop run
// other requests while it waits.
import type { Fix } from '../types';
import { awaitExpr, canAwaitAt, type FixContext, Imports, rawArgs, type Target } from './context';
import { NEED } from './imports';

export function sleepFix(ctx: FixContext, t: Target): Fix | undefined {
  if (t.finding.call !== 'time.sleep' || t.finding.chain.length || !canAwaitAt(ctx, t)) return undefined;
  const raw = rawArgs(ctx, t.site);
  if (raw === undefined) return undefined;
  const imports = new Imports(ctx, t.fn);
  const asyncio = imports.need(NEED.asyncio);
  if (!asyncio) return undefined;
  return {
    kind: 'asyncio-sleep',
    title: 'Replace with await asyncio.sleep(...)',
    isPreferred: true,
    edits: [...imports.edits, { start: t.site.start, end: t.site.end, newText: awaitExpr(ctx, t.site.end, `${asyncio}.sleep(${raw})`) }],
  };
}
