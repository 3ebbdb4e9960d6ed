// Builds a file's model (scopes, bindings, functions, classes, call sites, loops) from one tree-sitter
// query pass. Captures come in source order; a stack of open containers (function, class, lambda,
// comprehension, loop) gives each capture its context, so no recursive walk is needed and deeply
// nested code cannot overflow the stack.
import type { Node, Query, QueryCapture, Tree } from 'web-tree-sitter';
import { Query as TsQuery } from 'web-tree-sitter';
import { type Expr, namesIn, readableCallee, type SegmentHeader, UNKNOWN } from './ir';

/** `item`: a `for` target named alone; `expr` is the iterable, so the name holds one of its elements. */
export type BindingKind = 'import' | 'value' | 'def' | 'class' | 'param' | 'self' | 'with' | 'item' | 'opaque';

export interface Binding {
  kind: BindingKind;
  /** Offset from which the binding is visible (the end of its statement); -1 = whole scope. */
  off: number;
  /** import target, def/class qualified name, or class qname for `self`. */
  q?: string;
  expr?: Expr;
  annotation?: Expr;
}

export interface Scope {
  id: number;
  kind: 'module' | 'function' | 'class' | 'comp';
  parent: number;
  bindings: Map<string, Binding[]>;
  globals?: Set<string>;
  fn?: number;
  cls?: number;
}

export interface Param {
  name: string;
  annotation?: Expr;
  default?: Expr;
  star?: boolean;
}

export interface FunctionInfo {
  id: number;
  name: string;
  qname: string;
  isAsync: boolean;
  isGenerator: boolean;
  isLambda: boolean;
  line: number;
  column: number;
  /** Offsets: the whole definition (decorators excluded), its name, its body, and the `async` keyword. */
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  bodyStart: number;
  asyncStart: number;
  defKeywordStart: number;
  scope: number;
  parentFn: number;
  cls: number;
  decorators: Expr[];
  params: Param[];
  hasAwait: boolean;
  returns: Expr[];
  /** The `-> T` annotation, if any. */
  returnAnnotation?: Expr;
  calls: number[];
  /** Column of the body's first statement (its indentation), for fixes that add lines. */
  bodyIndent: number;
}

export interface ClassInfo {
  id: number;
  name: string;
  qname: string;
  bases: Expr[];
  scope: number;
  line: number;
  methods: Map<string, number>;
  /** `self.x = ...` in any method and class-level assignments. */
  attrs: Map<string, Expr>;
  /** Annotations of those attributes (`self.x: T = ...`, class-level `x: T`), when written. */
  attrTypes?: Map<string, Expr>;
}

export interface LoopInfo {
  id: number;
  kind: 'for' | 'comp' | 'while';
  isAsync: boolean;
  fn: number;
  parent: number;
  targets: string[];
  iter: Expr;
  iterText: string;
  /** Names assigned anywhere in the body (data carried between iterations). */
  assigned: Set<string>;
  /** `x = expr` assigned once in the body: the names expr reads (null when assigned more than once or otherwise). */
  derived?: Map<string, string[] | null>;
  hasBreak: boolean;
  hasTry: boolean;
  /** An `await`, `async for`, `async with` or `yield` in the loop (a `while`'s condition included), not in a nested def. */
  yields?: boolean;
  start: number;
  end: number;
  bodyStart: number;
  line: number;
}

export interface CallSite {
  id: number;
  fn: number;
  callee: Expr;
  args: Expr[];
  kw: Record<string, Expr>;
  /** The callee as a reader names it, on one line (`db.query(...).first`, see readableCallee). */
  text: string;
  start: number;
  end: number;
  calleeEnd: number;
  argsStart: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  awaited: boolean;
  /** Innermost loop in the same function, or -1. */
  loop: number;
  /** The call is the iterable of a `for` (so a generator's body runs here). */
  forIterable: boolean;
  /** The call is a whole expression statement: its result is discarded. */
  stmt?: boolean;
}

export interface ImportInfo { name: string; q: string; line: number; start: number; end: number; scope: number }

export interface FileModel {
  module: string;
  isPackage: boolean;
  scopes: Scope[];
  functions: FunctionInfo[];
  classes: ClassInfo[];
  calls: CallSite[];
  loops: LoopInfo[];
  imports: ImportInfo[];
  /** line (1-based) -> codes from `# noqa: ...`; an empty set means a bare `# noqa`. */
  noqa: Map<number, Set<string>>;
  /** Codes (or prefixes) from own-line `# loopwise: noqa: LW101` comments; '' for a bare `# loopwise: noqa` (every code). */
  fileNoqa?: Set<string>;
  syntaxErrors: { line: number; column: number }[];
  lineStarts: number[];
  /** Hash of what the file exposes to name resolution (see surfaceHash); undefined when not known. */
  surface?: string;
}

interface Container { kind: 'fn' | 'class' | 'comp' | 'loop'; start: number; end: number; id: number; scope?: number }

const MAX_IR_DEPTH = 40;

export interface BuildOptions { module: string; isPackage: boolean }

/**
 * The model of one top-level statement, kept between edits: an edit rebuilds only the statements
 * it touched, and the file's model is reassembled from these parts (offsets, lines and ids shifted).
 */
export interface Part { model: FileModel; header: SegmentHeader; placed: Placement; surface: number; column: number }

/** A document's parts by the `start:end` range of their statement in the text they were built from. */
export type PartCache = Map<string, Part>;

