// Calls across the workspace: what each call site is (a rule's blocking call, a local function, an
// offload, an awaited client call), and for every sync function a summary of what it may block on,
// computed to a fixed point over the call graph so recursion and cycles terminate.
import { addKind, asyncIoKind, cpuOnlyKind, type KindTimes, mergeKinds } from './cost';
import { type Expr, lastName, offsetOf, scopeOf } from './python/ir';
import { CallSite, type FunctionInfo, isList } from './python/model';
import { isNonBlockingForm, type RuleHit, type RuleSet } from './rules';
import { QUERY, QUERY_RUNS, QUERY_SQL, SESSION_QUERY } from './rules/blocking-database';
import { MODEL_METHODS, MODEL_RECEIVER } from './rules/cpu-inference';
import { LOOP_CALLBACKS, OFFLOAD_DECORATORS, offloadOf } from './rules/offloads';
import { eventsFiredBy, LISTEN, LISTENS_FOR } from './rules/orm-events';
import type { CostKind } from './rules/table';
import { type CanonicalMemo, type ClassRef, type FunctionRef, isGetter, type ModuleEntry, type SymbolIndex } from './symbols';
import type { ChainHop } from './types';
import { isSuppressed } from './rules/loop-checks';

export type CallKind = 'rule' | 'local' | 'offload' | 'async-io' | 'cpu-only' | 'other';

export interface CallInfo {
  site: CallSite;
  canonical: string | undefined;
  kind: CallKind;
  rule?: RuleHit;
  /** The local function called (for constructors, `__init__`). */
  target?: FunctionRef;
  /** For offloads: what the callable argument is. */
  offloaded?: CallInfo;
  ioKind?: CostKind;
  suppressed: boolean;
  /** An awaited call a rule would have matched: its receiver is in fact an async object. */
  awaitedRule?: RuleHit;
  /** Property getters the call's receiver or arguments read (`svc.data.items()`, `f(svc.data)`). */
  props?: SyncEdge[];
  /** syncEdges(this), once asked. */
  edges?: SyncEdge[];
}

export interface SummaryEntry {
  code: string;
  rule: RuleHit;
  /** From the call inside the summarised function down to the blocking call. */
  chain: ChainHop[];
  /** The root call's canonical name, e.g. `requests.get`. */
  root: string;
  /**
   * Parameters of the summarised function that must all be given for this path to run (not None,
   * or true for one defaulting to `False` / `0` / `''`: see CallSite.guard); absent when it always
   * runs. A function keeps at most one entry per code and condition, and an entry that always runs
   * replaces that code's conditional ones.
   */
  when?: string[];
}

/** Conditional paths kept per code before they are merged into one (the parameters they all need). */
const MAX_PATHS = 4;

export interface SyncCost { cpuMs: number; ioMs: number; kinds: KindTimes }

/**
 * A sync function a call runs right there: its target, a SQLAlchemy listener its commit fires
 * (`listener`), or a property getter its receiver or arguments read.
 */
export interface SyncEdge {
  t: FunctionRef;
  /** Replaces the call-site hop (a property read: `svc.data`). */
  hops?: ChainHop[];
  /** A SQLAlchemy listener, reached through this hop after the call site. */
  listener?: boolean;
  via?: ChainHop;
}

/** The chain prefix of an edge at a call site. */
export function edgeHops(mod: ModuleEntry, site: CallSite, e: SyncEdge): ChainHop[] {
  return e.hops ?? (e.via ? [hop(mod, site), e.via] : [hop(mod, site)]);
}

/** No property reads (propertyReads' answer for most call sites; callers only read it). */
const NO_EDGES: SyncEdge[] = Object.freeze([]) as unknown as SyncEdge[];

/**
 * propertyReads' walk: attribute reads named like a getter in `e` (receiver chains, subscripts,
 * operands, list items; not inside nested calls), appended to `reads` (made on the first one).
 */
function attrReads(names: Set<string>, e: Expr | undefined, depth: number, reads: Extract<Expr, { k: 'attr' }>[] | undefined): Extract<Expr, { k: 'attr' }>[] | undefined {
  if (!e || depth > 12) return reads;
  if (e.k === 'attr') { if (names.has(e.a)) (reads ??= []).push(e); return attrReads(names, e.o, depth + 1, reads); }
  if (e.k === 'sub') { reads = attrReads(names, e.o, depth + 1, reads); for (const i of e.i) reads = attrReads(names, i, depth + 1, reads); return reads; }
  if (e.k === 'op') return attrReads(names, e.r, depth + 1, attrReads(names, e.l, depth + 1, reads));
  if (e.k === 'list') for (const i of e.items) reads = attrReads(names, i, depth + 1, reads);
  return reads;
}

/**
 * What classifyCall looks up by a callee's canonical name alone (the site aside): the local function,
 * the rule (none for a local function), the offload, the loop-callback position, the local class, the
 * awaited-I/O and CPU-only kinds. Kept per graph and name: call sites repeat names.
 */
interface NameFacts {
  fn?: FunctionRef;
  rule?: RuleHit;
  off?: { arg: number };
  cbArg?: number;
  cls?: ClassRef;
  io?: CostKind;
  cpu?: CostKind;
}

const QUERY_METHOD = `${QUERY}.`;
/** Start offsets of `session.query(...)` builds: run in their own expression, ending in a SQL construct, run or handed over later through a name. */
interface QueryUses { ranHere: Set<number>; sqlOnly: Set<number>; ranLater: Set<number> }
type CallExpr = Extract<Expr, { k: 'call' }>;

/** The first call of the chain of calls and attributes `e` heads (`a(x).b().c`: `b()`, then `a(x)`) that passes `test`. */
function chainCall(e: Expr | undefined, test: (call: CallExpr) => boolean): CallExpr | undefined {
  for (; e && (e.k === 'call' || e.k === 'attr'); e = e.k === 'call' ? e.f : e.o) if (e.k === 'call' && test(e)) return e;
  return undefined;
}

/** The expression a chain of calls and attributes starts from (`a.b(x).c`: `a`). */
function chainRoot(e: Expr): Expr {
  while (e.k === 'call' || e.k === 'attr') e = e.k === 'call' ? e.f : e.o;
  return e;
}

/** A method call's receiver (`a.b(x).c`: `a.b(x)`). */
const receiverExpr = (callee: Expr): Expr | undefined => (callee.k === 'attr' ? callee.o : undefined);

/** The NameFacts of a name with none (callers only read it; not frozen: the same shape as factsOf's records). */
const NO_FACTS: NameFacts = { fn: undefined, rule: undefined, off: undefined, cbArg: undefined, cls: undefined, io: undefined, cpu: undefined };

interface ModuleCalls {
  /**
   * The module's classified sites by id, for a graph a later one may carry from (see carryable):
   * a function record rebuilt by an edit with sites of the old one finds them here. A scan's graph
   * has none (each site belongs to one function record of one model: its list is the only place).
   */
  sites: (CallInfo | undefined)[] | undefined;
  byFn: Map<FunctionInfo, CallInfo[]>;
  /** Modules the lists refer to (targets, offloaded callables, property getters). */
  refs: Set<string>;
  /** Whether a list has a call that fires SQLAlchemy events (its edges may name listeners, see listenersOf). */
  fires?: boolean;
  /** The last graph (see CallGraph.gen) that asked for one of the lists. */
  used?: number;
}

/** ModuleCalls.refs of a graph no later one carries from: never added to (callsOf notes refs only for a carryable graph). */
const NO_REFS: Set<string> = new Set();

/** Numbers the graphs of runs (see ModuleCalls.used). */
let graphs = 0;

export class CallGraph {
  /**
   * Per module, classified lazily: only the functions a report needs are ever looked at; `byFn`
   * keeps each function's list (callsOf is asked for it many times per run).
   */
  private calls = new Map<string, ModuleCalls>();
  private summaries = new Map<string, SummaryEntry[]>();
  private syncCosts = new CostMemo<SyncCost>();
  /** After carryFrom: the functions and modules whose costs were not carried (a run drops its own memos of them too). */
  costDrops: CostDrops | undefined;
  private costKind: (kind: CostKind) => { ms: number; type: 'cpu' | 'io' };

  /** The modules as indexed when this graph was made (the index is updated in place by later runs), for a run's own graph (see carryable). */
  private modulesAt: ReadonlyMap<string, ModuleEntry> | undefined;

  constructor(readonly index: SymbolIndex, private rules: RuleSet, costOf: (kind: CostKind) => { ms: number; type: 'cpu' | 'io' }, private memo?: CanonicalMemo) {
    this.costKind = costOf;
  }

  /** This graph's number; graphs sharing its lists (see sharing) have the same. */
  private gen = ++graphs;

  /** For a graph no later one carries from (a scan's): its sync costs note no taints or modules (see CostMemo.untrack). */
  untrackCosts(): void {
    this.syncCosts.untrack();
  }

  /** Whether sync costs keep their per-kind times (see noKinds). */
  private keepKinds = true;

  /**
   * For a run whose sums keep no cost-table items (a scan's, see AnalyzeOptions.costItems) and that no
   * later run carries from: a sync cost's per-kind times (SyncCost.kinds) are read only to make those
   * items, so they are not summed (every sync cost shares one empty record).
   */
  noKinds(): void {
    this.keepKinds = false;
  }

