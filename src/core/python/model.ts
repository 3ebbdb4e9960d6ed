// Builds a file's model (scopes, bindings, functions, classes, call sites, loops) from one tree-sitter
// query pass. Captures come in source order; a stack of open containers (function, class, lambda,
// comprehension, loop) gives each capture its context, so no recursive walk is needed and deeply
// nested code cannot overflow the stack.
import type { Node, Query, Tree } from 'web-tree-sitter';
import { type Expr, UNKNOWN } from './ir';

export type BindingKind = 'import' | 'value' | 'def' | 'class' | 'param' | 'self' | 'with' | 'opaque';

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
  hasBreak: boolean;
  hasTry: boolean;
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
  /** Source text of the callee, e.g. `requests.get`. */
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
  syntaxErrors: { line: number; column: number }[];
  lineStarts: number[];
}

/** Every node kind the model reads; one query pass replaces a full tree walk. */
const QUERY_SOURCE = `
(function_definition) @def
(class_definition) @class
(lambda) @lambda
[(list_comprehension) (set_comprehension) (dictionary_comprehension) (generator_expression)] @comp
(for_in_clause) @forin
(for_statement) @for
(while_statement) @while
(call) @call
(await (call) @awaited)
(await) @await
(import_statement) @import
(import_from_statement) @importfrom
(assignment) @assign
(augmented_assignment) @augassign
(named_expression) @walrus
(with_statement) @with
(with_item) @withitem
(return_statement) @return
(yield) @yield
(global_statement) @global
(nonlocal_statement) @global
(break_statement) @break
(try_statement) @try
(comment) @comment
(ERROR) @error
`;

export { QUERY_SOURCE };

interface Container { kind: 'fn' | 'class' | 'comp' | 'loop'; start: number; end: number; id: number; scope?: number }

const MAX_IR_DEPTH = 40;

export interface BuildOptions { module: string; isPackage: boolean }

/** Builds the model. The tree is only read here; the caller frees it. */
export function buildModel(tree: Tree, text: string, q: Query, opts: BuildOptions): FileModel {
  const b = new ModelBuilder(text, opts);
  b.run(tree, q);
  return b.model;
}

class ModelBuilder {
  model: FileModel;
  private stack: Container[] = [];
  /** start offset -> end offset of calls that are the operand of `await`. */
  private awaited = new Map<number, number>();
  private forIterables = new Set<number>();

  constructor(private text: string, opts: BuildOptions) {
    this.model = {
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
      lineStarts: lineStarts(text),
    };
  }

  run(tree: Tree, q: Query): void {
    const caps = q.captures(tree.rootNode);
    // Source order; an outer node before an inner one that starts at the same offset.
    caps.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
    for (const c of caps) if (c.name === 'awaited') this.awaited.set(c.node.startIndex, c.node.endIndex);
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
        case 'with': if (n.firstChild?.type === 'async') this.markAwait(); break;
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
    if (tree.rootNode.hasError && this.model.syntaxErrors.length === 0) {
      // A MISSING node (e.g. an unclosed bracket) is not an ERROR node; locate it by its parent.
      const first = findMissing(tree.rootNode);
      this.model.syntaxErrors.push(first ?? { line: 1, column: 1 });
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
    const isAsync = n.firstChild?.type === 'async';
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
    if (n.firstChild?.type === 'async') { this.markAwait(); if (loop) loop.isAsync = true; }
    if (!loop || loop.kind !== 'comp') return;
    if (left) for (const name of targetNames(left)) { loop.targets.push(name); this.bind(scope, name, { kind: 'opaque', off: -1 }); }
    if (right && loop.iterText === '') { loop.iter = this.ir(right, scope); loop.iterText = right.text; }
  }

  private onFor(n: Node): void {
    const body = n.childForFieldName('body');
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!body) return;
    const isAsync = n.firstChild?.type === 'async';
    if (isAsync) this.markAwait();
    const scope = this.currentScope(n.startIndex);
    const loop = this.newLoop(n, 'for', isAsync, body.startIndex);
    if (left) for (const name of targetNames(left)) { loop.targets.push(name); this.bind(scope, name, { kind: 'opaque', off: left.startIndex }); }
    if (right) {
      loop.iter = this.ir(right, scope);
      loop.iterText = right.text;
      if (right.type === 'call') this.forIterables.add(right.startIndex);
    }
    this.stack.push({ kind: 'loop', start: body.startIndex, end: n.endIndex, id: loop.id });
  }

