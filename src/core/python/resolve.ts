// Turns an expression into a qualified name using the file's scopes: `r.get` -> `requests.get` when
// `import requests as r`; `db.query` -> `sqlalchemy.orm.Session().query` when `db: Session`.
// Names bound at module level resolve to their symbol path (`app.main.client`), which the workspace
// index later replaces by the symbol's type, so the same rule works across files.
import { type Expr, offsetOf, scopeOf } from './ir';
import { type Binding, type Bound, type FileModel, isList, type Scope } from './modelTypes';

const BUILTINS = new Set([
  'open', 'input', 'print', 'len', 'range', 'list', 'dict', 'set', 'tuple', 'str', 'int', 'float', 'bool',
  'bytes', 'sorted', 'reversed', 'enumerate', 'zip', 'map', 'filter', 'sum', 'min', 'max', 'any', 'all',
  'isinstance', 'getattr', 'setattr', 'hasattr', 'iter', 'next', 'repr', 'format', 'abs', 'round',
  'super', 'type', 'object', 'exec', 'eval', 'compile', 'vars', 'dir', 'id', 'hash',
]);

const ANNOTATED = new Set(['typing.Annotated', 'typing_extensions.Annotated']);
export const OPTIONAL = new Set(['typing.Optional', 'typing_extensions.Optional']);
export const UNION = new Set(['typing.Union', 'typing_extensions.Union']);
const DEPENDS = new Set(['fastapi.Depends', 'fastapi.Security', 'fastapi.params.Depends', 'fastapi.params.Security']);

const SESSION_FACTORIES = new Set(['sqlalchemy.orm.sessionmaker', 'sqlalchemy.orm.session.sessionmaker', 'sqlmodel.orm.session.sessionmaker']);

const CONTAINERS = new Set([
  ...['dict', 'list', 'set', 'frozenset', 'tuple'].map((n) => `builtins.${n}`),
  ...['Dict', 'List', 'Set', 'FrozenSet', 'Tuple', 'Mapping', 'MutableMapping', 'Sequence', 'MutableSequence', 'Iterable', 'Collection', 'DefaultDict', 'OrderedDict']
    .flatMap((n) => [`typing.${n}`, `collections.abc.${n}`, `collections.${n}`]),
  'collections.defaultdict', 'collections.OrderedDict',
]);
const ITERATORS = new Set(['Iterator', 'Generator', 'AsyncIterator', 'AsyncGenerator', 'Iterable', 'AsyncIterable'].flatMap((n) => [`typing.${n}`, `collections.abc.${n}`]));
const NEW_TYPE = new Set(['typing.NewType', 'typing_extensions.NewType']);
/** `ContextManager[T]` and kin: the value is only used through `with ... as x`, and x is a T. */
export const CONTEXT_MANAGERS = new Set([
  ...['ContextManager', 'AsyncContextManager'].flatMap((n) => [`typing.${n}`, `typing_extensions.${n}`]),
  ...['AbstractContextManager', 'AbstractAsyncContextManager'].map((n) => `contextlib.${n}`),
]);

const MAX_DEPTH = 24;
const SAME_ELEMENTS = new Set(['sorted', 'reversed', 'list', 'tuple', 'set', 'iter'].map((n) => `builtins.${n}`));

/**
 * The binding that says what a name holds: the last one, except that a reset to `None` (a lazily
 * created global set back to None in an `except`) says nothing about the object's type.
 */
export function meaningful(v: Bound): Binding | undefined {
  if (!isList(v)) return v;
  const list = v;
  for (let i = list.length - 1; i >= 0; i--) {
    const b = list[i];
    if (!((b.kind === 'value' || b.kind === 'with') && b.expr?.k === 'none' && !b.annotation)) return b;
  }
  return list[list.length - 1];
}


/** meaningful() of the bindings made before `off` (or with no offset), without a filtered copy. */
function meaningfulBefore(v: Bound, off: number): Binding | undefined {
  if (!isList(v)) return v.off !== -1 && v.off > off ? undefined : v;
  const list = v;
  let last: Binding | undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const b = list[i];
    if (b.off !== -1 && b.off > off) continue;
    if (!((b.kind === 'value' || b.kind === 'with') && b.expr?.k === 'none' && !b.annotation)) return b;
    last ??= b;
  }
  return last;
}