  /** Notes the modules as indexed now, so that the next run's graph can carry this one's work over (see carryFrom). */
  carryable(): void {
    this.modulesAt = new Map(this.index.modules);
  }

  /**
   * A graph for work taken apart (an export key) over the same index, memo and rules: summaries and
   * sync costs of its own (they depend on the order they are computed in), the classified call sites
   * and what classification reads (which depend on no order) shared with this one, so that what
   * either classifies the other need not classify again.
   */
  sharing(): CallGraph {
    const g = new CallGraph(this.index, this.rules, this.costKind, this.memo);
    g.calls = this.calls;
    g.modulesAt = this.modulesAt;
    g.calleeNames = this.calleeNames;
    g.nameFacts = this.nameFacts;
    g.decoratorMemo = this.decoratorMemo;
    g.lazy = this.lazy;
    g.gen = this.gen;
    return g;
  }

  /**
   * Takes over the classified call sites of `prev`, a graph of the previous analysis over the same
   * index (updated in place since), canonical memo and rules, when the caller knows every module's
   * name is unchanged since and every surface too, or which modules (`reread`) read a name a surface
   * changed (so a call site of an unchanged function of any other module resolves and classifies as
   * before; those modules' lists are not carried). A function's list is kept while the function is the same record (its
   * statement's part was not rebuilt: records move in place) and it reaches no function that was
   * not (a rebuilt function is a new record); references to a replaced module entry are moved to the
   * current one. Classification depends on nothing else (summaries and costs, which depend on the
   * order they are computed in, are computed again). Returns how many function lists were kept.
   */
  carryFrom(prev: CallGraph, reread?: (mod: ModuleEntry) => boolean): number {
    if (!prev.modulesAt || prev.index !== this.index || prev.memo !== this.memo || prev.rules !== this.rules) return 0;
    // Replaced entries (module name unchanged): old entry -> current one, with the functions still present.
    const replaced = new Map<ModuleEntry, ModuleEntry>();
    const present = new Set<FunctionInfo>();
    for (const [name, now] of this.index.modules) {
      const was = prev.modulesAt.get(name);
      if (!was || was === now) continue;
      if (was.file !== now.file || !sameCodes(was.model.fileNoqa, now.model.fileNoqa)) return 0;
      replaced.set(was, now);
      for (const fn of now.model.functions) present.add(fn);
    }
    const moved = new Map<FunctionInfo, FunctionRef>();
    /** The ref as of now, undefined when its function is gone (rebuilt or removed). */
    const now = (ref: FunctionRef): FunctionRef | undefined => {
      const mod = replaced.get(ref.mod);
      if (!mod) return this.index.modules.get(ref.mod.model.module) === ref.mod ? ref : undefined;
      if (!present.has(ref.fn)) return undefined;
      let out = moved.get(ref.fn);
      if (!out) {
        const indexed = this.index.functions.get(ref.fn.qname);
        out = indexed?.fn === ref.fn && indexed.mod === mod ? indexed : { mod, fn: ref.fn };
        moved.set(ref.fn, out);
      }
      return out;
    };
    // Listeners are found again: edges (which list them) are kept only when they are the same. A graph
    // that never looked for listeners asked no call that fires an event (see listenersOf): no edge has one.
    const listenersSame = prev.lazy.listenerIndex === undefined || sameListeners(prev.lazy.listenerIndex, this.listeners(), now);
    // A listener in a replaced module may be an edge's target in any module whose lists fire events:
    // those modules' listener edges are moved to now then, and their costs not carried.
    let listenerReplaced = false;
    if (prev.lazy.listenerIndex) for (const list of prev.lazy.listenerIndex.values()) for (const r of list) if (replaced.has(r.mod)) listenerReplaced = true;
    const replacedNames = new Set([...replaced.values()].map((m) => m.model.module));
    let kept = 0;
    // Caller records and callee refs of the lists looked at, in pairs (for the transitive check below).
    const pairs: (FunctionInfo | FunctionRef)[] = [];
    /** Moves a kept call's references to now, in place; false when one is gone (the list is dropped, changes and all). */
    const carry = (fn: FunctionInfo, c: CallInfo): boolean => {
      if (c.target) { const t = now(c.target); if (!t) return false; c.target = t; pairs.push(fn, t); }
      const o = c.offloaded;
      if (o?.target) { const t = now(o.target); if (!t) return false; o.target = t; pairs.push(fn, t); }
      if (c.props) {
        for (const e of c.props) {
          const t = now(e.t);
          if (!t) return false;
          e.t = t;
          pairs.push(fn, t);
          // A property read's hop names the call site's line, which an edit above it moves.
          if (e.hops && e.hops[0].line !== c.site.line) e.hops = e.hops.map((h) => ({ ...h, line: c.site.line }));
        }
      }
      if (c.edges && !listenersSame) c.edges = undefined;
      else if (c.edges) {
        for (const e of c.edges) {
          if (e.hops) continue; // a property read: moved above
          const t = now(e.t);
          if (!t) return false;
          e.t = t;
          pairs.push(fn, t);
          // A listener's hop names its def line, which an edit above it moves.
          if (e.via && e.via.line !== t.fn.line) e.via = { ...e.via, line: t.fn.line };
        }
      }
      return true;
    };
    // Functions whose costs cannot be carried: rebuilt, their list dropped, or (below) reaching one of those.
    const changed = new Set<FunctionInfo>();
    for (const [was] of replaced) for (const fn of was.model.functions) if (!present.has(fn)) changed.add(fn);
    /** Modules whose lists were looked at (replaced ones), and unchanged ones not carried (they refer to a replaced one). */
    /** Unchanged modules carried whose listener edges were moved (their costs are not carried). */
    const firing = new Set<string>();
    /** Unchanged modules whose lists the last run did not ask for (not carried; their costs may be). */
    const unused: [string, ModuleCalls][] = [];
    /** Moves the listener edges of a module's lists to now; false when a listener is gone. */
    const moveListenerEdges = (memo: ModuleCalls): boolean => {
      for (const list of memo.byFn.values()) {
        for (const c of list) {
          if (!c.edges) continue;
          for (const e of c.edges) {
            if (!e.listener) continue;
            const t = now(e.t);
            if (!t) return false;
            e.t = t;
            if (e.via && e.via.line !== t.fn.line) e.via = { ...e.via, line: t.fn.line };
          }
        }
      }
      return true;
    };
    const scanned = new Set<string>();
    const uncarried = new Set<string>();
    for (const [name, memo] of prev.calls) {
      const mod = this.index.modules.get(name);
      if (!mod) continue;
      const wasMod = prev.modulesAt.get(name);
      if (!wasMod || (wasMod !== mod && replaced.get(wasMod) !== mod)) continue;
      // After a surface change, a module that read a name whose meaning changed, and the changed module
      // itself (its own names are not noted as read): classified again on demand.
      if (reread && (wasMod !== mod || reread(mod))) { uncarried.add(name); continue; }
      if (wasMod === mod) {
        // An unchanged module: kept whole when its lists refer to no replaced module, else classified
        // again on demand (looking at every list of every module that imports the edited one would cost
        // what the edit saves).
        let refers = !listenersSame;
        for (const r of memo.refs) if (replacedNames.has(r)) { refers = true; break; }
        if (refers) { uncarried.add(name); continue; }
        // Lists the last run did not ask for are not kept alive (a keystroke's run asks for what its
        // files reach): classified again on demand, the same (the module and what it read are
        // unchanged), so its costs hold unless they reach a module whose costs are dropped (below).
        if (memo.used !== prev.gen) { unused.push([name, memo]); continue; }
        if (listenerReplaced && memo.fires) {
          // The listeners are the same functions (listenersSame): the edges naming them move to now.
          if (!moveListenerEdges(memo)) { uncarried.add(name); continue; }
          firing.add(name);
        }
        this.calls.set(name, memo);
        kept += memo.byFn.size;
        continue;
      }
      scanned.add(name);
      const next: ModuleCalls = { sites: new Array<CallInfo | undefined>(mod.model.calls.length), byFn: new Map(), refs: new Set() };
      const calls = mod.model.calls;
      for (const [fn, list] of memo.byFn) {
        if (wasMod !== mod && !present.has(fn)) continue;
        const mark = pairs.length;
        let holds = true;
        for (const c of list) if (calls[c.site.id] !== c.site || !carry(fn, c)) { holds = false; break; }
        if (!holds) { pairs.length = mark; changed.add(fn); continue; }
        for (const c of list) { next.sites![c.site.id] = c; if (firesEvents(c)) next.fires = true; }
        for (let i = mark + 1; i < pairs.length; i += 2) next.refs.add((pairs[i] as FunctionRef).mod.model.module);
        next.byFn.set(fn, list);
        kept++;
      }
      this.calls.set(name, next);
    }
    if (!listenersSame) return kept;
    const listed = (ref: FunctionRef) => this.calls.get(ref.mod.model.module)?.byFn.has(ref.fn) === true;
    // Stale: a function of a looked-at module that reaches a changed one or one never classified, and its callers.
    const callers = new Map<FunctionInfo, FunctionInfo[]>();
    for (let k = 0; k < pairs.length; k += 2) {
      const t = pairs[k + 1] as FunctionRef;
      const l = callers.get(t.fn);
      if (!l) callers.set(t.fn, [pairs[k] as FunctionInfo]); else l.push(pairs[k] as FunctionInfo);
    }
    const queue: FunctionInfo[] = [];
    for (let k = 0; k < pairs.length; k += 2) {
      const t = pairs[k + 1] as FunctionRef;
      if (changed.has(t.fn) || !listed(t)) queue.push(pairs[k] as FunctionInfo);
    }
    const stale = new Set<FunctionInfo>();
    while (queue.length) {
      const f = queue.pop()!;
      if (stale.has(f)) continue;
      stale.add(f);
      for (const g of callers.get(f) ?? []) queue.push(g);
    }
    // Modules kept as they were that refer (directly or not) to a module with a changed or stale function:
    // their costs are dropped whole (their functions may reach one).
    const touched = new Set<string>([...replacedNames, ...uncarried, ...firing]);
    for (const f of changed) { const m = fnModules.get(f); if (m) touched.add(m); }
    for (const f of stale) { const m = fnModules.get(f); if (m) touched.add(m); }
    const referrers = new Map<string, string[]>();
    for (const [name, memo] of [...this.calls, ...unused]) {
      if (scanned.has(name)) continue;
      for (const r of memo.refs) { const l = referrers.get(r); if (!l) referrers.set(r, [name]); else l.push(name); }
    }
    const droppedModules = new Set<string>([...uncarried, ...firing]);
    // After a surface change, a qualified name of a replaced module may name another def now (one added
    // above a def of that name): none of their costs is carried.
    if (reread) for (const m of replacedNames) droppedModules.add(m);
    const work = [...touched];
    while (work.length) {
      for (const m of referrers.get(work.pop()!) ?? []) if (!droppedModules.has(m)) { droppedModules.add(m); work.push(m); }
    }
    // Costs: the previous ones, less what no longer holds.
    this.costDrops = { changed, stale, modules: droppedModules, taint: prev.syncCosts.taint };
    this.syncCosts.carry(prev.syncCosts, this.costDrops);
    return kept;
  }

