// A file's model is kept as one part per top-level statement: an edit rebuilds only the statements
// it touched, and the parts are joined again here (records shifted in place to their new offsets,
// lines and ids). The surface hash says whether what other files can see of a part changed.
import type { SegmentRef } from './flatTree';
import type { Expr } from './ir';
import { type Bound, boundList, type BuildOptions, type FileModel, isList, type Part, type PartCache, type Placement, Scope } from './modelTypes';

/**
 * Which parts of the previous build can serve again after one edit: a statement wholly before or
 * after the edited range has the same text (shifted by the edit's length change), and is reused when
 * it also starts at the same column.
 */
export function reuseAfterEdit(prev: PartCache, edit: { start: number; end: number; text: string }): (seg: SegmentRef) => Part | undefined {
  const delta = edit.text.length - (edit.end - edit.start);
  const editEnd = edit.start + edit.text.length;
  return (seg) => {
    const ns = seg.startIndex;
    const ne = seg.endIndex;
    let key: string;
    if (ne <= edit.start) key = `${ns}:${ne}`;
    else if (ns >= editEnd) key = `${ns - delta}:${ne - delta}`;
    else return undefined;
    const part = prev.get(key);
    return part && part.column === seg.startPosition.column ? part : undefined;
  };
}

/**
 * Joins the parts into one model. A part's records are shifted in place to their new offsets, lines
 * and ids (only by the difference from the last assembly), so an edit that moves nothing costs no
 * allocation; expressions are shared and translated through their part's header.
 */
export function assemble(starts: number[], opts: BuildOptions, segments: SegmentRef[], parts: Part[]): FileModel {
  const out = emptyModel(opts, starts);
  const moduleScope = out.scopes[0];
  parts.forEach((p, i) => {
    const m = p.model;
    const now: Placement = {
      start: segments[i].startIndex, row: segments[i].startPosition.row, fn: out.functions.length,
      cls: out.classes.length, call: out.calls.length, loop: out.loops.length, scope: out.scopes.length,
    };
    place(p, now);
    // The part's own lists are not changed: a name bound in several parts gets a new list here.
    for (const [name, v] of m.scopes[0].bindings) {
      const target = moduleScope.bindings.get(name);
      if (target === undefined) moduleScope.bindings.set(name, isList(v) ? v.slice() : v);
      else if (isList(target)) { if (isList(v)) target.push(...v); else target.push(v); }
      else moduleScope.bindings.set(name, isList(v) ? [target, ...v] : [target, v]);
    }
    if (m.scopes[0].globals) for (const g of m.scopes[0].globals) (moduleScope.globals ??= new Set()).add(g);
    for (let k = 1; k < m.scopes.length; k++) out.scopes.push(m.scopes[k]);
    out.functions.push(...m.functions);
    out.classes.push(...m.classes);
    out.loops.push(...m.loops);
    out.calls.push(...m.calls);
    out.imports.push(...m.imports);
    for (const [line, codes] of m.noqa) out.noqa.set(line, codes);
    if (m.fileNoqa) for (const c of m.fileNoqa) (out.fileNoqa ??= new Set()).add(c);
    for (const e of m.syntaxErrors) if (out.syntaxErrors.length < 50) out.syntaxErrors.push(e);
  });
  return out;
}

/**
 * What other statements and files can see of a part: its module-level bindings, its functions'
 * names, flags, decorators, parameters and return values, its classes' bases, attributes and
 * methods. Names elsewhere resolve the same way while the file's surface hashes are unchanged.
 */
export function surfaceHash(m: FileModel): number {
  const parts: string[] = [];
  for (const [name, v] of m.scopes[0].bindings) for (const b of boundList(v)) parts.push(`b:${name}:${b.kind}:${b.q ?? ''}:${shape(b.expr)}:${shape(b.annotation)}`);
  for (const g of m.scopes[0].globals ?? []) parts.push(`g:${g}`);
  for (const f of m.functions) if (!f.isLambda) parts.push(`f:${f.qname}:${f.isAsync}:${f.isGenerator}:${shape(f.decorators)}:${shape(f.params)}:${shape(f.returns)}:${shape(f.returnAnnotation)}`);
  for (const c of m.classes) parts.push(`c:${c.qname}:${shape(c.bases)}:${shape(c.attrs)}:${shape(c.attrTypes)}:${[...c.methods.keys()].join(',')}`);
  return fnv1a(parts.join('\n'));
}

