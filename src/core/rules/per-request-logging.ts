// LW501: an HTTP middleware that logs on every request. The founding guide's mem0 case found its idle
// CPU in exactly this: a log line (formatting, handler lock, a synchronous write) per request, for
// every request. Log only slow (> 0.5 s) or failed (status >= 400) requests. Also: logging handlers
// that write to a file or the network synchronously, in an app whose coroutines log through them.
import type { CallSite, FunctionInfo } from '../python/model';
import { atStatementStart, lineEndAt, lineStartAt } from '../fixes/pyText';
import type { ModuleEntry } from '../symbols';
import { fnOf, type LoopCheckContext, isSuppressed } from './loop-checks';
import { PatternTable } from './table';

export const perRequestLogging = { code: 'LW501', name: 'per-request-logging', title: 'Logging on every request' };

const LEVELS = '{info,warning,warn,error,critical,exception,log,success,msg}';
/** Log calls that emit at a level production keeps (debug and trace are left out: off in production). */
const LOG_CALLS = new PatternTable<'logging' | 'other'>();
LOG_CALLS.add(`logging.${LEVELS}`, 'logging');
LOG_CALLS.add(`logging.{getLogger,Logger,LoggerAdapter,getLoggerClass}(){,.*}.${LEVELS}`, 'logging');
LOG_CALLS.add(`loguru.logger{,.*}.${LEVELS}`, 'other');
LOG_CALLS.add(`structlog{,.stdlib}.{get_logger,getLogger,wrap_logger}(){,.*}.${LEVELS}`, 'other');
LOG_CALLS.add('builtins.print', 'other');
LOG_CALLS.add('sys.{stdout,stderr}.write', 'other');

/** Handlers that write synchronously, on the thread that logs (the event loop's, in a coroutine). */
export const SYNC_HANDLERS = new Set([
  'logging.FileHandler', 'logging.handlers.RotatingFileHandler', 'logging.handlers.TimedRotatingFileHandler',
  'logging.handlers.WatchedFileHandler', 'logging.handlers.SMTPHandler', 'logging.handlers.HTTPHandler',
  'logging.handlers.SocketHandler',
]);
const QUEUE_LISTENER = 'logging.handlers.QueueListener';

/** Block headers that make a statement run on some requests only. */
const CONDITIONAL = /^(if|elif|else|except|case|match)\b/;

export function logCallKind(canonical: string | undefined, site: CallSite): 'logging' | 'other' | undefined {
  if (!canonical) return undefined;
  const kind = LOG_CALLS.get(canonical)?.value;
  if (!kind) return undefined;
  // `logger.log(logging.DEBUG, ...)` is debug logging too.
  const level = canonical.endsWith('.log') ? site.args[0] : undefined;
  if (level && level.k === 'attr' && /^(DEBUG|NOTSET)$/.test(level.a)) return undefined;
  return kind;
}

interface LogicalLine { start: number; indent: number; text: string }

/** The logical lines of a function body that start before `until` (statement starts only). */
function logicalLines(text: string, fn: FunctionInfo, until: number): LogicalLine[] {
  const out: LogicalLine[] = [];
  const from = lineStartAt(text, fn.bodyStart);
  for (let ls = from; ls < until; ) {
    const le = lineEndAt(text, ls);
    const m = /^[ \t]*/.exec(text.slice(ls, Math.min(le, ls + 200)))![0];
    const first = ls + m.length;
    if (first < le && text[first] !== '#' && (ls === from || atStatementStart(text, from, first))) {
      out.push({ start: first, indent: widthOf(m), text: text.slice(first, le) });
    }
    ls = le + (text[le] === '\r' && text[le + 1] === '\n' ? 2 : 1);
  }
  return out;
}

function widthOf(indent: string): number {
  let w = 0;
  for (const ch of indent) w = ch === '\t' ? w + 8 - (w % 8) : w + 1;
  return w;
}

/**
 * Whether the statement at `offset` runs on every call of the function: it starts a logical line,
 * no `if` / `else` / `except` / `case` block holds it, and no `return` comes before it (an early
 * return makes what follows conditional: `if fast: return await call_next(request)`).
 */
export function runsUnconditionally(text: string, fn: FunctionInfo, offset: number): boolean {
  const from = lineStartAt(text, fn.bodyStart);
  if (offset !== fn.bodyStart && !atStatementStart(text, from, offset)) return false;
  let indent = widthOf(text.slice(lineStartAt(text, offset), offset));
  const lines = logicalLines(text, fn, lineStartAt(text, offset));
  const bodyIndent = lines.length ? Math.min(...lines.map((l) => l.indent)) : indent;
  if (lines.some((l) => /^return\b/.test(l.text))) return false;
  for (let i = lines.length - 1; i >= 0 && indent > bodyIndent; i--) {
    const l = lines[i];
    if (l.indent >= indent) continue;
    if (CONDITIONAL.test(l.text)) return false;
    indent = l.indent;
  }
  return true;
}

export function checkPerRequestLogging(cx: LoopCheckContext, mod: ModuleEntry): void {
  const { code } = perRequestLogging;
  if (!cx.enabled(code)) return;
  // Only middleware is read: most workspaces have none, and then no function need be looked at.
  if (cx.hasRole && !cx.hasRole('middleware')) return;
  let text: string | undefined;
  for (const fn of mod.model.functions) {
    if (!fn.isAsync || cx.roleOf(fn)?.kind !== 'middleware') continue;
    text ??= cx.textOf(mod.file);
    if (text === undefined) return;
    for (const c of cx.graph.callsOf({ mod, fn })) {
      const site = c.site;
      if (!site.stmt || site.fn !== fn.id || !logCallKind(c.canonical, site) || isSuppressed(mod, site, code)) continue;
      if (!runsUnconditionally(text, fn, site.start)) continue;
      const message = `${site.text}(...) runs on every request in ${cx.where(mod, fn)}: a log line per request costs CPU (formatting, the handler's lock and write) on the event loop; log only slow or failed requests (if elapsed > 0.5 or response.status_code >= 400)`;
      cx.report(mod, fn, site, code, 'info', message, c.canonical!, { shape: 'per-request-logging', call: site.text });
    }
  }
}

