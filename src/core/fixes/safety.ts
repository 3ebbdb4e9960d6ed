// When a fix keeps behaviour. Each fix kind lists its conditions; they are checked on the model of
// the code that would move (the callee's body and, through the call graph, every local function it
// calls), and a fix is preferred only when every condition holds. A failed condition becomes the
// "check: ..." part of a non-preferred fix's title, or removes the fix.
//
//   thread / threadpool / thread-chain   the moved code uses no event-loop API (it would raise or drop
//        work in a thread), writes no module global and lazily creates no shared state (threads
//        race where the loop did not), and touches no thread-affine object (a sqlite3 connection
//        made on the loop thread, or returned to it)
//   process-pool   the thread conditions, plus: a module-level function, picklable arguments, its
//        result used, no parameter or global mutated (the parent would never see it), no framework
//        exception raised (an HTTPException pickled back breaks the pool), and one pool per
//        application (only an existing module-level pool is reused as the preferred choice)
//   plain-def      a route or dependency with no await / async with / async for, not called by
//        other code, and the thread conditions on its own body
//   gather         independent iterations: the callee writes no outer state, shares no session,
//        uses no counter; calls bounded by an asyncio.Semaphore when the iterable is not a literal
import { type Expr, offsetOf, scopeOf } from '../python/ir';
import { type Binding, boundList, type CallSite, type FileModel, type FunctionInfo } from '../python/model';
import type { Resolver } from '../python/resolve';
import type { TextEdit } from '../types';
import type { FixContext } from './context';
import type { ImportMatches, ImportNeed, ImportResult, Region } from './imports';
import { codeOnly, escapeRegex } from './pyText';

/** A function's body with what the checks need, possibly from another file. */
export interface FnSource { text: string; model: FileModel; resolver: Resolver; fn: FunctionInfo }

export type Hazard =
  | 'loop-api' | 'global-write' | 'param-mutation' | 'thread-affine' | 'framework-exception' | 'returns-connection'
  | 'makes-connection';

export interface Facts {
  hazards: Map<Hazard, string>;
  /** Every local function reached was found and read. */
  complete: boolean;
}

/** Calls that need the running event loop in the calling thread. */
const LOOP_API = /^asyncio\.(get_running_loop|get_event_loop|create_task|ensure_future|sleep|gather|wait_for|current_task|all_tasks|Queue|Event|Lock|Semaphore|Condition|TaskGroup|timeout)\b|\.(create_task|call_soon|call_later|call_at|run_until_complete)$/;
const FRAMEWORK_EXC = /^(fastapi|starlette)\.|HTTPException$|WebSocketException$|RequestValidationError$/;
const MUTATORS = 'append|extend|update|pop|popitem|clear|insert|remove|add|discard|setdefault|sort|reverse|appendleft|extendleft|popleft';
const MAX_DEPTH = 8;
const RAISE = /\braise\s+([A-Za-z_][\w.]*)/g;

/** Body text with strings blanked and comments removed, same length as the source (pyText.codeOnly). */
export { codeOnly };

// What follows a name in the patterns of `mutates` (and mutatesAny's one regex of them): an item or
// attribute of it assigned (`n[k] =`, `n.a +=`), a mutating method called (`n.append(`), the name
// itself assigned (`n =`, only for a rebind). AT_NAME: where the name starts (not an attribute, not
// the end of a longer name).
const AT_NAME = '(?<![\\w.])';
const ITEM_WRITTEN = `\\s*(?:\\[[^\\]\\n]*\\]|\\.[A-Za-z_]\\w*)+\\s*(?:=(?!=)|[-+*/|&^%@]=|//=|>>=|<<=|\\*\\*=)`;
const MUTATOR_CALLED = `\\.(?:${MUTATORS})\\s*\\(`;
const REBOUND = '\\s*(?:=(?!=)|[-+*/|&^%@]=)';

/** The patterns of `mutates` per name (the last of them only for a rebind); names repeat across functions and files. */
const mutationPatterns = new Map<string, RegExp[]>();

