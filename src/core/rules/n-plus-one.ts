// LW301: an `await` inside a `for` loop or comprehension that uses the loop variable, with no data carried
// between iterations: N round trips one after another where one batched query (WHERE id IN (...)) or a
// bounded asyncio.gather would do. The loop shapes that are ordered or already batched are not N+1.
import type { CallGraph, CallInfo } from '../callgraph';
import { type Expr, lastName, namesIn } from '../python/ir';
import type { CallSite, LoopInfo } from '../python/model';
import type { ClassRef, FunctionRef, ModuleEntry } from '../symbols';
import { stripStrings } from '../fixes/pyText';
import { type CostKind, PatternTable } from './table';
import { OFFLOAD_DECORATORS } from './offloads';
import { asyncIoKind } from './costs';

export const nPlusOne = { code: 'LW301', name: 'n-plus-one-await', title: 'Sequential awaits in a loop (N+1)' };

/** Awaits that are ordered by nature (streams, queues, locks) or tear a resource down: never an N+1. */
const SEQUENTIAL_METHODS = new Set([
  'send', 'send_text', 'send_json', 'send_bytes', 'write', 'drain', 'put', 'acquire', 'wait', 'sleep', 'receive', 'receive_text', 'receive_json', 'receive_bytes',
  'flush', 'commit', 'enter_async_context', 'close', 'aclose', 'dispose', 'disconnect', 'shutdown',
]);
const ASYNC_SESSION = 'sqlalchemy.ext.asyncio.AsyncSession()';
/** A callee named as a batch operation: each call already handles many rows (`_batch_delete`, `bulk_decrement`, `insert_many`). */
const BATCH_CALLEE = /(?:^|_)(?:batch|bulk|many)(?:_|$)/i;

export interface NPlusOneHit {
  loop: LoopInfo;
  /** The awaited calls share one AsyncSession, so asyncio.gather is not a safe fix. */
  shared: boolean;
}

/**
 * Whether the awaited call `c` (in a loop of `ref`) is an N+1. Suppression and rule selection are
 * the caller's; this is the shape of the loop and of the call.
 */
