// LW2xx: CPU work moves to a process pool, the only way to run it in parallel with the event loop
// under the GIL: `await asyncio.get_running_loop().run_in_executor(pool, fn, *args)` with one
// module-level ProcessPoolExecutor. Only for callables that pickle by reference (module-level
// functions, functions imported from modules); a bound method of a loaded model would be pickled
// with the model on every call, so those get the thread variant instead.
import { type Expr, offsetOf, scopeOf } from '../python/ir';
import type { Fix } from '../types';
import { awaitExpr, canAwaitAt, type FixContext, Imports, rawArgs, type Target, withArgs } from './context';
import { afterImports } from './imports';
import { splitArgs, usesWord } from './pyText';

const POOL_NAMES = ['process_pool', '_loopwise_process_pool'];

/** Whether the call's callee is a module-level function or a function reached through an imported module. */
export function isPicklableCallee(ctx: FixContext, t: Target): boolean {
  // A transitive finding offloads the helper called at the site, whatever the helper itself calls.
  if (!t.finding.chain.length && t.finding.call.includes('()')) return false;
  let e: Expr = t.site.callee;
  while (e.k === 'attr') e = e.o;
  if (e.k !== 'name') return false;
  const hit = ctx.resolver.lookup(e.n, scopeOf(e), offsetOf(e));
  if (!hit) return false;
  if (hit.b.kind === 'import') return true;
  if (hit.b.kind !== 'def' || hit.scope.kind !== 'module' || t.site.callee.k !== 'name') return false;
  const fn = ctx.model.functions.find((f) => f.qname === hit.b.q);
  return !!fn && !fn.isAsync && fn.parentFn < 0 && fn.cls < 0;
}

/** An existing module-level ProcessPoolExecutor to reuse, by name. */
function existingPool(ctx: FixContext): string | undefined {
  for (const [name, list] of ctx.model.scopes[0].bindings) {
    for (const b of list) {
      if (b.kind !== 'value' || b.expr?.k !== 'call') continue;
      if (ctx.resolver.resolve(b.expr.f) === 'concurrent.futures.ProcessPoolExecutor') return name;
    }
  }
  return undefined;
}

export function processPoolFix(ctx: FixContext, t: Target): Fix | undefined {
  if (!canAwaitAt(ctx, t) || !isPicklableCallee(ctx, t)) return undefined;
  const raw = rawArgs(ctx, t.site);
  const args = splitArgs(ctx.text, t.site.argsStart, t.site.end, true);
  if (raw === undefined || !args) return undefined;
  const imports = new Imports(ctx, t.fn);
  const asyncio = imports.need({ module: 'asyncio' });
  if (!asyncio) return undefined;
  const callee = ctx.text.slice(t.site.start, t.site.calleeEnd);
  // run_in_executor takes positional arguments only: keywords go through functools.partial.
  let fnAndArgs: string;
  if (args.some((a) => a.kw && a.kw !== '*')) {
    const functools = imports.need({ module: 'functools' });
    if (!functools) return undefined;
    fnAndArgs = `${functools}.partial(${withArgs(callee, raw)})`;
  } else {
    fnAndArgs = withArgs(callee, raw);
  }
  const decl: Fix['edits'] = [];
  let pool = existingPool(ctx);
  if (!pool) {
    pool = POOL_NAMES.find((n) => !ctx.model.scopes[0].bindings.has(n) && !usesWord(ctx.text, n));
    for (let k = 2; !pool; k++) { const n = `_loopwise_process_pool_${k}`; if (!usesWord(ctx.text, n)) pool = n; }
    const executor = imports.need({ module: 'concurrent.futures', name: 'ProcessPoolExecutor' });
    if (!executor) return undefined;
    const at = afterImports(ctx.text, ctx.model);
    decl.push({ start: at, end: at, newText: `${ctx.eol}${pool} = ${executor}()${ctx.eol}` });
  }
  const call = `${asyncio}.get_running_loop().run_in_executor(${pool}, ${fnAndArgs})`;
  return {
    kind: 'process-pool',
    title: `Run ${callee} in a process pool: await loop.run_in_executor(${pool}, ...)`,
    isPreferred: true,
    edits: [...imports.edits, ...decl, { start: t.site.start, end: t.site.end, newText: awaitExpr(ctx, t.site.end, call) }],
    note: `The arguments and the result are pickled between processes; ${pool} starts its worker processes on first use and each of them imports this module.`,
  };
}

export const GIL_NOTE = 'A thread keeps the event loop free, but the GIL still serialises pure-Python work; numpy, pandas, torch, onnxruntime and hashlib release it while they compute. A process pool is not offered because the callable is not a module-level function: it would be pickled, with the object it is bound to, on every call.';