function patternsFor(name: string): RegExp[] {
  let patterns = mutationPatterns.get(name);
  if (!patterns) {
    const n = escapeRegex(name);
    // Sticky: tried only where the name (or `del`) occurs, see firstMatch.
    patterns = [
      new RegExp(`${AT_NAME}${n}${ITEM_WRITTEN}`, 'y'),
      new RegExp(`${AT_NAME}${n}${MUTATOR_CALLED}`, 'y'),
      new RegExp(`\\bdel\\s+${n}\\s*[\\[.]`, 'y'),
      new RegExp(`${AT_NAME}${n}${REBOUND}`, 'y'),
    ];
    if (mutationPatterns.size >= 4096) mutationPatterns.clear();
    mutationPatterns.set(name, patterns);
  }
  return patterns;
}

/** Whether `name` is written or mutated in place in the code: `n = / n[k] = / n.a = / n.append( / del n[`. */
export function mutates(code: string, name: string, rebind: boolean): string | undefined {
  // Every pattern contains the name itself: most module-level names never occur in a given body.
  if (!code.includes(name)) return undefined;
  const patterns = patternsFor(name);
  const count = rebind ? 4 : 3;
  for (let i = 0; i < count; i++) { const m = firstMatch(patterns[i], code, i === 2 ? 'del' : name); if (m !== undefined) return m.trim(); }
  return undefined;
}

/**
 * Whether mutates finds anything (what the safety checks ask). The patterns that start at the name
 * (all but `del`'s) share `(?<![\w.])name`: one sticky regex of their alternatives, tried at each
 * occurrence of the name (an unanchored search would try the lookbehind at every offset, see
 * firstMatch), matches where one of them does: one regex call per occurrence instead of two or three.
 */
export function mutatesAny(code: string, name: string, rebind: boolean): boolean {
  if (!code.includes(name)) return false;
  if (firstMatch(anyPatternFor(name, rebind), code, name) !== undefined) return true;
  return firstMatch(patternsFor(name)[2], code, 'del') !== undefined;
}

/** An ASCII identifier: what writtenNames lists (`\\w` without the u flag, as mutatesAny's patterns read it). */
const IDENT = /^[A-Za-z_]\w*$/;

/**
 * Where an identifier starts (not an attribute, not inside a longer name) and one of mutatesAny's
 * non-rebind patterns follows it; and `del name[` / `del name.`. The lookaheads take nothing, so every
 * identifier's start is tried, those inside brackets of a match too.
 */
const WRITTEN = new RegExp(`${AT_NAME}([A-Za-z_]\\w*)(?=${ITEM_WRITTEN}|${MUTATOR_CALLED})|\\bdel\\s+([A-Za-z_]\\w*)(?=\\s*[\\[.])`, 'g');

/**
 * The ASCII identifiers for which mutatesAny(code, name, false) holds, in one pass over the code.
 * mutatesAny matches where the name is the whole identifier (its patterns start with `(?<![\w.])`, or
 * `del\s+`, and go on with `\s`, `[`, `.` or `=`), so its answer for such a name is membership here.
 */
export function writtenNames(code: string): Set<string> {
  const out = new Set<string>();
  const re = WRITTEN;
  re.lastIndex = 0;
  for (let m = re.exec(code); m; m = re.exec(code)) out.add(m[1] ?? m[2]);
  return out;
}

/** mutatesAny's sticky regex per name and rebind. */
const anyPatterns = new Map<string, RegExp>();

function anyPatternFor(name: string, rebind: boolean): RegExp {
  const key = rebind ? `1${name}` : `0${name}`;
  let re = anyPatterns.get(key);
  if (!re) {
    re = new RegExp(`${AT_NAME}${escapeRegex(name)}(?:${ITEM_WRITTEN}|${MUTATOR_CALLED}${rebind ? `|${REBOUND}` : ''})`, 'y');
    if (anyPatterns.size >= 4096) anyPatterns.clear();
    anyPatterns.set(key, re);
  }
  return re;
}

