// Quick fixes for the checks that are not call tables:
//   LW302 never-awaited        `await` in front of the call, in a coroutine (not preferred: the body now runs); noqa
//   LW303 dropped-task         keep the task in a module-level set, discarded when done*; noqa
//   LW304 busy-loop            noqa (what the loop should await is the author's call)
//   LW501 per-request-logging  wrap the log call in `if elapsed > 0.5 or response.status_code >= 400:`
//                              (not preferred: fewer lines get logged); noqa
import type { CallSite, FunctionInfo } from '../python/model';
import { runsUnconditionally } from '../rules/per-request-logging';
import type { Finding, Fix } from '../types';
import { type FixContext, Imports, type Target } from './context';
import { afterImports, NEED } from './imports';
import { fileNoqaFix, noqaFix } from './noqa';
import { atStatementStart, escapeRegex, indentAt, lex, lineEndAt, lineStartAt, usesWord } from './pyText';

export const LOOP_CODES = new Set(['LW302', 'LW303', 'LW304', 'LW501']);

export function loopFixes(ctx: FixContext, f: Finding): Fix[] {
  const site = ctx.model.calls.find((c) => c.start === f.startOffset && c.end === f.endOffset);
  const fn = site && site.fn >= 0 ? ctx.model.functions[site.fn] : undefined;
  const out: (Fix | undefined)[] = [];
  if (site) {
    if (f.code === 'LW302') out.push(awaitFix(ctx, site, fn));
    if (f.code === 'LW303') out.push(keepTaskFix(ctx, site, fn));
    if (f.code === 'LW501' && fn) out.push(logGuardFix(ctx, site, fn));
  }
  // noqa goes on the finding's first line; the scan for strings starts at its enclosing function.
  const at = fn ?? ctx.model.functions.find((g) => !g.isLambda && g.start <= f.startOffset && f.startOffset < g.end);
  const line = { ...(site ?? ({} as CallSite)), line: f.line, endLine: f.endLine };
  const t = { finding: f, site: line, fn: at ?? ({ start: lineStartAt(ctx.text, f.startOffset) } as FunctionInfo) } as Target;
  out.push(noqaFix(ctx, t), fileNoqaFix(ctx, t));
  return out.filter((x): x is Fix => !!x);
}