  /** The function's call sites, classified; the same array for every ask (callers only read it). */
  callsOf(ref: FunctionRef): readonly CallInfo[] {
    const key = ref.mod.model.module;
    let memo = this.calls.get(key);
    if (!memo) this.calls.set(key, (memo = this.modulesAt ? { sites: new Array(ref.mod.model.calls.length), byFn: new Map(), refs: new Set() } : { sites: undefined, byFn: new Map(), refs: NO_REFS }));
    memo.used = this.gen;
    const known = memo.byFn.get(ref.fn);
    if (known) return known;
    const sites = memo.sites;
    const ids = ref.fn.calls;
    let out: CallInfo[];
    const calls = ref.mod.model.calls;
    out = new Array<CallInfo>(ids.length);
    if (!sites) {
      for (let k = 0; k < ids.length; k++) out[k] = this.classify(ref.mod, calls[ids[k]]);
      awaitedUseWins(out);
    } else if (ids.length && sites[ids[0]] === undefined) {
      for (let k = 0; k < ids.length; k++) sites[ids[k]] = this.classify(ref.mod, calls[ids[k]]);
      for (let k = 0; k < ids.length; k++) out[k] = sites[ids[k]]!;
      awaitedUseWins(out);
    } else for (let k = 0; k < ids.length; k++) out[k] = (sites[ids[k]] ??= this.classify(ref.mod, calls[ids[k]]));
    memo.byFn.set(ref.fn, out);
    // What carryFrom reads of the lists, noted only for a graph the next one may carry over.
    if (!this.modulesAt) return out;
    fnModules.set(ref.fn, key);
    for (const c of out) {
      if (!memo.fires && firesEvents(c)) memo.fires = true;
      if (c.target) memo.refs.add(c.target.mod.model.module);
      if (c.offloaded?.target) memo.refs.add(c.offloaded.target.mod.model.module);
      if (c.props) for (const e of c.props) memo.refs.add(e.t.mod.model.module);
    }
    return out;
  }

  /**
   * Per module's call list, the canonical names of its callees (null: none), see calleeName; after
   * them, at `calls.length + id`, what the module's resolver gave before canonicalize (resolvedCallees).
   */
  private calleeNames = new Map<readonly CallSite[], (string | null | undefined)[]>();

  /**
   * A reader of `mod.resolver.resolve(site.callee)` (null: nothing) as calleeName read it for the site
   * `calls[id]`, undefined when it did not: the quick fixes read every call of the functions they check
   * (the resolver is pure over the model, so the answer is the same). It holds only the names, not the
   * graph, for as long as the fixes are made.
   */
  resolvedCallees(): (calls: readonly CallSite[], id: number) => string | null | undefined {
    const names = this.calleeNames;
    return (calls, id) => names.get(calls)?.[calls.length + id];
  }

  /**
   * canonical(mod, site.callee) for a call site of the module: classification and the loop checks
   * ask it for every site. While nothing is watched it is kept per site for this graph's run, in an
   * array by the site's id, instead of the cross-run memo (one WeakMap entry per callee).
   */
  calleeName(mod: ModuleEntry, site: CallSite): string | undefined {
    const calls = mod.model.calls;
    const id = site.id;
    if (this.index.watching || calls[id] !== site) return this.canonical(mod, site.callee);
    let names = this.calleeNames.get(calls);
    if (!names) this.calleeNames.set(calls, (names = new Array(calls.length * 2)));
    const known = names[id];
    if (known !== undefined) return known ?? undefined;
    // Not looked up in the cross-run memo: while nothing is watched only canonical() fills it, for
    // few call sites' callees, so the lookup (a WeakMap read per site) almost never hit; resolving
    // again gives the same name.
    const q = mod.resolver.resolve(site.callee);
    const out = q === undefined ? undefined : this.index.canonicalize(q);
    names[id] = out ?? null;
    // Mostly the same text as the canonical name, which is the memo's (shared by every site of that
    // callee): kept instead of the resolver's fresh copy, which then dies young (the array lives as
    // long as the graph's run; the fixes read it).
    names[calls.length + id] = q === undefined ? null : q === out ? out : q;
    return out;
  }

  /** The canonical name of an expression; memoised across runs while no file's surface changes. */
  canonical(mod: ModuleEntry, e: Expr): string | undefined {
    if (this.index.watching) return this.index.reading(this.memo?.readsOf(mod), () => this.canonicalNoted(mod, e));
    const hit = this.memo?.names.get(e);
    if (hit !== undefined) return hit ?? undefined;
    const q = mod.resolver.resolve(e);
    const out = q === undefined ? undefined : this.index.canonicalize(q);
    this.memo?.names.set(e, out ?? null);
    return out;
  }

  /**
   * Runs `fn` with what it reads of watched modules noted as `mod`'s reads too: a computation memoised
   * for a function of `mod` (and reused for other callers) reads on behalf of `mod`.
   */
  within<T>(mod: ModuleEntry, fn: () => T): T {
    return this.index.reading(this.memo?.readsOf(mod), fn);
  }

  /** canonical() while watched modules' names are noted: the memo keeps what each name read. */
  private canonicalNoted(mod: ModuleEntry, e: Expr): string | undefined {
    const hit = this.memo?.get(e, this.index);
    if (hit !== undefined) return hit ?? undefined;
    const reads = new Set<string>();
    const q = mod.resolver.resolve(e);
    const out = q === undefined ? undefined : this.index.reading(reads, () => this.index.canonicalize(q));
    this.memo?.set(e, out ?? null, reads, this.index.isWatched(mod.model.module) ? mod.model.module : undefined);
    return out;
  }

  private classify(mod: ModuleEntry, site: CallSite): CallInfo {
    // Nothing is noted while no module is watched (a scan): no closure or reads set per call site then.
    if (!this.index.watching) return this.classifyIn(mod, site);
    const info = this.index.reading(this.memo?.readsOf(mod), () => this.classifyIn(mod, site));
    this.noteListeners(mod, info);
    return info;
  }

  /**
   * A call that fires SQLAlchemy events runs their listeners, which no name of the module refers to:
   * the listeners of a watched module are noted as read by the call's module (`module\0name`, as
   * surfaces' and export keys' changed names are), so that an edit of a listener's body re-analyses
   * the modules whose calls fire it (and, through their export keys, what reaches them), not every
   * importer of the listener's module (see Analyzer.keptResults). After the call's own reading: the
   * listener index, made here on first use, is not read on behalf of the call's module.
   */
  private noteListeners(mod: ModuleEntry, c: CallInfo): void {
    const reads = firesEvents(c) && this.memo?.readsOf(mod);
    if (!reads) return;
    for (const { t } of this.listenersOf(c)) {
      const m = t.mod.model.module;
      if (!this.index.isWatched(m) || !t.fn.qname.startsWith(`${m}.`)) continue;
      const name = `${m}\u0000${t.fn.qname.slice(m.length + 1)}`;
      reads.add(listenerRead(name, 'entries'));
      // A sync function's cost follows the edges of its calls that are not rule hits (see syncCost); a
      // coroutine's never follows an edge of its own calls (see Run.addCallCost).
      if ((c.kind !== 'rule' || !c.rule) && mod.model.functions[c.site.fn]?.isAsync !== true) reads.add(listenerRead(name, 'cost'));
    }
  }