export function checkNPlusOne(graph: CallGraph, ref: FunctionRef, c: CallInfo, trips?: RoundTrips): NPlusOneHit | undefined {
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
  // A batch API called once per group (`await _batch_delete(model, cond)`, `bulk_update(ids, ...)`, `insert_many(rows)`).
  if (BATCH_CALLEE.test(lastName(c.site.callee))) return undefined;
  if (loop.iter.k === 'list' && loop.iter.items.length <= 2 && loop.iter.items.every((x) => x.k === 'str' || x.k === 'num')) return undefined;
  if (c.site.args.some(isDdl)) return undefined;
  if (isOrderedChain(loop, c.site.callee) || handlesEventsInOrder(loop, c.site.callee)) return undefined;
  if (promptsInLoop(graph, ref, loop)) return undefined;
  // Nothing to batch when the awaited call makes no round trip (local files, in-process work, CPU).
  if (trips && trips.ofCall(ref, c) === Trip.None) return undefined;
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

/** A loop item that is one event or message of a stream: `event`, `msg`, `raw_message`. */
const EVENT_ITEM = /^_*(?:\w+_)?(?:event|evt|message|msg)$/i;
/** A callee named as the handler of one event: `reactive_evaluation`, `process_message`, `handle`, `_on_event`, `apply_event`. */
const EVENT_HANDLER = /^_*on_|(?:^|_)(?:process|handle|evaluate|evaluation|dispatch|consume|replay|react|apply)(?:_|$)/i;

/**
 * Events handled in the order they came: `for event in events: await reactive_evaluation(event)`. Each
 * event's handler moves state the next one reads (trigger buckets, counters, a causal order), so the
 * handlers run one after another by design and there is no query to batch. A data call per event
 * (`await db.save(event)`, `await client.post(..., json=msg)`) stays reported: its name is no handler's.
 */
function handlesEventsInOrder(loop: LoopInfo, callee: Expr): boolean {
  if (!loop.targets.some((t) => EVENT_ITEM.test(t))) return false;
  return EVENT_HANDLER.test(lastName(callee));
}

/** Library prompts: a loop that asks the user runs at a human's pace, in order, by design. */
const PROMPTS = new PatternTable<true>();
for (const p of ['builtins.input', 'rich.prompt.*.ask', '{typer,click}.{prompt,confirm}', 'questionary.*', 'InquirerPy.*', 'inquirer.*', 'prompt_toolkit.*prompt']) PROMPTS.add(p, true);
const PROMPT_NAME = /^_*(?:prompt|confirm|ask)(?:_\w+)?$/;

/**
 * An interactive loop: its body (nested loops included) asks the user something (`input()`, `Confirm.ask`,
 * `typer.confirm`, or a project function named `prompt*` / `confirm*`), so the awaits in it run in order on purpose.
 */
function promptsInLoop(graph: CallGraph, ref: FunctionRef, loop: LoopInfo): boolean {
  const loops = ref.mod.model.loops;
  const inLoop = (id: number): boolean => {
    for (let i = id, n = 0; i >= 0 && n < 64; i = loops[i].parent, n++) if (loops[i] === loop) return true;
    return false;
  };
  for (const c of graph.callsOf(ref)) {
    if (c.site.loop < 0 || !inLoop(c.site.loop)) continue;
    if (c.canonical && PROMPTS.get(c.canonical)) return true;
    if (c.kind === 'local' && c.target && PROMPT_NAME.test(c.target.fn.name)) return true;
  }
  return false;
}

/** `CREATE TABLE ...`, `ALTER ...`, `DROP ...`: schema statements (also inside `text("...")`). */
export function isDdl(e: Expr): boolean {
  const lit = (x: Expr | undefined) => (x?.k === 'str' ? x.v : x?.k === '?' ? x.head ?? '' : '');
  const s = e.k === 'call' ? lit(e.args[0]) : lit(e);
  return /^\s*(create|alter|drop|truncate|grant|revoke|comment\s+on)\b/i.test(s);
}

// ---- does an awaited call make a round trip? --------------------------------------------------

/** No round trip (local work), not known (an unresolved or unlisted library await), a round trip to a server. */
export const Trip = { None: 0, Unknown: 1, Yes: 2 } as const;
export type Trip = 0 | 1 | 2;
const max = (a: Trip, b: Trip): Trip => (a > b ? a : b);

/** Cost kinds of calls that wait on another machine or process: one per item is a round trip per item. */
const SERVER_KINDS = new Set<CostKind>(['http', 'db', 'cache', 'llm', 'embed', 'vector', 'cloud', 'mail', 'subprocess', 'io']);

/**
 * Library awaits that do local work: in-process queues, events and locks, pushes to a connected
 * websocket, an upload part read from its spooled temp file, the request body already on its way.
 * (`asyncio.gather` / `wait_for` / `shield` count as nothing themselves: the calls passed to them are
 * call sites of their own and are judged one by one.)
 */
const LOCAL_AWAITS = new PatternTable<Trip>();
for (const p of [
  'asyncio.{sleep,gather,wait,wait_for,shield,as_completed,timeout,to_thread}',
  'asyncio.{Queue,LifoQueue,PriorityQueue}().{put,get,join}',
  'asyncio.{Lock,Semaphore,BoundedSemaphore,Condition}().{acquire,wait}',
  'asyncio.Event().wait',
  'asyncio.{Future,Task}()',
  'anyio.{sleep,wait_all_tasks_blocked}',
  'anyio.to_thread.run_sync',
  'anyio.abc.{ObjectSendStream,ObjectReceiveStream}().{send,receive}',
  '{fastapi.WebSocket,starlette.websockets.WebSocket}().{accept,send_text,send_json,send_bytes,send,close}',
  '{fastapi.UploadFile,starlette.datastructures.UploadFile}().{read,write,seek,close}',
  '{fastapi.Request,starlette.requests.Request}().{body,json,form}',
]) LOCAL_AWAITS.add(p, Trip.None);
for (const p of ['asyncio.{create_subprocess_exec,create_subprocess_shell,open_connection}']) LOCAL_AWAITS.add(p, Trip.Yes);

/**
 * Methods that, on a receiver nothing resolves, push to a socket or an in-process queue, lock or event:
 * websocket sends, `acquire`, `wait`, `sleep`, and `put` on a receiver named as a queue (an HTTP client's
 * `put` is a request).
 */
const LOCAL_METHODS = new Set(['send_text', 'send_json', 'send_bytes', 'acquire', 'wait', 'sleep']);
function isLocalMethod(callee: Expr): boolean {
  if (callee.k !== 'attr') return false;
  if (LOCAL_METHODS.has(callee.a)) return true;
  const recv = callee.o.k === 'name' ? callee.o.n : callee.o.k === 'attr' ? callee.o.a : '';
  return callee.a === 'put' && /^_*(?:\w+_)?(?:q|queue)$/i.test(recv);
}

/** Wrappers that turn a sync callable into an awaitable run in a thread: `await make_async(f)(x)` runs `f`. */
const THREAD_WRAPPERS = new Set([...OFFLOAD_DECORATORS, 'asyncer.asyncify', 'starlette.concurrency.run_in_threadpool', 'fastapi.concurrency.run_in_threadpool']);

/** Calls that run coroutines made by other (un-awaited) calls in the same function. */
const SCHEDULERS = new PatternTable<true>();
for (const p of ['asyncio.{gather,wait,wait_for,shield,as_completed,create_task,ensure_future,run_coroutine_threadsafe}', 'asyncio.*().{create_task,start_soon}', 'anyio.*().start_soon']) SCHEDULERS.add(p, true);
/** The same on a receiver nothing resolves (`tg.create_task(...)`). */
const SCHEDULER_METHODS = new Set(['create_task', 'start_soon', 'gather', 'ensure_future']);

/** `await name` / `await self.pending` (not a call or a subscript): a coroutine or task made earlier. */
function awaitsAName(code: string): boolean {
  const re = /\bawait[ \t]+[A-Za-z_][\w.]*/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    let i = m.index + m[0].length;
    while (code[i] === ' ' || code[i] === '\t') i++;
    if (code[i] !== '(' && code[i] !== '[') return true;
  }
  return false;
}

