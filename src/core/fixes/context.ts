// What every fix builder reads: the file's text and model, its line ending and indentation, and
// the finding's call site and coroutine.
import type { Resolver } from '../python/resolve';
import type { Binding, CallSite, FileModel, FunctionInfo } from '../python/model';
import type { Finding, Fix, FunctionKind, TextEdit } from '../types';
import { ensureImport, type ImportNeed } from './imports';
import type { FixMemo, FunctionIndex } from './safety';
import { hasTrailer, type LexCache, lineEndAt, lineStartAt } from './pyText';
import type { ThreadMove } from './thread';

export interface FixContext {
  text: string;
  model: FileModel;
  resolver: Resolver;
  eol: string;
  /** One indentation level as the file writes it. */
  unit: string;
  /** Role of the function that starts at this line (`route`, `dependency`, ...), if FastAPI knows it. */
  kindAt(line: number): FunctionKind | undefined;
  /** Functions of the other analysed files by qualified name, for the safety checks through the call graph. */
  functions?: FunctionIndex;
  /** What this fix run has already read (safety facts, body code), shared by the files of one run. */
  memo?: FixMemo;
  /** Call sites by start offset (built on first use, when the model's calls are not in start order). */
  sitesByStart?: Map<number, CallSite[]>;
  /** lex states (bracket depth 99) by start, for noqaFix's scans from a function's first line (see lexFrom). */
  lexCache?: LexCache;
  /** Whether the model's calls are in start order (checked on first use): then targetOf searches them. */
  callsSorted?: boolean;
  /** fileNoqaFix's fix per code (null: none), made once per file. */
  fileNoqa?: Map<string, Fix | null>;
  /** Whether the file imports fastapi (asked per blocking finding, read once). */
  usesFastapi?: boolean;
  /** Per function: its bindings to an httpx.AsyncClient (httpx.ts), read on first use. */
  httpxClients?: Map<FunctionInfo, { name: string; b: Binding }[]>;
  /** What the last target's thread fixes move (thread.ts): its two variants are asked in a row. */
  threadMove?: { target: Target; move: ThreadMove | undefined };
}

export interface Target {
  finding: Finding;
  site: CallSite;
  /** The coroutine holding the call. */
  fn: FunctionInfo;
}

/** The finding's call site and coroutine, or undefined when the model does not line up with it. */
export function targetOf(ctx: FixContext, finding: Finding): Target | undefined {
  const site = siteAt(ctx, finding.startOffset, finding.endOffset);
  if (!site || site.fn < 0) return undefined;
  const fn = ctx.model.functions[site.fn];
  if (!fn || !fn.isAsync || fn.isLambda) return undefined;
  return { finding, site, fn };
}

/** The first call site (in the model's order) spanning [start, end). */
function siteAt(ctx: FixContext, start: number, end: number): CallSite | undefined {
  const calls = ctx.model.calls;
  if (ctx.callsSorted === undefined) {
    // Each start read once (a compact model's `start` is a getter; this loop runs once per file, over all its calls).
    let sorted = true;
    let prev = calls.length ? calls[0].start : 0;
    for (let i = 1; i < calls.length && sorted; i++) { const cur = calls[i].start; sorted = prev <= cur; prev = cur; }
    ctx.callsSorted = sorted;
  }
  if (ctx.callsSorted) {
    // The calls starting at `start` sit together, in the model's order: the first with the end wins.
    let lo = 0;
    let hi = calls.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (calls[mid].start < start) lo = mid + 1; else hi = mid; }
    for (let i = lo; i < calls.length && calls[i].start === start; i++) if (calls[i].end === end) return calls[i];
    return undefined;
  }
  if (!ctx.sitesByStart) {
    ctx.sitesByStart = new Map();
    for (const c of calls) {
      const list = ctx.sitesByStart.get(c.start);
      if (list) list.push(c); else ctx.sitesByStart.set(c.start, [c]);
    }
  }
  return ctx.sitesByStart.get(start)?.find((c) => c.end === end);
}

/** Collects the import edits a fix needs; `local` gives the name to write, undefined when a name is taken. */
export class Imports {
  readonly edits: TextEdit[] = [];
  constructor(private ctx: FixContext, private fn: FunctionInfo) {}

  need(need: ImportNeed): string | undefined {
    const r = ensureImport(this.ctx.text, this.ctx.model, need, this.ctx.eol, this.fn.scope, this.ctx.memo);
    if (!r) return undefined;
    if (r.edit && !this.edits.some((e) => e.start === r.edit!.start && e.newText === r.edit!.newText)) this.edits.push(r.edit);
    return r.local;
  }
}

/**
 * Whether `await` may be written at the call: directly in the coroutine (not in a lambda or nested
 * def) and not inside a generator expression, which `await` would turn into an async generator.
 */
export function canAwaitAt(ctx: FixContext, t: Target): boolean {
  if (t.site.awaited) return false;
  for (let l = t.site.loop; l >= 0; l = ctx.model.loops[l].parent) {
    const loop = ctx.model.loops[l];
    if (loop.kind === 'comp' && ctx.text[loop.start] !== '[' && ctx.text[loop.start] !== '{') return false;
  }
  return true;
}

/** `await <expr>` at the call's place, parenthesised when the call is followed by `.x`, `[i]` or `(...)`. */
export function awaitExpr(ctx: FixContext, end: number, expr: string): string {
  return hasTrailer(ctx.text, end) ? `(await ${expr})` : `await ${expr}`;
}

/** The call's source text of its arguments (between the parentheses), exactly as written. */
export function rawArgs(ctx: FixContext, site: CallSite): string | undefined {
  if (ctx.text[site.argsStart] !== '(' || ctx.text[site.end - 1] !== ')') return undefined;
  return ctx.text.slice(site.argsStart + 1, site.end - 1);
}

/** `callee` followed by the raw argument text, for `fn(callee, <args>)` style wrappers. */
export function withArgs(head: string, raw: string): string {
  if (!raw.trim()) return head;
  return /^[\r\n]/.test(raw) ? `${head},${raw}` : `${head}, ${raw}`;
}

export function lineText(ctx: FixContext, offset: number): string {
  return ctx.text.slice(lineStartAt(ctx.text, offset), lineEndAt(ctx.text, offset));
}

/** The function's source text. */
export function fnText(ctx: FixContext, fn: FunctionInfo): string {
  return ctx.text.slice(fn.start, fn.end);
}
