// Quick fixes for findings: pure text edits computed from a file's text and model. Each finding gets
// its fixes in a fixed order, at most one of them preferred (the one fix-all applies):
//   LW102 time.sleep      asyncio.sleep*, thread, noqa
//   LW101 requests/httpx  httpx.AsyncClient* (simple statement, not in a loop) or thread*, threadpool, plain def, noqa
//   other LW1xx           thread*, threadpool, plain def, noqa          (transitive findings: the call site)
//   LW2xx                 process pool* when the callable pickles by reference, else thread* with a GIL note; noqa
//   LW301                 asyncio.gather* when the loop has the simple shape; noqa
import type { FileModel } from '../python/model';
import { Resolver } from '../python/resolve';
import type { Finding, Fix, FunctionKind, ScanResult } from '../types';
import { type FixContext, targetOf } from './context';
import { gatherFix } from './gather';
import { httpxFix } from './httpx';
import { noqaFix } from './noqa';
import { plainDefFix } from './plainDef';
import { GIL_NOTE, isPicklableCallee, processPoolFix } from './processPool';
import { eolOf, indentUnitOf } from './pyText';
import { sleepFix } from './sleep';
import { threadFix } from './thread';

export { applyEdits, applyFixes, fixAll, preferredFixes } from './applyEdits';
export { fixAllEdits, runFixPipeline } from './pipeline';

const SESSION_NOTE = 'This is a requests.Session shared by the module: replace it with one httpx.AsyncClient created in the app\'s lifespan (and closed on shutdown), then await client.get(...) directly.';

export function makeContext(text: string, model: FileModel, kindAt: (line: number) => FunctionKind | undefined = () => undefined): FixContext {
  return { text, model, resolver: new Resolver(model), eol: eolOf(text), unit: indentUnitOf(text), kindAt };
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
  const t = targetOf(ctx, f);
  if (!t) return [];
  const out: (Fix | undefined)[] = [];
  const blocking = f.code.startsWith('LW1');
  const cpu = f.code.startsWith('LW2');
  if (f.code === 'LW301') {
    out.push(gatherFix(ctx, t));
  } else if (blocking) {
    const first = f.call === 'time.sleep' ? sleepFix(ctx, t) : httpxFix(ctx, t);
    const thread = threadFix(ctx, t, 'to_thread', !first?.isPreferred, /^requests\.Session\(\)\./.test(f.call) ? SESSION_NOTE : undefined);
    if (first) out.push(first);
    out.push(thread);
    if (ctx.model.imports.some((i) => i.q === 'fastapi' || i.q.startsWith('fastapi.'))) out.push(threadFix(ctx, t, 'threadpool', false));
    out.push(plainDefFix(ctx, t));
  } else if (cpu) {
    const pool = processPoolFix(ctx, t);
    if (pool) out.push(pool, threadFix(ctx, t, 'to_thread', false, GIL_NOTE));
    else out.push(threadFix(ctx, t, 'to_thread', true, isPicklableCallee(ctx, t) ? undefined : GIL_NOTE));
  }
  out.push(noqaFix(ctx, t));
  const fixes = out.filter((x): x is Fix => !!x);
  // At most one preferred fix.
  let seen = false;
  for (const x of fixes) { if (x.isPreferred && seen) x.isPreferred = false; if (x.isPreferred) seen = true; }
  return fixes;
}

/** Findings grouped by file, in their order. */
export function findingsByFile(findings: Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = m.get(f.file);
    if (!list) m.set(f.file, (list = []));
    list.push(f);
  }
  return m;
}

export interface FixSource { text: string; model: FileModel }

/** Fills `fixes` of every finding in the result, file by file. */
export function attachFixes(result: ScanResult, source: (file: string) => FixSource | undefined): ScanResult {
  for (const [file, findings] of findingsByFile(result.findings)) {
    let src: FixSource | undefined;
    try { src = source(file); } catch { src = undefined; }
    if (!src) continue;
    const kinds = new Map<number, FunctionKind>();
    for (const h of result.handlers) if (h.file === file) kinds.set(h.line, h.kind);
    const ctx = makeContext(src.text, src.model, (line) => kinds.get(line));
    for (const f of findings) f.fixes = fixesFor(ctx, f);
  }
  return result;
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