const tripOfKind = (k: CostKind | undefined): Trip => (k === undefined ? Trip.Unknown : SERVER_KINDS.has(k) ? Trip.Yes : Trip.None);

/**
 * Whether an awaited call waits on a server, as a summary over the call graph. A first-party coroutine
 * makes a round trip when it (or a first-party function it calls, or an implementation of the method in
 * a workspace subclass) calls a library I/O function that goes to a server: an async DB driver or
 * session, an HTTP client, Redis, an SDK's async client, or the same through a sync call or an offload.
 * It makes none when it awaits nothing, or only local file I/O (aiofiles, anyio.Path), in-process
 * queues and websocket pushes, or offloaded local CPU. A library await the tables do not know, or a
 * call nothing resolves, is Unknown: the N+1 check keeps reporting those (as before this summary).
 */
export class RoundTrips {
  private memo = new Map<string, Trip>();
  private active = new Set<string>();
  private subclasses: Map<string, ClassRef[]> | undefined;
  private cycle = false;
  private roots: Set<string> | undefined;
  private deferMemo = new Map<string, boolean>();
  /** `qname|param=Class,...` -> what the dispatcher waits on for those argument types (undefined: no branch pruned). */
  private dispatchMemo = new Map<string, Trip | undefined>();

  /** `textOf` (the file's source) lets it see `await coro` on a stored coroutine; without it that is not looked for. */
  constructor(private graph: CallGraph, private textOf?: (file: string) => string | undefined) {}