/**
 * What other files can see of a part, name by name (what surfaceHash hashes as a whole): module-level
 * names, functions and methods by qualified name within the module (`f`, `Cls.m`), class attributes
 * (`Cls.attr`). `structure`: what other files read as a whole (globals, the classes with their bases
 * and method lists, decorated functions), compared as one string.
 */
interface PartSurface { entries: [string, string][]; structure: string; methods: [string, string][] }
const partSurfaces = new WeakMap<Part, PartSurface>();

/** An expression or record as JSON without its positions (offsets, scopes, segment headers): what other statements and files read of it. */
function shape(x: unknown): string {
  return JSON.stringify(x, (k, v) => (k === 'off' || k === 'seg' || k === 'scope' || (k === 'at' && typeof v === 'number') ? undefined : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v)) ?? '';
}

/** Decorators that give a method no role: `@property` and its accessors, `@cached_property`, `@staticmethod`, `@classmethod`, `@abstractmethod`. */
const PLAIN_DECORATORS = new Set(['property', 'cached_property', 'staticmethod', 'classmethod', 'abstractmethod', 'setter', 'getter', 'deleter']);
function isPlainDecorator(d: Expr): boolean {
  return (d.k === 'name' && PLAIN_DECORATORS.has(d.n)) || (d.k === 'attr' && PLAIN_DECORATORS.has(d.a));
}

function surfaceOfModel(m: FileModel): PartSurface {
  const prefix = `${m.module}.`;
  const rel = (q: string) => (q.startsWith(prefix) ? q.slice(prefix.length) : `\u0002${q}`);
  const entries: [string, string][] = [];
  const structure: string[] = [];
  const methods: [string, string][] = [];
  for (const [name, v] of m.scopes[0].bindings) entries.push([name, boundList(v).map((b) => `${b.kind}:${b.q ?? ''}:${shape(b.expr)}:${shape(b.annotation)}`).join('\u0001')]);
  for (const g of m.scopes[0].globals ?? []) structure.push(`g:${g}`);
  for (const f of m.functions) {
    if (f.isLambda) continue;
    const v = `${f.isAsync}:${f.isGenerator}:${shape(f.decorators)}:${shape(f.params)}:${shape(f.returns)}:${shape(f.returnAnnotation)}`;
    entries.push([rel(f.qname), v]);
    if (f.cls >= 0 && m.classes[f.cls]) methods.push([rel(f.qname), m.classes[f.cls].qname]);
    // Decorators give roles, getters and listeners, which other files' analysis gathers workspace-wide.
    // What a property or a static / class method returns is read through its name (the entry above),
    // as a plain method's is: typing its body changes that name only.
    if (f.decorators.length) structure.push(`d:${f.qname}:${f.decorators.every(isPlainDecorator) ? `${f.isAsync}:${f.isGenerator}:${shape(f.decorators)}:${shape(f.params)}:${shape(f.returnAnnotation)}` : v}`);
  }
  for (const c of m.classes) {
    const r = rel(c.qname);
    structure.push(`c:${c.qname}:${shape(c.bases)}`);
    for (const [a, e] of c.attrs) entries.push([`${r}.${a}`, `${shape(e)}:${shape(c.attrTypes?.get(a))}`]);
    for (const [a, e] of c.attrTypes ?? []) if (!c.attrs.has(a)) entries.push([`${r}.${a}`, `:${shape(e)}`]);
  }
  return { entries, structure: structure.join('\n'), methods };
}

/**
 * The names a change of a module's model changed for other files (`module\0name`, see
 * SymbolIndex.readsChanged), or 'all' when it changed what is read workspace-wide (classes, their
 * bases and methods, decorated functions, globals) or the parts are unknown. A name whose value
 * mentions a changed name (`engine = create_engine(url)` when `url` changed) is changed too.
 */
