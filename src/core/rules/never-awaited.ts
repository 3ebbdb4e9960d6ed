// LW302: a coroutine function called as a bare statement and never awaited. The call only creates a
// coroutine object; its body never runs (Python warns "coroutine ... was never awaited" at best), so
// the email is not sent, the row is not committed, and nothing says so.
import { type Expr, offsetOf, scopeOf } from '../python/ir';
import type { CallSite } from '../python/model';
import type { FunctionRef, ModuleEntry } from '../symbols';
import { bareCalls, decoratorName, fnOf, type LoopCheckContext, isSuppressed } from './loop-checks';
import { PatternTable } from './table';

export const neverAwaited = { code: 'LW302', name: 'never-awaited', title: 'Coroutine never awaited' };

/** Library coroutine functions and methods (only those that are coroutines: `AsyncSession.add` is not). */
const KNOWN_COROUTINES = new PatternTable<true>();
for (const p of [
  'asyncio.{sleep,wait_for,wait,create_subprocess_exec,create_subprocess_shell,open_connection,start_server}',
  'asyncio.{Queue,LifoQueue,PriorityQueue}().{put,get,join}',
  'asyncio.{Lock,Semaphore,BoundedSemaphore}().acquire',
  'asyncio.{Event,Condition}().wait',
  'sqlalchemy.ext.asyncio.AsyncSession().{commit,rollback,flush,refresh,execute,scalar,scalars,get,delete,merge,close,run_sync,stream}',
  'sqlalchemy.ext.asyncio.AsyncEngine().dispose',
  'httpx.AsyncClient().{get,post,put,patch,delete,head,options,request,send,aclose}',
  'aiohttp.ClientSession().close',
  '{fastapi.WebSocket,starlette.websockets.WebSocket}().{accept,send_text,send_json,send_bytes,send,close,receive_text,receive_json,receive_bytes,receive}',
  '{fastapi.UploadFile,starlette.datastructures.UploadFile}().{read,write,seek,close}',
  '{fastapi.Request,starlette.requests.Request}().{body,json,form}',
  'redis.asyncio.Redis().{get,set,delete,expire,publish,hset,hget,lpush,rpush,incr,close,aclose}',
  'openai.{AsyncOpenAI,AsyncAzureOpenAI}().*.create',
]) KNOWN_COROUTINES.add(p, true);

/** Decorators that return the coroutine function itself (or a coroutine function wrapping it). */
const KEEPS_COROUTINE = /^(builtins\.(staticmethod|classmethod)|abc\.abstractmethod|(typing|typing_extensions)\.override|(fastapi\.(FastAPI|APIRouter)|starlette\.applications\.Starlette)\(\)\.\w+|tenacity\.retry)$/;

/**
 * The callee names its function directly: `send(...)` bound by a def or an import, or an attribute
 * chain on a name (`self.notify`, `mail.send`, `db.commit`). Not a call's result (`get_impl(...)(...)`)
 * nor a name assigned from one (`fn = get_impl(...)`): factories may return a different function than
 * the one the model follows.
 */
function namesItsFunction(mod: ModuleEntry, callee: Expr): boolean {
  let root = callee;
  while (root.k === 'attr') root = root.o;
  if (root.k !== 'name') return false;
  if (callee.k !== 'name') return true;
  const hit = mod.resolver.lookup(root.n, scopeOf(root), offsetOf(root));
  return !hit || hit.b.kind === 'def' || hit.b.kind === 'import';
}

/** What a bare call creates when it is a coroutine function's call: the callee's name, or undefined. */
function coroutineCallee(cx: LoopCheckContext, mod: ModuleEntry, site: CallSite): { name: string; target?: FunctionRef } | undefined {
  if (!namesItsFunction(mod, site.callee)) return undefined;
  const canonical = cx.graph.calleeName(mod, site);
  if (!canonical) return undefined;
  const target = cx.index.functions.get(canonical);
  if (target) {
    const fn = target.fn;
    // An async generator's call is not a coroutine; a decorator may have made it anything.
    if (!fn.isAsync || fn.isGenerator || fn.isLambda) return undefined;
    if (!fn.decorators.every((d) => KEEPS_COROUTINE.test(decoratorName(cx, target.mod, d) ?? ''))) return undefined;
    return { name: canonical, target };
  }
  return KNOWN_COROUTINES.get(canonical) ? { name: canonical } : undefined;
}

export function checkNeverAwaited(cx: LoopCheckContext, mod: ModuleEntry): void {
  const { code } = neverAwaited;
  if (!cx.enabled(code)) return;
  // Bare, unawaited calls of the workspace (bareCalls): indexed (a for-of makes an iterator result per site in code not yet optimised).
  const calls = bareCalls(mod);
  for (let i = 0; i < calls.length; i++) {
    const site = calls[i];
    const fn = fnOf(mod, site);
    if (fn?.isLambda) continue;
    const hit = coroutineCallee(cx, mod, site);
    if (!hit || isSuppressed(mod, site, code)) continue;
    const what = `${site.text}(...) creates a coroutine that is never awaited in ${cx.where(mod, fn)}`;
    const advice = fn?.isAsync
      ? 'its body never runs; add `await` (or, to run it in the background, asyncio.create_task(...) and keep a reference to the task)'
      : 'its body never runs, and a sync function cannot await it; call it with `await` from a coroutine, or with asyncio.run(...) where no event loop is running';
    cx.report(mod, fn, site, code, 'warning', `${what}: ${advice}`, hit.name, { shape: 'never-awaited', call: site.text, inCoroutine: fn?.isAsync ? '1' : '' });
  }
}