  /** The awaited call `c` made in `ref`. */
  ofCall(ref: FunctionRef, c: CallInfo): Trip {
    const { site } = c;
    switch (c.kind) {
      case 'async-io': return tripOfKind(c.ioKind);
      case 'rule': return tripOfKind(c.rule?.kind);
      case 'cpu-only': return Trip.None;
      case 'offload': return c.offloaded ? this.ofCallable(c.offloaded) : Trip.Unknown;
      case 'local': {
        const t = c.target!;
        if (t.fn.isAsync) return this.ofDispatch(ref, c, t) ?? this.ofCoroutine(t);
        if (this.graph.syncTarget(c)) return this.ofSync(t);
        // A `def` that hands back an awaitable, a generator not iterated here, an offloading decorator.
        return site.awaited ? Trip.Unknown : Trip.None;
      }
      default: break;
    }
    const known = c.canonical ? LOCAL_AWAITS.get(c.canonical)?.value : undefined;
    if (known !== undefined) return known;
    // `if isinstance(value, UploadFile): await value.read()`: the receiver's type is the checked class.
    if (site.callee.k === 'attr' && this.unresolved(c.canonical)) {
      const cls = this.narrowedTo(ref, site);
      if (cls) {
        const trip = this.ofMethod(cls, site.callee.a);
        if (trip !== undefined) return trip;
      }
    }
    // `await make_async(f)(x)`: `f` runs in a thread.
    if (site.callee.k === 'call' && site.callee.args[0]) {
      const wrapper = this.graph.canonical(ref.mod, site.callee.f);
      if (wrapper && THREAD_WRAPPERS.has(wrapper)) return this.ofReference(ref.mod, site.callee.args[0]);
    }
    if (site.awaited) {
      // Unresolved, but named as a push to a socket or an in-process queue, lock or event (the names the
      // loop check above already takes as ordered): `await conn.websocket.send_text(x)`, `await q.put(x)`.
      return this.unresolved(c.canonical) && isLocalMethod(site.callee) ? Trip.None : Trip.Unknown;
    }
    // `async for x in stream(...)` (also in a comprehension): what an unresolved async iterator waits on is not known.
    if (site.forIterable && ref.mod.model.loops.some((l) => l.isAsync && l.fn === ref.fn.id && l.start <= site.start && site.end <= l.end)) return Trip.Unknown;
    // A coroutine made here and awaited later (`coro = x.aregister(); await coro`, `gather(*[f(x) ...])`).
    if (!c.canonical?.startsWith('builtins.') && this.defers(ref)) return Trip.Unknown;
    // A plain call to something unresolved that is not awaited here (`len(x)`, `d.get(k)`): no wait.
    return Trip.None;
  }

  /**
   * The class a call's receiver (or the name `name`) is narrowed to by an `if isinstance(x, C):` (or
   * `elif`, or a condition `... and isinstance(x, C)`) whose block holds the call: the narrowings the
   * builder recorded on the call site (CallSite.narrow), innermost first. A negated or `or`-joined
   * check narrows nothing.
   */
  private narrowedTo(ref: FunctionRef, site: CallSite, name?: string): string | undefined {
    const recv = site.callee.k === 'attr' ? site.callee.o : undefined;
    const n = name ?? (recv?.k === 'name' ? recv.n : undefined);
    if (n === undefined || !site.narrow) return undefined;
    for (const g of site.narrow) {
      if (g.k !== 'call' || g.f.k !== 'name') continue;
      const builtin = this.graph.canonical(ref.mod, g.f);
      if (builtin !== undefined && builtin !== 'builtins.isinstance') continue;
      const [x, cls] = g.args;
      if (x.k !== 'name' || x.n !== n || (cls.k !== 'name' && cls.k !== 'attr')) continue;
      return this.graph.canonical(ref.mod, cls);
    }
    return undefined;
  }