/**
 * `sticky.exec(code)` as an unanchored search would find it: every match starts where `anchor`
 * occurs (the name; `del` for the del pattern), so only those offsets are tried, in order. An
 * unanchored search tried the lookbehind at every offset of a body (on gradio 324 calls read 10 MB).
 */
function firstMatch(sticky: RegExp, code: string, anchor: string): string | undefined {
  // An empty anchor occurs at every offset, the end included.
  for (let p = code.indexOf(anchor); p >= 0 && p <= code.length; p = anchor ? code.indexOf(anchor, p + 1) : p + 1) {
    sticky.lastIndex = p;
    const m = sticky.exec(code);
    if (m) return m[0];
  }
  return undefined;
}

/** Looks functions up by qualified name across the analysed files. */
export type FunctionIndex = (qname: string) => FnSource | undefined;

/** The local function a call's callee names, in this file or (through the index) another. */
export function calleeSource(src: { text: string; model: FileModel; resolver: Resolver }, callee: Expr, index?: FunctionIndex, memo?: FixMemo): FnSource | undefined {
  // Once per callee expression in a run: the walks, both thread variants, plain def and gather ask.
  const known = memo?.callees.get(callee);
  if (known !== undefined) return known ?? undefined;
  const found = findCallee(src, callee, index, memo);
  memo?.callees.set(callee, found ?? null);
  return found;
}

function findCallee(src: { text: string; model: FileModel; resolver: Resolver }, callee: Expr, index?: FunctionIndex, memo?: FixMemo): FnSource | undefined {
  const q = callee.k === 'name' ? definedName(nameBinding(src, callee)) : resolveMemo(src, callee, memo);
  return sourceNamed(src, q, index, memo);
}

/** What a name callee is bound to where it is called. */
function nameBinding(src: { resolver: Resolver }, callee: Extract<Expr, { k: 'name' }>): Binding | undefined {
  return src.resolver.lookup(callee.n, scopeOf(callee), offsetOf(callee))?.b;
}

/** The qualified name a def or import binds (a name callee's function, when local); undefined for any other binding. */
function definedName(b: Binding | undefined): string | undefined {
  return b?.kind === 'def' || b?.kind === 'import' ? b.q : undefined;
}

/** The local function named `q` (the callee's def or import for a name, its resolution otherwise): in the source's file, else through the index. */
function sourceNamed(src: { text: string; model: FileModel; resolver: Resolver }, q: string | undefined, index?: FunctionIndex, memo?: FixMemo): FnSource | undefined {
  if (!q) return undefined;
  const fn = memo ? functionsByName(src.model, memo).get(q) : src.model.functions.find((f) => f.qname === q && !f.isLambda);
  // Only the source's own fields: `src` may be a whole FixContext.
  if (fn) return { text: src.text, model: src.model, resolver: src.resolver, fn };
  return index?.(q);
}

/** resolver.resolve(e), once per expression in a fix run (the walks, thread checks and gather ask again). */
export function resolveMemo(src: { resolver: Resolver }, e: Expr, memo?: FixMemo): string | undefined {
  if (!memo) return src.resolver.resolve(e);
  const known = memo.resolved.get(e);
  if (known !== undefined) return known ?? undefined;
  const q = src.resolver.resolve(e);
  memo.resolved.set(e, q ?? null);
  return q;
}

/** The model's functions (not lambdas) by qualified name, the first of each name, as functions.find gives. */
export function firstDefs(model: FileModel): Map<string, FunctionInfo> {
  const byName = new Map<string, FunctionInfo>();
  const fns = model.functions;
  for (let i = 0; i < fns.length; i++) { const f = fns[i]; if (!f.isLambda && !byName.has(f.qname)) byName.set(f.qname, f); }
  return byName;
}

