// Quick fixes for findings: pure text edits computed from a file's text and model. Each finding gets
// its fixes in a fixed order, at most one of them preferred (the one fix-all applies):
// A fix is preferred (*) only when the conditions under which it keeps behaviour hold (safety.ts);
// a fix whose conditions fail is offered with "check: ..." in its title, and fix-all skips it.
//   any LW1xx / LW2xx in a route or dependency that awaits nothing:  plain def* first (never a pytest
//                         coroutine: only FastAPI runs a plain def in its threadpool)
//   LW102 time.sleep      asyncio.sleep*, thread, threadpool, noqa
//   LW101 requests/httpx  httpx.AsyncClient* (simple statement, not in a loop) or thread*, threadpool, noqa
//   LW104 with open(...)  Path.read_text / write_text in a thread* for one read or write, else noqa only
//   other LW1xx           thread* (the whole call chain; lazy iterators drained in the thread), threadpool
//                         (not in test code, scripts or examples), noqa
//   LW2xx                 process pool* (reusing the file's pool; see processPool.ts), else thread*; noqa
//   LW301                 asyncio.gather* for independent iterations (Semaphore-bounded when unbounded); noqa
//   LW302-LW304, LW501    see loopFixes.ts
//   every finding: `# noqa: LWxxx` on the line, and `# loopwise: noqa: LWxxx` for the file
import type { FileModel, FunctionInfo } from '../python/model';
import { Resolver } from '../python/resolve';
import { mark } from '../timeline';
import type { Finding, Fix, FunctionKind, ScanResult } from '../types';
import { type FixContext, targetOf } from './context';
import { gatherFix } from './gather';
import { httpxFix } from './httpx';
import { LOOP_CODES, loopFixes } from './loopFixes';
import { fileNoqaFix, noqaFix } from './noqa';
import { inWithHeader, pathFix } from './path';
import { plainDefFix } from './plainDef';
import { GIL_NOTE, isPicklableCallee, processPoolFix } from './processPool';
import { eolOf, indentUnitOf } from './pyText';
import { firstDefs, type FixMemo, type FnSource, type FunctionIndex, newFixMemo } from './safety';
import { sleepFix } from './sleep';
import { threadFix } from './thread';

export { applyEdits, applyFixes, fixAll, preferredFixes } from './applyEdits';
import { findingsByFile } from './pipeline';
export { findingsByFile, fixAllEdits, runFixPipeline } from './pipeline';

const SESSION_NOTE = 'This is a requests.Session shared by the module: replace it with one httpx.AsyncClient created in the app\'s lifespan (and closed on shutdown), then await client.get(...) directly.';

export function makeContext(text: string, model: FileModel, kindAt: (line: number) => FunctionKind | undefined = () => undefined, functions?: FunctionIndex, memo?: FixMemo): FixContext {
  // The indentation unit reads the whole file; few fixes write a new indented line, so it is read on first use.
  let unit: string | undefined;
  return { text, model, resolver: new Resolver(model), eol: eolOf(text), get unit() { return (unit ??= indentUnitOf(text)); }, kindAt, functions, memo, lexCache: new Map() };
}

/** The fixes of one finding, preferred first among equals. Never throws: an unexpected shape yields []. */
export function fixesFor(ctx: FixContext, finding: Finding): Fix[] {
  try {
    return build(ctx, finding);
  } catch {
    return [];
  }
}