export interface Lookup { b: Binding; scope: Scope }

export class Resolver {
  constructor(readonly m: FileModel) {}

  lookup(name: string, scopeId: number, off: number): Lookup | undefined {
    let s: Scope | undefined = this.m.scopes[scopeId];
    let first = true;
    while (s) {
      if (s.globals?.has(name)) { s = this.m.scopes[0]; first = false; }
      if (!first && s.kind === 'class') { s = this.m.scopes[s.parent]; continue; }
      const list = s.bindings.get(name);
      if (list !== undefined) {
        let pick: Binding | undefined;
        if (first) {
          pick = meaningfulBefore(list, off);
          if (!pick && s.kind !== 'module') pick = meaningful(list);
        } else {
          pick = meaningful(list);
        }
        if (pick) return { b: pick, scope: s };
      }
      first = false;
      s = s.parent >= 0 ? this.m.scopes[s.parent] : undefined;
    }
    return undefined;
  }

  resolve(e: Expr, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (e.k) {
      case 'name': return this.resolveName(e.n, scopeOf(e), offsetOf(e), depth);
      case 'attr': { const o = this.resolve(e.o, depth + 1); return o ? `${o}.${e.a}` : undefined; }
      case 'call': {
        const f = this.resolve(e.f, depth + 1);
        // `models.get(name)` on a `dict[str, Model]`: the element.
        if (e.f.k === 'attr' && (e.f.a === 'get' || e.f.a === 'pop' || e.f.a === 'setdefault')) {
          const elem = this.containerElement(e.f.o, depth + 1);
          if (elem) return elem;
        }
        // `UserId = NewType("UserId", Session)`: calling it gives the wrapped type.
        if (f && NEW_TYPE.has(f) && e.args[1]) return this.resolveAnnotation(e.args[1], depth + 1);
        if (f && SESSION_FACTORIES.has(f) && e.kw.class_) {
          // `sessionmaker(engine, class_=AsyncSession)` makes AsyncSessions, not sync Sessions.
          const cls = this.resolve(e.kw.class_, depth + 1);
          if (cls && /(^|\.)AsyncSession$/.test(cls)) return 'sqlalchemy.ext.asyncio.async_sessionmaker()';
        }
        return f ? `${f}()` : undefined;
      }
      case 'sub': {
        const elem = this.containerElement(e.o, depth + 1);
        if (elem) return elem;
        const o = this.resolve(e.o, depth + 1);
        return o ? `${o}[]` : undefined;
      }
      case 'await': return this.resolve(e.e, depth + 1);
      case 'op': {
        if (e.op === '|') {
          const l = this.resolve(e.l, depth + 1) ?? '';
          const r = this.resolve(e.r, depth + 1) ?? '';
          if (l.startsWith('langchain') || r.startsWith('langchain')) return 'langchain_core.runnables.RunnableSequence()';
          return undefined;
        }
        if (e.op === '/') return this.resolve(e.l, depth + 1);
        return undefined;
      }
      default: return undefined;
    }
  }

  resolveName(name: string, scope: number, off: number, depth = 0): string | undefined {
    const hit = this.lookup(name, scope, off);
    if (!hit) return BUILTINS.has(name) ? `builtins.${name}` : undefined;
    const { b, scope: s } = hit;
    switch (b.kind) {
      case 'import':
      case 'def':
      case 'class':
        return b.q;
      case 'self':
        return `${b.q}()`;
      case 'value':
      case 'with': {
        if (s.kind === 'module') return `${this.m.module}.${name}`;
        const v = b.expr && b.expr.k !== 'none' ? this.resolve(b.expr, depth + 1) : undefined;
        if (v || !b.annotation) return v;
        // `x: Model = load()` where the value says nothing: the annotation does.
        const t = this.resolveAnnotation(b.annotation, depth + 1);
        return t ? `${t}()` : undefined;
      }
      case 'param':
        if (s.kind === 'module') return `${this.m.module}.${name}`;
        return this.paramType(b, depth);
      case 'item':
        // `for conn in connections:` -> an element of `connections`.
        return b.expr ? this.elementOf(b.expr, depth + 1) : undefined;
      default:
        return undefined;
    }
  }