  private classifyIn(mod: ModuleEntry, site: CallSite): CallInfo {
    const info = this.classifyCall(mod, site);
    const props = this.propertyReads(mod, site);
    if (props.length) info.props = props;
    return info;
  }

  /** Made on first use, shared with the graphs of work taken apart (see sharing). */
  private lazy: { propertyNames?: Set<string>; listenerIndex?: Map<string, FunctionRef[]>; listenerKey?: string } = {};

  /**
   * Sync property getters (`@property`, `@cached_property`) a call site reads on the way: attribute
   * reads in its receiver chain and its arguments (not inside nested calls, which are sites of their
   * own) whose object's type is known and names a getter of a workspace class. A setter or a plain
   * attribute is no call; an awaited read (`await obj.prop`) is no call site.
   */
  private propertyReads(mod: ModuleEntry, site: CallSite): SyncEdge[] {
    let names = this.lazy.propertyNames;
    if (!names) {
      names = this.lazy.propertyNames = new Set();
      for (const m of this.index.modules.values()) for (const n of getterNames(m)) names.add(n);
    }
    if (!names.size) return [];
    // Every call site of the analysis passes here: no closure or array unless a getter's name is read.
    let reads: Extract<Expr, { k: 'attr' }>[] | undefined;
    if (site.callee.k === 'attr') reads = attrReads(names, site.callee.o, 0, reads);
    const args = site.args;
    for (let i = 0; i < args.length; i++) reads = attrReads(names, args[i], 0, reads);
    for (const k in site.kw) reads = attrReads(names, site.kw[k], 0, reads);
    if (!reads) return NO_EDGES;
    const out: SyncEdge[] = [];
    for (const r of reads) {
      // The receiver's type names the class; reading the attribute gives the getter's return value.
      const owner = this.canonical(mod, r.o);
      const cls = owner?.endsWith('()') ? this.index.classes.get(owner.slice(0, -2)) : undefined;
      const ref = cls ? this.index.getterOf(cls, r.a) : undefined;
      if (!ref || out.some((e) => e.t.fn.qname === ref.fn.qname)) continue;
      out.push({ t: ref, hops: [{ file: mod.file, line: site.line, name: attrText(r), property: true }] });
    }
    return out;
  }

  private nameFacts = new Map<string, NameFacts>();

  /** NameFacts of a canonical name (see there); the index and rules do not change during a graph's run. */
  private factsOf(canonical: string): NameFacts {
    let f = this.nameFacts.get(canonical);
    if (f) return f;
    const fn = this.index.functions.get(canonical);
    f = {
      fn,
      // A module at a source root may really be called `requests`: its own functions win over the tables.
      rule: fn ? undefined : this.rules.match(canonical),
      off: offloadOf(canonical),
      cbArg: canonical.startsWith('asyncio.') ? LOOP_CALLBACKS.get(canonical.slice(canonical.lastIndexOf('.') + 1)) : undefined,
      cls: this.index.classes.get(canonical),
      io: asyncIoKind(canonical),
      cpu: cpuOnlyKind(canonical),
    };
    // Most names have no fact (a builtin, a library call no table lists): one shared record for them all.
    if (f.fn === undefined && f.rule === undefined && f.off === undefined && f.cbArg === undefined && f.cls === undefined && f.io === undefined && f.cpu === undefined) f = NO_FACTS;
    this.nameFacts.set(canonical, f);
    return f;
  }

  private classifyCall(mod: ModuleEntry, site: CallSite): CallInfo {
    const canonical = this.calleeName(mod, site);
    const info = callInfo(site, canonical, 'other');
    if (!canonical) return this.modelHeuristic(mod, info);
    const facts = this.factsOf(canonical);
    const rule = facts.rule;
    if (rule && !site.awaited && isNonBlockingForm(rule, site.args, site.kw)) return info;
    if (rule?.freshIsFree && !site.awaited && this.freshReceiver(mod, site, canonical)) return info;
    if (rule && site.awaited) {
      // The precision rule: an awaited call returns an awaitable, so it is not a sync blocking call,
      // whatever the receiver's (possibly wrong) annotation says. Its time counts as awaited I/O.
      info.kind = 'async-io'; info.ioKind = rule.kind; info.awaitedRule = rule;
      return info;
    }
    if (rule && (canonical === SESSION_QUERY || canonical.startsWith(QUERY_METHOD)) && this.queryRunsNothing(mod, site, canonical)) return info;
    if (rule) { info.kind = 'rule'; info.rule = rule; info.suppressed = isSuppressed(mod, site, rule.code); return info; }
    const off = facts.off;
    if (off) {
      info.kind = 'offload';
      const arg = unwrapPartial(site.args[off.arg]);
      if (arg) info.offloaded = this.classifyReference(mod, site, arg);
      return info;
    }
    const fn = facts.fn;
    if (fn) { info.kind = 'local'; info.target = fn; return info; }
    const cbArg = facts.cbArg;
    if (cbArg !== undefined) {
      const arg = unwrapPartial(site.args[cbArg]);
      const cb = arg && this.classifyReference(mod, site, arg);
      if (cb?.kind === 'local' && cb.target && !cb.target.fn.isAsync) { info.kind = 'local'; info.target = cb.target; }
      return info;
    }
    const cls = facts.cls;
    if (cls) {
      const init = this.index.findMethod(cls, '__init__');
      if (init) { info.kind = 'local'; info.target = init; }
      return info;
    }
    const io = facts.io;
    if (io) { info.kind = 'async-io'; info.ioKind = io; return info; }
    const cpu = facts.cpu;
    if (cpu) { info.kind = 'cpu-only'; info.ioKind = cpu; return info; }
    return this.modelHeuristic(mod, info);
  }

  /**
   * `lock = threading.Lock()` and then `lock.acquire()` as the next call of the function: the receiver is
   * a local bound once, to an instance of the receiver's class made by the call right before this one,
   * so nothing ran in between that could have shared it.
   */
  private freshReceiver(mod: ModuleEntry, site: CallSite, canonical: string): boolean {
    const recv = site.callee.k === 'attr' ? site.callee.o : undefined;
    const cls = canonical.slice(0, canonical.lastIndexOf('().'));
    if (recv?.k !== 'name' || !cls) return false;
    const binds = mod.model.scopes[scopeOf(recv)]?.bindings.get(recv.n);
    const made = binds && !isList(binds) ? binds.expr : undefined;
    if (made?.k !== 'call' || this.canonical(mod, made.f) !== cls) return false;
    const fn = mod.model.functions[site.fn];
    let prev: CallSite | undefined;
    for (const i of fn?.calls ?? []) {
      const c = mod.model.calls[i];
      if (c.start < site.start && c.end <= site.start && (!prev || c.start > prev.start)) prev = c;
    }
    return !!prev && prev.end <= site.start && this.canonical(mod, prev.callee) === cls && !prev.args.length && !Object.keys(prev.kw).length;
  }

  /**
   * A legacy SQLAlchemy Query runs its SQL at a terminal call, not where it is built (see
   * blocking-database.ts). True when this call does no I/O:
   * - a terminal call on a Query whose `session.query(...)` is in the same expression: that call is
   *   the finding (its fix moves the whole chain), so the chain is one finding, not two; likewise on
   *   the Query a workspace function returns (`get_all(db).all()`): the build in it is the finding;
   * - `session.query(...)` whose expression ends in a SQL construct (`.subquery()`, `.cte()`, ...);
   * - `session.query(...)` whose Query (after generative calls only) is bound to a name that a later
   *   call of the function runs (`rows.count()`, reported there) or hands over (`to_thread(f, q)`,
   *   `run_in_executor(None, q.all)`, `page(q)`: the callee's own analysis decides).
   * A Query kept in a name that is only iterated or returned is still reported where it is built.
   */
  private queryRunsNothing(mod: ModuleEntry, site: CallSite, canonical: string): boolean {
    if (canonical !== SESSION_QUERY) {
      // A function of the workspace that returns the Query is reported where it builds it (below).
      return chainCall(receiverExpr(site.callee), (e) => { const f = this.canonical(mod, e.f); return f === SESSION_QUERY || (f !== undefined && this.index.functions.has(f)); }) !== undefined;
    }
    const fn = mod.model.functions[site.fn];
    if (!fn) return false;
    let uses = this.queryUses.get(fn);
    if (!uses) this.queryUses.set(fn, (uses = this.queryUsesOf(mod, fn)));
    if (uses.ranHere.has(site.start)) return false;
    return uses.sqlOnly.has(site.start) || uses.ranLater.has(site.start);
  }

  /** Per function, what its calls do with the Queries its `session.query(...)` calls build (see queryRunsNothing). */
  private queryUses = new WeakMap<FunctionInfo, QueryUses>();