  /**
   * A module-level coroutine that dispatches on the type of a parameter (`if isinstance(obj, WorkPool):
   * return await WorkPool.make(obj)` / `elif isinstance(obj, WorkQueue): ...`), called with an argument
   * whose type is a workspace class: only the calls outside the branches for other workspace classes
   * run. Undefined when there is no such parameter (the coroutine's own summary then answers).
   */
  private ofDispatch(ref: FunctionRef, c: CallInfo, t: FunctionRef): Trip | undefined {
    if (t.fn.cls >= 0 || !c.site.args.length) return undefined;
    const known = new Map<string, string>();
    c.site.args.forEach((a, i) => {
      const p = t.fn.params[i];
      if (!p || p.star || a.k !== 'name') return;
      const q = this.graph.canonical(ref.mod, a);
      if (q?.endsWith('()') && this.graph.index.classes.has(q.slice(0, -2))) known.set(p.name, q.slice(0, -2));
    });
    if (!known.size) return undefined;
    const key = `${t.fn.qname}|${[...known].map(([p, q]) => `${p}=${q}`).join(',')}`;
    if (this.dispatchMemo.has(key)) return this.dispatchMemo.get(key);
    // A dispatcher that calls itself with the same types: its plain summary (which handles cycles) answers.
    if (this.active.has(key)) return undefined;
    const outer = this.cycle;
    this.cycle = false;
    this.active.add(key);
    let pruned = false;
    let out = Trip.None as Trip;
    // Memoised for every caller: what it reads, it reads for t's module (see CallGraph.within).
    this.graph.within(t.mod, () => {
      for (const g of this.graph.callsOf(t)) {
        const skip = [...known].some(([p, q]) => {
          const branch = this.narrowedTo(t, g.site, p);
          return branch !== undefined && this.graph.index.classes.has(branch) && !this.graph.index.derivesFrom(q, branch);
        });
        if (skip) { pruned = true; continue; }
        out = max(out, this.ofCall(t, g));
        if (out === Trip.Yes) break;
      }
    });
    this.active.delete(key);
    const res = pruned ? out : undefined;
    // As in ofCoroutine: a result that a caller still on the stack may complete is not kept.
    if (!this.cycle || out === Trip.Yes) this.dispatchMemo.set(key, res);
    this.cycle = outer || this.cycle;
    return res;
  }

  /** What `await <instance of cls>.<name>(...)` waits on: a known library await, a workspace method, an async I/O class. */
  private ofMethod(cls: string, name: string): Trip | undefined {
    const q = `${cls}().${name}`;
    const known = LOCAL_AWAITS.get(q)?.value;
    if (known !== undefined) return known;
    const k = this.graph.index.classes.get(cls);
    const m = k && this.graph.index.findMethod(k, name);
    if (m) return m.fn.isAsync ? this.ofCoroutine(m) : undefined;
    const io = asyncIoKind(q);
    return io === undefined ? undefined : tripOfKind(io);
  }

  /**
   * The function may await coroutines that its un-awaited calls made: it schedules or gathers them
   * (`asyncio.gather`, `create_task`, `start_soon`, `wait_for`), or awaits a bare name (`await coro`).
   */
  private defers(ref: FunctionRef): boolean {
    let v = this.deferMemo.get(ref.fn.qname);
    if (v !== undefined) return v;
    v = this.graph.callsOf(ref).some((c) => {
      if (c.canonical && SCHEDULERS.get(c.canonical)) return true;
      return c.site.callee.k === 'attr' && SCHEDULER_METHODS.has(c.site.callee.a) && this.unresolved(c.canonical);
    });
    if (!v) {
      const text = this.textOf?.(ref.mod.file);
      v = text !== undefined && awaitsAName(stripStrings(text.slice(ref.fn.bodyStart, ref.fn.end)));
    }
    this.deferMemo.set(ref.fn.qname, v);
    return v;
  }

  /** Nothing resolved the call, or only to a path inside the workspace that names no function (`app.Hub().main.send`). */
  private unresolved(canonical: string | undefined): boolean {
    if (!canonical) return true;
    if (!this.roots) {
      this.roots = new Set();
      for (const m of this.graph.index.modules.keys()) this.roots.add(m.split('.')[0]);
    }
    return this.roots.has(canonical.split('.')[0]);
  }