/**
 * Which parts of the previous build can serve again after one edit: a statement wholly before or
 * after the edited range has the same text (shifted by the edit's length change), and is reused when
 * it also starts at the same column.
 */
export function reuseAfterEdit(prev: PartCache, edit: { start: number; end: number; text: string }): (seg: Node) => Part | undefined {
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

/** Builds the model. The tree is only read here; the caller frees it. */
export function buildModel(tree: Tree, text: string, q: Query, opts: BuildOptions, reuse?: (seg: Node) => Part | undefined, next?: PartCache, stats?: { built: number }): FileModel {
  const root = tree.rootNode;
  const segments = root.children.filter((c): c is Node => !!c && c.endIndex > c.startIndex);
  const parts: (Part | undefined)[] = new Array(segments.length);
  const missing: number[] = [];
  segments.forEach((seg, i) => {
    const part = reuse?.(seg);
    if (part) parts[i] = part; else missing.push(i);
  });
  if (missing.length > segments.length / 4) {
    // Mostly new text (a first build): one query over the tree, captures dealt out to statements.
    const caps = q.captures(root);
    const buckets = new Map<number, QueryCapture[]>();
    let k = 0;
    caps.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
    for (const c of caps) {
      while (k < segments.length && segments[k].endIndex <= c.node.startIndex) k++;
      if (k >= segments.length || c.node.startIndex < segments[k].startIndex || parts[k]) continue;
      let list = buckets.get(k);
      if (!list) buckets.set(k, (list = []));
      list.push(c);
    }
    for (const i of missing) parts[i] = buildPart(text, opts, segments[i], buckets.get(i) ?? []);
  } else {
    for (const i of missing) parts[i] = buildPart(text, opts, segments[i], q.captures(segments[i]));
  }
  if (stats) stats.built = missing.length;
  if (next) segments.forEach((seg, i) => next.set(`${seg.startIndex}:${seg.endIndex}`, parts[i]!));
  const model = assemble(text, opts, segments, parts as Part[]);
  model.surface = (parts as Part[]).map((p) => p.surface.toString(36)).join('.');
  if (root.hasError && model.syntaxErrors.length === 0) {
    // A MISSING node (e.g. an unclosed bracket) is not an ERROR node; locate it by its parent.
    model.syntaxErrors.push(findMissing(root) ?? { line: 1, column: 1 });
  }
  return model;
}

function buildPart(text: string, opts: BuildOptions, seg: Node, caps: QueryCapture[]): Part {
  const header: SegmentHeader = { delta: 0, scopeBase: 0 };
  const b = new ModelBuilder(text, opts, header);
  b.run(caps);
  // Built with local ids: the module scope is 0 and the part's own scopes start at 1.
  return { model: b.model, header, surface: surfaceHash(b.model), column: seg.startPosition.column, placed: { start: seg.startIndex, row: seg.startPosition.row, fn: 0, cls: 0, call: 0, loop: 0, scope: 1 } };
}

/**
 * Joins the parts into one model. A part's records are shifted in place to their new offsets, lines
 * and ids (only by the difference from the last assembly), so an edit that moves nothing costs no
 * allocation; expressions are shared and translated through their part's header.
 */
function assemble(text: string, opts: BuildOptions, segments: Node[], parts: Part[]): FileModel {
  const out = emptyModel(opts, lineStarts(text));
  const moduleScope = out.scopes[0];
  parts.forEach((p, i) => {
    const m = p.model;
    const now: Placement = {
      start: segments[i].startIndex, row: segments[i].startPosition.row, fn: out.functions.length,
      cls: out.classes.length, call: out.calls.length, loop: out.loops.length, scope: out.scopes.length,
    };
    place(p, now);
    for (const [name, list] of m.scopes[0].bindings) {
      let target = moduleScope.bindings.get(name);
      if (!target) moduleScope.bindings.set(name, (target = []));
      target.push(...list);
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
function surfaceHash(m: FileModel): number {
  const shape = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'off' || k === 'seg' || k === 'scope' ? undefined : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
  const parts: string[] = [];
  for (const [name, list] of m.scopes[0].bindings) for (const b of list) parts.push(`b:${name}:${b.kind}:${b.q ?? ''}:${shape(b.expr)}:${shape(b.annotation)}`);
  for (const g of m.scopes[0].globals ?? []) parts.push(`g:${g}`);
  for (const f of m.functions) if (!f.isLambda) parts.push(`f:${f.qname}:${f.isAsync}:${f.isGenerator}:${shape(f.decorators)}:${shape(f.params)}:${shape(f.returns)}:${shape(f.returnAnnotation)}`);
  for (const c of m.classes) parts.push(`c:${c.qname}:${shape(c.bases)}:${shape(c.attrs)}:${shape(c.attrTypes)}:${[...c.methods.keys()].join(',')}`);
  return fnv1a(parts.join('\n'));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** Where a part's records currently point: its statement's start and row, and its first ids. */
interface Placement { start: number; row: number; fn: number; cls: number; call: number; loop: number; scope: number }

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
  const sc = (s: number) => (s <= 0 ? s : s + dScope);
  const fn = (f: number) => (f < 0 ? f : f + dFn);
  const loop = (l: number) => (l < 0 ? l : l + dLoop);
  const shift = (list: Binding[]) => { if (d) for (const b of list) if (b.off >= 0) b.off += d; };
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
  if (dr) {
    m.noqa = new Map([...m.noqa].map(([line, codes]) => [line + dr, codes]));
    for (const e of m.syntaxErrors) e.line += dr;
  }
}

function emptyModel(opts: BuildOptions, starts: number[]): FileModel {
  return {
    module: opts.module,
    isPackage: opts.isPackage,
    scopes: [{ id: 0, kind: 'module', parent: -1, bindings: new Map() }],
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

class ModelBuilder {
  model: FileModel;
  private stack: Container[] = [];
  /** start offset -> end offset of calls that are the operand of `await`. */
  private awaited = new Map<number, number>();
  private forIterables = new Set<number>();
  private stmtCalls = new Set<number>();
  private callIr = new Map<number, Extract<Expr, { k: 'call' }>>();

  constructor(private text: string, opts: BuildOptions, private header: SegmentHeader) {
    this.model = emptyModel(opts, []);
  }

  /** Captures of one top-level statement, in any order. */
  run(caps: QueryCapture[]): void {
    // Source order; an outer node before an inner one that starts at the same offset.
    caps.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
    for (const c of caps) {
      if (c.name === 'awaited') this.awaited.set(c.node.startIndex, c.node.endIndex);
      else if (c.name === 'stmtcall') this.stmtCalls.add(c.node.startIndex);
    }
    for (const c of caps) {
      const n = c.node;
      this.closeUntil(n.startIndex);
      switch (c.name) {
        case 'def': this.onDef(n); break;
        case 'class': this.onClass(n); break;
        case 'lambda': this.onLambda(n); break;
        case 'comp': this.onComp(n); break;
        case 'forin': this.onForIn(n); break;
        case 'for': this.onFor(n); break;
        case 'while': this.onWhile(n); break;
        case 'call': this.onCall(n); break;
        case 'await': this.markAwait(); break;
        case 'import': this.onImport(n); break;
        case 'importfrom': this.onImportFrom(n); break;
        case 'assign': this.onAssign(n); break;
        case 'augassign': this.onAugAssign(n); break;
        case 'walrus': this.onWalrus(n); break;
        case 'with': if (startsWithAsync(this.text, n)) this.markAwait(); break;
        case 'withitem': this.onWithItem(n); break;
        case 'return': this.onReturn(n, false); break;
        case 'yield': this.onReturn(n, true); break;
        case 'global': this.onGlobal(n); break;
        case 'break': this.onBreak(); break;
        case 'try': { const l = this.innermostLoop(); if (l) l.hasTry = true; break; }
        case 'comment': this.onComment(n); break;
        case 'error': if (this.model.syntaxErrors.length < 50) this.model.syntaxErrors.push({ line: n.startPosition.row + 1, column: n.startPosition.column + 1 }); break;
        default: break;
      }
    }
  }

  // ---- context -------------------------------------------------------------------------------

  private closeUntil(offset: number): void {
    while (this.stack.length && this.stack[this.stack.length - 1].end <= offset) this.stack.pop();
  }

  /** The scope a capture at `offset` binds into and resolves from. */
  private currentScope(offset: number): number {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.scope !== undefined && offset >= c.start) return c.scope;
    }
    return 0;
  }

  private currentFn(offset: number): number {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' && offset >= c.start) return c.id;
      if (c.kind === 'class' && offset >= c.start) return -1;
    }
    return -1;
  }

  private innermostLoop(offset = Infinity): LoopInfo | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' || c.kind === 'class') return undefined;
      if (c.kind === 'loop' && offset >= c.start) return this.model.loops[c.id];
    }
    return undefined;
  }

  private loopsInFn(): LoopInfo[] {
    const out: LoopInfo[] = [];
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn' || c.kind === 'class') break;
      if (c.kind === 'loop') out.push(this.model.loops[c.id]);
    }
    return out;
  }

  private newScope(kind: Scope['kind'], parent: number): Scope {
    const s: Scope = { id: this.model.scopes.length, kind, parent, bindings: new Map() };
    this.model.scopes.push(s);
    return s;
  }

  private bind(scope: number, name: string, b: Binding): void {
    const s = this.model.scopes[scope];
    const target = s.globals?.has(name) ? this.model.scopes[0] : s;
    let list = target.bindings.get(name);
    if (!list) target.bindings.set(name, (list = []));
    list.push(b);
  }

  private markAwait(): void {
    for (const l of this.loopsInFn()) l.yields = true;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn') { this.model.functions[c.id].hasAwait = true; return; }
      if (c.kind === 'class') return;
    }
  }

  private qnameFor(name: string): string {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const c = this.stack[i];
      if (c.kind === 'fn') return `${this.model.functions[c.id].qname}.${name}`;
      if (c.kind === 'class') return `${this.model.classes[c.id].qname}.${name}`;
    }
    return `${this.model.module}.${name}`;
  }

  private enclosingClass(): number {
    const top = this.stack[this.stack.length - 1];
    return top && top.kind === 'class' ? top.id : -1;
  }

  // ---- definitions ---------------------------------------------------------------------------

  /** Registers a def or lambda, opens its scope and makes its body the current container. */
  private openFunction(n: Node, body: Node, name: string, qname: string, extra: Partial<FunctionInfo>): FunctionInfo {
    const fn: FunctionInfo = {
      id: this.model.functions.length,
      name,
      qname,
      isAsync: false,
      isGenerator: false,
      isLambda: false,
      line: n.startPosition.row + 1,
      column: n.startPosition.column + 1,
      start: n.startIndex,
      end: n.endIndex,
      nameStart: n.startIndex,
      nameEnd: n.startIndex,
      bodyStart: body.startIndex,
      asyncStart: -1,
      defKeywordStart: n.startIndex,
      scope: -1,
      parentFn: this.currentFn(n.startIndex),
      cls: -1,
      decorators: [],
      params: [],
      hasAwait: false,
      returns: [],
      calls: [],
      bodyIndent: body.startPosition.column,
      ...extra,
    };
    this.model.functions.push(fn);
    const scope = this.newScope('function', this.currentScope(n.startIndex));
    scope.fn = fn.id;
    fn.scope = scope.id;
    this.stack.push({ kind: 'fn', start: body.startIndex, end: n.endIndex, id: fn.id, scope: scope.id });
    return fn;
  }

  private onDef(n: Node): void {
    const nameNode = n.childForFieldName('name');
    const body = n.childForFieldName('body');
    if (!nameNode || !body) return;
    const name = nameNode.text;
    const outerScope = this.currentScope(n.startIndex);
    const cls = this.enclosingClass();
    const isAsync = startsWithAsync(this.text, n);
    const decorators: Expr[] = [];
    const parent = n.parent;
    if (parent?.type === 'decorated_definition') {
      for (const d of parent.namedChildren) {
        if (d?.type === 'decorator' && d.firstNamedChild) decorators.push(this.ir(d.firstNamedChild, outerScope));
      }
    }
    const qname = this.qnameFor(name);
    this.bind(outerScope, name, { kind: 'def', off: n.startIndex, q: qname });
    const fn = this.openFunction(n, body, name, qname, {
      isAsync,
      nameStart: nameNode.startIndex,
      nameEnd: nameNode.endIndex,
      asyncStart: isAsync ? n.startIndex : -1,
      defKeywordStart: isAsync ? (n.child(1)?.startIndex ?? n.startIndex) : n.startIndex,
      cls,
      decorators,
    });
    if (cls >= 0) this.model.classes[cls].methods.set(name, fn.id);
    const params = n.childForFieldName('parameters');
    if (params) this.readParams(params, fn, outerScope, cls >= 0 && !decorators.some(isStaticDecorator));
    const ret = n.childForFieldName('return_type');
    if (ret) fn.returnAnnotation = this.ir(ret.firstNamedChild ?? ret, outerScope);
  }

  private readParams(params: Node, fn: FunctionInfo, outerScope: number, isMethod: boolean): void {
    let first = true;
    for (const p of params.namedChildren) {
      if (!p) continue;
      let name: string | undefined;
      let annotation: Expr | undefined;
      let dflt: Expr | undefined;
      let star = false;
      switch (p.type) {
        case 'identifier': name = p.text; break;
        case 'typed_parameter': {
          const id = p.namedChildren.find((c) => c?.type === 'identifier');
          const splat = p.namedChildren.find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
          name = id?.text ?? splat?.namedChildren[0]?.text;
          star = !!splat;
          const t = p.childForFieldName('type');
          if (t) annotation = this.ir(t.firstNamedChild ?? t, outerScope);
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          name = p.childForFieldName('name')?.text;
          const t = p.childForFieldName('type');
          if (t) annotation = this.ir(t.firstNamedChild ?? t, outerScope);
          const v = p.childForFieldName('value');
          if (v) dflt = this.ir(v, outerScope);
          break;
        }
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern':
          name = p.namedChildren[0]?.text; star = true; break;
        default: break;
      }
      if (!name) continue;
      fn.params.push({ name, annotation, default: dflt, star });
      const selfLike = first && isMethod && !fn.decorators.some(isClassMethodDecorator);
      if (selfLike) this.bind(fn.scope, name, { kind: 'self', off: -1, q: this.model.classes[fn.cls].qname });
      else this.bind(fn.scope, name, { kind: 'param', off: -1, annotation, expr: dflt });
      first = false;
    }
  }

  private onClass(n: Node): void {
    const nameNode = n.childForFieldName('name');
    const body = n.childForFieldName('body');
    if (!nameNode || !body) return;
    const outerScope = this.currentScope(n.startIndex);
    const bases: Expr[] = [];
    const supers = n.childForFieldName('superclasses');
    if (supers) for (const a of supers.namedChildren) if (a && a.type !== 'keyword_argument') bases.push(this.ir(a, outerScope));
    const cls: ClassInfo = {
      id: this.model.classes.length,
      name: nameNode.text,
      qname: this.qnameFor(nameNode.text),
      bases,
      scope: -1,
      line: n.startPosition.row + 1,
      methods: new Map(),
      attrs: new Map(),
    };
    this.model.classes.push(cls);
    this.bind(outerScope, cls.name, { kind: 'class', off: n.startIndex, q: cls.qname });
    const scope = this.newScope('class', outerScope);
    scope.cls = cls.id;
    cls.scope = scope.id;
    this.stack.push({ kind: 'class', start: body.startIndex, end: n.endIndex, id: cls.id, scope: scope.id });
  }

  private onLambda(n: Node): void {
    const body = n.childForFieldName('body');
    if (!body) return;
    const fn = this.openFunction(n, body, '<lambda>', this.qnameFor(`<lambda:${n.startPosition.row + 1}>`), { isLambda: true, bodyIndent: 0 });
    const params = n.childForFieldName('parameters');
    if (params) {
      for (const p of params.namedChildren) {
        const name = p?.type === 'identifier' ? p.text : p?.childForFieldName('name')?.text ?? p?.namedChildren[0]?.text;
        if (name) this.bind(fn.scope, name, { kind: 'opaque', off: -1 });
      }
    }
  }

  private onComp(n: Node): void {
    const outer = this.currentScope(n.startIndex);
    const scope = this.newScope('comp', outer);
    const loop = this.newLoop(n, 'comp', false, n.startIndex);
    this.stack.push({ kind: 'loop', start: n.startIndex, end: n.endIndex, id: loop.id, scope: scope.id });
  }

  private onForIn(n: Node): void {
    const loop = this.innermostLoop(n.startIndex);
    const scope = this.currentScope(n.startIndex);
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (startsWithAsync(this.text, n)) { this.markAwait(); if (loop) loop.isAsync = true; }
    if (!loop || loop.kind !== 'comp') return;
    if (right && loop.iterText === '') { loop.iter = this.ir(right, scope); loop.iterText = right.text; }
    const item = left?.type === 'identifier' && right ? this.ir(right, scope) : undefined;
    if (left) for (const name of targetNames(left)) { loop.targets.push(name); this.bind(scope, name, item ? { kind: 'item', off: -1, expr: item } : { kind: 'opaque', off: -1 }); }
    // A list, set or dict comprehension iterates its source right away (a generator expression does not).
    if (right?.type === 'call' && n.parent && n.parent.type !== 'generator_expression') this.forIterables.add(right.startIndex);
  }

  private onFor(n: Node): void {
    const body = n.childForFieldName('body');
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!body) return;
    const isAsync = startsWithAsync(this.text, n);
    if (isAsync) this.markAwait();
    const scope = this.currentScope(n.startIndex);
    const loop = this.newLoop(n, 'for', isAsync, body.startIndex);
    if (right) loop.iter = this.ir(right, scope);
    const single = left?.type === 'identifier' && right;
    if (left) for (const name of targetNames(left)) { loop.targets.push(name); this.bind(scope, name, single ? { kind: 'item', off: left.startIndex, expr: loop.iter } : { kind: 'opaque', off: left.startIndex }); }
    if (right) {
      loop.iterText = right.text;
      if (right.type === 'call') this.forIterables.add(right.startIndex);
    }
    this.stack.push({ kind: 'loop', start: body.startIndex, end: n.endIndex, id: loop.id });
  }

  private onWhile(n: Node): void {
    const body = n.childForFieldName('body');
    if (!body) return;
    const loop = this.newLoop(n, 'while', false, body.startIndex);
    const cond = n.childForFieldName('condition');
    if (cond) { loop.iter = this.ir(cond, this.currentScope(n.startIndex)); loop.iterText = cond.text; }
    this.stack.push({ kind: 'loop', start: body.startIndex, end: n.endIndex, id: loop.id });
  }

  private newLoop(n: Node, kind: LoopInfo['kind'], isAsync: boolean, bodyStart: number): LoopInfo {
    const parent = this.innermostLoop(n.startIndex);
    const loop: LoopInfo = {
      id: this.model.loops.length,
      kind,
      isAsync,
      fn: this.currentFn(n.startIndex),
      parent: parent ? parent.id : -1,
      targets: [],
      iter: UNKNOWN,
      iterText: '',
      assigned: new Set(),
      hasBreak: false,
      hasTry: false,
      start: n.startIndex,
      end: n.endIndex,
      bodyStart,
      line: n.startPosition.row + 1,
    };
    this.model.loops.push(loop);
    return loop;
  }

  // ---- statements ----------------------------------------------------------------------------

  private onCall(n: Node): void {
    const f = n.childForFieldName('function');
    const argsNode = n.childForFieldName('arguments');
    if (!f) return;
    const scope = this.currentScope(n.startIndex);
    const fnId = this.currentFn(n.startIndex);
    const e = this.ir(n, scope, 0, 'call');
    if (e.k !== 'call') return;
    const loop = this.innermostLoop(n.startIndex);
    const call: CallSite = {
      id: this.model.calls.length,
      fn: fnId,
      callee: e.f,
      args: e.args,
      kw: e.kw,
      text: readableCallee(f.text),
      start: n.startIndex,
      end: n.endIndex,
      calleeEnd: f.endIndex,
      argsStart: argsNode ? argsNode.startIndex : f.endIndex,
      line: n.startPosition.row + 1,
      column: n.startPosition.column + 1,
      endLine: n.endPosition.row + 1,
      endColumn: n.endPosition.column + 1,
      awaited: this.awaited.get(n.startIndex) === n.endIndex,
      loop: loop ? loop.id : -1,
      forIterable: this.forIterables.has(n.startIndex),
      stmt: this.stmtCalls.has(n.startIndex),
    };
    this.model.calls.push(call);
    if (fnId >= 0) this.model.functions[fnId].calls.push(call.id);
  }

  private onImport(n: Node): void {
    const scope = this.currentScope(n.startIndex);
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'dotted_name') {
        const full = c.text.replace(/\s+/g, '');
        const head = full.split('.')[0];
        this.addImport(scope, head, head, n);
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name')?.text.replace(/\s+/g, '');
        const alias = c.childForFieldName('alias')?.text;
        if (name && alias) this.addImport(scope, alias, name, n);
      }
    }
  }

  private onImportFrom(n: Node): void {
    const scope = this.currentScope(n.startIndex);
    const modNode = n.childForFieldName('module_name');
    if (!modNode) return;
    const base = this.absoluteModule(modNode);
    for (const c of n.namedChildren) {
      if (!c || c.startIndex === modNode.startIndex) continue;
      if (c.type === 'dotted_name') {
        const name = c.text.replace(/\s+/g, '');
        this.addImport(scope, name, base ? `${base}.${name}` : name, n);
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name')?.text.replace(/\s+/g, '');
        const alias = c.childForFieldName('alias')?.text;
        if (name && alias) this.addImport(scope, alias, base ? `${base}.${name}` : name, n);
      }
    }
  }

  /** `from ..x import y` in module a.b.c -> `a.x`; in package a/b/__init__.py -> `a.x`. */
  private absoluteModule(modNode: Node): string {
    if (modNode.type !== 'relative_import') return modNode.text.replace(/\s+/g, '');
    const prefix = modNode.namedChildren.find((c) => c?.type === 'import_prefix')?.text.length ?? 1;
    const rest = modNode.namedChildren.find((c) => c?.type === 'dotted_name')?.text.replace(/\s+/g, '');
    const parts = this.model.module.split('.');
    const pkg = this.model.isPackage ? parts : parts.slice(0, -1);
    const up = pkg.slice(0, Math.max(0, pkg.length - (prefix - 1)));
    return [...up, ...(rest ? [rest] : [])].join('.');
  }

  private addImport(scope: number, name: string, q: string, n: Node): void {
    this.bind(scope, name, { kind: 'import', off: n.endIndex, q });
    this.model.imports.push({ name, q, line: n.startPosition.row + 1, start: n.startIndex, end: n.endIndex, scope });
  }

  private onAssign(n: Node): void {
    const left = n.childForFieldName('left');
    let right = n.childForFieldName('right');
    const type = n.childForFieldName('type');
    if (!left) return;
    while (right && right.type === 'assignment') right = right.childForFieldName('right');
    const scope = this.currentScope(n.startIndex);
    const off = n.endIndex;
    const loops = this.loopsInFn();
    for (const l of loops) for (const name of targetNames(left)) l.assigned.add(name);
    if (left.type === 'identifier') {
      const annotation = type ? this.ir(type.firstNamedChild ?? type, scope) : undefined;
      const value = right ? this.ir(right, scope) : undefined;
      for (const l of loops) {
        l.derived ??= new Map();
        l.derived.set(left.text, value && !l.derived.has(left.text) ? [...namesIn(value)] : null);
      }
      if (right) this.bind(scope, left.text, { kind: 'value', off, expr: value, annotation });
      else if (annotation) this.bind(scope, left.text, { kind: 'param', off, annotation });
      const clsScope = this.model.scopes[scope];
      if (clsScope.kind === 'class' && clsScope.cls !== undefined) {
        const cls = this.model.classes[clsScope.cls];
        if (right) cls.attrs.set(left.text, value ?? this.ir(right, scope));
        if (annotation) (cls.attrTypes ??= new Map()).set(left.text, annotation);
      }
      return;
    }
    if (left.type === 'attribute' && right) {
      const obj = left.childForFieldName('object');
      const attr = left.childForFieldName('attribute');
      const fnId = this.currentFn(n.startIndex);
      if (obj?.type === 'identifier' && attr && fnId >= 0) {
        const fn = this.model.functions[fnId];
        const selfName = fn.cls >= 0 ? fn.params[0]?.name : undefined;
        if (selfName && obj.text === selfName) {
          const cls = this.model.classes[fn.cls];
          cls.attrs.set(attr.text, this.ir(right, scope));
          if (type) (cls.attrTypes ??= new Map()).set(attr.text, this.ir(type.firstNamedChild ?? type, scope));
        }
      }
      return;
    }
    for (const name of targetNames(left)) this.bind(scope, name, { kind: 'opaque', off });
  }

  private onAugAssign(n: Node): void {
    const left = n.childForFieldName('left');
    if (!left) return;
    for (const l of this.loopsInFn()) for (const name of targetNames(left)) l.assigned.add(name);
  }

  private onWalrus(n: Node): void {
    const name = n.childForFieldName('name');
    const value = n.childForFieldName('value');
    if (!name || !value) return;
    const scope = this.currentScope(n.startIndex);
    this.bind(scope, name.text, { kind: 'value', off: n.endIndex, expr: this.ir(value, scope) });
    for (const l of this.loopsInFn()) l.assigned.add(name.text);
  }

  private onWithItem(n: Node): void {
    const value = n.childForFieldName('value');
    if (!value || value.type !== 'as_pattern') return;
    const expr = value.namedChildren[0];
    const alias = value.childForFieldName('alias');
    if (!expr || !alias) return;
    const scope = this.currentScope(n.startIndex);
    const names = targetNames(alias);
    if (names.length === 1 && (alias.namedChildren[0]?.type === 'identifier' || alias.type === 'identifier')) {
      this.bind(scope, names[0], { kind: 'with', off: n.endIndex, expr: this.ir(expr, scope) });
    } else {
      for (const name of names) this.bind(scope, name, { kind: 'opaque', off: n.endIndex });
    }
    for (const l of this.loopsInFn()) for (const name of names) l.assigned.add(name);
  }

  private onReturn(n: Node, isYield: boolean): void {
    const fnId = this.currentFn(n.startIndex);
    if (fnId < 0) return;
    const fn = this.model.functions[fnId];
    if (isYield && !fn.isLambda) { fn.isGenerator = true; for (const l of this.loopsInFn()) l.yields = true; }
    const v = n.namedChildren[0];
    // `yield from gen()` iterates gen right here, like `for x in gen()`.
    if (isYield && v?.type === 'call' && /^yield\s+from\b/.test(this.text.slice(n.startIndex, v.startIndex))) this.forIterables.add(v.startIndex);
    if (v && fn.returns.length < 8) fn.returns.push(this.ir(v, this.currentScope(n.startIndex)));
    if (!isYield) { const l = this.innermostLoop(n.startIndex); if (l) l.hasBreak = true; }
  }

  private onGlobal(n: Node): void {
    const scope = this.model.scopes[this.currentScope(n.startIndex)];
    scope.globals ??= new Set();
    for (const c of n.namedChildren) if (c?.type === 'identifier') scope.globals.add(c.text);
  }

  private onBreak(): void {
    const l = this.innermostLoop();
    if (l) l.hasBreak = true;
  }

  private onComment(n: Node): void {
    const file = /^#\s*loopwise\s*:\s*noqa(?:\s*:\s*(LW\d*(?:\s*,\s*LW\d*)*))?\s*$/i.exec(n.text);
    if (file && this.ownLine(n.startIndex)) {
      const set = (this.model.fileNoqa ??= new Set());
      if (!file[1]) set.add('');
      else for (const c of file[1].split(',')) if (c.trim()) set.add(c.trim().toUpperCase());
      return;
    }
    const m = /#\s*noqa(?::\s*([A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?/i.exec(n.text);
    if (!m) return;
    const line = n.startPosition.row + 1;
    const codes = new Set<string>();
    if (m[1]) for (const c of m[1].split(/[\s,]+/)) if (c) codes.add(c.toUpperCase());
    this.model.noqa.set(line, codes);
  }

  /** Only blanks between the start of the line and `at` (a file-level directive must stand alone). */
  private ownLine(at: number): boolean {
    if (this.text[at] !== '#') return true;
    for (let i = at - 1; i >= 0; i--) {
      const ch = this.text[i];
      if (ch === '\n' || ch === '\r') return true;
      if (ch !== ' ' && ch !== '\t' && ch !== '\f') return false;
    }
    return true;
  }

  // ---- expressions ---------------------------------------------------------------------------

  /** `type` may be passed when the caller has already read it (each read crosses the wasm boundary). */
  private ir(n: Node, scope: number, depth = 0, type?: string): Expr {
    if (depth > MAX_IR_DEPTH) return UNKNOWN;
    switch (type ?? n.type) {
      case 'identifier': return { k: 'name', n: n.text, off: n.startIndex, scope, seg: this.header };
      case 'attribute': {
        const o = n.childForFieldName('object');
        const a = n.childForFieldName('attribute');
        return o && a ? { k: 'attr', o: this.ir(o, scope, depth + 1), a: a.text } : UNKNOWN;
      }
      case 'call': {
        // A call nested in another's arguments is met twice (as an argument, then as a capture).
        const key = n.startIndex * 4194304 + n.endIndex;
        const seen = this.callIr.get(key);
        if (seen) return seen;
        const f = n.childForFieldName('function');
        const argsNode = n.childForFieldName('arguments');
        if (!f) return UNKNOWN;
        const full = depth < 6;
        const { args, kw } = argsNode && full ? this.readArgs(argsNode, scope, depth) : { args: [], kw: {} };
        const e: Expr = { k: 'call', f: this.ir(f, scope, depth + 1), args, kw };
        if (full) this.callIr.set(key, e);
        return e;
      }
      case 'subscript': {
        const o = n.childForFieldName('value');
        if (!o) return UNKNOWN;
        const idx: Expr[] = [];
        for (const c of n.childrenForFieldName('subscript')) if (c) idx.push(this.ir(c, scope, depth + 1));
        return { k: 'sub', o: this.ir(o, scope, depth + 1), i: idx };
      }
      case 'type': {
        const inner = n.firstNamedChild;
        return inner ? this.ir(inner, scope, depth + 1) : UNKNOWN;
      }
      case 'generic_type': {
        // `Annotated[Session, Depends(get_db)]` in a parameter annotation.
        const base = n.firstNamedChild;
        const params = n.namedChildren.find((c) => c?.type === 'type_parameter');
        if (!base) return UNKNOWN;
        const idx: Expr[] = [];
        for (const c of params?.namedChildren ?? []) if (c) idx.push(this.ir(c, scope, depth + 1));
        return { k: 'sub', o: this.ir(base, scope, depth + 1), i: idx };
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.type ?? '?';
        return l && r ? { k: 'op', op, l: this.ir(l, scope, depth + 1), r: this.ir(r, scope, depth + 1) } : UNKNOWN;
      }
      case 'parenthesized_expression': {
        for (const c of n.namedChildren) {
          if (!c) continue;
          const t = c.type;
          if (t !== 'comment') return this.ir(c, scope, depth + 1, t);
        }
        return UNKNOWN;
      }
      case 'await': {
        const inner = n.namedChildren[0];
        return inner ? { k: 'await', e: this.ir(inner, scope, depth + 1) } : UNKNOWN;
      }
      case 'string': {
        const kids = n.namedChildren;
        const types = kids.map((c) => c?.type);
        if (types.includes('interpolation')) {
          const first = types.indexOf('string_content');
          const head = first >= 0 && first < types.indexOf('interpolation') ? kids[first]!.text : undefined;
          return head ? { k: '?', names: identifiersIn(n), head } : { k: '?', names: identifiersIn(n) };
        }
        let content = '';
        for (let i = 0; i < kids.length; i++) if (types[i] === 'string_content') content += kids[i]!.text;
        return { k: 'str', v: content };
      }
      case 'concatenated_string': return { k: 'str', v: n.namedChildren.map((c) => (c ? stripQuotes(c.text) : '')).join('') };
      case 'integer':
      case 'float': { const v = Number(n.text.replace(/_/g, '')); return Number.isFinite(v) ? { k: 'num', v } : UNKNOWN; }
      case 'none': return { k: 'none' };
      // False / True as 0 / 1 (Python's own values), so `acquire(blocking=False)` reads as a number.
      case 'false': return { k: 'num', v: 0 };
      case 'true': return { k: 'num', v: 1 };
      case 'list':
      case 'tuple': {
        const items: Expr[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          const t = c.type;
          if (t !== 'comment') items.push(this.ir(c, scope, depth + 1, t));
        }
        return { k: 'list', items };
      }
      case 'lambda': return { k: 'lambda', off: n.startIndex, seg: this.header };
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const names = identifiersIn(n);
        const elem = this.comprehensionElement(n, scope, depth);
        return elem ? { k: '?', names, elem } : { k: '?', names };
      }
      default:
        return { k: '?', names: identifiersIn(n) };
    }
  }

  /** `[engine.connect() for _ in range(n)]`: the element, unless it reads the comprehension's own names. */
  private comprehensionElement(n: Node, scope: number, depth: number): Expr | undefined {
    const body = n.childForFieldName('body');
    if (!body) return undefined;
    const own = new Set<string>();
    for (const c of n.namedChildren) {
      if (c?.type !== 'for_in_clause') continue;
      const left = c.childForFieldName('left');
      if (left) for (const t of targetNames(left)) own.add(t);
    }
    const elem = this.ir(body, scope, depth + 1);
    for (const name of namesIn(elem)) if (own.has(name)) return undefined;
    return elem;
  }

  private readArgs(argsNode: Node, scope: number, depth: number): { args: Expr[]; kw: Record<string, Expr> } {
    const args: Expr[] = [];
    const kw: Record<string, Expr> = {};
    if (argsNode.type === 'generator_expression') return { args: [{ k: '?', names: identifiersIn(argsNode) }], kw };
    for (const a of argsNode.namedChildren) {
      if (!a) continue;
      const t = a.type;
      if (t === 'comment') continue;
      if (t === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (name && v) kw[name] = this.ir(v, scope, depth + 1);
      } else args.push(this.ir(a, scope, depth + 1, t));
    }
    return { args, kw };
  }
}