  /**
   * One pass over the calls of `fn` and of the lambdas and defs inside it (a file with thousands of
   * `session.query(...)` calls is read once, not once per call). Builds are told by their start offset.
   */
  private queryUsesOf(mod: ModuleEntry, fn: FunctionInfo): QueryUses {
    const uses: QueryUses = { ranHere: new Set(), sqlOnly: new Set(), ranLater: new Set() };
    const calls = mod.model.calls;
    // The calls chained on a build in the same expression (they start where it does): a terminal one runs it there.
    for (const i of fn.calls) {
      const c = calls[i];
      const m = this.queryMethod(mod, c);
      if (!m || (!QUERY_RUNS.has(m) && !QUERY_SQL.has(m))) continue;
      if (chainCall(receiverExpr(c.callee), (e) => this.canonical(mod, e.f) === SESSION_QUERY)) (QUERY_RUNS.has(m) ? uses.ranHere : uses.sqlOnly).add(c.start);
    }
    // Calls that run a Query name or take one: those inside the function's text (its lambdas and defs too).
    const order = this.callsByStart(mod);
    let lo = 0;
    for (let hi = order.length; lo < hi;) { const mid = (lo + hi) >>> 1; if (calls[order[mid]].start < fn.start) lo = mid + 1; else hi = mid; }
    for (let k = lo; k < order.length; k++) {
      const c = calls[order[k]];
      if (c.start >= fn.end) break;
      const m = this.queryMethod(mod, c);
      if (m !== undefined && QUERY_RUNS.has(m) && c.callee.k === 'attr') {
        const root = chainRoot(c.callee);
        if (root.k === 'name') this.noteBuild(mod, root, uses.ranLater);
      }
      // Handed over only to code whose own analysis sees the Query run (a workspace function, an
      // offload's thread, another Query's method): `list(q)`, `enumerate(q)` or a library's call run
      // it here, and the build stays the finding.
      if (!c.args.length && !Object.keys(c.kw).length) continue;
      const callee = this.canonical(mod, c.callee);
      if (m === undefined && (callee === undefined || (!offloadOf(callee) && !this.index.functions.has(callee)))) continue;
      for (const a of c.args) this.handedOver(mod, a, uses.ranLater);
      for (const k in c.kw) this.handedOver(mod, c.kw[k], uses.ranLater);
    }
    return uses;
  }

  /** Per model, the indexes of its calls ordered by start offset (made once, when a function of it first builds a Query). */
  private callOrder = new WeakMap<ModuleEntry['model'], Uint32Array>();

  /** The calls of `mod` by start offset: the calls inside a function's text are one run of it. */
  private callsByStart(mod: ModuleEntry): Uint32Array {
    const model = mod.model;
    let order = this.callOrder.get(model);
    if (!order) {
      const calls = model.calls;
      order = new Uint32Array(calls.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => calls[a].start - calls[b].start);
      this.callOrder.set(model, order);
    }
    return order;
  }

  /** The method a call runs on a Query (`filter`, `count`, ...), or undefined when its receiver is no Query. */
  private queryMethod(mod: ModuleEntry, c: CallSite): string | undefined {
    const name = this.calleeName(mod, c);
    return name?.startsWith(QUERY_METHOD) ? name.slice(QUERY_METHOD.length) : undefined;
  }

  /** An argument that is a Query name (`q`) or its bound terminal method (`q.all`): notes the build. */
  private handedOver(mod: ModuleEntry, a: Expr, out: Set<number>): void {
    if (a.k === 'name') { if (this.canonical(mod, a) === QUERY) this.noteBuild(mod, a, out); return; }
    if (a.k === 'attr' && a.o.k === 'name' && QUERY_RUNS.has(a.a) && this.canonical(mod, a.o) === QUERY) this.noteBuild(mod, a.o, out);
  }

  /** Notes the start of the `session.query(...)` whose Query the name holds, directly or rebuilt (`q = q.filter(...)`). */
  private noteBuild(mod: ModuleEntry, n: Extract<Expr, { k: 'name' }>, out: Set<number>): void {
    for (let depth = 0; depth <= 8; depth++) {
      const hit = mod.resolver.lookup(n.n, scopeOf(n), offsetOf(n));
      const x = hit?.b.kind === 'value' ? hit.b.expr : undefined;
      if (!x || this.canonical(mod, x) !== QUERY) return;
      const build = chainCall(x, (e) => e.f.k === 'attr' && e.f.a === 'query');
      if (build) {
        // A whole-file build's call expression is its site; another build's names are its own (a
        // whole-file build shares one name object among its uses), so the name that starts it says where.
        if (build instanceof CallSite) { out.add(build.start); return; }
        const left = chainRoot(build);
        if (left.k === 'name') out.add(offsetOf(left));
        return;
      }
      const root = chainRoot(x);
      if (root.k !== 'name') return;
      n = root;
    }
  }

  /**
   * The ML-model heuristic: `model.predict(x)` where nothing tells what `model` is (its module is not
   * in the scan) is inference. Only for an untyped receiver: a known type (a local class, a library
   * object) is never second-guessed, and an awaited call is never a sync call.
   */
  private modelHeuristic(mod: ModuleEntry, info: CallInfo): CallInfo {
    const { site, canonical } = info;
    // The callee's shape first: most sites fail it, with no read of the site's flags.
    if (site.callee.k !== 'attr' || !MODEL_METHODS.has(site.callee.a) || site.awaited) return info;
    const recv = site.callee.o;
    const name = recv.k === 'name' ? recv.n : recv.k === 'attr' ? recv.a : undefined;
    if (!name || !MODEL_RECEIVER.test(name)) return info;
    if (canonical) {
      // A receiver of a known type keeps it: an instance of a class (`json.JSONEncoder()`, a workspace
      // class) is never second-guessed; what a function returns (`registry.current()`) is no type.
      const owner = canonical.slice(0, canonical.lastIndexOf('.'));
      if (this.index.functions.has(canonical)) return info;
      const made = /(?:^|\.)([A-Za-z_]\w*)\(\)$/.exec(owner);
      if (made && /^[A-Z]/.test(made[1])) return info;
    }
    const rule = this.rules.match('loopwise.Model().predict');
    if (!rule) return info;
    info.kind = 'rule';
    info.rule = rule;
    info.suppressed = isSuppressed(mod, site, rule.code);
    return info;
  }

  /** What a callable passed by reference (to an offload) would run. */
  private classifyReference(mod: ModuleEntry, site: CallSite, e: Expr): CallInfo | undefined {
    if (e.k === 'lambda') {
      const at = offsetOf(e);
      const fn = mod.model.functions.find((f) => f.isLambda && f.start === at);
      if (!fn) return undefined;
      const info = callInfo(site, fn.qname, 'local');
      info.target = { mod, fn };
      return info;
    }
    // A reference is not called with the site's arguments (and must not recurse into them).
    const info = this.classify(mod, site.asReference(e));
    return info.kind === 'other' ? undefined : info;
  }

