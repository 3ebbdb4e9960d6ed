// LW301: an `await` inside a `for` loop or comprehension that uses the loop variable, with no data carried
// between iterations: N round trips one after another where one batched query (WHERE id IN (...)) or a
// bounded asyncio.gather would do. The loop shapes that are ordered or already batched are not N+1.
import type { CallGraph, CallInfo } from '../callgraph';
import { type Expr, namesIn } from '../python/ir';
import type { LoopInfo } from '../python/model';
import type { FunctionRef, ModuleEntry } from '../symbols';

export const nPlusOne = { code: 'LW301', name: 'n-plus-one-await', title: 'Sequential awaits in a loop (N+1)' };

/** Awaits that are ordered by nature (streams, queues, locks): never an N+1. */
const SEQUENTIAL_METHODS = new Set(['send', 'send_text', 'send_json', 'send_bytes', 'write', 'drain', 'put', 'acquire', 'wait', 'sleep', 'receive', 'receive_text', 'receive_json', 'receive_bytes', 'close', 'flush', 'commit', 'enter_async_context']);
const ASYNC_SESSION = 'sqlalchemy.ext.asyncio.AsyncSession()';

export interface NPlusOneHit {
  loop: LoopInfo;
  /** The awaited calls share one AsyncSession, so asyncio.gather is not a safe fix. */
  shared: boolean;
}

/**
 * Whether the awaited call `c` (in a loop of `ref`) is an N+1. Suppression and rule selection are
 * the caller's; this is the shape of the loop and of the call.
 */
export function checkNPlusOne(graph: CallGraph, ref: FunctionRef, c: CallInfo): NPlusOneHit | undefined {
  const loop = ref.mod.model.loops[c.site.loop];
  if (loop.kind === 'while' || loop.isAsync || loop.fn !== ref.fn.id || loop.hasBreak) return undefined;
  const canonical = c.canonical ?? '';
  if (canonical.startsWith('asyncio.') || canonical.startsWith('anyio.') || canonical.includes('WebSocket()')) return undefined;
  const last = c.site.text.slice(c.site.text.lastIndexOf('.') + 1);
  if (SEQUENTIAL_METHODS.has(last)) return undefined;
  if (c.kind === 'local' && c.target && !c.target.fn.isAsync) return undefined;
  // The call must use the loop variable (or a local computed from it in this iteration, such as
  // `uid = it["id"]`), and nothing carried over from an earlier iteration.
  const used = new Set<string>();
  for (const a of c.site.args) namesIn(a, used);
  for (const v of Object.values(c.site.kw)) namesIn(v, used);
  if (c.site.callee.k === 'attr') namesIn(c.site.callee.o, used);
  const perItem = perIterationNames(loop);
  if (![...used].some((n) => perItem.has(n))) return undefined;
  for (const name of used) if (loop.assigned.has(name) && !perItem.has(name)) return undefined;
  // Not N+1: ordered input (key presses), loops over batches that already send one call per batch,
  // a constant pair of items, and DDL, which runs in order and has no WHERE to batch on.
  if (/\bkeyboard\b/.test(c.site.text)) return undefined;
  if ([...used].some((n) => perItem.has(n) && /batch|chunk/i.test(n))) return undefined;
  if (loop.iter.k === 'list' && loop.iter.items.length <= 2 && loop.iter.items.every((x) => x.k === 'str' || x.k === 'num')) return undefined;
  if (c.site.args.some(isDdl)) return undefined;
  if (isOrderedChain(loop, c.site.callee)) return undefined;
  return { loop, shared: sharesAsyncSession(graph, ref.mod, c) };
}

/** The advice part of the message. */
export function nPlusOneFix(shared: boolean): string {
  return shared
    ? 'load them in one query (WHERE id IN (...)); asyncio.gather is not safe here: these calls share one AsyncSession'
    : 'batch them into one call (WHERE id IN (...)) or run them concurrently with asyncio.gather and a bounded concurrency (asyncio.Semaphore)';
}

function sharesAsyncSession(graph: CallGraph, mod: ModuleEntry, c: CallInfo): boolean {
  if ((c.canonical ?? '').startsWith(ASYNC_SESSION)) return true;
  for (const a of c.site.args) {
    const t = graph.canonical(mod, a);
    if (t === ASYNC_SESSION) return true;
  }
  return false;
}