function build(ctx: FixContext, f: Finding): Fix[] {
  if (LOOP_CODES.has(f.code)) return loopFixes(ctx, f);
  const t = targetOf(ctx, f);
  if (!t) return [];
  const out: (Fix | undefined)[] = [];
  const blocking = f.code.startsWith('LW1');
  const cpu = f.code.startsWith('LW2');
  // Plain def first: it keeps every semantic, and one edit covers every finding of the function.
  const plain = blocking || cpu ? plainDefFix(ctx, t) : undefined;
  if (plain?.isPreferred) out.push(plain);
  if (f.chain[0]?.property) {
    // A property read in the call's receiver or arguments runs on the loop before an offload of the
    // call could take it: no thread fix.
  } else if (f.code === 'LW301') {
    out.push(gatherFix(ctx, t));
  } else if (blocking && f.call === 'builtins.open' && !f.chain.length && inWithHeader(ctx, t)) {
    // Offloading only `open` would leave the block's reads and writes on the loop.
    out.push(pathFix(ctx, t));
  } else if (blocking) {
    const first = f.call === 'time.sleep' ? sleepFix(ctx, t) : httpxFix(ctx, t);
    const thread = threadFix(ctx, t, 'to_thread', !first?.isPreferred, /^requests\.Session\(\)\./.test(f.call) ? SESSION_NOTE : undefined);
    if (first) out.push(first);
    out.push(thread);
    // FastAPI's threadpool serves requests; test code, scripts and examples have asyncio.to_thread.
    if (!f.testCode && (ctx.usesFastapi ??= ctx.model.imports.some((i) => i.q === 'fastapi' || i.q.startsWith('fastapi.')))) out.push(threadFix(ctx, t, 'threadpool', false));
  } else if (cpu) {
    const pool = processPoolFix(ctx, t);
    if (pool) out.push(pool, threadFix(ctx, t, 'to_thread', !pool.isPreferred, GIL_NOTE));
    else out.push(threadFix(ctx, t, 'to_thread', true, isPicklableCallee(ctx, t) ? undefined : GIL_NOTE));
  }
  if (plain && !plain.isPreferred) out.push(plain);
  out.push(noqaFix(ctx, t), fileNoqaFix(ctx, t));
  const fixes = out.filter((x): x is Fix => !!x);
  // At most one preferred fix: the first.
  let seen = false;
  for (const x of fixes) { if (x.isPreferred && seen) x.isPreferred = false; if (x.isPreferred) seen = true; }
  return fixes;
}


export interface FixSource { text: string; model: FileModel }

/** Fills `fixes` of every finding in the result, file by file. */
export function attachFixes(result: ScanResult, source: (file: string) => FixSource | undefined, functions?: FunctionIndex, memo: FixMemo = newFixMemo()): ScanResult {
  mark('findings ready');
  const fill = fixFiller(result, source, functions, memo);
  for (const findings of findingsByFile(result.findings).values()) {
    const fixes = fill(findings);
    for (let i = 0; i < findings.length; i++) findings[i].fixes = fixes[i];
  }
  return result;
}

/**
 * What attachFixes does, for any findings of the result when asked: the fixes of each (in order),
 * without storing them on the findings. A file's findings asked together share one context; the
 * answers are the same in any order and grouping (the contexts and the memo only keep what was read),
 * so a writer can ask for each file's findings just before it writes them, and drop their fixes after.
 */
export function fixFiller(result: ScanResult, source: (file: string) => FixSource | undefined, functions?: FunctionIndex, memo: FixMemo = newFixMemo()): (findings: Finding[]) => Fix[][] {
  let kindsByFile: Map<string, Map<number, FunctionKind>> | undefined;
  return (list) => {
    if (!kindsByFile) {
      kindsByFile = new Map();
      for (const h of result.handlers) {
        let kinds = kindsByFile.get(h.file);
        if (!kinds) kindsByFile.set(h.file, (kinds = new Map()));
        kinds.set(h.line, h.kind);
      }
    }
    const contexts = new Map<string, FixContext | null>();
    const out: Fix[][] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      let ctx = contexts.get(f.file);
      if (ctx === undefined) {
        let src: FixSource | undefined;
        try { src = source(f.file); } catch { src = undefined; }
        const kinds = kindsByFile.get(f.file) ?? new Map<number, FunctionKind>();
        contexts.set(f.file, (ctx = src ? makeContext(src.text, src.model, (line) => kinds.get(line), functions, memo) : null));
      }
      // A file whose text or model is missing keeps the fixes it has (none, from the analysis).
      out[i] = ctx ? fixesFor(ctx, f) : f.fixes;
    }
    return out;
  };
}

/**
 * Results analysed with `fixes: 'deferred'` (see AnalyzeOptions): their findings carry no fixes;
 * fixesFiller gives them when asked. The filler holds the run's models and texts until the result
 * is dropped.
 */
const deferred = new WeakMap<ScanResult, (findings: Finding[]) => Fix[][]>();

/** Per result with deferred fixes: each analysed file's line starts as its model holds them (see modelLineStarts). */
const deferredStarts = new WeakMap<ScanResult, (file: string) => ArrayLike<number> | undefined>();