  private onWhile(n: Node): void {
    const body = n.childForFieldName('body');
    if (!body) return;
    const loop = this.newLoop(n, 'while', false, body.startIndex);
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
    const { args, kw } = argsNode ? this.readArgs(argsNode, scope, 0) : { args: [], kw: {} };
    const loop = this.innermostLoop(n.startIndex);
    const call: CallSite = {
      id: this.model.calls.length,
      fn: fnId,
      callee: this.ir(f, scope),
      args,
      kw,
      text: f.text,
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
    for (const l of this.loopsInFn()) for (const name of targetNames(left)) l.assigned.add(name);
    if (left.type === 'identifier') {
      const annotation = type ? this.ir(type.firstNamedChild ?? type, scope) : undefined;
      if (right) this.bind(scope, left.text, { kind: 'value', off, expr: this.ir(right, scope), annotation });
      else if (annotation) this.bind(scope, left.text, { kind: 'param', off, annotation });
      const clsScope = this.model.scopes[scope];
      if (clsScope.kind === 'class' && clsScope.cls !== undefined && right) this.model.classes[clsScope.cls].attrs.set(left.text, this.ir(right, scope));
      return;
    }
    if (left.type === 'attribute' && right) {
      const obj = left.childForFieldName('object');
      const attr = left.childForFieldName('attribute');
      const fnId = this.currentFn(n.startIndex);
      if (obj?.type === 'identifier' && attr && fnId >= 0) {
        const fn = this.model.functions[fnId];
        const selfName = fn.cls >= 0 ? fn.params[0]?.name : undefined;
        if (selfName && obj.text === selfName) this.model.classes[fn.cls].attrs.set(attr.text, this.ir(right, scope));
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
    if (isYield && !fn.isLambda) fn.isGenerator = true;
    const v = n.namedChildren[0];
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
    const m = /#\s*noqa(?::\s*([A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?/i.exec(n.text);
    if (!m) return;
    const line = n.startPosition.row + 1;
    const codes = new Set<string>();
    if (m[1]) for (const c of m[1].split(/[\s,]+/)) if (c) codes.add(c.toUpperCase());
    this.model.noqa.set(line, codes);
  }

  // ---- expressions ---------------------------------------------------------------------------

  private ir(n: Node, scope: number, depth = 0): Expr {
    if (depth > MAX_IR_DEPTH) return UNKNOWN;
    switch (n.type) {
      case 'identifier': return { k: 'name', n: n.text, off: n.startIndex, scope };
      case 'attribute': {
        const o = n.childForFieldName('object');
        const a = n.childForFieldName('attribute');
        return o && a ? { k: 'attr', o: this.ir(o, scope, depth + 1), a: a.text } : UNKNOWN;
      }
      case 'call': {
        const f = n.childForFieldName('function');
        const argsNode = n.childForFieldName('arguments');
        if (!f) return UNKNOWN;
        const { args, kw } = argsNode && depth < 6 ? this.readArgs(argsNode, scope, depth) : { args: [], kw: {} };
        return { k: 'call', f: this.ir(f, scope, depth + 1), args, kw };
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
        const inner = n.namedChildren.find((c) => c?.type !== 'comment');
        return inner ? this.ir(inner, scope, depth + 1) : UNKNOWN;
      }
      case 'await': {
        const inner = n.namedChildren[0];
        return inner ? { k: 'await', e: this.ir(inner, scope, depth + 1) } : UNKNOWN;
      }
      case 'string': {
        if (n.namedChildren.some((c) => c?.type === 'interpolation')) return { k: '?', names: identifiersIn(n) };
        const content = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
        return { k: 'str', v: content };
      }
      case 'concatenated_string': return { k: 'str', v: n.namedChildren.map((c) => (c ? stripQuotes(c.text) : '')).join('') };
      case 'integer':
      case 'float': { const v = Number(n.text.replace(/_/g, '')); return Number.isFinite(v) ? { k: 'num', v } : UNKNOWN; }
      case 'none': return { k: 'none' };
      case 'list':
      case 'tuple': {
        const items: Expr[] = [];
        for (const c of n.namedChildren) if (c && c.type !== 'comment') items.push(this.ir(c, scope, depth + 1));
        return { k: 'list', items };
      }
      case 'lambda': return { k: 'lambda', off: n.startIndex };
      default:
        return { k: '?', names: identifiersIn(n) };
    }
  }

  private readArgs(argsNode: Node, scope: number, depth: number): { args: Expr[]; kw: Record<string, Expr> } {
    const args: Expr[] = [];
    const kw: Record<string, Expr> = {};
    if (argsNode.type === 'generator_expression') return { args: [{ k: '?', names: identifiersIn(argsNode) }], kw };
    for (const a of argsNode.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (name && v) kw[name] = this.ir(v, scope, depth + 1);
      } else args.push(this.ir(a, scope, depth + 1));
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

function identifiersIn(n: Node): string[] {
  if (n.endIndex - n.startIndex > 4000) return [];
  return n.descendantsOfType('identifier').map((c) => c?.text ?? '').filter(Boolean);
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

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13) { if (text.charCodeAt(i + 1) === 10) i++; starts.push(i + 1); }
  }
  return starts;
}