  /**
   * What a sync function may block on (one entry per code, with the chain to the blocking call).
   * Computed on demand over the functions reachable from it, to a fixed point, so recursion and
   * cycles terminate; every function of that subgraph is memoised on the way.
   */
  summary(fn: FunctionInfo, mod?: ModuleEntry): SummaryEntry[] {
    const memo = this.summaries.get(fn.qname);
    if (memo) return memo;
    const ref = mod ? { mod, fn } : this.index.functions.get(fn.qname);
    if (!ref) return [];
    const region = this.reachable(ref);
    const entries = new Map<string, SummaryEntry[]>();
    const callers = new Map<string, FunctionRef[]>();
    const work: FunctionRef[] = [];
    for (let r = 0; r < region.length; r++) {
      const f = region[r];
      const list: SummaryEntry[] = [];
      const calls = this.callsOf(f);
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        if (c.kind === 'rule' && c.rule && !c.suppressed && this.rules.enabled(c.rule.code)) {
          mergeEntry(list, { code: c.rule.code, rule: c.rule, root: c.canonical!, chain: [hop(f.mod, c.site)], when: this.guardOf(f, c.site) });
        }
        const edges = this.syncEdges(c);
        for (let j = 0; j < edges.length; j++) {
          const edge = edges[j];
          const t = edge.t;
          const known = this.summaries.get(t.fn.qname);
          if (known) this.addEntries(list, known, f, c, edge);
          else {
            let set = callers.get(t.fn.qname);
            if (!set) callers.set(t.fn.qname, (set = []));
            if (!set.includes(f)) set.push(f);
          }
        }
      }
      entries.set(f.fn.qname, list);
      if (list.length) work.push(f);
    }
    // Propagate inside the region until nothing changes; a function gains at most one entry per code.
    while (work.length) {
      const g = work.pop()!;
      const gEntries = entries.get(g.fn.qname)!;
      for (const f of callers.get(g.fn.qname) ?? []) {
        const fEntries = entries.get(f.fn.qname)!;
        let changed = false;
        const calls = this.callsOf(f);
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          const edges = this.syncEdges(c);
          for (let j = 0; j < edges.length; j++) {
            if (edges[j].t.fn.qname === g.fn.qname && this.addEntries(fEntries, gEntries, f, c, edges[j])) changed = true;
          }
        }
        if (changed) work.push(f);
      }
    }
    entries.forEach((list, q) => this.summaries.set(q, list));
    return entries.get(fn.qname) ?? [];
  }

  /** `from`'s entries as reached through `edge` at call `c` of `f`, for codes and conditions `into` lacks. */
  private addEntries(into: SummaryEntry[], from: SummaryEntry[], f: FunctionRef, c: CallInfo, edge: SyncEdge): boolean {
    let changed = false;
    for (const e of from) {
      if (isSuppressed(f.mod, c.site, e.code) || (edge.listener && !listenerEntry(e))) continue;
      const when = this.whenAt(f, c, edge, e.when);
      if (when === null) continue;
      // concat makes an array of the exact length (a spread leaves room to grow: summaries are kept).
      if (mergeEntry(into, { ...e, chain: edgeHops(f.mod, c.site, edge).concat(e.chain), when })) changed = true;
    }
    return changed;
  }

  /**
   * The summary entries of `edge`'s function that call `c` of coroutine or function `f` can reach:
   * not those that need an argument this call leaves at its default None or passes as a literal None.
   */
  entriesAt(f: FunctionRef, c: CallInfo, edge: SyncEdge): SummaryEntry[] {
    const all = this.summary(edge.t.fn, edge.t.mod);
    return all.some((e) => e.when) ? all.filter((e) => !e.when || this.whenAt(f, c, edge, e.when) !== null) : all;
  }

  /**
   * The condition, on `f`'s own parameters, under which a path of `edge`'s function needing `when`
   * runs from call `c`: null when the call leaves one of those parameters None (never runs from here);
   * otherwise the parameters of `f` guarding the call site plus those it passes on by name.
   */
  private whenAt(f: FunctionRef, c: CallInfo, edge: SyncEdge, when: string[] | undefined): string[] | undefined | null {
    const out = new Set(this.guardOf(f, c.site));
    if (when && this.bindsArgs(c, edge)) {
      // An argument named like `f`'s parameter is that parameter unless the call sits in a comprehension.
      const inComp = c.site.loop >= 0 && f.mod.model.loops[c.site.loop]?.kind === 'comp';
      for (const q of when) {
        const arg = argumentFor(edge.t.fn, c.site, q);
        if (arg === 'absent' || arg?.k === 'none' || (arg && isFalsy(arg) && falsyDefault(edge.t.fn, q))) return null;
        if (arg?.k === 'name' && !inComp && this.guardOf(f, undefined, arg.n)) out.add(arg.n);
      }
    }
    return out.size ? [...out] : undefined;
  }

  /** Whether `c` calls `edge`'s function directly with its own arguments (not a callback, getter or listener). */
  private bindsArgs(c: CallInfo, edge: SyncEdge): boolean {
    if (edge.hops || edge.listener || edge.via || c.target !== edge.t || !c.canonical) return false;
    const fn = edge.t.fn;
    // A decorator may fill or reshape the parameters (`@provide_session`): only plain functions.
    if (fn.decorators.some((d) => !TRANSPARENT_DECORATORS.has(lastName(d.k === 'call' ? d.f : d)))) return false;
    if (this.index.functions.get(c.canonical)?.fn === fn) return true;
    return fn.name === '__init__' && this.index.classes.has(c.canonical);
  }

  /**
   * The parameters of `f` guarding a call site (CallSite.guard) that `f` never rebinds, so they still
   * hold what the caller passed; with `name`, that one parameter if it could guard.
   */
  private guardOf(f: FunctionRef, site: CallSite | undefined, name?: string): string[] | undefined {
    const names = name !== undefined ? [name] : site?.guard;
    if (!names) return undefined;
    const scope = f.mod.model.scopes[f.fn.scope];
    let out: string[] | undefined;
    for (const n of names) {
      const binds = scope?.bindings.get(n);
      if (!binds || !(isList(binds) ? binds.every((b) => b.kind === 'param') : binds.kind === 'param')) continue;
      if (name !== undefined && !f.fn.params.some((p) => p.name === n && !p.star && p.default?.k === 'none')) continue;
      (out ??= []).push(n);
    }
    return out;
  }

  /** Sync functions reachable from `ref` through direct calls, stopping at memoised ones. */
  private reachable(ref: FunctionRef): FunctionRef[] {
    const out: FunctionRef[] = [];
    const seen = new Set<string>([ref.fn.qname]);
    const stack = [ref];
    while (stack.length) {
      const f = stack.pop()!;
      out.push(f);
      const calls = this.callsOf(f);
      for (let i = 0; i < calls.length; i++) {
        const edges = this.syncEdges(calls[i]);
        for (let j = 0; j < edges.length; j++) {
          const t = edges[j].t;
          if (seen.has(t.fn.qname) || this.summaries.has(t.fn.qname)) continue;
          seen.add(t.fn.qname);
          stack.push(t);
        }
      }
    }
    return out;
  }


  /**
   * The sync functions a call runs right here, in the order they run: property getters its receiver
   * and arguments read, its sync target, and the SQLAlchemy listeners its commit or flush fires.
   */
  syncEdges(c: CallInfo): SyncEdge[] {
    // Kept on the CallInfo: each belongs to this graph (see callsOf), and a WeakMap costs more per ask.
    let out = c.edges;
    if (out) return out;
    const kind = c.kind;
    // Only a local call has a target (syncTarget) and only a rule hit or awaited I/O fires events
    // (firesEvents): the other three in four of the sites have no edge but property reads.
    if (kind !== 'local' && kind !== 'rule' && kind !== 'async-io' && !c.props) return NO_EDGES;
    const t = this.syncTarget(c);
    const listeners = this.listenersOf(c);
    const props = c.props;
    out = !listeners.length && !props?.length ? (t ? [{ t }] : NO_EDGES) : [...(props ?? []), ...(t ? [{ t }] : []), ...listeners];
    c.edges = out;
    return out;
  }

  /**
   * Sync functions the project registers as SQLAlchemy listeners, by event name: decorated with
   * `@event.listens_for(target, "after_insert")` or passed to `event.listen(target, "after_insert", fn)`,
   * at import time (module or class level). A listener registered inside a function is attached to
   * whatever that call had at hand (one session, `once=True`), not to every commit: left out.
   */
  private listeners(): Map<string, FunctionRef[]> {
    if (this.lazy.listenerIndex) return this.lazy.listenerIndex;
    const out = new Map<string, FunctionRef[]>();
    const add = (event: string, ref: FunctionRef | undefined): void => {
      if (!ref || ref.fn.isAsync) return;
      let list = out.get(event);
      if (!list) out.set(event, (list = []));
      if (!list.some((r) => r.fn.qname === ref.fn.qname)) list.push(ref);
    };
    for (const mod of this.index.modules.values()) {
      const cand = listenerCandidates(mod);
      for (const { fn, d } of cand.decorated) {
        if (LISTENS_FOR.has(this.canonical(mod, d.f) ?? '')) add((d.args[1] as { v: string }).v, { mod, fn });
      }
      for (const c of cand.calls) {
        if (!LISTEN.has(this.canonical(mod, c.callee) ?? '')) continue;
        const q = this.canonical(mod, c.args[2]);
        add((c.args[1] as { v: string }).v, q ? this.index.functions.get(q) : undefined);
      }
    }
    this.lazy.listenerIndex = out;
    return out;
  }

  /** The registered listeners, by event, as text: equal keys, the same listeners (by qualified name) for the same events. */
  listenerKey(): string {
    // Asked when a run plans what it keeps and again when it keeps it: made once per index.
    return (this.lazy.listenerKey ??= [...this.listeners()].map(([event, list]) => `${event}:${list.map((r) => r.fn.qname).join(',')}`).join('\n'));
  }

  /** Whether a registered listener has this qualified name (a commit anywhere may run it). */
  isListener(qname: string): boolean {
    for (const list of this.listeners().values()) if (list.some((r) => r.fn.qname === qname)) return true;
    return false;
  }

  /** The listeners a session/connection commit, flush or execute runs (awaited or not). */
  private listenersOf(c: CallInfo): SyncEdge[] {
    const events = firesEvents(c);
    if (!events) return NO_EDGES;
    const index = this.listeners();
    if (!index.size) return NO_EDGES;
    const out: SyncEdge[] = [];
    for (const event of events) {
      for (const t of index.get(event) ?? []) {
        if (out.some((e) => e.t.fn.qname === t.fn.qname)) continue;
        out.push({ t, listener: true, via: { file: t.mod.file, line: t.fn.line, name: t.fn.name, event } });
      }
    }
    return out;
  }

  /**
   * The sync local function a call runs right here: not generators (their body runs when iterated),
   * not functions wrapped by an offloading decorator (`@sync_to_async`).
   */
  syncTarget(c: CallInfo): FunctionRef | undefined {
    if (c.kind !== 'local' || !c.target || c.target.fn.isAsync) return undefined;
    // Awaiting what a `def` returns means it hands back an awaitable (a decorator made it async, or it
    // returns a coroutine or future): by the precision rule, not a sync blocking call.
    if (c.site.awaited) return undefined;
    if (c.target.fn.isGenerator && !c.site.forIterable) return undefined;
    if (c.target.fn.decorators.length && this.offloadedByDecorator(c.target)) return undefined;
    return c.target;
  }

  private decoratorMemo = new Map<string, boolean>();
  private offloadedByDecorator(ref: FunctionRef): boolean {
    let v = this.decoratorMemo.get(ref.fn.qname);
    if (v === undefined) {
      v = ref.fn.decorators.some((d) => OFFLOAD_DECORATORS.has(this.canonical(ref.mod, d.k === 'call' ? d.f : d) ?? ''));
      this.decoratorMemo.set(ref.fn.qname, v);
    }
    return v;
  }

  /** Whether syncCost of this name depended on where a cycle was entered (see CostMemo). */
  costTainted(qname: string): boolean {
    return this.syncCosts.taint.has(qname);
  }

  /** Estimated time of a sync function: its CPU and its (synchronous) I/O, cycles counted once. */
  syncCost(ref: FunctionRef, on?: Set<string>): SyncCost {
    // A memoised cost asked from outside any sum taints no stack: no set is made for it.
    const memo = this.syncCosts.get(ref.fn.qname, on ?? NO_STACK);
    if (memo) return memo;
    const stack = on ?? new Set<string>();
    const keep = this.keepKinds;
    if (stack.has(ref.fn.qname)) { this.syncCosts.cut(stack); return { cpuMs: 0, ioMs: 0, kinds: keep ? {} : NO_KINDS }; }
    stack.add(ref.fn.qname);
    const out: SyncCost = { cpuMs: 0, ioMs: 0, kinds: keep ? {} : NO_KINDS };
    const calls = this.callsOf(ref);
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      if ((c.kind === 'rule' && c.rule) || c.kind === 'cpu-only') {
        const kind = c.rule ? c.rule.kind : c.ioKind!;
        const cost = this.costKind(kind);
        if (cost.type === 'cpu') out.cpuMs += cost.ms; else out.ioMs += cost.ms;
        if (keep) addKind(out.kinds, kind, cost.ms);
        continue;
      }
      const edges = this.syncEdges(c);
      for (let j = 0; j < edges.length; j++) { const sub = this.syncCost(edges[j].t, stack); out.cpuMs += sub.cpuMs; out.ioMs += sub.ioMs; if (keep) mergeKinds(out.kinds, sub.kinds); }
    }
    stack.delete(ref.fn.qname);
    this.syncCosts.set(ref, out);
    return out;
  }
}