export function surfaceChanges(before: FileModel, beforeParts: readonly Part[] | undefined, after: FileModel, afterParts: readonly Part[] | undefined, ancestors?: (cls: string) => string[] | undefined): Set<string> | 'all' {
  if (!beforeParts || !afterParts || before.module !== after.module || before.isPackage !== after.isPackage) return 'all';
  const collect = (parts: readonly Part[]) => {
    const map = new Map<string, string>();
    const structure: string[] = [];
    const methods = new Map<string, string>();
    for (const p of parts) {
      let ps = partSurfaces.get(p);
      if (!ps) partSurfaces.set(p, (ps = surfaceOfModel(p.model)));
      for (const [k, v] of ps.entries) { const was = map.get(k); map.set(k, was === undefined ? v : `${was}\u0003${v}`); }
      if (ps.structure) structure.push(ps.structure);
      for (const [k, c] of ps.methods) methods.set(k, c);
    }
    return { map, structure: structure.join('\n'), methods };
  };
  const a = collect(beforeParts);
  const b = collect(afterParts);
  if (a.structure !== b.structure) return 'all';
  const changed = new Set<string>();
  for (const [k, v] of a.map) if (b.map.get(k) !== v) changed.add(k);
  for (const k of b.map.keys()) if (!a.map.has(k)) changed.add(k);
  // A method added, removed or changed: a base class's method of that name has other overrides now
  // (N+1 reads a method's implementations in subclasses); bases outside the module: 'all'.
  const prefix = `${after.module}.`;
  for (const k of [...changed]) {
    const cls = b.methods.get(k) ?? a.methods.get(k);
    if (cls === undefined) continue;
    const up = ancestors?.(cls);
    if (!up) return 'all';
    const name = k.slice(k.lastIndexOf('.') + 1);
    for (const q of up) {
      if (!q.startsWith(prefix)) return 'all';
      changed.add(`${q.slice(prefix.length)}.${name}`);
    }
  }
  // Within the module, names resolve through each other: close over the values that mention one.
  let frontier = [...changed];
  for (let round = 0; frontier.length && round < 8; round++) {
    const next: string[] = [];
    for (const k of frontier) {
      const dot = k.lastIndexOf('.');
      const token = `"${k.slice(dot + 1)}"`;
      const scope = dot < 0 ? '' : k.slice(0, dot + 1);
      for (const map of [a.map, b.map]) {
        for (const [key, v] of map) if (!changed.has(key) && key.startsWith(scope) && v.includes(token)) { changed.add(key); next.push(key); }
      }
    }
    frontier = next;
  }
  if (frontier.length) return 'all';
  return new Set([...changed].map((k) => `${after.module}\u0000${k}`));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** Moves a part's records from where they were placed last to `now`, in place. */
function place(p: Part, now: Placement): void {
  const was = p.placed;
  const d = now.start - was.start;
  const dr = now.row - was.row;
  const dFn = now.fn - was.fn;
  const dCls = now.cls - was.cls;
  const dCall = now.call - was.call;
  const dLoop = now.loop - was.loop;
  const dScope = now.scope - was.scope;
  p.placed = now;
  p.header.delta += d;
  p.header.scopeBase = now.scope;
  if (!d && !dr && !dFn && !dCls && !dCall && !dLoop && !dScope) return;
  const m = p.model;
  // A keystroke moves what follows it by offset (and by row when it adds or removes a line) only.
  if (!dFn && !dCls && !dCall && !dLoop && !dScope) return shiftPositions(m, d, dr);
  const sc = (s: number) => (s <= 0 ? s : s + dScope);
  const fn = (f: number) => (f < 0 ? f : f + dFn);
  const loop = (l: number) => (l < 0 ? l : l + dLoop);
  const shift = (v: Bound) => { if (d) shiftBound(v, d); };
  m.scopes.forEach((s, k) => {
    for (const list of s.bindings.values()) shift(list);
    if (k === 0) return;
    s.id += dScope;
    s.parent = sc(s.parent);
    if (s.fn !== undefined) s.fn = fn(s.fn);
    if (s.cls !== undefined) s.cls += dCls;
  });
  for (const f of m.functions) {
    f.id += dFn; f.line += dr; f.start += d; f.end += d; f.nameStart += d; f.nameEnd += d; f.bodyStart += d;
    if (f.asyncStart >= 0) f.asyncStart += d;
    f.defKeywordStart += d; f.scope = sc(f.scope); f.parentFn = fn(f.parentFn);
    if (f.cls >= 0) f.cls += dCls;
    if (dCall) for (let k = 0; k < f.calls.length; k++) f.calls[k] += dCall;
    if (f.isLambda && dr) f.qname = f.qname.replace(/<lambda:\d+>$/, `<lambda:${f.line}>`);
  }
  for (const c of m.classes) {
    c.id += dCls; c.scope = sc(c.scope); c.line += dr;
    if (dFn) for (const [name, id] of c.methods) c.methods.set(name, id + dFn);
  }
  for (const l of m.loops) {
    l.id += dLoop; l.fn = fn(l.fn); l.parent = loop(l.parent); l.start += d; l.end += d; l.bodyStart += d; l.line += dr;
  }
  for (const c of m.calls) {
    c.id += dCall; c.fn = fn(c.fn); c.loop = loop(c.loop); c.start += d; c.end += d; c.calleeEnd += d; c.argsStart += d;
    c.line += dr; c.endLine += dr;
  }
  for (const im of m.imports) { im.line += dr; im.start += d; im.end += d; im.scope = sc(im.scope); }
  shiftNoqa(m, dr);
}

/** Moves the offsets of a name's bindings by `d` (those with one). */
function shiftBound(v: Bound, d: number): void {
  if (!isList(v)) { if (v.off >= 0) v.off += d; return; }
  for (const b of v) if (b.off >= 0) b.off += d;
}

/** place() when no id moves: offsets by `d`, lines by `dr` (what the general case does with ids unchanged). */
function shiftPositions(m: FileModel, d: number, dr: number): void {
  if (d) {
    for (const s of m.scopes) for (const v of s.bindings.values()) shiftBound(v, d);
  }
  for (const f of m.functions) {
    f.line += dr; f.start += d; f.end += d; f.nameStart += d; f.nameEnd += d; f.bodyStart += d;
    if (f.asyncStart >= 0) f.asyncStart += d;
    f.defKeywordStart += d;
    if (f.isLambda && dr) f.qname = f.qname.replace(/<lambda:\d+>$/, `<lambda:${f.line}>`);
  }
  if (dr) for (const c of m.classes) c.line += dr;
  for (const l of m.loops) { l.start += d; l.end += d; l.bodyStart += d; l.line += dr; }
  for (const c of m.calls) { c.start += d; c.end += d; c.calleeEnd += d; c.argsStart += d; c.line += dr; c.endLine += dr; }
  for (const im of m.imports) { im.line += dr; im.start += d; im.end += d; }
  shiftNoqa(m, dr);
}

function shiftNoqa(m: FileModel, dr: number): void {
  if (!dr) return;
  m.noqa = new Map([...m.noqa].map(([line, codes]) => [line + dr, codes]));
  for (const e of m.syntaxErrors) e.line += dr;
}

export function emptyModel(opts: BuildOptions, starts: number[]): FileModel {
  return {
    module: opts.module,
    isPackage: opts.isPackage,
    scopes: [new Scope(0, 'module', -1)],
    functions: [],
    classes: [],
    calls: [],
    loops: [],
    imports: [],
    noqa: new Map(),
    syntaxErrors: [],
    lineStarts: starts,
  };
}

/**
 * The line starts of a text after one edit, from the starts before it: those before the edit are
 * kept, the edited lines are scanned again, and those after it are shifted. Gives exactly what a
 * fresh scan of `text` gives: with `cr`, `\r\n`, `\n` and a lone `\r` end a line (lineStarts);
 * without, only `\n` does (tree-sitter's rows). A start depends on the two characters around it.
 */
export function editLineStarts(prev: readonly number[], text: string, edit: { start: number; end: number; text: string }, cr: boolean): number[] {
  const newEnd = edit.start + edit.text.length;
  const delta = newEnd - edit.end;
  const out: number[] = [];
  let k = 0;
  // Starts whose characters (s - 1 and s) lie wholly before the edit.
  while (k < prev.length && (prev[k] < edit.start || k === 0)) out.push(prev[k++]);
  for (let i = out[out.length - 1]; i < newEnd; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) out.push(i + 1);
    else if (ch === 13 && cr) {
      if (text.charCodeAt(i + 1) === 10) { if (i + 2 <= newEnd) out.push(i + 2); i++; } else out.push(i + 1);
    }
  }
  // Starts whose characters lie wholly after the edit.
  while (k < prev.length && prev[k] < edit.end + 1) k++;
  while (k < prev.length) out.push(prev[k++] + delta);
  return out;
}