  /** A first-party coroutine (and the overrides of that method in workspace subclasses). */
  ofCoroutine(ref: FunctionRef): Trip {
    const key = ref.fn.qname;
    const memo = this.memo.get(key);
    if (memo !== undefined) return memo;
    if (this.active.has(key)) { this.cycle = true; return Trip.None; }
    const outer = this.cycle;
    this.cycle = false;
    this.active.add(key);
    let out = Trip.None as Trip;
    // Memoised for every caller: what it reads, it reads for ref's module (see CallGraph.within).
    this.graph.within(ref.mod, () => {
      for (const c of this.graph.callsOf(ref)) {
        out = max(out, this.ofCall(ref, c));
        if (out === Trip.Yes) break;
      }
      if (out !== Trip.Yes) {
        const impls = this.overrides(ref);
        for (const impl of impls) {
          out = max(out, impl.fn.isAsync ? this.ofCoroutine(impl) : Trip.Unknown);
          if (out === Trip.Yes) break;
        }
        // An abstract method with no implementation in the workspace: what runs is not known.
        if (!impls.length && out === Trip.None && this.isAbstract(ref)) out = Trip.Unknown;
      }
    });
    this.active.delete(key);
    // Inside a cycle a result can miss what the caller still on the stack adds: memoise only the complete ones.
    if (!this.cycle || out === Trip.Yes) this.memo.set(key, out);
    this.cycle = outer || this.cycle;
    return out;
  }

  /** A sync first-party function: what its summary (direct and transitive blocking calls) waits on. */
  private ofSync(ref: FunctionRef): Trip {
    let out: Trip = Trip.None;
    for (const e of this.graph.summary(ref.fn, ref.mod)) out = max(out, tripOfKind(e.rule.kind));
    return out;
  }

  /** A callable run in a thread or passed by reference. */
  private ofCallable(info: CallInfo): Trip {
    if (info.kind === 'rule') return tripOfKind(info.rule?.kind);
    if (info.kind === 'async-io') return tripOfKind(info.ioKind);
    if (info.kind === 'cpu-only') return Trip.None;
    if (info.kind === 'local' && info.target) return info.target.fn.isAsync ? this.ofCoroutine(info.target) : this.ofSync(info.target);
    return Trip.Unknown;
  }

  private ofReference(mod: ModuleEntry, e: Expr): Trip {
    const q = this.graph.canonical(mod, e);
    const fn = q ? this.graph.index.functions.get(q) : undefined;
    if (fn) return fn.fn.isAsync ? this.ofCoroutine(fn) : this.ofSync(fn);
    return Trip.Unknown;
  }

  /** Methods of the same name in workspace subclasses of the method's class (any depth). */
  private overrides(ref: FunctionRef): FunctionRef[] {
    if (ref.fn.cls < 0 || ref.fn.name === '__init__') return [];
    const cls = ref.mod.model.classes[ref.fn.cls];
    if (!cls) return [];
    const subs = this.subclassIndex();
    const out: FunctionRef[] = [];
    const seen = new Set<string>([cls.qname]);
    const stack = [cls.qname];
    while (stack.length && seen.size < 200) {
      for (const sub of subs.get(stack.pop()!) ?? []) {
        if (seen.has(sub.cls.qname)) continue;
        seen.add(sub.cls.qname);
        stack.push(sub.cls.qname);
        const id = sub.cls.methods.get(ref.fn.name);
        if (id !== undefined) out.push({ mod: sub.mod, fn: sub.mod.model.functions[id] });
      }
    }
    return out;
  }

  private subclassIndex(): Map<string, ClassRef[]> {
    if (this.subclasses) return this.subclasses;
    const out = new Map<string, ClassRef[]>();
    for (const c of this.graph.index.classes.values()) {
      for (const base of this.graph.index.bases(c)) {
        let list = out.get(base);
        if (!list) out.set(base, (list = []));
        list.push(c);
      }
    }
    return (this.subclasses = out);
  }

  /** `@abstractmethod`, or a method of a Protocol / ABC: its body is not what runs. */
  private isAbstract(ref: FunctionRef): boolean {
    if (ref.fn.decorators.some((d) => (d.k === 'name' && d.n === 'abstractmethod') || (d.k === 'attr' && d.a === 'abstractmethod'))) return true;
    const cls = ref.mod.model.classes[ref.fn.cls];
    if (!cls) return false;
    return this.graph.index.bases({ mod: ref.mod, cls }).some((b) => /^(typing\.Protocol|typing_extensions\.Protocol|abc\.ABC)$/.test(b.replace(/\[.*$/, '')));
  }
}