/** The statement holding the call is the call alone on its line(s): returns the range of those lines. */
function ownLines(ctx: FixContext, site: CallSite, fn: FunctionInfo | undefined): { start: number; end: number; indent: string } | undefined {
  const from = fn ? lineStartAt(ctx.text, fn.bodyStart) : 0;
  if (!atStatementStart(ctx.text, from, site.start)) return undefined;
  const le = lineEndAt(ctx.text, site.end);
  if (!/^[ \t]*(#.*)?$/.test(ctx.text.slice(site.end, le))) return undefined;
  return { start: lineStartAt(ctx.text, site.start), end: le, indent: indentAt(ctx.text, site.start) };
}

function awaitFix(ctx: FixContext, site: CallSite, fn: FunctionInfo | undefined): Fix | undefined {
  if (!fn || !fn.isAsync || fn.isLambda || !site.stmt || site.awaited) return undefined;
  // Not preferred: the coroutine's body runs from now on (a mail is sent, a row written), and the
  // caller waits for it; whether that, or a background task, was meant is the author's call.
  return {
    kind: 'await',
    title: 'Await the coroutine (its body now runs, before the next statement: check that is what was meant)',
    isPreferred: false,
    edits: [{ start: site.start, end: site.start, newText: 'await ' }],
    note: 'Without await the coroutine never ran. If it was meant to run in the background, use asyncio.create_task(...) and keep a reference to the task instead.',
  };
}

const SET_NAME = '_background_tasks';

function keepTaskFix(ctx: FixContext, site: CallSite, fn: FunctionInfo | undefined): Fix | undefined {
  const own = ownLines(ctx, site, fn);
  if (!own || !site.stmt) return undefined;
  // A module-level `_background_tasks = set()` is reused; any other binding of the name blocks the fix.
  const bound = ctx.model.scopes[0].bindings.get(SET_NAME);
  const exists = !!bound && new RegExp(`^${SET_NAME}\\s*(:[^=\\n]*)?=\\s*set\\(\\)`, 'm').test(ctx.text);
  if (bound && !exists) return undefined;
  if (!bound && usesWord(ctx.text, SET_NAME)) return undefined;
  const scopeText = fn ? ctx.text.slice(fn.start, fn.end) : ctx.text;
  const name = ['task', 'bg_task', 'background_task'].find((n) => !usesWord(scopeText, n) && (!fn || !ctx.model.scopes[fn.scope]?.bindings.has(n)));
  if (!name) return undefined;
  const { eol } = ctx;
  const edits: Fix['edits'] = [];
  if (!exists) {
    const at = afterImports(ctx.text, ctx.model, ctx.memo);
    edits.push({ start: at, end: at, newText: `${eol}# Running tasks: the event loop keeps only weak references to them.${eol}${SET_NAME} = set()${eol}` });
  }
  const call = ctx.text.slice(site.start, site.end);
  edits.push({ start: site.start, end: site.end, newText: `${name} = ${call}${eol}${own.indent}${SET_NAME}.add(${name})${eol}${own.indent}${name}.add_done_callback(${SET_NAME}.discard)` });
  return { kind: 'keep-task', title: `Keep a reference to the task (${SET_NAME}.add(${name}), discarded when done)`, isPreferred: true, edits };
}

const CLOCK = /(?:time\.)?(perf_counter|monotonic|time)\(\)/.source;

function logGuardFix(ctx: FixContext, site: CallSite, fn: FunctionInfo): Fix | undefined {
  const own = ownLines(ctx, site, fn);
  if (!own || !site.stmt || !runsUnconditionally(ctx.text, fn, site.start)) return undefined;
  const st = lex(ctx.text, own.start, own.end, 99);
  if (st.newlineInString || st.inString || st.depth !== 0) return undefined;
  const base = lineStartAt(ctx.text, fn.bodyStart);
  const before = ctx.text.slice(base, own.start);
  const next = fn.params.map((p) => p.name).find((n) => /call_next|next/.test(n)) ?? fn.params[fn.params.length - 1]?.name;
  if (!next) return undefined;
  const resp = new RegExp(`^([ \\t]*)(\\w+)(?:[ \\t]*:[^=\\n]+)?[ \\t]*=[ \\t]*await[ \\t]+${escapeRegex(next)}[ \\t]*\\(`, 'm').exec(before);
  if (!resp || !runsUnconditionally(ctx.text, fn, base + resp.index + resp[1].length)) return undefined;
  const response = resp[2];
  const respLine = base + resp.index;
  const edits: Fix['edits'] = [];
  let elapsed: string;
  const e = new RegExp(`^[ \\t]*(\\w+)[ \\t]*=[ \\t]*(\\()?[ \\t]*${CLOCK}[ \\t]*-[ \\t]*\\w+[ \\t]*(\\))?([ \\t]*\\*[ \\t]*1000)?[ \\t]*(#.*)?$`, 'm').exec(before);
  const s = new RegExp(`^[ \\t]*(\\w+)[ \\t]*=[ \\t]*(${CLOCK})[ \\t]*(#.*)?$`, 'm').exec(before.slice(0, respLine - base));
  if (e && (!e[2] === !e[4])) {
    elapsed = `${e[1]} > ${e[5] ? '500' : '0.5'}`;
  } else if (s) {
    elapsed = `${s[2]} - ${s[1]} > 0.5`;
  } else {
    const imports = new Imports(ctx, fn);
    const time = imports.need(NEED.time);
    const start = ['request_start', 'start_time', 'started_at'].find((n) => !usesWord(ctx.text.slice(fn.start, fn.end), n));
    if (!time || !start) return undefined;
    edits.push(...imports.edits, { start: respLine, end: respLine, newText: `${resp[1]}${start} = ${time}.perf_counter()${ctx.eol}` });
    elapsed = `${time}.perf_counter() - ${start} > 0.5`;
  }
  const lines = ctx.text.slice(own.start, own.end).split(/\r?\n/);
  const body = lines.map((l) => (l.trim() ? ctx.unit + l : l)).join(ctx.eol);
  edits.push({ start: own.start, end: own.end, newText: `${own.indent}if ${elapsed} or ${response}.status_code >= 400:${ctx.eol}${body}` });
  return {
    kind: 'log-guard',
    title: 'Log only slow (> 0.5 s) or failed (status >= 400) requests (other requests are no longer logged: check nothing reads these lines)',
    isPreferred: false,
    edits,
  };
}