/**
 * The loop's targets and the locals computed only from them (and from names the loop does not
 * assign) in the same iteration: `for it in items: uid = it["id"]`.
 */
function perIterationNames(loop: LoopInfo): Set<string> {
  const out = new Set(loop.targets);
  const derived = loop.derived;
  if (!derived) return out;
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, reads] of derived) {
      if (out.has(name) || !reads || !reads.some((r) => out.has(r))) continue;
      if (reads.every((r) => out.has(r) || !loop.assigned.has(r))) { out.add(name); changed = true; }
    }
  }
  return out;
}

/** A loop item or iterable named as a link of a chain of callables run in order (`on_commit_hooks`, `_interceptors`, `step`). */
const CHAIN_NAME = /^_*(?:\w+_)?(?:hooks?|handlers?|middlewares?|interceptors?|callbacks?|listeners?|subscribers?|observers?|plugins?|steps?|stages?|pipeline|processors?|migrations?)$/i;

/** A callable passed in to be called back: `handler`, `on_error_callback`, `hook`. */
const CALLBACK_NAME = /^_*(?:\w+_)?(?:handler|callback|hook|listener|observer|subscriber|interceptor|middleware)$/i;

/** The last name of an iterable, through `reversed(x)`, `enumerate(x)`, `list(x)`, `sorted(x)`, `x.items()`, `x.values()`. */
function iterName(e: Expr): string | undefined {
  for (let i = 0; i < 8; i++) {
    if (e.k === 'name') return e.n;
    if (e.k === 'attr') return e.a;
    if (e.k !== 'call') return undefined;
    if (e.f.k === 'name' && /^(reversed|enumerate|list|tuple|sorted|iter)$/.test(e.f.n) && e.args[0]) e = e.args[0];
    else if (e.f.k === 'attr' && /^(items|values|copy)$/.test(e.f.a)) e = e.f.o;
    else return undefined;
  }
  return undefined;
}

/**
 * Ordered work, not N+1: the awaited callee is the loop item itself (`for hook in hooks: await hook(x)`,
 * `for fn, args in jobs: await fn(*args)`), or the loop runs a chain of hooks, handlers, middleware,
 * interceptors or steps (`for h in handlers: await h.handle(ev)`, `for hook in self.on_commit_hooks:
 * await self.run_hook(hook)`, `self.migrations[i].run()`), or the callee is a callback passed in (`await handler(ev)`)
 * or a Redis pipeline, which buffers: these run one after another by design and have no query to batch.
 */
function isOrderedChain(loop: LoopInfo, callee: Expr): boolean {
  // `handler(x)`: a callback passed in; `items[i](x)` / `items[i].run()`: the loop item reached by index.
  if (callee.k === 'name' && (loop.targets.includes(callee.n) || CALLBACK_NAME.test(callee.n))) return true;
  // Schema migrations (`await migrate_extension_database(ext)`, `_migrate_schemas(...)`) run in order on purpose.
  const last = callee.k === 'name' ? callee.n : callee.k === 'attr' ? callee.a : '';
  if (/^_*migrat/i.test(last) || /_migrat(e|ion)/i.test(last)) return true;
  const recv = callee.k === 'attr' ? callee.o : callee;
  if (recv.k === 'sub' && recv.i.some((x) => x.k === 'name' && loop.targets.includes(x.n))) {
    const name = iterName(recv.o);
    if (callee.k === 'sub' || (name !== undefined && CHAIN_NAME.test(name))) return true;
  }
  // A Redis pipeline (`pipe.xadd(...)`) buffers commands and sends them in one round trip.
  if (callee.k === 'attr' && callee.o.k === 'name' && /^_*(pipe|pipeline)$/i.test(callee.o.n)) return true;
  if (loop.targets.some((t) => CHAIN_NAME.test(t))) return true;
  const name = iterName(loop.iter);
  return name !== undefined && CHAIN_NAME.test(name);
}

/** `CREATE TABLE ...`, `ALTER ...`, `DROP ...`: schema statements (also inside `text("...")`). */
export function isDdl(e: Expr): boolean {
  const lit = (x: Expr | undefined) => (x?.k === 'str' ? x.v : x?.k === '?' ? x.head ?? '' : '');
  const s = e.k === 'call' ? lit(e.args[0]) : lit(e);
  return /^\s*(create|alter|drop|truncate|grant|revoke|comment\s+on)\b/i.test(s);
}

