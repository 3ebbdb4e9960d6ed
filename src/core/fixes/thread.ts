// Offloads blocking work to a thread: `await asyncio.to_thread(fn, *args, **kwargs)`, or FastAPI's
// `await run_in_threadpool(...)`. The whole blocking expression moves, never only its cheap head:
//   db.query(User).filter(...).first()   ->  await asyncio.to_thread(lambda: db.query(User).filter(...).first())
//   for r, d, f in os.walk(p):            ->  for r, d, f in await asyncio.to_thread(lambda: list(os.walk(p))):
//   with open(p) as f: x = f.read()      ->  x = await asyncio.to_thread(Path(p).read_text)   (path.ts)
// The arguments are kept exactly as written; for a method call such as `client.chat.completions.create(...)`
// the bound method is what is passed. The safety conditions (safety.ts) decide whether it is preferred.
import { QUERY_RUNS, SESSION_QUERY } from '../rules/blocking-database';
import type { Fix } from '../types';
import { awaitExpr, canAwaitAt, type FixContext, Imports, rawArgs, type Target, withArgs } from './context';
import { NEED } from './imports';
import { isBareGenerator, lex, splitArgs, stripStrings } from './pyText';
import { inWithHeader } from './path';
import { checkTitle, codeOnly, threadCheck } from './safety';

export type ThreadVariant = 'to_thread' | 'threadpool';

