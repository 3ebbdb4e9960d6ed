// What the checks that are not call tables (LW302 never-awaited, LW303 dropped-task, LW304 busy-loop,
// LW501 per-request-logging) read from an analysis run, and how they report.
import type { CallGraph } from '../callgraph';
import type { Role } from '../fastapi/app';
import { type CallSite, type FunctionInfo, positionAt } from '../python/model';
import type { ModuleEntry, SymbolIndex } from '../symbols';
import type { Severity } from '../types';

export interface LoopCheckContext {
  index: SymbolIndex;
  graph: CallGraph;
  roleOf(fn: FunctionInfo): Role | undefined;
  /** Whether some function of the workspace has a role of this kind (absent: maybe). */
  hasRole?(kind: Role['kind']): boolean;
  enabled(code: string): boolean;
  /** The file's text, for checks that read its layout (indentation, block headers). */
  textOf(file: string): string | undefined;
  /** `async handler list_users (GET /users)`, `sync function load`, `module code`. */
  where(mod: ModuleEntry, fn: FunctionInfo | undefined): string;
  /** Reports [span.start, span.end) of the file (offsets into its text). */
  /** `args` (shape + parameters) lets the message be rendered in the user's language (src/core/i18n). */
  report(mod: ModuleEntry, fn: FunctionInfo | undefined, span: { start: number; end: number }, code: string, severity: Severity, message: string, call: string, args?: Record<string, string>): void;
  /** How many coroutines of a module log (LW501), from `count` or a memo kept between the editor's analyses. */
  loggingCoroutines?(mod: ModuleEntry, count: () => number): number;
}

/** The 1-based line of an offset. */
export function lineOf(mod: ModuleEntry, offset: number): number {
  return positionAt(mod.model.lineStarts, offset).line;
}

/** `# noqa` / `# noqa: LW304` on any line of [first, last], or a file-level `# loopwise: noqa`. */
export function suppressedOn(mod: ModuleEntry, first: number, last: number, code: string): boolean {
  if (mod.model.fileNoqa && [...mod.model.fileNoqa].some((c) => c === '' || code.startsWith(c))) return true;
  if (mod.model.fileNoqa && [...mod.model.fileNoqa].some((c) => code.startsWith(c))) return true;
  for (let line = first; line <= last; line++) {
    const codes = mod.model.noqa.get(line);
    if (codes && (codes.size === 0 || [...codes].some((c) => code.startsWith(c)))) return true;
  }
  return false;
}

const bareMemo = new WeakMap<object, CallSite[]>();

/**
 * The model's call sites that are a whole expression statement and not awaited (`send(x)`,
 * `asyncio.create_task(job())`), in order: what LW302 and LW303 look at. Once per model (both checks
 * read it; re-analyses after an edit reuse it), so the workspace's sites are walked once, not per check.
 */
export function bareCalls(mod: ModuleEntry): readonly CallSite[] {
  let out = bareMemo.get(mod.model);
  if (!out) {
    out = [];
    const calls = mod.model.calls;
    for (let i = 0; i < calls.length; i++) { const site = calls[i]; if (site.stmt && !site.awaited) out.push(site); }
    bareMemo.set(mod.model, out);
  }
  return out;
}

/** The function a call site is in, or undefined at module level. */
export function fnOf(mod: ModuleEntry, site: CallSite): FunctionInfo | undefined {
  return site.fn >= 0 ? mod.model.functions[site.fn] : undefined;
}

/** The decorator's callee, resolved: `app.get("/")` -> `fastapi.FastAPI().get`. */
export function decoratorName(cx: LoopCheckContext, mod: ModuleEntry, d: import('../python/ir').Expr): string | undefined {
  return cx.graph.canonical(mod, d.k === 'call' ? d.f : d);
}

/** A bare `# noqa` on any line of the call, or `# noqa: LW101` (also a prefix such as `LW1`), or a file-level `# loopwise: noqa`. */
export function isSuppressed(mod: ModuleEntry, site: CallSite, code?: string): boolean {
  // `# loopwise: noqa` (every code) or `# loopwise: noqa: LW101` anywhere in the file, on its own line.
  if (mod.model.fileNoqa) for (const c of mod.model.fileNoqa) if (c === '' || (code && code.startsWith(c))) return true;
  for (let line = site.line; line <= site.endLine; line++) {
    const codes = mod.model.noqa.get(line);
    if (!codes) continue;
    if (codes.size === 0) return true;
    if (code) for (const c of codes) if (code.startsWith(c)) return true;
  }
  return false;
}
