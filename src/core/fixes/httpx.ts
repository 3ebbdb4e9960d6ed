// LW101: a blocking `requests.get(...)` / `httpx.get(...)` in a coroutine becomes an awaited call on an
// httpx.AsyncClient: the client the function already holds (an `async with httpx.AsyncClient() as c`
// block around the call, or a parameter typed httpx.AsyncClient), else a new `async with` block around
// the statement. requests' keywords are translated so the request and the response keep their
// meaning: a body on GET/DELETE goes through client.request(method, url, ...) (httpx's get/delete
// take no body), timeout=None unless the call had one (httpx would stop after 5 s), a (connect,
// read) tuple becomes httpx.Timeout(None, connect=..., read=...), follow_redirects=True (requests
// follows them), and str(r.url) where the URL is read (httpx.URL is not a str). Calls whose options
// or response use have no httpx equivalent (r.ok, iter_content, r.raw, hooks) are left to the
// thread offload; raise_for_status() or an `except requests...` makes it a choice to check.
import type { Fix } from '../types';
import { type Binding, boundList, type FunctionInfo } from '../python/model';
import { awaitExpr, canAwaitAt, type FixContext, fnText, Imports, rawArgs, type Target } from './context';
import { NEED } from './imports';
import { type ArgText, atStatementStart, indentAt, lex, lineEndAt, lineStartAt, nextLineStart, splitArgs, usesWord } from './pyText';
import { bodyCode, checkTitle, codeOnly } from './safety';

const REQUESTS = /^requests(?:\.api)?\.(get|post|put|patch|delete|head|options|request)$/;
const HTTPX = /^httpx\.(get|post|put|patch|delete|head|options|request)$/;
/** Per-request keywords both libraries take unchanged. */
const SAME = new Set(['params', 'headers', 'cookies', 'json', 'files', 'auth', 'timeout']);
/** Keywords httpx only takes on the client. */
const CLIENT_LEVEL = new Set(['verify', 'cert', 'trust_env', 'proxy']);
/** requests.Response members that httpx.Response lacks (or has with another meaning). */
const RESPONSE_ONLY = /^(ok|reason|iter_content|iter_lines|raw|apparent_encoding|is_redirect|is_permanent_redirect|links|next|connection)$/;
const CLIENT_NAMES = ['client', 'http_client', 'async_client', 'httpx_client'];

interface Converted { callArgs: string; clientArgs: string[]; /** The call goes through client.request(METHOD, ...). */ viaRequest: boolean }