/** Iterators that do their I/O while being iterated: the thread must drain them. */
const LAZY = /^(os\.(walk|scandir|fwalk)|glob\.iglob|pathlib\.(Pure)?Path\(\)\.(iterdir|glob|rglob))$/;
/** Names of the lists os.walk yields; pruning them in place steers the walk, which a drained list cannot. */
const PRUNE = /\[\s*:\s*\]\s*=|\.(remove|clear|pop|sort|append|extend|insert)\s*\(|\bdel\s+/;

/**
 * What both variants of one finding's thread fix read (to_thread and threadpool are asked for the
 * same target in a row): the callee, the failed conditions, and what moves into the thread; undefined
 * when no thread fix fits whatever the wrapper.
 */
export interface ThreadMove {
  callee: string;
  problems: string[];
  lazy: boolean;
  /** The whole expression (the calls chained on the result too) as the lambda's body. */
  expr?: string;
  /** Otherwise the call's own arguments, as written, and whether one of them is named `func`. */
  raw?: string;
  funcKw?: boolean;
  end: number;
}

function threadMove(ctx: FixContext, t: Target): ThreadMove | undefined {
  if (!canAwaitAt(ctx, t)) return undefined;
  const callee = ctx.text.slice(t.site.start, t.site.calleeEnd);
  const receiver = /^(.*)\.[A-Za-z_]\w*$/s.exec(callee)?.[1] ?? '';
  const check = threadCheck(ctx, t.site.callee, t.finding.call, receiver);
  const problems = [...check.problems];
  // `with await asyncio.to_thread(smtplib.SMTP, ...) as s:` would leave the block's exit (close, quit) on the loop.
  if (inWithHeader(ctx, t)) problems.push('the with block and its exit still run on the event loop');
  // A streamed requests response reads its body later (iter_content, .content), back on the loop.
  if (/^requests\./.test(t.finding.call) && t.site.kw.stream && !(t.site.kw.stream.k === 'num' && t.site.kw.stream.v === 0)) problems.push('stream=True: the body is read later, on the event loop');
  // Chained calls on the result (`.filter(...).first()`) block too; plain `.attr` / `[i]` reads do not.
  const tr = trailers(ctx.text, t.site.end);
  let chainEnd = /\(/.test(stripStrings(ctx.text.slice(t.site.end, tr.end))) ? tr.end : t.site.end;
  const lazy = !t.finding.chain.length && LAZY.test(t.finding.call);
  // A legacy SQLAlchemy Query runs its SQL at a terminal call, a subscript, or where it is iterated.
  let query = false;
  if (!t.finding.chain.length && t.finding.call === SESSION_QUERY) {
    chainEnd = tr.end;
    // A terminal call or a subscript runs the SQL: the whole expression moves (`.first().name` too).
    if (!tr.queryRuns) {
      if (tr.last === '.') problems.push('the expression ends in an attribute of the Query (a bound method runs its SQL where it is called)');
      else query = true;
    }
  }
  if (chainEnd > t.site.end || lazy || query) {
    // The whole expression runs in the thread: the calls chained on the result block too.
    let expr = ctx.text.slice(t.site.start, chainEnd);
    if (/\b(await|yield)\b/.test(stripStrings(expr)) || lex(ctx.text, t.site.start, chainEnd, 99).comments) return undefined;
    if (lazy) {
      if (chainEnd > t.site.end || !t.site.forIterable) return undefined;
      expr = `list(${expr})`;
      if (/^os\.(walk|fwalk)$/.test(t.finding.call) && prunes(ctx, t)) problems.push('the loop prunes the lists os.walk yields; a drained walk ignores that');
    } else if (query) {
      // Moving only the build would leave the SELECT on the loop: the thread drains the Query. A for
      // loop or comprehension over it (the model's forIterable, set on every call the iterable starts
      // with) iterates the list the same way; any other use now gets a list, not a Query.
      expr = `list(${expr})`;
      if (!t.site.forIterable) problems.push('the Query runs where its value is used: list(...) runs it in the thread, so its uses get a list, not a Query');
    }
    return { callee, problems, lazy: lazy || query, expr, end: chainEnd };
  }
  let raw = rawArgs(ctx, t.site);
  const args = splitArgs(ctx.text, t.site.argsStart, t.site.end, true);
  if (raw === undefined || !args) return undefined;
  // `f(x for x in xs)` needs its own parentheses once it is one argument among others.
  if (args.length === 1 && !args[0].kw && isBareGenerator(args[0].text)) raw = `(${raw.trim()})`;
  return { callee, problems, lazy, raw, funcKw: args.some((a) => a.kw === 'func'), end: t.site.end };
}

export function threadFix(ctx: FixContext, t: Target, variant: ThreadVariant, wantPreferred: boolean, note?: string): Fix | undefined {
  let move: ThreadMove | undefined;
  if (ctx.threadMove?.target === t) move = ctx.threadMove.move;
  else { move = threadMove(ctx, t); ctx.threadMove = { target: t, move }; }
  if (!move) return undefined;
  const { callee, problems, lazy } = move;
  const imports = new Imports(ctx, t.fn);
  let wrapper: string | undefined;
  if (variant === 'to_thread') {
    const asyncio = imports.need(NEED.asyncio);
    wrapper = asyncio && `${asyncio}.to_thread`;
  } else {
    wrapper = imports.need(NEED.runInThreadpool);
  }
  if (!wrapper) return undefined;
  let call: string;
  let kind: Fix['kind'] = variant === 'to_thread' ? 'thread' : 'threadpool';
  let title: string;
  if (move.expr !== undefined) {
    call = `${wrapper}(lambda: ${move.expr})`;
    kind = 'thread-chain';
    title = `Run ${lazy ? `list(${callee}(...))` : `the whole expression ${callee}(...)...`} in a thread: await ${variant === 'to_thread' ? 'asyncio.to_thread' : 'run_in_threadpool'}(lambda: ...)`;
  } else {
    // run_in_threadpool(func, *args, **kwargs) would take a keyword named `func` for itself.
    if (variant === 'threadpool' && move.funcKw) return undefined;
    call = `${wrapper}(${withArgs(callee, move.raw!)})`;
    title = variant === 'to_thread' ? `Run ${callee} in a thread: await asyncio.to_thread(...)` : `Run ${callee} in FastAPI's threadpool: await run_in_threadpool(...)`;
  }
  return {
    kind,
    title: checkTitle(title, problems),
    isPreferred: wantPreferred && problems.length === 0,
    edits: [...imports.edits, { start: t.site.start, end: move.end, newText: awaitExpr(ctx, move.end, call) }],
    ...(note ? { note } : {}),
  };
}

/**
 * A `.name` trailer, after blanks, line breaks and comments: a `.name` that starts a line continues the
 * expression (only inside brackets is that valid Python), so a comment before it does not end the chain.
 */
const TRAILER_NAME = /^(?:[ \t\r\n\\]|#[^\n]*\n)*\.[ \t]*([A-Za-z_]\w*)/;

/** The `.name`, `(...)` and `[...]` trailers after an expression (see trailers). */
interface Trailers {
  /** Where they end (where they start when a bracket does not close). */
  end: number;
  /** The last one: a called method's name, '.' for an attribute, '[]' for a subscript, '()' for none. */
  last: string;
  /** Whether one runs a legacy Query's SQL: a terminal method called (QUERY_RUNS) or a subscript. */
  queryRuns: boolean;
}

/**
 * The trailers after `end`. A `.name` may follow a line break (inside brackets; no statement starts
 * with `.name`); a bracket only on the same line.
 */
function trailers(text: string, end: number): Trailers {
  let last = '()';
  let queryRuns = false;
  let i = end;
  for (;;) {
    const m = TRAILER_NAME.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      last = /^[ \t]*\(/.test(text.slice(i, i + 50)) ? m[1] : '.';
      if (QUERY_RUNS.has(last)) queryRuns = true;
      continue;
    }
    const open = /^[ \t]*([([])/.exec(text.slice(i, i + 50));
    if (!open) return { end: i, last, queryRuns };
    const close = matching(text, i + open[0].length - 1);
    if (close < 0) return { end, last: '()', queryRuns: false };
    if (open[1] === '[') { last = '[]'; queryRuns = true; }
    i = close + 1;
  }
}

function matching(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < Math.min(text.length, open + 100_000); j++) {
    const c = text[j];
    if (c === '#') return -1;
    if (c === '"' || c === "'") {
      const q = text.startsWith(c.repeat(3), j) ? c.repeat(3) : c;
      let k = j + q.length;
      while (k < text.length && !text.startsWith(q, k)) k += text[k] === '\\' ? 2 : 1;
      j = k + q.length - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { depth--; if (depth === 0) return j; }
  }
  return -1;
}

/** Whether the body of the for loop the call heads changes one of its targets in place. */
function prunes(ctx: FixContext, t: Target): boolean {
  const loop = ctx.model.loops.find((l) => l.kind === 'for' && l.start <= t.site.start && t.site.end <= l.bodyStart);
  if (!loop) return true;
  const body = codeOnly(ctx.text, loop.bodyStart, loop.end);
  return loop.targets.some((n) => new RegExp(`(?<![\\w.])${n}\\s*(${PRUNE.source})`).test(body) || new RegExp(`\\bdel\\s+${n}\\b`).test(body));
}