  /** The type of a parameter: its annotation, else the dependency it is injected from. */
  paramType(b: Binding, depth = 0): string | undefined {
    // `client: "S3Client" = boto3.client("s3")`: a default object is the real thing (the annotation
    // may name a stub only imported under TYPE_CHECKING); `Depends(...)`, `Query(...)` are not.
    if (b.expr?.k === 'call') {
      const f = this.resolve(b.expr.f, depth + 1);
      if (f && !/^(fastapi|starlette|pydantic|typing)\./.test(f)) {
        const v = this.resolve(b.expr, depth + 1);
        if (v) return v;
      }
    }
    if (b.annotation) {
      const t = this.resolveAnnotation(b.annotation, depth + 1);
      if (t) return `${t}()`;
      const dep = this.annotatedDependency(b.annotation, depth + 1);
      if (dep) return `${dep}()`;
    }
    if (b.expr) {
      const dep = this.dependencyTarget(b.expr, depth + 1);
      if (dep) return `${dep}()`;
    }
    return undefined;
  }

  /**
   * `models` annotated `dict[str, Model]` / `list[Client]` / `Mapping[...]`: `Model()`; a local list
   * or comprehension (`conns = [engine.connect() for _ in r]`): its element; else undefined.
   */
  containerElement(o: Expr, depth = 0): string | undefined {
    if (depth > MAX_DEPTH || o.k !== 'name') return undefined;
    const hit = this.lookup(o.n, scopeOf(o), offsetOf(o));
    if (!hit) return undefined;
    const ann = hit.b.annotation;
    const t = ann ? this.elementAnnotation(ann, depth + 1) : undefined;
    if (t) return `${t}()`;
    const v = hit.b.kind === 'value' ? hit.b.expr : undefined;
    return v && (v.k === 'list' || v.k === '?') ? this.elementOf(v, depth + 1) : undefined;
  }

  /** The type of one element of an iterable: a typed container, a list display, a comprehension. */
  elementOf(it: Expr, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (it.k) {
      case '?': return it.elem ? this.resolve(it.elem, depth + 1) : undefined;
      case 'list': {
        for (const x of it.items) { const t = this.resolve(x, depth + 1); if (t) return t; }
        return undefined;
      }
      case 'name': return this.containerElement(it, depth + 1);
      case 'attr': return this.selfAttrElement(it, depth + 1);
      case 'call': {
        // `sorted(conns)`, `list(conns)`, `reversed(conns)`: the same elements.
        const f = it.f.k === 'name' ? this.resolve(it.f, depth + 1) : undefined;
        return f && SAME_ELEMENTS.has(f) && it.args[0] ? this.elementOf(it.args[0], depth + 1) : undefined;
      }
      default: return undefined;
    }
  }

  /**
   * `for s in self._subscriptions:` where the class (in this file) annotates `_subscriptions: list[Subscription]`
   * (at class level or as `self._subscriptions: list[Subscription] = []`): `Subscription()`.
   */
  private selfAttrElement(it: Expr, depth: number): string | undefined {
    if (depth > MAX_DEPTH || it.k !== 'attr' || it.o.k !== 'name') return undefined;
    const hit = this.lookup(it.o.n, scopeOf(it.o), offsetOf(it.o));
    if (hit?.b.kind !== 'self') return undefined;
    const cls = this.m.classes.find((c) => c.qname === hit.b.q);
    const ann = cls?.attrTypes?.get(it.a);
    const t = ann ? this.elementAnnotation(ann, depth + 1) : undefined;
    return t ? `${t}()` : undefined;
  }

  private elementAnnotation(ann: Expr, depth: number): string | undefined {
    if (depth > MAX_DEPTH || ann.k !== 'sub') return undefined;
    const o = this.resolve(ann.o, depth + 1);
    if (!o) return undefined;
    if (ANNOTATED.has(o) || OPTIONAL.has(o)) return ann.i[0] ? this.elementAnnotation(ann.i[0], depth + 1) : undefined;
    if (!CONTAINERS.has(o)) return undefined;
    const last = ann.i[ann.i.length - 1];
    return last ? this.resolveAnnotation(last, depth + 1) : undefined;
  }

