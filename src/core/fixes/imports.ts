// Adds an import once, where a person would put it: after `from __future__`, the module docstring and
// leading comments, in the import group of its kind (standard library or third party), in alphabetical
// position. An import the file already has (also under an alias) is reused, never duplicated.
import type { FileModel } from '../python/model';
import type { TextEdit } from '../types';
import type { FixMemo } from './safety';
import { lex, lineEndAt, lineStartAt, nextLineStart } from './pyText';

/** `import module` when `name` is absent, else `from module import name`. */
export interface ImportNeed { module: string; name?: string; alternatives?: string[] }

export interface ImportResult { local: string; edit?: TextEdit }

/** The imports the fixes need, as constants: ensureImport's memo knows a need by its object. */
export const NEED = {
  asyncio: { module: 'asyncio' },
  runInThreadpool: { module: 'fastapi.concurrency', name: 'run_in_threadpool', alternatives: ['starlette.concurrency.run_in_threadpool'] },
  httpx: { module: 'httpx' },
  pathlibPath: { module: 'pathlib', name: 'Path' },
  functools: { module: 'functools' },
  processPoolExecutor: { module: 'concurrent.futures', name: 'ProcessPoolExecutor' },
  time: { module: 'time' },
} as const satisfies Record<string, ImportNeed>;

const STDLIB = new Set(('__future__ abc argparse array asyncio base64 bisect calendar codecs collections concurrent contextlib contextvars copy csv ' +
  'dataclasses datetime decimal email enum fractions functools gc getpass glob gzip hashlib heapq hmac html http importlib inspect io ' +
  'ipaddress itertools json locale logging math mimetypes multiprocessing operator os pathlib pickle platform pprint queue random re ' +
  'secrets select selectors shlex shutil signal smtplib socket sqlite3 ssl stat statistics string struct subprocess sys tempfile textwrap ' +
  'threading time timeit traceback types typing unicodedata unittest urllib uuid warnings weakref xml zipfile zlib zoneinfo').split(' '));

export function isStdlib(module: string): boolean {
  // The first segment (what split('.')[0] gives), without an array per call.
  const dot = module.indexOf('.');
  return STDLIB.has(dot < 0 ? module : module.slice(0, dot));
}

export interface Stmt { start: number; end: number; module: string; isFrom: boolean }

/** The local name for the import, with the edit that adds it when the file lacks it; undefined if the name is taken. */
export function ensureImport(text: string, model: FileModel, need: ImportNeed, eol: string, fnScope = -1, memo?: FixMemo): ImportResult | undefined {
  if (!memo) return findOrAddImport(text, model, need, eol, fnScope);
  // Every thread fix of a file asks for the same imports: once per need, scope and line ending in a fix run.
  let byNeed = memo.importNeeds.get(model);
  if (!byNeed || byNeed.text !== text) memo.importNeeds.set(model, (byNeed = { text, results: new Map() }));
  // By the need object (the fixes pass constants, see NEED), then scope and line ending: no key string built per call.
  let perNeed = byNeed.results.get(need);
  if (!perNeed) byNeed.results.set(need, (perNeed = new Map()));
  const key = eol === '\n' ? fnScope * 2 : eol === '\r\n' ? fnScope * 2 + 1 : `${fnScope}\u0000${eol}`;
  let r = perNeed.get(key);
  if (r === undefined) perNeed.set(key, (r = findOrAddImport(text, model, need, eol, fnScope, memo) ?? null));
  // A fresh edit each time: fixes own their edits.
  if (!r) return undefined;
  return r.edit ? { local: r.local, edit: { ...r.edit } } : { local: r.local };
}

function findOrAddImport(text: string, model: FileModel, need: ImportNeed, eol: string, fnScope: number, memo?: FixMemo): ImportResult | undefined {
  // The first import (in the model's order) of a wanted name in the module's scope or the function's.
  // `import a.b` binds `a` with q `a`; only a matching full name reuses it.
  const found = memo ? matchesOf(model, need, memo) : importMatches(model, need);
  let local = found.first >= 0 ? found.firstName : undefined;
  for (let k = 0; k < found.others.length; k++) {
    const o = found.others[k];
    if (found.first >= 0 && o.at > found.first) break;
    if (o.scope === fnScope) { local = o.name; break; }
  }
  if (local !== undefined) return { local };
  const added = need.name ?? need.module.split('.')[0];
  if (need.name === undefined && need.module.includes('.')) return undefined;
  if (model.scopes[0]?.bindings.has(added)) return undefined;
  if (fnScope >= 0 && model.scopes[fnScope]?.bindings.has(added)) return undefined;
  const line = need.name ? `from ${need.module} import ${need.name}` : `import ${need.module}`;
  return { local: added, edit: memoEdit(text, model, need.module, line, eol, memo) };
}