/** firstDefs, once per model and fix run. */
function functionsByName(model: FileModel, memo: FixMemo): Map<string, FunctionInfo> {
  let byName = memo.byName.get(model);
  if (!byName) memo.byName.set(model, (byName = firstDefs(model)));
  return byName;
}

/**
 * What one fix run has already read, by function: the facts of a walk that starts at it and its
 * body's code (strings blanked). Every finding of a function, and both thread variants of each,
 * ask the same questions. Valid while no text changes, i.e. for one attachFixes call.
 */
export interface FixMemo {
  facts: Map<FunctionInfo, Facts>;
  /** factsOf(..., 'thread') by function (threadFactsOf). */
  threadFacts: Map<FunctionInfo, Facts>;
  /** What each function's own body and calls do (ownFacts), for every walk that passes it. */
  own: Map<FunctionInfo, OwnFacts>;
  /** Per file: the module-level names ownFacts checks (moduleNames). */
  modules: Map<FileModel, ModuleNames>;
  /** calleeSource by callee expression (null: none). */
  callees: Map<Expr, FnSource | null>;
  /** resolver.resolve of expressions (null: unresolved), see resolveMemo. */
  resolved: Map<Expr, string | null>;
  code: Map<FunctionInfo, string>;
  byName: Map<FileModel, Map<string, FunctionInfo>>;
  /** Per file: what plainDef's usedElsewhere has read of it. */
  uses: Map<FileModel, FileUses>;
  /** Per function: whether other code of its file uses its name directly (plainDef). */
  usedElsewhere: Map<FunctionInfo, boolean>;
  /** Per function: the failed conditions of its plain def fix, null when it gets none (plainDef). */
  plainDef: Map<FunctionInfo, string[] | null>;
  /** Per file: its head-of-file import statements and their groups (imports.ts), with the text they were read from. */
  imports: Map<FileModel, { text: string; region: Region }>;
  /** Per file: ensureImport's answer to each need (null: the name is taken), with the text it was read from. */
  importNeeds: Map<FileModel, { text: string; results: Map<ImportNeed, Map<number | string, ImportResult | null>> }>;
  /** Per file and need: the file's imports of the need's names (imports.ts importMatches; they depend on the model only). */
  importMatches: Map<FileModel, Map<ImportNeed, ImportMatches>>;
  /** Per file: the edit adding each import line (imports.ts; the same for every function), with the text it was read from. */
  importEdits: Map<FileModel, { text: string; edits: Map<string, TextEdit> }>;
  /**
   * What the analysis resolved the callee of the site `calls[id]` of a model to (null: nothing), or
   * undefined when it did not read it: ownFacts resolves only the others (the analyzer sets it, see
   * CallGraph.resolvedCallees).
   */
  resolvedCallee?: (calls: readonly CallSite[], id: number) => string | null | undefined;
}

export function newFixMemo(): FixMemo {
  return { facts: new Map(), threadFacts: new Map(), own: new Map(), modules: new Map(), callees: new Map(), resolved: new Map(), code: new Map(), byName: new Map(), uses: new Map(), usedElsewhere: new Map(), plainDef: new Map(), imports: new Map(), importNeeds: new Map(), importMatches: new Map(), importEdits: new Map() };
}

/** What plainDef reads of a file to tell whether a function's name is used elsewhere. */
export interface FileUses {
  /** Names asked about so far (until `words` is read). */
  asked: number;
  /** The offsets of each whole word of the text that names a coroutine of the file (see plainDef's wordsOf); null: no index. */
  words?: Map<string, number[]> | null;
  /** The code (strings blanked, comments removed), read when a name occurs more than once. */
  code?: string;
  /** The direct uses of each name asked about. */
  byName: Map<string, number[]>;
  /** The file's f-strings (pyText's fStringSpans), read when a name occurs only outside the code. */
  fstrings?: number[];
}

