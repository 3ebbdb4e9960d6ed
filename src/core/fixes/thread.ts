// Offloads a blocking call to a thread: `await asyncio.to_thread(fn, *args, **kwargs)`, or FastAPI's
// `await run_in_threadpool(...)`. The arguments are kept exactly as written; for a method call such as
// `client.chat.completions.create(...)` the bound method is what is passed.
import type { Fix } from '../types';
import { awaitExpr, canAwaitAt, type FixContext, Imports, rawArgs, type Target, withArgs } from './context';
import { isBareGenerator, splitArgs } from './pyText';

export type ThreadVariant = 'to_thread' | 'threadpool';

export function threadFix(ctx: FixContext, t: Target, variant: ThreadVariant, isPreferred: boolean, note?: string): Fix | undefined {
  if (!canAwaitAt(ctx, t)) return undefined;
  let raw = rawArgs(ctx, t.site);
  const args = splitArgs(ctx.text, t.site.argsStart, t.site.end, true);
  if (raw === undefined || !args) return undefined;
  // `f(x for x in xs)` needs its own parentheses once it is one argument among others.
  if (args.length === 1 && !args[0].kw && isBareGenerator(args[0].text)) raw = `(${raw.trim()})`;
  // run_in_threadpool(func, *args, **kwargs) would take a keyword named `func` for itself.
  if (variant === 'threadpool' && args.some((a) => a.kw === 'func')) return undefined;
  const callee = ctx.text.slice(t.site.start, t.site.calleeEnd);
  const imports = new Imports(ctx, t.fn);
  let wrapper: string | undefined;
  if (variant === 'to_thread') {
    const asyncio = imports.need({ module: 'asyncio' });
    wrapper = asyncio && `${asyncio}.to_thread`;
  } else {
    wrapper = imports.need({ module: 'fastapi.concurrency', name: 'run_in_threadpool', alternatives: ['starlette.concurrency.run_in_threadpool'] });
  }
  if (!wrapper) return undefined;
  const call = `${wrapper}(${withArgs(callee, raw)})`;
  return {
    kind: variant === 'to_thread' ? 'thread' : 'threadpool',
    title: variant === 'to_thread' ? `Run ${callee} in a thread: await asyncio.to_thread(...)` : `Run ${callee} in FastAPI's threadpool: await run_in_threadpool(...)`,
    isPreferred,
    edits: [...imports.edits, { start: t.site.start, end: t.site.end, newText: awaitExpr(ctx, t.site.end, call) }],
    ...(note ? { note } : {}),
  };
}