/** `db.execute` -> `db`; `self.s.commit` -> `self.s`; undefined for a bare name. */
function receiverOf(text: string): string | undefined {
  const flat = text.replace(/\s+/g, '');
  const i = flat.lastIndexOf('.');
  return i > 0 && /^[\w.]+$/.test(flat) ? flat.slice(0, i) : undefined;
}

/**
 * Awaited use wins over a wrong annotation: when a function awaits a call on a receiver typed as a
 * sync client (`db: Session` then `await db.execute(...)`), the object is async, so the same
 * receiver's other calls in that function are not sync blocking calls either.
 */
function awaitedUseWins(calls: CallInfo[]): void {
  // Made at the first awaited rule call: most functions have none.
  let asyncReceivers: Set<string> | undefined;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (!c.awaitedRule) continue;
    const r = receiverOf(c.site.text);
    if (r) (asyncReceivers ??= new Set()).add(r);
  }
  if (!asyncReceivers) return;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (c.kind !== 'rule' || c.rule?.family !== 'blocking') continue;
    const r = receiverOf(c.site.text);
    if (r && asyncReceivers.has(r)) { c.awaitedRule = c.rule; c.kind = 'other'; c.rule = undefined; }
  }
}

/**
 * A CallInfo with every field present from the start, in one order: classification fills in some of
 * them and syncEdges adds `edges` later. Objects made with only some fields and given the others
 * afterwards took a different hidden class per combination (the readers' property loads then went
 * megamorphic) and a property array each for the fields added later.
 */
function callInfo(site: CallSite, canonical: string | undefined, kind: CallKind): CallInfo {
  return new CallRecord(site, canonical, kind);
}

/**
 * A CallInfo as callInfo makes it (see there). Its fields are assigned in the constructor, in the order
 * the object literal had them: field initializers would run as a separate initializer per instance in
 * code not yet optimised (a cold scan classifies each site once). The fields few records set (an
 * offload's callable, an I/O kind, a suppressed rule hit, an awaited rule, property reads: about one
 * record in ten) live in a CallExtra made on the first such value: every record of a graph is kept for
 * the whole analysis (its lists are read again and again), and four fewer fields per record are about
 * 1.3 MB less for the 500-file benchmark's 42k records to copy through the young generation.
 */
class CallRecord implements CallInfo {
  declare site: CallSite;
  declare canonical: string | undefined;
  declare kind: CallKind;
  declare rule: RuleHit | undefined;
  declare target: FunctionRef | undefined;
  declare edges: SyncEdge[] | undefined;
  /** The rarely set fields (see CallExtra), undefined while none was given a value. */
  declare private x: CallExtra | undefined;
  constructor(site: CallSite, canonical: string | undefined, kind: CallKind) {
    this.site = site;
    this.canonical = canonical;
    this.kind = kind;
    this.rule = undefined;
    this.target = undefined;
    this.edges = undefined;
    this.x = undefined;
  }
  get offloaded(): CallInfo | undefined { return this.x?.offloaded; }
  set offloaded(v: CallInfo | undefined) { if (v !== undefined || this.x) (this.x ??= new CallExtra()).offloaded = v; }
  get ioKind(): CostKind | undefined { return this.x?.ioKind; }
  set ioKind(v: CostKind | undefined) { if (v !== undefined || this.x) (this.x ??= new CallExtra()).ioKind = v; }
  get suppressed(): boolean { return this.x?.suppressed ?? false; }
  set suppressed(v: boolean) { if (v || this.x) (this.x ??= new CallExtra()).suppressed = v; }
  get awaitedRule(): RuleHit | undefined { return this.x?.awaitedRule; }
  set awaitedRule(v: RuleHit | undefined) { if (v !== undefined || this.x) (this.x ??= new CallExtra()).awaitedRule = v; }
  get props(): SyncEdge[] | undefined { return this.x?.props; }
  set props(v: SyncEdge[] | undefined) { if (v !== undefined || this.x) (this.x ??= new CallExtra()).props = v; }
}

/** CallRecord's rarely set fields (see there). */
class CallExtra {
  declare offloaded: CallInfo | undefined;
  declare ioKind: CostKind | undefined;
  declare suppressed: boolean;
  declare awaitedRule: RuleHit | undefined;
  declare props: SyncEdge[] | undefined;
  constructor() {
    this.offloaded = undefined;
    this.ioKind = undefined;
    this.suppressed = false;
    this.awaitedRule = undefined;
    this.props = undefined;
  }
}

/** `False`, `0`, `''`. */
function isFalsy(e: Expr): boolean {
  return (e.k === 'num' && e.v === 0) || (e.k === 'str' && e.v === '');
}

/** A parameter defaulting to `False` / `0` / `''`: its guard (CallSite.guard) needs it true. */
function falsyDefault(fn: FunctionInfo, name: string): boolean {
  const d = fn.params.find((p) => p.name === name)?.default;
  return !!d && isFalsy(d);
}

/** Decorators that leave a function's parameters as written. */
const TRANSPARENT_DECORATORS = new Set(['staticmethod', 'classmethod', 'lru_cache', 'cache', 'wraps']);

/**
 * What call `site` passes for parameter `name` of `fn`: its expression, 'absent' when the call
 * provably leaves it out, undefined when that is unknown (a splat; a method called with
 * positional arguments, which may be bound or not).
 */
function argumentFor(fn: FunctionInfo, site: CallSite, name: string): Expr | 'absent' | undefined {
  if (Object.prototype.hasOwnProperty.call(site.kw, name)) return site.kw[name];
  if (site.splat) return undefined;
  const method = fn.cls >= 0 && !fn.decorators.some((d) => lastName(d) === 'staticmethod');
  const params = method ? fn.params.slice(1) : fn.params;
  let i = 0;
  for (const p of params) {
    if (p.star) return 'absent'; // after `*args` (or a bare `*`): keyword-only
    if (p.name === name) break;
    i++;
  }
  if (i >= params.length) return undefined;
  if (i >= site.args.length) return 'absent';
  return method ? undefined : site.args[i];
}

/**
 * Adds entry `x` unless an entry of its code already runs at least as often (always, or under a
 * subset of its parameters); drops the entries `x` covers. Returns whether the list changed.
 */
function mergeEntry(list: SummaryEntry[], x: SummaryEntry): boolean {
  const covers = (a: SummaryEntry, b: SummaryEntry) => !a.when || (!!b.when && a.when.every((n) => b.when!.includes(n)));
  if (list.some((e) => e.code === x.code && covers(e, x))) return false;
  const same: SummaryEntry[] = [x];
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i];
    if (e.code !== x.code) continue;
    if (covers(x, e)) list.splice(i, 1); else same.push(e);
  }
  if (same.length <= MAX_PATHS) { list.push(x); return true; }
  // Too many conditional paths: one entry needing only what they all need.
  for (let i = list.length - 1; i >= 0; i--) if (list[i].code === x.code) list.splice(i, 1);
  const when = same[0].when!.filter((n) => same.every((e) => e.when!.includes(n)));
  const shortest = same.reduce((a, b) => (b.chain.length < a.chain.length ? b : a));
  list.push({ ...shortest, when: when.length ? when : undefined });
  return true;
}