export function httpxFix(ctx: FixContext, t: Target): Fix | undefined {
  const f = t.finding;
  if (f.chain.length) return undefined;
  const rm = REQUESTS.exec(f.call);
  const hm = HTTPX.exec(f.call);
  const method = rm?.[1] ?? hm?.[1];
  if (!method || !canAwaitAt(ctx, t)) return undefined;
  const args = splitArgs(ctx.text, t.site.argsStart, t.site.end);
  const raw = rawArgs(ctx, t.site);
  if (!args || raw === undefined) return undefined;
  const imports = new Imports(ctx, t.fn);
  const conv = convertArgs(ctx, args, raw, t.site.argsStart + 1, method, !!rm, () => imports.need(NEED.httpx));
  if (!conv) return undefined;
  const verb = conv.viaRequest ? 'request' : method;
  const inLoop = t.site.loop >= 0;
  const note = rm
    ? 'requests\' defaults are kept: no timeout unless one was given, redirects followed; the response has the same .json(), .text, .content, .status_code and .headers.'
    : undefined;
  const problems: string[] = [];
  const fnCode = bodyCode(ctx.text, t.fn, ctx.memo);
  if (rm && /\braise_for_status\s*\(/.test(fnCode)) problems.push('raise_for_status() raises httpx.HTTPStatusError, also on 3xx');
  if (rm && /\bexcept\b[^:\n]*\brequests\b/.test(fnCode)) problems.push('the except clauses catch requests exceptions, which httpx does not raise');
  const urlEdits = rm ? strUrlEdits(ctx, t) : [];
  if (!urlEdits) return undefined;
  const existing = existingClient(ctx, t);
  if (existing) {
    if (conv.clientArgs.length) return undefined;
    return {
      kind: 'httpx',
      title: checkTitle(`Use the function's httpx.AsyncClient: await ${existing}.${verb}(...)`, problems),
      isPreferred: !inLoop && !problems.length,
      edits: [...imports.edits, { start: t.site.start, end: t.site.end, newText: awaitExpr(ctx, t.site.end, `${existing}.${verb}(${conv.callArgs})`) }, ...urlEdits],
      ...(note ? { note } : {}),
    };
  }
  // A new client: only around a simple statement (`x = call...`, `return call...`, `call...`).
  const { text } = ctx;
  const ls = lineStartAt(text, t.site.start);
  const pm = /^([ \t]*)((?:return[ \t]+|[A-Za-z_][\w.]*(?:[ \t]*:[^=\n]+)?[ \t]*=[ \t]*)?)$/.exec(text.slice(ls, t.site.start));
  if (!pm || !atStatementStart(text, t.fn.bodyStart, ls + pm[1].length, ctx.lexCache)) return undefined;
  const sm = /^((?:\.[A-Za-z_]\w*(?:\(\))?)*)[ \t]*(?:#.*)?$/.exec(text.slice(t.site.end, lineEndAt(text, t.site.end)));
  if (!sm) return undefined;
  if (rm && sm[1].split(/[.()]+/).some((a) => RESPONSE_ONLY.test(a))) return undefined;
  const target = /^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=/.exec(pm[2]);
  if (rm && target) {
    for (const m of text.slice(t.site.end, t.fn.end).matchAll(new RegExp(`\\b${target[1]}\\.(\\w+)`, 'g'))) if (RESPONSE_ONLY.test(m[1])) return undefined;
  }
  const body = fnText(ctx, t.fn);
  const client = CLIENT_NAMES.find((n) => !usesWord(body, n));
  const httpx = imports.need(NEED.httpx);
  if (!client || !httpx) return undefined;
  const indent = pm[1];
  let callArgs = conv.callArgs;
  if (!lex(text, t.site.argsStart, t.site.end).newlineInString) callArgs = callArgs.replace(/(\r?\n)(?![ \t]*\r?\n)/g, `$1${ctx.unit}`);
  const call = sm[1] ? `(await ${client}.${verb}(${callArgs}))` : `await ${client}.${verb}(${callArgs})`;
  const newText = `async with ${httpx}.AsyncClient(${conv.clientArgs.join(', ')}) as ${client}:${ctx.eol}${indent}${ctx.unit}${pm[2]}${call}`;
  return {
    kind: 'httpx',
    title: checkTitle(`Use httpx.AsyncClient: async with httpx.AsyncClient() as ${client}: await ${client}.${verb}(...)`, problems),
    isPreferred: !inLoop && !problems.length,
    edits: [...imports.edits, { start: ls + indent.length, end: t.site.end, newText }, ...urlEdits],
    ...(note ? { note } : {}),
  };
}

/** requests keywords -> httpx keywords; undefined when one has no safe equivalent. */
function convertArgs(ctx: FixContext, args: ArgText[], raw: string, rawStart: number, method: string, fromRequests: boolean, httpxName: () => string | undefined): Converted | undefined {
  const positional = method === 'request' ? 2 : 1;
  let sawTimeout = false;
  const clientArgs: string[] = [];
  const renames: { start: number; end: number; text: string }[] = [];
  const drops: ArgText[] = [];
  let sawRedirects = false;
  args.forEach((a, i) => {
    if (!a.kw) { if (i >= positional) drops.push({ ...a, kw: '?' }); return; }
    const value = ctx.text.slice(a.valueStart, a.end);
    if (a.kw === '*' || a.kw === '**') { drops.push({ ...a, kw: '?' }); return; }
    if (a.kw === 'timeout') {
      sawTimeout = true;
      if (!/^[(]/.test(value)) return;
      // requests' (connect, read) tuple; httpx.Timeout needs a default for write and pool: None, as requests has.
      const parts = splitArgs(ctx.text, a.valueStart, a.end);
      const h = httpxName();
      if (!fromRequests || !parts || parts.length !== 2 || parts.some((x) => x.kw) || !h) { drops.push({ ...a, kw: '?' }); return; }
      renames.push({ start: a.start, end: a.end, text: `timeout=${h}.Timeout(None, connect=${parts[0].text}, read=${parts[1].text})` });
      return;
    }
    if (SAME.has(a.kw)) return;
    if (CLIENT_LEVEL.has(a.kw) && (a.kw === 'verify' || a.kw === 'cert' || !fromRequests)) { clientArgs.push(a.text); drops.push(a); return; }
    if (fromRequests && a.kw === 'allow_redirects') { sawRedirects = true; renames.push({ start: a.start, end: a.valueStart, text: 'follow_redirects=' }); return; }
    if (fromRequests && a.kw === 'data') {
      // A str/bytes body is `content=` in httpx; a dict stays form data.
      if (/^[rbuRBUfF]{0,2}['"]/.test(value) || /^json\.dumps\(/.test(value)) renames.push({ start: a.start, end: a.valueStart, text: 'content=' });
      return;
    }
    if (!fromRequests && (a.kw === 'data' || a.kw === 'content' || a.kw === 'follow_redirects' || a.kw === 'extensions')) { if (a.kw === 'follow_redirects') sawRedirects = true; return; }
    drops.push({ ...a, kw: '?' });
  });
  if (drops.some((d) => d.kw === '?')) return undefined;
  if (args.filter((a) => !a.kw).length < positional) return undefined;
  // httpx's get/head/options/delete take no body: such a call goes through request(METHOD, url, ...).
  const hasBody = args.some((a) => a.kw === 'json' || a.kw === 'data' || a.kw === 'content' || a.kw === 'files');
  const viaRequest = method !== 'request' && hasBody && /^(get|head|options|delete)$/.test(method);
  if (viaRequest) renames.push({ start: rawStart, end: rawStart, text: `"${method.toUpperCase()}", ` });
  // requests follows redirects by default (except for HEAD) and waits forever; httpx does neither.
  const extras: string[] = [];
  if (fromRequests && !sawRedirects && method !== 'head') extras.push('follow_redirects=True');
  if (fromRequests && !sawTimeout) extras.push('timeout=None');
  const extra = extras.join(', ');
  let out = raw;
  for (const r of [...renames].sort((x, y) => y.start - x.start)) out = out.slice(0, r.start - rawStart) + r.text + out.slice(r.end - rawStart);
  if (drops.length) {
    const kept = args.filter((a) => !drops.includes(a)).map((a) => {
      const r = renames.find((x) => x.start === a.start && x.end > x.start);
      return r ? (r.end === a.end ? r.text : r.text + ctx.text.slice(a.valueStart, a.end)) : a.text;
    });
    out = [...(viaRequest ? [`"${method.toUpperCase()}"`] : []), ...kept, ...(extra ? [extra] : [])].join(', ');
  } else if (extra) {
    const m = /\s*$/.exec(out)!;
    const head = out.slice(0, m.index);
    // One argument per line with a trailing comma: the new ones follow the same layout.
    const layout = /(\r?\n[ \t]*)[^\n]*,$/.exec(head);
    if (layout && /\n/.test(m[0])) out = `${head}${extras.map((x) => `${layout[1]}${x},`).join('')}${m[0]}`;
    else out = head.endsWith(',') ? `${head} ${extra}${m[0]}` : `${head}, ${extra}${m[0]}`;
  }
  return { callArgs: out, clientArgs, viaRequest };
}

/** `str(r.url)` for every read of the response's URL after the call (httpx.URL is not a str); undefined when unsure. */
function strUrlEdits(ctx: FixContext, t: Target): Fix['edits'] | undefined {
  const { text } = ctx;
  const before = text.slice(lineStartAt(text, t.site.start), t.site.start);
  const target = /^[ \t]*(?:([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*|return[ \t]+)?$/.exec(before);
  const after = text.slice(t.site.end, lineEndAt(text, t.site.end));
  // `requests.get(u).url` on the call itself.
  if (/^\.url\b/.test(after)) return undefined;
  if (!target?.[1]) return [];
  // Every read to rewrite contains `.url` in the rest of the function (most functions have none).
  if (!text.slice(t.site.end, t.fn.end).includes('.url')) return [];
  const code = codeOnly(text, t.site.end, t.fn.end);
  const out: Fix['edits'] = [];
  for (const m of code.matchAll(new RegExp(`(?<![\\w.])${target[1]}\\.url\\b`, 'g'))) {
    const at = t.site.end + m.index!;
    const end = at + m[0].length;
    // `r.url.host` and friends have no requests meaning; `str(r.url)` is already a str.
    if (/^\s*[.[(]/.test(text.slice(end, end + 3))) return undefined;
    if (/str\(\s*$/.test(text.slice(Math.max(0, at - 8), at))) continue;
    out.push({ start: at, end, newText: `str(${m[0]})` });
  }
  return out;
}

/** A client the coroutine already has at the call: `async with httpx.AsyncClient() as c:` around it, or a parameter typed httpx.AsyncClient. */
function existingClient(ctx: FixContext, t: Target): string | undefined {
  const clients = clientsOf(ctx, t.fn);
  for (let i = 0; i < clients.length; i++) {
    const { name, b } = clients[i];
    if (b.kind === 'param') return name;
    if (b.off <= t.site.start && insideBlock(ctx, b.off, t.site.start)) return name;
  }
  return undefined;
}

/** The function's bindings to an httpx.AsyncClient (`async with` targets, typed parameters), in scope order: read once per function and context. */
function clientsOf(ctx: FixContext, fn: FunctionInfo): { name: string; b: Binding }[] {
  let clients = ctx.httpxClients?.get(fn);
  if (clients) return clients;
  clients = [];
  const scope = ctx.model.scopes[fn.scope];
  for (const [name, list] of scope.bindings) {
    for (const b of boundList(list)) {
      const type = b.kind === 'with' && b.expr ? ctx.resolver.resolve(b.expr) : b.kind === 'param' && b.annotation ? `${ctx.resolver.resolve(b.annotation)}()` : undefined;
      if (type === 'httpx.AsyncClient()') clients.push({ name, b });
    }
  }
  (ctx.httpxClients ??= new Map()).set(fn, clients);
  return clients;
}

/** Whether `offset` is inside the block of the compound statement whose header holds `headerOffset`. */
function insideBlock(ctx: FixContext, headerOffset: number, offset: number): boolean {
  const { text } = ctx;
  const headerStart = lineStartAt(text, headerOffset);
  const outer = indentAt(text, headerOffset).length;
  const last = lineStartAt(text, offset);
  for (let ls = nextLineStart(text, headerOffset); ls <= last && ls < text.length; ls = nextLineStart(text, ls)) {
    const line = text.slice(ls, lineEndAt(text, ls));
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const ind = /^[ \t]*/.exec(line)![0].length;
    if (atStatementStart(text, headerStart, ls + ind) && ind <= outer) return false;
  }
  return true;
}