/** The function's body (from `bodyStart`) with strings blanked and comments removed. */
export function bodyCode(text: string, fn: FunctionInfo, memo?: FixMemo): string {
  let code = memo?.code.get(fn);
  if (code === undefined) {
    code = codeOnly(text, fn.bodyStart, fn.end);
    memo?.code.set(fn, code);
  }
  return code;
}

/**
 * What the function (and every local sync function it calls) does that a move could change. `thread`:
 * only the hazards of a move to a thread (every hazard but param-mutation and framework-exception,
 * which only the process pool and gather read), so the walk does not read each body's parameter
 * writes and raise statements; each hazard it has is the one the whole walk finds (one walk, the same
 * order, each hazard's first reason).
 */
export function factsOf(start: FnSource, index?: FunctionIndex, memo?: FixMemo, only?: 'thread'): Facts {
  const all = only === undefined;
  const byFn = all ? memo?.facts : memo?.threadFacts;
  const known = byFn?.get(start.fn);
  if (known) return known;
  const hazards = new Map<Hazard, string>();
  let complete = true;
  const seen = new Set<string>();
  const note = (h: Hazard, why: string | undefined) => { if (why !== undefined && !hazards.has(h)) hazards.set(h, why); };
  const walk = (s: FnSource, depth: number, top: boolean) => {
    if (seen.has(s.fn.qname) || depth > MAX_DEPTH) return;
    seen.add(s.fn.qname);
    const own = ownFacts(s, index, memo);
    note('global-write', own.globalWrite);
    if (all) {
      const x = ownExtras(s, own, memo);
      note('param-mutation', x.paramMutation);
      note('framework-exception', x.frameworkException);
    }
    for (let i = 0; i < own.calls.length; i++) {
      const c = own.calls[i];
      note('loop-api', c.loopApi);
      if (c.connects && top) {
        note('makes-connection', `${s.fn.name} opens a sqlite3 connection, usable only in the thread that opens it`);
        if (s.fn.returns.length) note('returns-connection', `${s.fn.name} returns a sqlite3 connection`);
      }
      if (c.target && !c.target.fn.isAsync) walk(c.target, depth + 1, false);
      else if (c.unknownDef) complete = false;
    }
    note('thread-affine', own.threadAffine);
  };
  walk(start, 0, true);
  const facts = { hazards, complete };
  byFn?.set(start.fn, facts);
  return facts;
}

/** factsOf(start, index, memo, 'thread'): the hazards of running the function in a thread (plain def, thread fixes). */
export function threadFactsOf(start: FnSource, index?: FunctionIndex, memo?: FixMemo): Facts {
  return factsOf(start, index, memo, 'thread');
}

/**
 * What one function's own body does (the first reason for each hazard, in the order factsOf met
 * them), and what each of its calls does and reaches. A walk from every finding's callee passes the
 * same helpers: each is read once per run.
 */
interface OwnFacts {
  globalWrite?: string;
  calls: { loopApi?: string; connects: boolean; target?: FnSource; unknownDef: boolean }[];
  threadAffine?: string;
  /** Read when a walk of all hazards first passes the function (ownExtras). */
  extras?: { paramMutation?: string; frameworkException?: string };
}

