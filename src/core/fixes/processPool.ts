// LW2xx: CPU work moves to a process pool, the only way to run it in parallel with the event loop
// under the GIL: `await asyncio.get_running_loop().run_in_executor(pool, fn, *args)`. Only for
// callables that pickle by reference (module-level functions, functions imported from modules).
// Preferred only when the move keeps behaviour (safety.ts): picklable arguments, the result used,
// nothing mutated (the parent never sees a child's writes), no framework exception raised, no loop
// API; and one pool per application: the preferred choice reuses the module-level pool the file
// already has. Otherwise it is offered with what to check, and the thread offload is preferred.
import { type Expr, offsetOf, scopeOf } from '../python/ir';
import { type Binding, boundList } from '../python/model';
import type { Fix } from '../types';
import { awaitExpr, canAwaitAt, type FixContext, Imports, rawArgs, type Target, withArgs } from './context';
import { afterImports, NEED } from './imports';
import { lineEndAt, lineStartAt, splitArgs, usesWord } from './pyText';
import { calleeSource, checkTitle, factsOf } from './safety';

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
    for (const b of boundList(list)) {
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
  const asyncio = imports.need(NEED.asyncio);
  if (!asyncio) return undefined;
  const callee = ctx.text.slice(t.site.start, t.site.calleeEnd);
  // run_in_executor takes positional arguments only: keywords go through functools.partial.
  let fnAndArgs: string;
  if (args.some((a) => a.kw && a.kw !== '*')) {
    const functools = imports.need(NEED.functools);
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
    const executor = imports.need(NEED.processPoolExecutor);
    if (!executor) return undefined;
    const at = afterImports(ctx.text, ctx.model, ctx.memo);
    decl.push({ start: at, end: at, newText: `${ctx.eol}${pool} = ${executor}()${ctx.eol}` });
  }
  const call = `${asyncio}.get_running_loop().run_in_executor(${pool}, ${fnAndArgs})`;
  const problems = poolProblems(ctx, t);
  if (decl.length) problems.push(`one pool per application, shut down in the lifespan: this adds ${pool} to this module`);
  return {
    kind: 'process-pool',
    title: checkTitle(`Run ${callee} in a process pool: await loop.run_in_executor(${pool}, ...)`, problems),
    isPreferred: problems.length === 0,
    edits: [...imports.edits, ...decl, { start: t.site.start, end: t.site.end, newText: awaitExpr(ctx, t.site.end, call) }],
    note: `The arguments and the result are pickled between processes; ${pool} starts its worker processes on first use and each of them imports this module.`,
  };
}

export const GIL_NOTE = 'A thread keeps the event loop free, but the GIL still serialises pure-Python work; numpy, pandas, torch, onnxruntime and hashlib release it while they compute. A process pool is not offered because the callable is not a module-level function: it would be pickled, with the object it is bound to, on every call.';

const PICKLABLE_TYPES = /^builtins\.(str|int|float|bool|bytes|dict|list|tuple|set|frozenset)$|^(str|int|float|bool|bytes|dict|list|tuple|set|frozenset)$|^typing\.(List|Dict|Tuple|Set)$/;
const PICKLABLE_CALLS = /^builtins\.(str|int|float|bool|bytes|len|list|dict|tuple|sorted|min|max|sum|abs|round)$|\.(encode|decode|lower|upper|strip|split|join|replace|format)$/;

/** What stops the pool from keeping behaviour, as "check: ..." phrases. */
function poolProblems(ctx: FixContext, t: Target): string[] {
  const problems: string[] = [];
  const src = calleeSource(ctx, t.site.callee, ctx.functions, ctx.memo);
  if (src) {
    const facts = factsOf(src, ctx.functions, ctx.memo);
    for (const h of ['param-mutation', 'global-write', 'framework-exception', 'loop-api', 'thread-affine'] as const) {
      const why = facts.hazards.get(h);
      if (why) problems.push(why);
    }
  } else if (t.site.callee.k === 'name' && ctx.resolver.lookup(t.site.callee.n, scopeOf(t.site.callee), offsetOf(t.site.callee))?.b.kind === 'import') {
    problems.push(`${ctx.text.slice(t.site.start, t.site.calleeEnd)} is imported: its body was not checked`);
  }
  const args = [...t.site.args, ...Object.values(t.site.kw)];
  if (!args.every((a) => picklable(ctx, a, 0))) problems.push('the arguments pickle (no open files, locks, sessions or clients)');
  // The result must be used: a call made only for its effects loses them in another process.
  const ls = lineStartAt(ctx.text, t.site.start);
  if (/^[ \t]*$/.test(ctx.text.slice(ls, t.site.start)) && /^[ \t]*(#.*)?$/.test(ctx.text.slice(t.site.end, lineEndAt(ctx.text, t.site.end)))) problems.push('the result is not used: the call runs for its effects, which stay in the child process');
  return problems;
}

/** Values known to pickle: literals, builtin-typed parameters, and simple expressions of those. */
function picklable(ctx: FixContext, e: Expr, depth: number): boolean {
  if (depth > 6) return false;
  switch (e.k) {
    case 'str': case 'num': case 'none': return true;
    case 'list': return e.items.every((x) => picklable(ctx, x, depth + 1));
    case 'op': return picklable(ctx, e.l, depth + 1) && picklable(ctx, e.r, depth + 1);
    case 'sub': return picklable(ctx, e.o, depth + 1) && e.i.every((x) => picklable(ctx, x, depth + 1));
    case 'call': {
      const q = ctx.resolver.resolve(e.f) ?? (e.f.k === 'attr' ? `?.${e.f.a}` : '');
      if (!PICKLABLE_CALLS.test(q)) return false;
      const recv = e.f.k === 'attr' && !q.startsWith('builtins.') ? [e.f.o] : [];
      return [...recv, ...e.args, ...Object.values(e.kw)].every((x) => picklable(ctx, x, depth + 1));
    }
    case 'name': {
      const hit = ctx.resolver.lookup(e.n, scopeOf(e), offsetOf(e));
      if (!hit) return false;
      return bindingPicklable(ctx, hit.b, depth);
    }
    default: return false;
  }
}

function bindingPicklable(ctx: FixContext, b: Binding, depth: number): boolean {
  if (b.kind === 'param') {
    if (!b.annotation) return false;
    const a = b.annotation.k === 'sub' ? b.annotation.o : b.annotation;
    const q = ctx.resolver.resolve(a) ?? (a.k === 'name' ? a.n : '');
    return PICKLABLE_TYPES.test(q);
  }
  if (b.kind === 'value' && b.expr) return picklable(ctx, b.expr, depth + 1);
  return false;
}