function isStaticDecorator(e: Expr): boolean {
  return e.k === 'name' && e.n === 'staticmethod';
}
function isClassMethodDecorator(e: Expr): boolean {
  return e.k === 'name' && e.n === 'classmethod';
}

/** Identifiers bound by an assignment / for target (`a`, `a, b`, `(a, [b, *c])`). */
export function targetNames(n: Node): string[] {
  if (n.type === 'identifier') return [n.text];
  if (n.type === 'attribute' || n.type === 'subscript') return [];
  return n.descendantsOfType('identifier').filter((c): c is Node => !!c && c.parent?.type !== 'attribute' && c.parent?.type !== 'subscript').map((c) => c.text);
}

/**
 * Identifiers at any depth, in source order (empty MISSING ones left out). A one-pattern query
 * reads them in one wasm call; descendantsOfType rebuilds its symbol list on every call.
 */
function identifiersIn(n: Node): string[] {
  const start = n.startIndex;
  const end = n.endIndex;
  if (end - start > 4000) return [];
  const out: string[] = [];
  for (const c of identifierQuery(n).captures(n)) {
    const id = c.node;
    const e = id.endIndex;
    if (e > id.startIndex && id.startIndex >= start && e <= end) out.push(id.text);
  }
  return out;
}

let identQuery: { lang: unknown; q: Query } | undefined;
function identifierQuery(n: Node): Query {
  const lang = n.tree.language;
  if (identQuery?.lang !== lang) identQuery = { lang, q: new TsQuery(lang, '(identifier) @id') };
  return identQuery.q;
}

/** `async def`, `async for`, `async with`: the node's first token is the `async` keyword. */
function startsWithAsync(text: string, n: Node): boolean {
  return text.startsWith('async', n.startIndex);
}

function stripQuotes(s: string): string {
  return s.replace(/^[rbuRBUfF]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}

function findMissing(root: Node): { line: number; column: number } | undefined {
  let node: Node | null = root;
  while (node) {
    let next: Node | null = null;
    for (const c of node.children) {
      if (!c) continue;
      if (c.isMissing) return { line: c.startPosition.row + 1, column: c.startPosition.column + 1 };
      if (c.hasError) { next = c; break; }
    }
    node = next;
  }
  return undefined;
}

/** 1-based line and column (UTF-16 units) of an offset, from a file's line starts (binary search). */
export function positionAt(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13) { if (text.charCodeAt(i + 1) === 10) i++; starts.push(i + 1); }
  }
  return starts;
}