/**
 * The model's imports of a name `need` wants: the first in the module's scope (its position and
 * local name; -1 for none), and those in other scopes, in order. The same for every function that
 * asks (findOrAddImport is asked once per need and function scope): one pass over the imports.
 */
export interface ImportMatches { first: number; firstName: string; others: { at: number; scope: number; name: string }[] }

export function importMatches(model: FileModel, need: ImportNeed): ImportMatches {
  const wanted = need.name ? [`${need.module}.${need.name}`, ...(need.alternatives ?? [])] : [need.module, ...(need.alternatives ?? [])];
  const found: ImportMatches = { first: -1, firstName: '', others: [] };
  const imports = model.imports;
  for (let i = 0; i < imports.length; i++) {
    const imp = imports[i];
    if (!wanted.includes(imp.q)) continue;
    const scope = imp.scope;
    if (scope === 0) { found.first = i; found.firstName = imp.name; break; }
    found.others.push({ at: i, scope, name: imp.name });
  }
  return found;
}

/** importMatches once per model and need in a fix run. */
function matchesOf(model: FileModel, need: ImportNeed, memo: FixMemo): ImportMatches {
  let byNeed = memo.importMatches.get(model);
  if (!byNeed) memo.importMatches.set(model, (byNeed = new Map()));
  let found = byNeed.get(need);
  if (!found) byNeed.set(need, (found = importMatches(model, need)));
  return found;
}

/**
 * importEdit once per line and line ending in a fix run: where an import goes does not depend on the
 * function that needs it (ensureImport's answers are per function scope). The edit is shared:
 * ensureImport hands out copies.
 */
function memoEdit(text: string, model: FileModel, module: string, line: string, eol: string, memo?: FixMemo): TextEdit {
  if (!memo) return importEdit(text, model, module, line, eol);
  let known = memo.importEdits.get(model);
  if (!known || known.text !== text) memo.importEdits.set(model, (known = { text, edits: new Map() }));
  const key = `${line}\u0000${eol}`;
  let edit = known.edits.get(key);
  if (!edit) known.edits.set(key, (edit = importEdit(text, model, module, line, eol, memo)));
  return edit;
}

function importEdit(text: string, model: FileModel, module: string, line: string, eol: string, memo?: FixMemo): TextEdit {
  const { stmts, headerEnd, groups } = regionOf(text, model, memo);
  if (!stmts.length) {
    // No import yet: after the header and the blank lines following it, then a blank line before the code.
    let p = headerEnd;
    while (p < text.length && /^[ \t]*\r?\n$/.test(text.slice(p, nextLineStart(text, p)))) p = nextLineStart(text, p);
    const lead = headerEnd > 0 && p === headerEnd ? eol : '';
    return { start: p, end: p, newText: lead + line + eol + (p < text.length ? eol : '') };
  }
  const std = isStdlib(module);
  const group = groups.find((g) => g.some((s) => isStdlib(s.module) === std && !s.module.startsWith('.') && s.module !== '__future__'));
  if (group) {
    const before = group.find((s) => s.module.toLowerCase() > module.toLowerCase());
    if (before) return { start: before.start, end: before.start, newText: line + eol };
    const last = group[group.length - 1];
    const at = nextLineStart(text, last.end);
    return { start: at, end: at, newText: (at === text.length && !/[\r\n]$/.test(text) ? eol : '') + line + eol };
  }
  if (std) {
    // A new standard-library group goes first.
    const first = groups[0][0];
    return { start: first.start, end: first.start, newText: line + eol + eol };
  }
  const last = stmts[stmts.length - 1];
  const at = nextLineStart(text, last.end);
  return { start: at, end: at, newText: (at === text.length && !/[\r\n]$/.test(text) ? eol : '') + eol + line + eol };
}

export interface Region { stmts: Stmt[]; headerEnd: number; groups: Stmt[][] }

/** importRegion and its groups, read once per file in a fix run (every import a fix needs asks). */
function regionOf(text: string, model: FileModel, memo?: FixMemo): Region {
  const known = memo?.imports.get(model);
  if (known && known.text === text) return known.region;
  const { stmts, headerEnd } = importRegion(text, model);
  const region = { stmts, headerEnd, groups: stmts.length ? groupsOf(text, stmts) : [] };
  memo?.imports.set(model, { text, region });
  return region;
}