function ownFacts(s: FnSource, index?: FunctionIndex, memo?: FixMemo): OwnFacts {
  const known = memo?.own.get(s.fn);
  if (known) return known;
  const code = bodyCode(s.text, s.fn, memo);
  const own: OwnFacts = { calls: [] };
  // Module globals: declared `global` and written, or a module-level object mutated in place.
  const scope = s.model.scopes[s.fn.scope];
  if (scope?.globals) {
    for (const g of scope.globals) {
      if (own.globalWrite) break;
      if (mutatesAny(code, g, true)) own.globalWrite = `${s.fn.name} writes the global ${g}`;
    }
  }
  const mod = moduleNames(s, memo);
  if (!own.globalWrite && mod.values.length) {
    // The first module-level name (in the module scope's order) the body writes into or mutates and
    // does not bind itself. The names the body writes are listed in one pass (writtenNames) and each
    // looked up in the module's names (a body writes a few names; a module can have hundreds), instead
    // of a search of the body per module-level name; a name writtenNames cannot list (not ASCII) is
    // searched for as before.
    const written = writtenNames(code);
    let first = -1;
    written.forEach((name) => {
      const i = mod.valueAt.get(name);
      if (i !== undefined && (first < 0 || i < first) && !scope?.bindings.has(name)) first = i;
    });
    for (let k = 0; k < mod.otherValues.length; k++) {
      const i = mod.otherValues[k];
      if (first >= 0 && i > first) break;
      const name = mod.values[i];
      if (!code.includes(name) || !mutatesAny(code, name, false) || scope?.bindings.has(name)) continue;
      first = i;
      break;
    }
    if (first >= 0) own.globalWrite = `${s.fn.name} changes the module-level ${mod.values[first]}`;
  }
  const ids = s.fn.calls;
  for (let k = 0; k < ids.length; k++) {
    const site = s.model.calls[ids[k]];
    const callee = site.callee;
    // Each call site is read here once per run (ownFacts is memoised per function): as the analysis
    // resolved it (every site of a scan's handlers and helpers), else resolved directly, as resolveMemo
    // and calleeSource would, without an entry in their memos per site (most never asked again).
    const known = memo?.resolvedCallee?.(s.model.calls, ids[k]);
    const q = (known !== undefined ? known : s.resolver.resolve(callee)) ?? '';
    let target: FnSource | undefined;
    let unknownDef = false;
    if (callee.k === 'name') {
      const b = nameBinding(s, callee);
      target = sourceNamed(s, definedName(b), index, memo);
      unknownDef = !target && b?.kind === 'def';
    } else {
      target = sourceNamed(s, q || undefined, index, memo);
    }
    const loopApi = LOOP_API.test(q) ? `${s.fn.name} calls ${q.replace(/\(\)/g, '')}` : undefined;
    const connects = q === 'sqlite3.connect' && !/check_same_thread\s*=\s*False/.test(s.text.slice(site.start, site.end));
    // Most calls (library calls) add nothing to a walk: only the others are kept.
    if (loopApi !== undefined || connects || target || unknownDef) own.calls.push({ loopApi, connects, target, unknownDef });
  }
  // A sqlite3 connection made on the loop thread at module level and used here.
  for (let i = 0; i < mod.connections.length; i++) {
    const name = mod.connections[i];
    if (scope?.bindings.has(name)) continue;
    if (new RegExp(`(?<![\\w.])${escapeRegex(name)}\\b`).test(code)) { own.threadAffine = `${s.fn.name} uses the sqlite3 connection ${name}`; break; }
  }
  memo?.own.set(s.fn, own);
  return own;
}

/** What the process pool and gather also ask of a function's own body: a parameter written, a framework exception raised. */
function ownExtras(s: FnSource, own: OwnFacts, memo?: FixMemo): NonNullable<OwnFacts['extras']> {
  if (own.extras) return own.extras;
  const code = bodyCode(s.text, s.fn, memo);
  const x: NonNullable<OwnFacts['extras']> = {};
  for (let i = 0; i < s.fn.params.length; i++) {
    const p = s.fn.params[i];
    if (p.name === 'self' || p.name === 'cls') continue;
    if (mutatesAny(code, p.name, false)) { x.paramMutation = `${s.fn.name} changes its argument ${p.name}`; break; }
  }
  // One regex for every body, its matches read with exec (matchAll copies the regex per call); a body without `raise` has none.
  const raise = RAISE;
  raise.lastIndex = 0;
  for (let m = code.includes('raise') ? raise.exec(code) : null; m; m = raise.exec(code)) {
    const resolved = s.resolver.resolveName(m[1].split('.')[0], s.fn.scope, s.fn.bodyStart + (m.index ?? 0));
    const full = resolved ? resolved + m[1].slice(m[1].split('.')[0].length) : m[1];
    if (FRAMEWORK_EXC.test(full)) { x.frameworkException = `${s.fn.name} raises ${m[1]}`; break; }
  }
  return (own.extras = x);
}