/**
 * Notes that `result`'s fixes are given by `fill` on demand (see fixesFiller), and `starts` gives
 * each analysed file's line starts (its model's, which the filler holds anyway).
 */
export function deferFixes(result: ScanResult, fill: (findings: Finding[]) => Fix[][], starts?: (file: string) => ArrayLike<number> | undefined): ScanResult {
  deferred.set(result, fill);
  if (starts) deferredStarts.set(result, starts);
  return result;
}

/**
 * For a result analysed with deferred fixes: the line starts of an analysed file as its model holds
 * them, what lineStarts(text) gives for the text analysed (so the JSON writer need not scan each
 * file's text again); undefined for a file it does not know, and for any other result.
 */
export function modelLineStarts(result: ScanResult): ((file: string) => ArrayLike<number> | undefined) | undefined {
  return deferredStarts.get(result);
}

/**
 * The filler of a result analysed with deferred fixes: the fixes of the findings it is given, in
 * order (their own `fixes` stay empty). Undefined for any other result, whose findings carry theirs.
 */
export function fixesFiller(result: ScanResult): ((findings: Finding[]) => Fix[][]) | undefined {
  return deferred.get(result);
}

/**
 * Every analysed function by qualified name: of two defs with one name, the first (in the entries'
 * order, then the file's). Asked only after a miss in the asking function's own file (safety.ts
 * findCallee, which takes the first def of a name as this does): with one file, that file is every
 * source, and a miss there is a miss here, so a file analysed alone reads nothing.
 *
 * A function's qualified name starts with its model's module name and a dot (the builder's qnameFor),
 * so only the entries whose module is a dotted head of the name can hold it: those are looked up per
 * question, and each one's first defs by name read when first asked, instead of a map of every
 * function of the workspace (~15k on the 500-file benchmark, most never asked for). `defsByModel`
 * holds those first defs per model: a fix run passes its memo's (FixMemo.byName), which holds the same.
 */
export function functionIndex(files: { path: string; text: string }[], entries: { file: string; model: FileModel; resolver: Resolver }[], defsByModel = new Map<FileModel, Map<string, FunctionInfo>>()): FunctionIndex {
  if (entries.length < 2) return () => undefined;
  let texts: Map<string, string> | undefined;
  /** Entry positions by module name, in order (two files can claim one module name). */
  let byModule: Map<string, number[]> | undefined;
  const found = new Map<string, FnSource | null>();
  const firstDef = (model: FileModel, qname: string): FunctionInfo | undefined => {
    let defs = defsByModel.get(model);
    if (!defs) defsByModel.set(model, (defs = firstDefs(model)));
    return defs.get(qname);
  };
  return (qname) => {
    const known = found.get(qname);
    if (known !== undefined) return known ?? undefined;
    if (!byModule || !texts) {
      texts = new Map(files.map((f) => [f.path, f.text]));
      byModule = new Map();
      for (let i = 0; i < entries.length; i++) {
        if (!texts.has(entries[i].file)) continue;
        const m = entries[i].model.module;
        const list = byModule.get(m);
        if (list) list.push(i); else byModule.set(m, [i]);
      }
    }
    let best = -1;
    let bestFn: FunctionInfo | undefined;
    for (let dot = qname.indexOf('.'); dot >= 0; dot = qname.indexOf('.', dot + 1)) {
      const list = byModule.get(qname.slice(0, dot));
      if (!list) continue;
      for (const i of list) {
        if (best >= 0 && i > best) break;
        const fn = firstDef(entries[i].model, qname);
        if (fn) { best = i; bestFn = fn; break; }
      }
    }
    const e = best >= 0 ? entries[best] : undefined;
    const out = e && bestFn ? { text: texts.get(e.file)!, model: e.model, resolver: e.resolver, fn: bestFn } : undefined;
    found.set(qname, out ?? null);
    return out;
  };
}

/** A lookup of file text and model by path, from the analyzer's source files and module entries. */
export function sourcesFrom(files: { path: string; text: string }[], entries: { file: string; model: FileModel }[]): (file: string) => FixSource | undefined {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const models = new Map(entries.map((e) => [e.file, e.model]));
  return (file) => {
    const text = texts.get(file);
    const model = models.get(file);
    return text !== undefined && model ? { text, model } : undefined;
  };
}