/**
 * The read a call that fires listener `name` (`module\0name`) notes (see CallGraph.noteListeners): of
 * its summary, the entries a commit passes on (listenerEntry), or of its cost (only a call that is no
 * rule hit passes it on, see syncCost). Not the name itself, which a call of the function by name reads:
 * an edit that changes what a commit sees of a listener changes these (see Analyzer.keptResults).
 */
export function listenerRead(name: string, what: 'entries' | 'cost'): string {
  return `${name}${what === 'entries' ? '\u0001' : '\u0002'}`;
}

/** Whether a read (see Analyzer.reads) is one of listenerRead's, not a name. */
export function isListenerRead(read: string): boolean {
  const c = read.charCodeAt(read.length - 1);
  return c === 1 || c === 2;
}

/**
 * What a listener blocks on, as seen from the commit that runs it: not SQLAlchemy's own calls (the
 * listener's `connection.execute(...)` runs on the flush's connection, driven by the async driver
 * under an AsyncSession, and is the commit's own LW105 under a sync one).
 */
export function listenerEntry(e: SummaryEntry): boolean {
  return !e.root.startsWith('sqlalchemy.');
}

type Call = Extract<Expr, { k: 'call' }>;
interface ListenerCandidates { decorated: { fn: FunctionInfo; d: Call }[]; calls: CallSite[] }
/** Per module entry (entries are replaced when their file changes): what could register a listener, by shape. */
const listenerMemo = new WeakMap<ModuleEntry, ListenerCandidates>();
const getterMemo = new WeakMap<ModuleEntry, string[]>();

/** Module-level `@x.listens_for(target, "event")` functions and `x.listen(target, "event", fn)` calls. */
function listenerCandidates(mod: ModuleEntry): ListenerCandidates {
  let out = listenerMemo.get(mod);
  if (out) return out;
  out = { decorated: [], calls: [] };
  for (const fn of mod.model.functions) {
    if (fn.parentFn !== -1) continue;
    for (const d of fn.decorators) {
      if (d.k === 'call' && d.args.length >= 2 && d.args[1].k === 'str' && lastName(d.f) === 'listens_for') out.decorated.push({ fn, d });
    }
  }
  for (const c of mod.model.calls) {
    if (c.fn === -1 && c.args.length >= 3 && c.args[1].k === 'str' && lastName(c.callee) === 'listen') out.calls.push(c);
  }
  listenerMemo.set(mod, out);
  return out;
}

/** Names of a module's sync property getters. */
function getterNames(mod: ModuleEntry): string[] {
  let out = getterMemo.get(mod);
  if (out) return out;
  out = [];
  // Most functions have no decorator: told before the flags are read.
  const fns = mod.model.functions;
  for (let i = 0; i < fns.length; i++) { const fn = fns[i]; if (fn.decorators.length && !fn.isAsync && isGetter(fn)) out.push(fn.name); }
  getterMemo.set(mod, out);
  return out;
}

/** `svc.data`, `self.repo.items`, `get()...data` as a reader names an attribute read. */
function attrText(e: Expr): string {
  if (e.k === 'name') return e.n;
  if (e.k === 'attr') return `${attrText(e.o)}.${e.a}`;
  if (e.k === 'call') return `${attrText(e.f)}(...)`;
  if (e.k === 'sub') return `${attrText(e.o)}[...]`;
  return '...';
}

function unwrapPartial(e: Expr | undefined): Expr | undefined {
  if (e && e.k === 'call' && e.f.k === 'attr' && e.f.a === 'partial' && e.args[0]) return e.args[0];
  if (e && e.k === 'call' && e.f.k === 'name' && e.f.n === 'partial' && e.args[0]) return e.args[0];
  return e;
}

export function hop(mod: ModuleEntry, site: CallSite): ChainHop {
  return { file: mod.file, line: site.line, name: site.text };
}


function sameCodes(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const c of a ?? []) if (!b!.has(c)) return false;
  return true;
}

/** Two listener indexes register the same functions (`now`: an earlier ref as of today) per event. */
function sameListeners(a: Map<string, FunctionRef[]>, b: Map<string, FunctionRef[]>, now: (ref: FunctionRef) => FunctionRef | undefined): boolean {
  if (a.size !== b.size) return false;
  for (const [event, list] of a) {
    const other = b.get(event);
    if (!other || other.length !== list.length) return false;
    for (let i = 0; i < list.length; i++) if (now(list[i])?.fn !== other[i].fn) return false;
  }
  return true;
}

/** The SQLAlchemy events a (sync or awaited) session or connection call fires, if it fires any. */
function firesEvents(c: CallInfo): readonly string[] | undefined {
  return c.canonical && (c.kind === 'rule' || c.kind === 'async-io') ? eventsFiredBy(c.canonical) : undefined;
}

/** What CallGraph.carryFrom did not carry: a run drops its own memos of these too. */
export interface CostDrops { changed: Set<FunctionInfo>; stale: Set<FunctionInfo>; modules: Set<string>; taint: Set<string> }

/**
 * Costs memoised by qualified name for one analysis (sync ones in CallGraph, coroutine ones in Run),
 * carried into the next analysis while they hold (see CallGraph.carryFrom). A cost computed across a
 * cycle cut, or from such a cost, depends on where the cycle was entered: it is tainted and never
 * carried; so are a lambda's and a name's that two defs of a module share (which def a memo holds
 * depends on order).
 */
export class CostMemo<T> {
  private costs = new Map<string, T>();
  /** Per module, the qualified names of its costs (dropped whole with the module). */
  private modules: Map<string, Set<string>>;
  readonly taint: Set<string>;

  constructor(taint: Set<string> = new Set(), modules: Map<string, Set<string>> = new Map()) {
    this.taint = taint;
    this.modules = modules;
  }

  /**
   * Whether taints and modules are noted: they are read only when a later run carries these costs
   * over (carry), so a memo no run will carry from (a scan's) keeps the costs alone (see untrack).
   */
  private tracked = true;

  /** Stops noting taints and modules: for a memo no later run carries from. */
  untrack(): void {
    this.tracked = false;
  }

  /** The memoised cost; a tainted one taints every function on `stack` that adds it up. */
  get(qname: string, stack: Set<string>): T | undefined {
    const v = this.costs.get(qname);
    if (v !== undefined && this.tracked && this.taint.has(qname)) this.cut(stack);
    return v;
  }

  /** A cycle cut (or a tainted cost) under the functions on `stack`: what they add up depends on where the cycle was entered. */
  cut(stack: Set<string>): void {
    if (!this.tracked) return;
    for (const q of stack) this.taint.add(q);
  }

  set(ref: FunctionRef, value: T): void {
    const q = ref.fn.qname;
    this.costs.set(q, value);
    if (!this.tracked) return;
    const m = ref.mod.model.module;
    const l = this.modules.get(m);
    if (!l) this.modules.set(m, new Set([q])); else l.add(q);
    if (ref.fn.isLambda || duplicated(ref.mod).has(q)) this.taint.add(q);
  }

  /** Takes `prev`'s costs, less the tainted ones, those of `drops` and the names in `also`. */
  carry(prev: CostMemo<T>, drops: CostDrops, also: Iterable<string> = []): void {
    this.costs = prev.costs;
    this.modules = prev.modules;
    for (const q of prev.taint) this.costs.delete(q);
    for (const q of also) this.costs.delete(q);
    for (const f of drops.changed) this.costs.delete(f.qname);
    for (const f of drops.stale) this.costs.delete(f.qname);
    for (const m of drops.modules) { for (const q of this.modules.get(m) ?? []) this.costs.delete(q); this.modules.delete(m); }
  }

  /** Costs of their own, for work taken apart (an export key), whose taints and modules count for this memo's. */
  scratch(): CostMemo<T> {
    const out = new CostMemo<T>(this.taint, this.modules);
    out.tracked = this.tracked;
    return out;
  }
}

/** The stack of a sync cost asked for outside any sum: never added to (CostMemo.get only reads it). */
const NO_STACK: Set<string> = new Set();

/** SyncCost.kinds of every sync cost of a graph that keeps none (see CallGraph.noKinds): never written. */
const NO_KINDS: KindTimes = Object.freeze({}) as KindTimes;

/** Which module each classified function belongs to (see callsOf; a record never changes module). */
const fnModules = new WeakMap<FunctionInfo, string>();

const duplicates = new WeakMap<ModuleEntry, Set<string>>();
/** Qualified names more than one function of the module has (redefinitions, lambdas on one line). */
function duplicated(mod: ModuleEntry): Set<string> {
  let out = duplicates.get(mod);
  if (!out) {
    out = new Set();
    const seen = new Set<string>();
    for (const fn of mod.model.functions) { if (seen.has(fn.qname)) out.add(fn.qname); else seen.add(fn.qname); }
    duplicates.set(mod, out);
  }
  return out;
}