/**
 * The module-level names every function's facts look at, in the module scope's order: values and
 * imports (a write to one is a global write), and sqlite3 connections made at module level.
 */
function moduleNames(s: FnSource, memo?: FixMemo): ModuleNames {
  const known = memo?.modules.get(s.model);
  if (known) return known;
  const values: string[] = [];
  const valueAt = new Map<string, number>();
  const otherValues: number[] = [];
  const connections: string[] = [];
  // forEach: a Map's for-of makes an iterator result and an entry array per binding (the bundle's cold code is not optimised).
  s.model.scopes[0].bindings.forEach((v, name) => {
    const list = boundList(v);
    // Module-level values, and imported modules or objects (`state.telemetry += [...]`, `os.environ[k] = v`).
    let b: (typeof list)[number] | undefined;
    let valueOrImport = false;
    for (let i = 0; i < list.length; i++) {
      const x = list[i];
      if (x.kind === 'value' || x.kind === 'import') valueOrImport = true;
      if (!b && x.kind === 'value' && x.expr?.k === 'call') b = x;
    }
    if (valueOrImport) {
      if (IDENT.test(name)) valueAt.set(name, values.length);
      else otherValues.push(values.length);
      values.push(name);
    }
    if (b && b.expr?.k === 'call' && s.resolver.resolve(b.expr.f) === 'sqlite3.connect') connections.push(name);
  });
  const names = { values, valueAt, otherValues, connections };
  memo?.modules.set(s.model, names);
  return names;
}

/** What moduleNames gives: the module-level values and imports in order, and the sqlite3 connections. */
export interface ModuleNames {
  values: string[];
  /** The position in `values` of each ASCII identifier among them (what writtenNames can list). */
  valueAt: Map<string, number>;
  /** The positions in `values` of the other names, in order. */
  otherValues: number[];
  connections: string[];
}

/** Facts of code moved to a thread: a library call (known) or a local function through the call graph. */
export interface MoveCheck {
  /** Conditions that failed, as short "check: ..." phrases; empty when the move keeps behaviour. */
  problems: string[];
  /** The callee's thread hazards (threadFactsOf), for a local sync function. */
  facts?: Facts;
}

const THREAD_HAZARDS: Hazard[] = ['loop-api', 'global-write', 'thread-affine', 'returns-connection'];

/** The thread conditions for running `callee(...)` at the site in a worker thread. */
export function threadCheck(ctx: FixContext, callee: Expr, call: string, receiverText: string): MoveCheck {
  const problems: string[] = [];
  const src = calleeSource(ctx, callee, ctx.functions, ctx.memo);
  let facts: Facts | undefined;
  if (src && !src.fn.isAsync) {
    facts = threadFactsOf(src, ctx.functions, ctx.memo);
    for (const h of THREAD_HAZARDS) { const why = facts.hazards.get(h); if (why) problems.push(why); }
  }
  if (sqliteReceiver(ctx, call, receiverText)) problems.push(`${receiverText} is a sqlite3 connection bound to the loop thread`);
  return { problems, facts };
}

/** A sqlite3 connection or cursor without check_same_thread=False as the receiver of a DB-API call. */
function sqliteReceiver(ctx: FixContext, call: string, receiverText: string): boolean {
  if (!/^(dbapi\.(Connection|Cursor)\(\)|sqlite3\.)/.test(call) || !receiverText) return false;
  if (!ctx.model.imports.some((i) => i.q === 'sqlite3' || i.q.startsWith('sqlite3.'))) return false;
  return !/check_same_thread\s*=\s*False/.test(ctx.text);
}

/** The text phrase for a non-preferred fix's title. */
export function checkTitle(title: string, problems: string[]): string {
  return problems.length ? `${title} (check: ${problems.join('; ')})` : title;
}