const handlerCallsMemo = new WeakMap<object, CallSite[]>();
/** The calls of a model that may construct a logging handler or listener, once per model (re-analyses after an edit reuse it). */
export function handlerCalls(mod: ModuleEntry): CallSite[] {
  let out = handlerCallsMemo.get(mod.model);
  if (!out) {
    out = [];
    // Both names end in `r`: one character read rules out most sites (an indexed loop: no iterator per site).
    const calls = mod.model.calls;
    for (let i = 0; i < calls.length; i++) {
      const t = calls[i].text;
      if (t.charCodeAt(t.length - 1) === 114 && (t.endsWith('Handler') || t.endsWith('Listener'))) out.push(calls[i]);
    }
    handlerCallsMemo.set(mod.model, out);
  }
  return out;
}

/** `fastapi`, `starlette` or a name inside them (startsWith: a regex per import of every module cost more on large workspaces). */
const isWeb = (q: string) => isOrIn(q, 'fastapi') || isOrIn(q, 'starlette');
const isOrIn = (q: string, pkg: string) => q.startsWith(pkg) && (q.length === pkg.length || q.charCodeAt(pkg.length) === 46);

/**
 * What webModules reads of a module, once per module entry while the workspace's modules are the same
 * (the editor analyses again on every keystroke; only the edited file's entry is new).
 */
const importsMemo = new WeakMap<ModuleEntry, { modules: Map<string, ModuleEntry>; imported: string[]; web: boolean; server: boolean }>();
function importsOf(cx: LoopCheckContext, mod: ModuleEntry): { imported: string[]; web: boolean; server: boolean } {
  let m = importsMemo.get(mod);
  if (m?.modules !== cx.index.modules) {
    m = { modules: cx.index.modules, imported: importedModules(cx, mod), web: mod.model.imports.some((i) => isWeb(i.q)), server: mod.model.imports.some((i) => isServer(i.q)) };
    importsMemo.set(mod, m);
  }
  return m;
}

/** The project modules a module imports. */
function importedModules(cx: LoopCheckContext, mod: ModuleEntry): string[] {
  const out: string[] = [];
  for (const imp of mod.model.imports) {
    for (let q = imp.q; q; q = q.includes('.') ? q.slice(0, q.lastIndexOf('.')) : '') {
      const m = cx.index.modules.get(q);
      if (m) { out.push(m.model.module); break; }
    }
  }
  return out;
}

const isServer = (q: string) => /^(uvicorn|gunicorn|hypercorn|granian)(\.|$)/.test(q);

/**
 * Modules that are part of a web app: they import FastAPI / Starlette, are imported by such a module
 * (its logging setup), or serve one (import it and a server: `uvicorn.run(app)`). A worker process
 * (Celery) that merely shares modules with the app is not part of it, nor is test code.
 */
function webModules(cx: LoopCheckContext, all: ModuleEntry[]): Set<string> {
  // Tests, scripts and examples (a TestClient suite) do not make a module part of the app.
  const app = all.filter((m) => !m.testCode);
  const direct = new Set(app.filter((m) => importsOf(cx, m).web).map((m) => m.model.module));
  const out = new Set(direct);
  for (const mod of app) {
    const { imported, server } = importsOf(cx, mod);
    if (direct.has(mod.model.module)) for (const q of imported) out.add(q);
    else if (server && imported.some((q) => direct.has(q))) out.add(mod.model.module);
  }
  return out;
}

/** Sync file / network handlers configured in a web app whose coroutines log through `logging`. */
export function checkSyncHandlers(cx: LoopCheckContext, mods: Iterable<ModuleEntry>, all: ModuleEntry[], coroutinesLog: () => number): void {
  const { code } = perRequestLogging;
  if (!cx.enabled(code)) return;
  let count: number | undefined;
  let web: Set<string> | undefined;
  for (const mod of mods) {
    const candidates = handlerCalls(mod);
    if (!candidates.length) continue;
    const names = candidates.map((s) => cx.graph.canonical(mod, s.callee));
    if (names.includes(QUEUE_LISTENER)) continue;
    web ??= webModules(cx, all);
    if (!web.has(mod.model.module)) continue;
    candidates.forEach((site, i) => {
      const name = names[i];
      if (!name || !SYNC_HANDLERS.has(name) || isSuppressed(mod, site, code)) return;
      count ??= coroutinesLog();
      if (!count) return;
      const fn = fnOf(mod, site);
      const kind = name.slice(name.lastIndexOf('.') + 1);
      const message = `${kind} writes synchronously on the thread that logs, and ${count} coroutine${count === 1 ? '' : 's'} log through \`logging\` on the event loop: each record waits for the ${/SMTP|HTTP|Socket/.test(kind) ? 'network' : 'disk'} there; attach a logging.handlers.QueueHandler instead and run this handler in a logging.handlers.QueueListener`;
      cx.report(mod, fn, site, code, 'info', message, name, { shape: 'sync-log-handler', kind, count: String(count), medium: /SMTP|HTTP|Socket/.test(kind) ? 'network' : 'disk' });
    });
  }
}