  /** `Depends(get_db)` -> the resolved name of `get_db`. */
  dependencyTarget(e: Expr, depth = 0): string | undefined {
    if (e.k !== 'call') return undefined;
    const f = this.resolve(e.f, depth + 1);
    if (!f || !DEPENDS.has(f)) return undefined;
    const arg = e.args[0] ?? e.kw.dependency;
    return arg ? this.resolve(arg, depth + 1) : undefined;
  }

  /** `Annotated[X, Depends(f)]` with no usable X -> f. */
  private annotatedDependency(e: Expr, depth: number): string | undefined {
    if (e.k === 'name') { const alias = this.typeAlias(e, depth); return alias ? this.annotatedDependency(alias, depth + 1) : undefined; }
    if (e.k !== 'sub') return undefined;
    const o = this.resolve(e.o, depth + 1);
    if (!o || !ANNOTATED.has(o)) return undefined;
    for (const i of e.i.slice(1)) { const d = this.dependencyTarget(i, depth + 1); if (d) return d; }
    return undefined;
  }

  /** Dependencies named by a parameter: its default `Depends(f)` or an `Annotated[..., Depends(f)]`. */
  paramDependency(annotation: Expr | undefined, dflt: Expr | undefined): string | undefined {
    if (dflt) { const d = this.dependencyTarget(dflt); if (d) return d; }
    if (annotation) return this.annotatedDependency(annotation, 0);
    return undefined;
  }

  /** The type an annotation names; with `yields`, a generator's `Iterator[T]` / `Generator[T, ...]` names T. */
  resolveAnnotation(e: Expr, depth = 0, yields = false): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (e.k) {
      case 'sub': {
        const o = this.resolve(e.o, depth + 1);
        if (!o) return undefined;
        if ((yields && ITERATORS.has(o)) || CONTEXT_MANAGERS.has(o)) return e.i[0] ? this.resolveAnnotation(e.i[0], depth + 1) : undefined;
        if (ANNOTATED.has(o) || OPTIONAL.has(o)) return e.i[0] ? this.resolveAnnotation(e.i[0], depth + 1) : undefined;
        if (UNION.has(o)) {
          for (const i of e.i) if (i.k !== 'none') return this.resolveAnnotation(i, depth + 1);
        }
        return undefined;
      }
      case 'op':
        if (e.op !== '|') return undefined;
        return e.l.k === 'none' ? this.resolveAnnotation(e.r, depth + 1) : this.resolveAnnotation(e.l, depth + 1);
      case 'str': {
        if (!/^[A-Za-z_][\w.]*$/.test(e.v)) return undefined;
        const [head, ...rest] = e.v.split('.');
        const h = this.resolveName(head, 0, Infinity, depth + 1);
        return h ? [h, ...rest].join('.') : undefined;
      }
      case 'none': return undefined;
      case 'name': {
        // `SyncDB = Annotated[Session, Depends(get_db)]` then `db: SyncDB`: follow the alias.
        const alias = this.typeAlias(e, depth);
        return alias ? this.resolveAnnotation(alias, depth + 1) : notTyping(this.resolve(e, depth + 1));
      }
      default: return notTyping(this.resolve(e, depth + 1));
    }
  }

  /** The annotation a name stands for when it is bound to one (`X = Annotated[...]`, `X = A | None`). */
  private typeAlias(e: Extract<Expr, { k: 'name' }>, depth: number): Expr | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const hit = this.lookup(e.n, scopeOf(e), offsetOf(e));
    const x = hit?.b.kind === 'value' ? hit.b.expr : undefined;
    return x && (x.k === 'sub' || (x.k === 'op' && x.op === '|')) ? x : undefined;
  }
}

/** `Any`, `TypeVar`s and other typing constructs say nothing about the object: no type. */
function notTyping(t: string | undefined): string | undefined {
  return t && /^typing(_extensions)?\./.test(t) ? undefined : t;
}