/** Top-level import statements at the head of the file, and where the header (docstring, future imports, comments) ends. */
function importRegion(text: string, model: FileModel): { stmts: Stmt[]; headerEnd: number } {
  const byStart = new Map<number, Stmt>();
  const imports = model.imports;
  for (let k = 0; k < imports.length; k++) {
    const imp = imports[k];
    const start = imp.start;
    if (imp.scope !== 0 || byStart.has(start) || lineStartAt(text, start) !== start) continue;
    const end = imp.end;
    const isFrom = end - start >= 4 && text.startsWith('from', start);
    byStart.set(start, { start, end, module: moduleAfter(text, start, end, isFrom ? 'from' : 'import'), isFrom });
  }
  const stmts: Stmt[] = [];
  let headerEnd = 0;
  let i = 0;
  let seenCode = false;
  let docstringDone = false;
  while (i < text.length) {
    const s = byStart.get(i);
    if (s) {
      if (s.module === '__future__') { headerEnd = nextLineStart(text, s.end); i = headerEnd; continue; }
      stmts.push(s);
      i = nextLineStart(text, s.end);
      seenCode = true;
      continue;
    }
    // The line's text, for the lines that are not import statements (few: the header, blank lines).
    const lineEnd = nextLineStart(text, i);
    const line = text.slice(i, lineEnd);
    if (/^from[ \t]+__future__[ \t]+import\b/.test(line)) {
      // tree-sitter has its own node for future imports: they are header, not in the model's imports.
      let end = lineEnd;
      if (line.includes('(')) { const close = text.indexOf(')', i); if (close >= 0) end = nextLineStart(text, close); }
      headerEnd = end;
      i = end;
      continue;
    }
    if (/^[ \t]*(#.*)?(\r?\n)?$/.test(line)) {
      if (!seenCode && /^#/.test(line)) headerEnd = lineEnd;
      i = lineEnd;
      continue;
    }
    if (!seenCode && !docstringDone && /^[rRuU]?("""|'''|"|')/.test(line)) {
      // The module docstring: skip to the end of the string literal.
      docstringDone = true;
      let j = i;
      while (/[rRuU]/.test(text[j])) j++;
      const st = lex(text, i, lineEndAt(text, j));
      if (st.inString) {
        const q = text.startsWith('"""', j) ? '"""' : text.startsWith("'''", j) ? "'''" : text[j];
        const close = text.indexOf(q, j + q.length);
        if (close < 0) break;
        headerEnd = nextLineStart(text, close + q.length);
      } else headerEnd = lineEnd;
      i = headerEnd;
      continue;
    }
    break;
  }
  return { stmts, headerEnd };
}

/**
 * What `/^from\s+([.\w]+)/` (or `import`) captures in text[start, end), without slicing the
 * statement: the keyword, at least one whitespace character (`\s`, as String.prototype.trim reads
 * it), then the longest run of ASCII word characters and dots; '' when that does not follow.
 */
export function moduleAfter(text: string, start: number, end: number, keyword: string): string {
  if (end - start < keyword.length || !text.startsWith(keyword, start)) return '';
  let p = start + keyword.length;
  if (p >= end || !isRegexSpace(text.charCodeAt(p))) return '';
  while (p < end && isRegexSpace(text.charCodeAt(p))) p++;
  let q = p;
  while (q < end && isWordOrDot(text.charCodeAt(q))) q++;
  return q > p ? text.slice(p, q) : '';
}

/** `\s` in a regex: WhiteSpace and LineTerminator (the set String.prototype.trim removes). */
function isRegexSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** `[.\w]` in a regex without the u flag: ASCII letters, digits, `_` and `.`. */
function isWordOrDot(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
}

/** Import statements split into groups by blank or comment lines between them. */
function groupsOf(text: string, stmts: Stmt[]): Stmt[][] {
  const groups: Stmt[][] = [];
  let prevEnd = -1;
  for (const s of stmts) {
    // A line between them (the text from the line after the previous one to this one is not empty), without slicing it.
    if (prevEnd < 0 || s.start > nextLineStart(text, prevEnd)) groups.push([s]);
    else groups[groups.length - 1].push(s);
    prevEnd = s.end;
  }
  return groups;
}

/** Where module-level definitions a fix adds go: on the line after the head-of-file imports. */
export function afterImports(text: string, model: FileModel, memo?: FixMemo): number {
  const { stmts, headerEnd } = regionOf(text, model, memo);
  if (!stmts.length) return headerEnd;
  return nextLineStart(text, stmts[stmts.length - 1].end);
}
