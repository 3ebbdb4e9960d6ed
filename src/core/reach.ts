// Which files of a cold scan the analysis can need (issue 13, item 2): a file that holds no
// coroutine, gives no function a FastAPI role, registers nothing global (listeners, tasks), calls
// no coroutine and is imported by no file that does contributes nothing to the results, so it is
// read (and counted) but never parsed or modelled. The test is lexical and conservative: a word in
// a comment or string makes a file needed, never the other way round.
//
// A file is needed when
//  - its text holds a word the analysis starts from (SEED_WORDS: coroutines, FastAPI/Starlette roles,
//    the async libraries whose calls create coroutines, SQLAlchemy listeners, tasks), a route
//    decorator, or a name bound (`x = ...`, `import ... as x`) from such a word anywhere;
//  - it imports a workspace module and names a coroutine function of the workspace (a call that
//    creates it, LW302, or an override of it, LW301's first-party trips), or makes a bare call
//    whose method name is one of a library coroutine's (`session.close()` on an AsyncSession
//    another module hands out);
//  - a needed file imports it: the import's module, its packages, the modules the index may match by
//    dotted suffix, and its submodules whose names occur in the importer's text (`pkg.sub.f()`).
// Files sharing a module name are needed together (the index numbers them in order).
import type { SourceFile } from './analyzer';
import { relativeImportTarget } from './python/sourceRoots';

/** Words the analysis starts from (derived from fastapi/app.ts, rules/*, callgraph.ts listeners). */
const SEED_WORDS = [
  // coroutines and what only a coroutine holds
  'async', 'await',
  // FastAPI / Starlette roles (fastapi/app.ts ROLE_CALLS, DECORATOR_METHODS, MIDDLEWARE_BASES, dependencies, lifespan)
  'FastAPI', 'APIRouter', 'Starlette', 'add_middleware', 'add_api_route', 'add_api_websocket_route', 'add_websocket_route',
  'add_exception_handler', 'add_event_handler', 'include_router', 'api_route', 'websocket', 'websocket_route', 'middleware',
  'exception_handler', 'on_event', 'BaseHTTPMiddleware', 'dispatch', 'Depends', 'Security', 'lifespan',
  // LW303 tasks, SQLAlchemy listeners (callgraph.ts listeners(); `listen` counts with `event`, see below)
  'create_task', 'ensure_future', 'listens_for',
];
/**
 * Libraries whose objects' methods are coroutines (rules/never-awaited.ts KNOWN_COROUTINES): a file
 * naming one may create a coroutine by a bare call (`asyncio.sleep(1)`, `client.get(...)` on an
 * AsyncClient), and hands such objects to its importers.
 */
const ASYNC_LIBS = /\b(?:asyncio|fastapi|starlette|aiohttp|AsyncOpenAI|AsyncAzureOpenAI|AsyncSession|AsyncEngine|AsyncClient)\b/;
/** Whether `t` may hold an ASYNC_LIBS word: each holds one of these (a substring search is cheaper than the regex). */
const mayNameAsyncLib = (t: string) => t.includes('sync') || t.includes('fastapi') || t.includes('starlette') || t.includes('aiohttp');
/** Seed words whose aliases are seeds too: registrations that name no route (listeners, tasks, role calls). */
const ALIASED_SEEDS = ['listens_for', 'listen', 'create_task', 'ensure_future', 'add_middleware', 'add_api_route', 'add_api_websocket_route',
  'add_websocket_route', 'add_exception_handler', 'add_event_handler', 'include_router', 'FastAPI', 'APIRouter', 'Starlette', 'BaseHTTPMiddleware'];
/** Method names of library coroutines (rules/never-awaited.ts KNOWN_COROUTINES). */
const LIBRARY_COROUTINES = [
  'sleep', 'wait_for', 'wait', 'create_subprocess_exec', 'create_subprocess_shell', 'open_connection', 'start_server', 'put', 'get', 'join',
  'acquire', 'commit', 'rollback', 'flush', 'refresh', 'execute', 'scalar', 'scalars', 'delete', 'merge', 'close', 'run_sync', 'stream',
  'dispose', 'post', 'patch', 'head', 'options', 'request', 'send', 'aclose', 'accept', 'send_text', 'send_json', 'send_bytes',
  'receive_text', 'receive_json', 'receive_bytes', 'receive', 'read', 'write', 'seek', 'body', 'json', 'form', 'set', 'expire', 'publish',
  'hset', 'hget', 'lpush', 'rpush', 'incr', 'create',
];
const KEYWORDS = new Set(['if', 'elif', 'while', 'for', 'return', 'not', 'and', 'or', 'in', 'is', 'assert', 'del', 'yield', 'await', 'lambda',
  'with', 'raise', 'except', 'print', 'exec', 'else', 'try', 'finally', 'import', 'from', 'pass', 'global', 'nonlocal', 'class', 'def']);
/** A decorator or a decorator applied by hand that may be an app's or router's (`@r.get`, `r.get("/")(fn)`). */
const DECORATOR = /^[ \t]*@[^\n(]*\.[ \t]*(?:get|post|put|patch|delete|head|options|trace|route)\b|\.(?:get|post|put|patch|delete|head|options|trace|route)\s*\([^()]*\)\s*\(/m;
const WORD = /[A-Za-z_]\w*/g;
/** A dotted chain `a.b.c` (not after a dot: `x.a.b` is x's). */
const CHAIN = /[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+/y;
/** `import a.b as c, d` and `from .x import ...`, at a statement's start (after `:`/`;` for one-liners). */
const IMPORT = /(?:^|[:;])[ \t]*(?:from(?:[ \t]|\\\r?\n)+([\w.]*)(?:[ \t]|\\\r?\n)+import\b|import[ \t]+([^\n#;]+))/gm;
/** A call at a statement's start: `root.y.name(` (LW302 needs a bare call statement). */
const BARE_CALL = /(?:^|[:;])[ \t]*((?:[A-Za-z_]\w*[ \t]*\.[ \t]*)*)([A-Za-z_]\w*)[ \t]*\(/gm;
const NEXT_IMPORT = /\n[ \t]*(?:from|import)\b/g;
/** Names asked of one module before it is needed whole (bounds the work on a hostile re-export hub). */
const MAX_ASKED = 64;

const isBlank = (c: number) => c === 32 || c === 9;
/** `[\w.]` (ASCII, as a regex without the u flag reads `\w`) for a character code. */
const isWordOrDot = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;

/**
 * Every `target = a.b` whose right side is a plain dotted name (an alias): `visit(last name of
 * the target, the right side's names)`. A hand-written scan over the `=` signs (a regex tried at
 * every line start costs more).
 */
function aliasesIn(t: string, visit: (lhs: string, rhs: string[]) => void): void {
  // Only a statement's first `=` can be an alias's (an annotation holds none), so each statement is
  // looked at once: linear in the text whatever it holds. Statements end at a newline or `;`: the
  // next of each, at or after where the search is, found by indexOf (no loop over characters).
  let nl = t.indexOf('\n');
  let semi = t.indexOf(';');
  let stmt = 0;
  for (let eq = t.indexOf('='); eq >= 0; eq = t.indexOf('=', eq + 1)) {
    // The statement holding `eq` starts after the last separator before it.
    while (nl >= 0 && nl < eq) { stmt = Math.max(stmt, nl + 1); nl = t.indexOf('\n', nl + 1); }
    while (semi >= 0 && semi < eq) { stmt = Math.max(stmt, semi + 1); semi = t.indexOf(';', semi + 1); }
    const end = nl < 0 ? semi : semi < 0 ? nl : Math.min(nl, semi);
    const next = end < 0 ? t.length : end + 1;
    const from = stmt;
    if (t.charCodeAt(eq + 1) === 61) { eq = next - 1; continue; } // ==
    // The right side: a dotted name, then only blanks and a comment to the end of the line.
    let k = eq + 1;
    while (isBlank(t.charCodeAt(k))) k++;
    const rEnd = dottedEnd(t, k);
    let ok = rEnd > k;
    const rStart = k;
    if (ok) {
      k = rEnd;
      while (isBlank(t.charCodeAt(k))) k++;
      const c = t.charCodeAt(k);
      ok = Number.isNaN(c) || c === 10 || c === 13 || c === 35;
    }
    // The left side: from the statement's start, a dotted name, then `=` or an annotation.
    let s = from;
    while (ok && isBlank(t.charCodeAt(s))) s++;
    const lEnd = ok ? dottedEnd(t, s) : s;
    if (lEnd > s) {
      let e = lEnd;
      while (isBlank(t.charCodeAt(e))) e++;
      if (e === eq || (t[e] === ':' && t[eq - 1] !== ':')) {
        const l = t.slice(s, lEnd);
        visit(l.slice(l.lastIndexOf('.') + 1), t.slice(rStart, rEnd).split('.'));
      }
    }
    eq = next - 1;
  }
}

/** Where a dotted name (`[A-Za-z_][\w.]*`) starting at `k` ends: `k` when none starts there. */
function dottedEnd(t: string, k: number): number {
  const c = t.charCodeAt(k);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return k;
  let e = k + 1;
  for (;;) {
    const d = t.charCodeAt(e);
    if ((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 46) e++;
    else return e;
  }
}

const DEF = /^[ \t]+def[ \t]+([A-Za-z_]\w*)/gm;
/** A class with a base: only a subclass overrides. */
const SUBCLASS = /^[ \t]*class[ \t]+\w+[ \t]*\([ \t]*[A-Za-z_]/m;

export interface Reach {
  /** Per file (the order given): whether the analysis may need it. */
  needed: boolean[];
  /** How many files are needed. */
  count: number;
  /** Per file, why it is needed (with `explain`): `seed WORD`, `calls NAME`, `overrides NAME`, `imported by INDEX`, `same module`. */
  why?: string[];
}

/** One import statement: `from` (names imported from `q`, with their local names) or plain (`q` binds `bound`). */
interface Imp { q: string; from: boolean; names: [string, string][]; start: number; end: number; alias?: boolean }

/** Import statements of a file, module names absolute (relative ones resolved as the model builder does). */
function importsOf(f: Pick<SourceFile, 'text' | 'module' | 'isPackage'>): Imp[] {
  const out: Imp[] = [];
  const t = f.text;
  let close = -2; // the next ')' at or after the last search, -1: none left
  let nextImport = -2;
  IMPORT.lastIndex = 0;
  for (let m = IMPORT.exec(t); m; m = IMPORT.exec(t)) {
    if (m[1] !== undefined) {
      // The names: a parenthesised list, or to the end of the line (with backslash continuations).
      let k = IMPORT.lastIndex;
      while (t[k] === ' ' || t[k] === '\t') k++;
      let end: number;
      if (t[k] === '(') {
        // Up to the ')' or, unclosed, the next import statement: each searched for once (linear).
        if (close !== -1 && close < k) close = t.indexOf(')', k);
        if (nextImport !== -1 && nextImport < k) { NEXT_IMPORT.lastIndex = k; nextImport = NEXT_IMPORT.exec(t)?.index ?? -1; }
        end = Math.min(close < 0 ? t.length : close, nextImport < 0 ? t.length : nextImport);
        k++;
      } else {
        end = k;
        for (;;) { const nl = t.indexOf('\n', end); if (nl < 0) { end = t.length; break; } if (t[nl - 1] === '\\' || (t[nl - 1] === '\r' && t[nl - 2] === '\\')) { end = nl + 1; continue; } end = nl; break; }
      }
      const names: [string, string][] = [];
      for (const item of t.slice(k, end).replace(/#[^\n]*/g, '').split(',')) {
        const w = item.replace(/\\/g, ' ').trim().split(/\s+/);
        if (w[0] && /^\w+$/.test(w[0])) names.push([w[0], w[1] === 'as' && w[2] ? w[2] : w[0]]);
        else if (w[0] === '*') names.push(['*', '*']);
      }
      const raw = m[1];
      const dots = /^\.*/.exec(raw)![0].length;
      const start = m.index;
      if (!dots) { if (raw) out.push({ q: raw, from: true, names, start, end }); continue; }
      const rest = raw.slice(dots);
      const abs = relativeImportTarget(f.module, f.isPackage, dots, rest);
      if (abs) out.push({ q: abs, from: true, names, start, end });
      else for (const [name, local] of names) out.push({ q: name, from: false, names: [[name, local]], start, end }); // `from . import x` at the top
      if (rest && rest !== abs) out.push({ q: rest, from: true, names, start, end }); // also as written: matched by suffix below
    } else {
      for (const item of m[2].split(',')) {
        const w = item.replace(/[()\\]/g, ' ').trim().split(/\s+/);
        if (!w[0] || !/^[\w.]+$/.test(w[0])) continue;
        const alias = w[1] === 'as' && !!w[2];
        out.push({ q: w[0], from: false, names: [[w[0], alias ? w[2] : w[0].split('.')[0]]], start: m.index, end: m.index + m[0].length, alias });
      }
    }
  }
  return out;
}

/**
 * The files of a cold scan the analysis may need (see the file comment). Pure and lexical: no file
 * is parsed.
 */
/** Share of the characters above which the pass stops early and every file is parsed (see reach()). */
export const MOSTLY_SEEDS = 0.9;
const PLAIN_SEED = new RegExp(`\\b(?:${SEED_WORDS.join('|')})\\b`);

/**
 * Per file, whether it holds a plain seed word or a route decorator: such a file is always needed
 * (reach() needs it whatever the other files hold), so a scan can start building it before reach()
 * has run. Pass the result to reach() to spare it the same test.
 */
export function plainSeeds(files: Pick<SourceFile, 'text'>[]): boolean[] {
  return files.map((f) => isPlainSeed(f.text));
}

/** plainSeeds for one file's text. */
export function isPlainSeed(text: string): boolean {
  return PLAIN_SEED.test(text) || DECORATOR.test(text);
}

/** `plain`: plainSeeds(files), when the caller has it. */
export function reach(files: Pick<SourceFile, 'text' | 'module' | 'isPackage'>[], explain = false, plain: boolean[] = plainSeeds(files)): Reach {
  const n = files.length;
  // When files that are seeds by a plain word already hold most of the text (a service written
  // async throughout), the closure below could skip little and costs more than it saves: everything
  // is needed. Aliases and imports only ever add files, so this never skips a needed one.
  if (!explain) {
    let all = 0;
    let seeds = 0;
    files.forEach((f, i) => {
      all += f.text.length;
      if (plain[i]) seeds += f.text.length;
    });
    if (seeds >= MOSTLY_SEEDS * all) return { needed: new Array<boolean>(n).fill(true), count: n };
  }
  const needed = new Array<boolean>(n).fill(false);
  const why: string[] | undefined = explain ? new Array<string>(n).fill('') : undefined;
  // Module names -> files; dotted suffixes -> module names; packages -> child module names.
  const byModule = new Map<string, number[]>();
  const bySuffix = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => { const l = m.get(k); if (l) { if (!l.includes(v)) l.push(v); } else m.set(k, [v]); };
  files.forEach((f, i) => {
    push(byModule, f.module, i);
    const parts = f.module.split('.');
    for (let j = 1; j < parts.length; j++) {
      push(bySuffix, parts.slice(j).join('.'), f.module);
      push(children, parts.slice(0, j).join('.'), parts.slice(0, j + 1).join('.'));
    }
  });
  const imports = files.map(importsOf);

  // Aliases (`on = event.listens_for`, `run = _run_async`, `from m import send as notify`) and coroutine names.
  const assigns: [string, string[]][] = [];
  const coroutineNames = new Set<string>();
  const methodNames = new Set<string>();
  files.forEach((f, i) => {
    aliasesIn(f.text, (lhs, rhs) => assigns.push([lhs, rhs]));
    for (const imp of imports[i]) for (const [name, local] of imp.names) if (name !== local) assigns.push([local, [name]]);
    if (f.text.includes('async')) {
      const re = /\basync[ \t]+def[ \t]+([A-Za-z_]\w*)/g;
      for (let m = re.exec(f.text); m; m = re.exec(f.text)) {
        coroutineNames.add(m[1]);
        const nl = f.text.lastIndexOf('\n', m.index) + 1;
        if (m.index > nl && /^[ \t]+$/.test(f.text.slice(nl, m.index))) methodNames.add(m[1]);
      }
    }
  });
  const byRhs = new Map<string, string[]>();
  for (const [lhs, rhs] of assigns) for (const w of rhs) { const l = byRhs.get(w); if (l) l.push(lhs); else byRhs.set(w, [lhs]); }
  const closeOver = (start: Iterable<string>): Set<string> => {
    const set = new Set(start);
    const work = [...set];
    while (work.length) for (const lhs of byRhs.get(work.pop()!) ?? []) if (!set.has(lhs)) { set.add(lhs); work.push(lhs); }
    return set;
  };
  // Only rare words are followed through aliases: `db = Depends(get_db)` needs none (the route's
  // file, a seed, imports what it depends on), `on = event.listens_for` does.
  const seedWords = new Set([...SEED_WORDS, ...closeOver(ALIASED_SEEDS)]);
  seedWords.delete('listen'); // SQLAlchemy's `event.listen`: with the word `event` (below)
  const called = closeOver([...coroutineNames, ...LIBRARY_COROUTINES]);
  const seedRe = new RegExp(`\\b(?:${[...seedWords].join('|')})\\b`);
  const isSeed = (t: string) => seedRe.exec(t)?.[0] ?? DECORATOR.exec(t)?.[0] ?? (/\blisten\b/.test(t) && /\bevent\b/.test(t) ? 'listen' : undefined);
  // A file without a plain seed word or decorator (plainSeeds) is a seed only by an alias's name or `listen`.
  const extra = [...seedWords].filter((w) => !SEED_WORDS.includes(w));
  const extraRe = extra.length ? new RegExp(`\\b(?:${extra.join('|')})\\b`) : undefined;
  const isSeedBeyondPlain = (t: string) => extraRe?.exec(t)?.[0] ?? (/\blisten\b/.test(t) && /\bevent\b/.test(t) ? 'listen' : undefined);

  /** Modules an import of `q` may resolve to: by exact name, or by dotted suffix (the index's `bySuffix`). */
  const targetMemo = new Map<string, string[]>();
  const targets = (q: string): string[] => {
    let out = targetMemo.get(q);
    if (out) return out;
    out = [];
    if (byModule.has(q)) out.push(q);
    if (q.includes('.')) for (const full of bySuffix.get(q) ?? []) out.push(full);
    targetMemo.set(q, out);
    return out;
  };
  /** Submodules of `base` (any depth) whose names pass `named`. */
  const submodules = (base: string, named: (seg: string) => boolean, visit: (m: string) => void) => {
    const stack = [base];
    while (stack.length) {
      for (const child of children.get(stack.pop()!) ?? []) {
        if (!named(child.slice(child.lastIndexOf('.') + 1))) continue;
        visit(child);
        stack.push(child);
      }
    }
  };
  /** `from q import name` when `q.name` may be a module: the names it may have (q by exact name, by suffix, or a namespace package). */
  const subMemo = new Map<string, Map<string, string[]>>();
  const subOf = (q: string, name: string): string[] => {
    // Asked for every name every needed file imports: memoised per module and name (no string made on a hit).
    let byName = subMemo.get(q);
    if (!byName) subMemo.set(q, (byName = new Map()));
    let out = byName.get(name);
    if (out) return out;
    out = [];
    for (const base of new Set([q, ...targets(q)])) {
      const c = `${base}.${name}`;
      if (targets(c).length || children.has(c)) out.push(c);
    }
    byName.set(name, out);
    return out;
  };
  const prefixes = (q: string, visit: (m: string) => void) => { const p = q.split('.'); for (let j = 1; j < p.length; j++) visit(p.slice(0, j).join('.')); };
  const inProject = (q: string) => targets(q).length > 0 || children.has(q) || q.split('.').some((_, j, p) => byModule.has(p.slice(0, j + 1).join('.')));
  /** A plain import whose chains may name a workspace module: `q`, or a package or namespace above it, is one. */
  const touchesMemo = new Map<string, boolean>();
  const touches = (q: string) => {
    let hit = touchesMemo.get(q);
    if (hit === undefined) touchesMemo.set(q, (hit = inProject(q) || q.split('.').some((_, j, p) => { const x = p.slice(0, j + 1).join('.'); return children.has(x) || targets(x).length > 0; })));
    return hit;
  };

  /** `cur.seg` when a module, package or dotted suffix of one has that name, else null: memoised (asked for every `x.y` of every importer). */
  const stepMemo = new Map<string, Map<string, string | null>>();
  const moduleStep = (cur: string, seg: string): string | null => {
    let bySeg = stepMemo.get(cur);
    if (!bySeg) stepMemo.set(cur, (bySeg = new Map()));
    let next = bySeg.get(seg);
    if (next === undefined) {
      const name = `${cur}.${seg}`;
      next = byModule.has(name) || children.has(name) || bySuffix.has(name) ? name : null;
      bySeg.set(seg, next);
    }
    return next;
  };

  /** The attribute chains written after the name `local` in file i (`gr.themes.Soft` -> [themes, Soft]). */
  const chainMemo = new Map<string, string[][]>();
  const chainHeads: (Map<string, string[][]> | undefined)[] = new Array(n);
  const chainAsks = new Array<number>(n).fill(0);
  const chainsOf = (i: number, local: string): string[][] => {
    const key = `${i}\u0000${local}`;
    let out = chainMemo.get(key);
    if (out) return out;
    const t = files[i].text;
    // Many names asked of one file: one pass over it for every chain (linear, whatever the file holds).
    if (++chainAsks[i] > 32 || chainHeads[i]) {
      let heads = chainHeads[i];
      if (!heads) {
        heads = chainHeads[i] = new Map();
        const re = new RegExp(CHAIN.source, 'g');
        for (let m = re.exec(t); m; m = re.exec(t)) {
          if (m.index > 0 && isWordOrDot(t.charCodeAt(m.index - 1))) continue;
          const segs = m[0].split('.').map((x) => x.trim());
          const head = segs.shift()!;
          const l = heads.get(head);
          if (l) l.push(segs); else heads.set(head, [segs]);
        }
      }
      out = heads.get(local) ?? [];
      chainMemo.set(key, out);
      return out;
    }
    out = [];
    for (let at = t.indexOf(local); at >= 0; at = t.indexOf(local, at + local.length)) {
      if (at > 0 && isWordOrDot(t.charCodeAt(at - 1))) continue;
      let k = at + local.length;
      while (isBlank(t.charCodeAt(k))) k++;
      if (t.charCodeAt(k) !== 46) continue; // `.`
      CHAIN.lastIndex = at;
      const m = CHAIN.exec(t);
      if (!m || m.index !== at) continue;
      const segs = m[0].split('.').map((x) => x.trim());
      if (segs.shift() === local) out.push(segs);
    }
    chainMemo.set(key, out);
    return out;
  };

  // Files that import (directly or through other files) a seed: only those can reach a coroutine
  // or an object of an async library that another file hands out.
  const seeds: (string | undefined)[] = files.map((f, i) => (explain ? isSeed(f.text) : plain[i] ? 'plain' : isSeedBeyondPlain(f.text)));
  const libs = files.map((f, i) => !seeds[i] && mayNameAsyncLib(f.text) && ASYNC_LIBS.test(f.text));
  const importers = new Map<string, Set<number>>();
  imports.forEach((list, i) => {
    const edge = (m: string) => { const l = importers.get(m); if (l) l.add(i); else importers.set(m, new Set([i])); };
    for (const imp of list) {
      if (imp.from) {
        for (const full of targets(imp.q)) edge(full);
        for (const [orig] of imp.names) {
          if (orig === '*') { if (children.has(imp.q)) submodules(imp.q, () => true, edge); continue; }
          for (const c of subOf(imp.q, orig)) for (const t of targets(c)) edge(t);
        }
      } else {
        // `import a.b` binds `a`: every module on the chains `a.x.y` the file writes.
        const [[q, local]] = imp.names;
        if (!touches(q)) continue; // `import os`: nothing of the workspace on its chains
        const base = imp.alias ? q : local;
        for (const t of targets(base)) edge(t);
        prefixes(q, edge);
        for (const t of targets(q)) edge(t);
        for (const segs of chainsOf(i, local)) {
          let cur = base;
          for (const seg of segs) {
            const next = moduleStep(cur, seg);
            if (next === null) break; // a name in a module, not a module
            cur = next;
            for (const t of targets(cur)) edge(t);
          }
        }
      }
    }
  });
  const reaches = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  seeds.forEach((s, i) => { if (s || libs[i]) { reaches[i] = true; stack.push(i); } });
  while (stack.length) {
    for (const j of importers.get(files[stack.pop()!].module) ?? []) if (!reaches[j]) { reaches[j] = true; stack.push(j); }
  }

  const queue: number[] = [];
  const need = (i: number, reason?: () => string) => {
    if (needed[i]) return;
    for (const j of byModule.get(files[i].module)!) {
      if (needed[j]) continue;
      needed[j] = true;
      queue.push(j);
      if (why) why[j] = j === i ? reason?.() ?? '' : 'same module';
    }
  };
  for (let i = 0; i < n; i++) {
    const t = files[i].text;
    if (seeds[i]) { need(i, () => `seed ${seeds[i]}`); continue; }
    if (!reaches[i]) continue;
    // Names bound by imports of modules outside the workspace: `time.sleep(...)` is not asyncio's.
    const external = new Set<string>();
    for (const imp of imports[i]) if (!inProject(imp.q)) for (const [, local] of imp.names) external.add(local);
    let hit: string | undefined;
    BARE_CALL.lastIndex = 0;
    for (let m = BARE_CALL.exec(t); m && !hit; m = BARE_CALL.exec(t)) {
      const name = m[2];
      if (KEYWORDS.has(name) || !called.has(name)) continue;
      const root = m[1] ? /^[A-Za-z_]\w*/.exec(m[1])![0] : name;
      if (!external.has(root)) hit = `calls ${name}`;
    }
    // A sync override of a coroutine method (N+1's first-party trips read the overrides).
    if (!hit && SUBCLASS.test(t)) {
      DEF.lastIndex = 0;
      for (let m = DEF.exec(t); m && !hit; m = DEF.exec(t)) if (methodNames.has(m[1])) hit = `overrides ${m[1]}`;
    }
    if (hit) need(i, () => hit!);
  }
  // What needed files import, in rounds until nothing new is needed. A file needed for itself (full)
  // needs what its imports name; a module asked only for some names (a package's `__init__` that
  // re-exports) needs only what binds those names.
  let from = -1;
  const full = new Array<boolean>(n).fill(false);
  const asked: (Set<string> | undefined)[] = new Array(n);
  const work: [number, string | undefined][] = [];
  const fullFile = (j: number) => { if (!full[j]) { full[j] = true; need(j, () => `imported by ${from}`); work.push([j, undefined]); } };
  const fullModule = (name: string) => { for (const t of targets(name)) for (const j of byModule.get(t)!) fullFile(j); };
  const ask = (name: string, what: string) => {
    for (const t of targets(name)) {
      for (const j of byModule.get(t)!) {
        if (full[j]) continue;
        const set = (asked[j] ??= new Set());
        if (set.has(what)) continue;
        // Each name asked reads the file once (uses): past a few dozen, the whole module is cheaper.
        if (set.size >= MAX_ASKED) { fullFile(j); continue; }
        set.add(what);
        need(j, () => `imported by ${from} for ${what}`);
        work.push([j, what]);
      }
    }
  };
  /** Occurrences of the word `w` outside `i`'s import statements: `bare` ones not followed by `.`. */
  const usesMemo = new Map<string, boolean>();
  const uses = (i: number, w: string, bare: boolean): boolean => {
    const key = `${i}\u0000${w}\u0000${bare}`;
    let hit = usesMemo.get(key);
    if (hit === undefined) usesMemo.set(key, (hit = usesIn(i, w, bare)));
    return hit;
  };
  const usesIn = (i: number, w: string, bare: boolean): boolean => {
    const t = files[i].text;
    const re = new RegExp(bare ? `(?<![\\w.])${w}\\b(?!\\s*\\.)` : `(?<![\\w.])${w}\\b`, 'g');
    for (let m = re.exec(t); m; m = re.exec(t)) {
      // A name in quotes (`__all__ = ["name"]`) binds nothing.
      const q = t[m.index - 1];
      if ((q === '"' || q === "'") && t[m.index + w.length] === q) continue;
      if (!imports[i].some((x) => m!.index >= x.start && m!.index < x.end)) return true;
    }
    return false;
  };
  /** `B.x.y` in file i: the module walk from `base` (what B names), asking the first non-module for its name. */
  const walk = (i: number, local: string, base: string) => {
    for (const segs of chainsOf(i, local)) {
      let cur = base;
      for (const seg of segs) {
        const next = moduleStep(cur, seg);
        if (next !== null) { cur = next; continue; }
        ask(cur, seg);
        cur = '';
        break;
      }
      if (cur) fullModule(cur); // the chain ends on a module: used as a value
    }
    if (uses(i, local, true)) fullModule(base);
  };
  for (const i of queue.splice(0)) fullFile(i);
  while (work.length) {
    const [i, what] = work.pop()!;
    from = i;
    const list = imports[i];
    if (what === undefined) {
      for (const imp of list) {
        if (imp.from) {
          for (const [orig, local] of imp.names) {
            if (orig === '*') { fullModule(imp.q); continue; }
            ask(imp.q, orig);
            for (const c of subOf(imp.q, orig)) walk(i, local, c);
          }
        } else {
          const [[q, local]] = imp.names;
          if (touches(q)) walk(i, local, imp.alias ? q : local);
        }
      }
      continue;
    }
    // Asked for one name: what binds it here (an import, a star import), else the whole module.
    const t = files[i].text;
    if (what === '*' || /^def[ \t]+__getattr__\b/m.test(t)) { fullFile(i); continue; }
    let bound = false;
    for (const imp of list) {
      for (const [orig, local] of imp.names) {
        if (orig === '*') { ask(imp.q, what); continue; }
        if (local !== what) continue;
        bound = true;
        if (imp.from) {
          ask(imp.q, orig);
          for (const c of subOf(imp.q, orig)) fullModule(c);
        } else fullModule(imp.q);
      }
    }
    const sub = `${files[i].module}.${what}`;
    if (byModule.has(sub) || children.has(sub)) { fullModule(sub); if (!bound && !uses(i, what, false)) continue; }
    if (!bound || uses(i, what, false)) fullFile(i);
  }
  let count = 0;
  for (const x of needed) if (x) count++;
  return { needed, count, ...(why ? { why } : {}) };
}
