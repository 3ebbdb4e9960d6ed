// FastAPI's view of the code: which functions it calls and how (route, dependency, middleware,
// websocket, exception handler, lifespan), with each route's full path through routers and
// include_router prefixes.
import type { FunctionKind } from '../types';
import { type Expr, lastName } from '../python/ir';
import { type CallSite, type FunctionInfo, lastBound } from '../python/model';
import type { FunctionRef, ModuleEntry, SymbolIndex } from '../symbols';

export const APP_TYPES = new Set(['fastapi.FastAPI()', 'fastapi.APIRouter()']);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace']);
const MIDDLEWARE_BASES = new Set(['starlette.middleware.base.BaseHTTPMiddleware', 'fastapi.middleware.base.BaseHTTPMiddleware']);

export interface Role {
  kind: FunctionKind;
  route: string | null;
  /** Dependencies FastAPI resolves before calling this function (params, decorator and router level). */
  deps: FunctionRef[];
}

/** The only calls that give functions a role; others are not even resolved. */
const ROLE_CALLS = new Set(['FastAPI', 'APIRouter', 'Starlette', 'add_middleware', 'add_api_route', 'add_api_websocket_route', 'add_websocket_route', 'add_exception_handler', 'add_event_handler']);
/** Decorator methods of an app or router, also applied as a call: `app.middleware("http")(fn)`. */
const DECORATOR_METHODS = new Set([...HTTP_METHODS, 'api_route', 'route', 'websocket', 'websocket_route', 'middleware', 'exception_handler', 'on_event']);

/** `app.middleware("http")(fn)`: a decorator of an app or router applied by hand. */
function isDecoratorCall(c: CallSite): boolean {
  return c.callee.k === 'call' && c.callee.f.k === 'attr' && DECORATOR_METHODS.has(c.callee.f.a) && c.args.length > 0;
}

const KIND_ORDER: FunctionKind[] = ['route', 'websocket', 'middleware', 'dependency', 'exception-handler', 'lifespan', 'coroutine'];

export class FastApiModel {
  readonly roles = new Map<string, Role>();
  private prefixMemo = new Map<string, string>();
  private includes = new Map<string, { parent: string; prefix: string; deps: Expr[]; mod: ModuleEntry }[]>();

  /**
   * `callee` is read while the model is built and not kept: the caller's closure holds its run (call
   * graph, memos, findings), which the model, kept between edits, must not keep alive.
   */
  constructor(private index: SymbolIndex, callee: (mod: ModuleEntry, c: CallSite) => string | undefined) {
    const roleCalls = this.collectIncludes();
    let m = 0;
    for (const mod of index.modules.values()) {
      const fns = mod.model.functions;
      for (let i = 0; i < fns.length; i++) if (fns[i].decorators.length) this.readDecorators(mod, fns[i]);
      for (const c of roleCalls[m++]) {
        if (ROLE_CALLS.has(lastName(c.callee))) this.readCallRoles(mod, c, callee);
        else if (isDecoratorCall(c)) {
          const f = this.fnOf(mod, c.args[0]);
          if (f) this.applyDecorator(mod, f, c.callee);
        }
      }
      for (const cls of mod.model.classes) {
        const ref = { mod, cls };
        if (index.bases(ref).some((b) => MIDDLEWARE_BASES.has(b))) {
          const m = index.findMethod(ref, 'dispatch');
          if (m) this.setRole(m, 'middleware', null);
        }
      }
    }
    // Dependency lists grow by push (room for 16 elements each) and are kept with the model: copied to their length.
    this.roles.forEach((r) => { if (r.deps.length) r.deps = r.deps.slice(); });
  }

  /**
   * This model for an index where some modules' entries were replaced by newer ones with the same
   * surface and the same roleInputs: the roles are the same, their dependencies point at the new
   * entries' functions.
   */
  rebind(index: SymbolIndex): FastApiModel {
    const out = Object.create(FastApiModel.prototype) as FastApiModel;
    const self = out as unknown as { index: SymbolIndex; roles: Map<string, Role>; prefixMemo: Map<string, string>; includes: FastApiModel['includes'] };
    self.index = index;
    self.prefixMemo = this.prefixMemo;
    self.includes = this.includes;
    self.roles = new Map();
    (out as unknown as { appClassMemo: Map<string, boolean> }).appClassMemo = new Map();
    const current = (d: FunctionRef): FunctionRef | undefined => (index.modules.get(d.mod.model.module) === d.mod ? d : index.functions.get(d.fn.qname));
    for (const [q, r] of this.roles) {
      const deps: FunctionRef[] = [];
      for (const d of r.deps) { const c = current(d); if (c) deps.push(c); }
      self.roles.set(q, { kind: r.kind, route: r.route, deps });
    }
    return out;
  }

  /** Whether `other` gives every function the same role: kind, route and dependencies (by name). */
  sameRoles(other: FastApiModel): boolean {
    if (other.roles.size !== this.roles.size) return false;
    for (const [q, r] of this.roles) {
      const o = other.roles.get(q);
      if (!o || o.kind !== r.kind || o.route !== r.route || o.deps.length !== r.deps.length) return false;
      for (let i = 0; i < r.deps.length; i++) if (o.deps[i].fn.qname !== r.deps[i].fn.qname || o.deps[i].mod.file !== r.deps[i].mod.file) return false;
    }
    return true;
  }

  roleOf(fn: FunctionInfo): Role | undefined {
    return this.roles.get(fn.qname);
  }

  /** The kinds of role some function has, once asked (roles are set only while the model is made). */
  private kindsMemo: Set<FunctionKind> | undefined;

  /** Whether some function has a role of this kind (a check for one kind's functions can skip the others). */
  hasRole(kind: FunctionKind): boolean {
    if (!this.kindsMemo) {
      const kinds = new Set<FunctionKind>();
      this.roles.forEach((r) => kinds.add(r.kind));
      this.kindsMemo = kinds;
    }
    return this.kindsMemo.has(kind);
  }

  private setRole(ref: FunctionRef, kind: FunctionKind, route: string | null, deps: FunctionRef[] = []): void {
    const cur = this.roles.get(ref.fn.qname);
    if (!cur || KIND_ORDER.indexOf(kind) < KIND_ORDER.indexOf(cur.kind)) {
      this.roles.set(ref.fn.qname, { kind, route, deps: [...(cur?.deps ?? []), ...deps] });
    } else {
      cur.deps.push(...deps);
    }
    if (kind !== 'dependency') this.readParamDependencies(ref, 0);
  }

  private readDecorators(mod: ModuleEntry, fn: FunctionInfo): void {
    const ds = fn.decorators;
    for (let i = 0; i < ds.length; i++) this.applyDecorator(mod, { mod, fn }, ds[i]);
  }

  /**
   * An app's or router's type: `fastapi.FastAPI()`, `fastapi.APIRouter()`, or an instance of a
   * workspace class derived from one (`class PrefectRouter(APIRouter)`, `class App(FastAPI)`).
   */
  isAppType(t: string): boolean {
    if (APP_TYPES.has(t)) return true;
    if (!t.endsWith('()')) return false;
    let memo = this.appClassMemo.get(t);
    if (memo === undefined) {
      memo = false;
      const seen = new Set<string>();
      const stack = [t.slice(0, -2)];
      while (stack.length && seen.size < 16) {
        const q = stack.pop()!;
        if (seen.has(q)) continue;
        seen.add(q);
        const cls = this.index.classes.get(q);
        if (!cls) continue;
        for (const b of this.index.bases(cls)) {
          if (APP_TYPES.has(`${b}()`)) { memo = true; break; }
          stack.push(b);
        }
        if (memo) break;
      }
      this.appClassMemo.set(t, memo);
    }
    return memo;
  }

  private appClassMemo = new Map<string, boolean>();

  /** `@app.get(path)` (or `app.get(path)(fn)`) on the function `ref`. */
  private applyDecorator(mod: ModuleEntry, ref: FunctionRef, d: Expr): void {
    if (d.k !== 'call' || d.f.k !== 'attr') return;
    const objPath = mod.resolver.resolve(d.f.o);
    if (!objPath) return;
    const objType = this.index.canonicalize(objPath);
    if (!this.isAppType(objType)) return;
    const method = d.f.a;
    const first = d.args[0] ?? d.kw.path;
    const path = first && first.k === 'str' ? first.v : '';
    // The decorator's own dependencies are marked first, then the router's (the order roles are made in).
    const own = this.depsFromList(mod, d.kw.dependencies);
    const router = this.routerOf(objPath);
    const full = router.prefix + path;
    const deps = [...own, ...router.deps];
    if (HTTP_METHODS.has(method)) this.setRole(ref, 'route', `${method.toUpperCase()} ${full || '/'}`, deps);
    else if (method === 'api_route' || method === 'route') {
      const methods = d.kw.methods && d.kw.methods.k === 'list' ? d.kw.methods.items.filter((i) => i.k === 'str').map((i) => (i as { v: string }).v.toUpperCase()) : ['GET'];
      this.setRole(ref, 'route', `${methods.join(',')} ${full || '/'}`, deps);
    } else if (method === 'websocket' || method === 'websocket_route') this.setRole(ref, 'websocket', `WS ${full || '/'}`, deps);
    else if (method === 'middleware') this.setRole(ref, 'middleware', null);
    else if (method === 'exception_handler') this.setRole(ref, 'exception-handler', null);
    else if (method === 'on_event') this.setRole(ref, 'lifespan', null);
  }

  /**
   * The path prefix and the router-level dependencies of an app or router symbol, once per symbol path
   * and model: every route decorated on one router asks. Both depend on the path alone (the includes
   * are read before any decorator); asked again, routerDeps would only mark as dependencies again the
   * functions it marked the first time (markDependency: no change once a role is set).
   */
  private routerOf(objPath: string): { prefix: string; deps: readonly FunctionRef[] } {
    const memo = (this.routerMemo ??= new Map());
    let r = memo.get(objPath);
    if (!r) memo.set(objPath, (r = { prefix: this.prefixOf(objPath), deps: this.routerDeps(objPath, 0) }));
    return r;
  }

  private routerMemo: Map<string, { prefix: string; deps: readonly FunctionRef[] }> | undefined;

  /** `FastAPI(lifespan=fn, dependencies=[...])`, `app.add_middleware(Cls)`, `app.add_api_route(path, fn)`. */
  private readCallRoles(mod: ModuleEntry, c: CallSite, callee: (mod: ModuleEntry, c: CallSite) => string | undefined): void {
    const name = callee(mod, c);
    if (!name) return;
    if (name === 'fastapi.FastAPI' || name === 'fastapi.APIRouter') {
      const life = c.kw.lifespan;
      if (life) { const f = this.fnOf(mod, life); if (f) this.setRole(f, 'lifespan', null); }
      for (const h of listItems(c.kw.on_startup)) { const f = this.fnOf(mod, h); if (f) this.setRole(f, 'lifespan', null); }
      for (const f of this.depsFromList(mod, c.kw.dependencies)) this.setRole(f, 'dependency', null);
      return;
    }
    const dot = name.lastIndexOf('.');
    const recv = name.slice(0, dot);
    const method = name.slice(dot + 1);
    if (!this.isAppType(recv)) return;
    if (method === 'add_middleware' && c.args[0]) {
      const clsName = mod.resolver.resolve(c.args[0]);
      const cls = clsName ? this.index.classes.get(this.index.canonicalize(clsName)) : undefined;
      if (cls) {
        const m = this.index.findMethod(cls, 'dispatch') ?? this.index.findMethod(cls, '__call__');
        if (m) this.setRole(m, 'middleware', null);
      }
    } else if (method === 'add_api_route' && (c.args[1] ?? c.kw.endpoint)) {
      const f = this.fnOf(mod, c.args[1] ?? c.kw.endpoint);
      const p = c.args[0] ?? c.kw.path;
      const methods = listItems(c.kw.methods).filter((i) => i.k === 'str').map((i) => (i as { v: string }).v.toUpperCase());
      if (f) this.setRole(f, 'route', `${methods.length ? methods.join(',') : 'GET'} ${p && p.k === 'str' ? p.v : '/'}`);
    } else if ((method === 'add_api_websocket_route' || method === 'add_websocket_route') && (c.args[1] ?? c.kw.endpoint)) {
      const f = this.fnOf(mod, c.args[1] ?? c.kw.endpoint);
      const p = c.args[0] ?? c.kw.path;
      if (f) this.setRole(f, 'websocket', `WS ${p && p.k === 'str' ? p.v : '/'}`);
    } else if (method === 'add_exception_handler' && c.args[1]) {
      const f = this.fnOf(mod, c.args[1]);
      if (f) this.setRole(f, 'exception-handler', null);
    } else if (method === 'add_event_handler' && c.args[1]) {
      const f = this.fnOf(mod, c.args[1]);
      if (f) this.setRole(f, 'lifespan', null);
    }
  }

  private fnOf(mod: ModuleEntry, e: Expr): FunctionRef | undefined {
    const q = mod.resolver.resolve(e);
    return q ? this.index.functions.get(this.index.canonicalize(q)) : undefined;
  }

  private depsFromList(mod: ModuleEntry, list: Expr | undefined): FunctionRef[] {
    const out: FunctionRef[] = [];
    for (const item of listItems(list)) {
      const target = mod.resolver.dependencyTarget(item);
      const f = target ? this.index.functions.get(this.index.canonicalize(target)) : undefined;
      if (f) { out.push(f); this.markDependency(f, 0); }
    }
    return out;
  }

  private markDependency(f: FunctionRef, depth: number): void {
    const cur = this.roles.get(f.fn.qname);
    if (!cur) this.roles.set(f.fn.qname, { kind: 'dependency', route: null, deps: [] });
    else if (cur.kind === 'coroutine') cur.kind = 'dependency';
    if (!cur) this.readParamDependencies(f, depth + 1);
  }

  /** `db: Session = Depends(get_db)` in a FastAPI-called function makes get_db a dependency, recursively. */
  private readParamDependencies(ref: FunctionRef, depth: number): void {
    if (depth > 12) return;
    const role = this.roles.get(ref.fn.qname);
    const params = ref.fn.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const target = ref.mod.resolver.paramDependency(p.annotation, p.default);
      if (!target) continue;
      const f = this.index.functions.get(this.index.canonicalize(target));
      if (!f) continue;
      if (role && !role.deps.some((d) => d.fn.qname === f.fn.qname)) role.deps.push(f);
      this.markDependency(f, depth);
    }
  }

  /**
   * Reads the include_router calls; returns, per module in the index's order, the calls that may
   * give a role (ROLE_CALLS, or a decorator applied by hand), so the constructor's pass over the
   * roles reads only those (one pass over every call site of the workspace, not two).
   */
  private collectIncludes(): CallSite[][] {
    const roleCalls: CallSite[][] = [];
    for (const mod of this.index.modules.values()) {
      const candidates: CallSite[] = [];
      roleCalls.push(candidates);
      const calls = mod.model.calls;
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        // By the callee's kind: a name or attribute in ROLE_CALLS (as lastName gives it), a call
        // (isDecoratorCall), or `x.include_router(...)`; one read of the callee per site.
        const f = c.callee;
        if (f.k === 'name') { if (ROLE_CALLS.has(f.n)) candidates.push(c); continue; }
        if (f.k === 'call') { if (isDecoratorCall(c)) candidates.push(c); continue; }
        if (f.k !== 'attr') continue;
        if (ROLE_CALLS.has(f.a)) candidates.push(c);
        if (f.a !== 'include_router' || !c.args[0]) continue;
        const parent = mod.resolver.resolve(f.o);
        const child = mod.resolver.resolve(c.args[0]);
        if (!parent || !child) continue;
        const prefix = c.kw.prefix && c.kw.prefix.k === 'str' ? c.kw.prefix.v : '';
        const key = this.symbolKey(child);
        let list = this.includes.get(key);
        if (!list) this.includes.set(key, (list = []));
        list.push({ parent: this.symbolKey(parent), prefix, deps: listItems(c.kw.dependencies), mod });
      }
    }
    return roleCalls;
  }

  /** A router's identity: its module-level symbol path, with import aliases followed. */
  private symbolKey(path: string): string {
    let cur = path;
    for (let i = 0; i < 8; i++) {
      const dot = cur.lastIndexOf('.');
      if (dot < 0) break;
      const mod = this.index.module(cur.slice(0, dot));
      if (!mod) break;
      const name = cur.slice(dot + 1);
      const list = mod.model.scopes[0].bindings.get(name);
      const b = list && lastBound(list);
      if (b?.kind === 'import' && b.q && b.q !== cur) { cur = b.q; continue; }
      return `${mod.model.module}.${name}`;
    }
    return cur;
  }

  /** The path prefix of routes declared on `objPath` (a router or app symbol). */
  prefixOf(objPath: string, depth = 0): string {
    const key = this.symbolKey(objPath);
    const memo = this.prefixMemo.get(key);
    if (memo !== undefined) return memo;
    if (depth > 10) return '';
    this.prefixMemo.set(key, '');
    let own = '';
    const ctor = this.constructorCall(key);
    if (ctor && ctor.kw.prefix && ctor.kw.prefix.k === 'str') own = ctor.kw.prefix.v;
    const inc = this.includes.get(key)?.[0];
    const outer = inc ? this.prefixOf(inc.parent, depth + 1) + inc.prefix : '';
    const out = outer + own;
    this.prefixMemo.set(key, out);
    return out;
  }

  /**
   * Dependencies declared on the router (`APIRouter(dependencies=...)`) and where it is included.
   * A router already on the include chain is not followed again: a cycle (`r.include_router(r)`,
   * or routers the index knows only by their type, `fastapi.APIRouter()`, included in one another)
   * would otherwise be walked once per path, exponentially many up to the depth limit.
   */
  private routerDeps(objPath: string, depth: number, chain = new Set<string>()): FunctionRef[] {
    if (depth > 10) return [];
    const key = this.symbolKey(objPath);
    if (chain.has(key)) return [];
    chain.add(key);
    const out: FunctionRef[] = [];
    const ctor = this.constructorCall(key);
    const mod = this.index.module(key.slice(0, key.lastIndexOf('.')));
    if (ctor && mod) for (const d of this.depsFromList(mod, ctor.kw.dependencies)) out.push(d);
    for (const inc of this.includes.get(key) ?? []) {
      for (const d of this.depsFromList(inc.mod, { k: 'list', items: inc.deps })) out.push(d);
      for (const d of this.routerDeps(inc.parent, depth + 1, chain)) out.push(d);
    }
    chain.delete(key);
    return out;
  }

  private constructorCall(key: string): Extract<Expr, { k: 'call' }> | undefined {
    const dot = key.lastIndexOf('.');
    const mod = this.index.module(key.slice(0, dot));
    const list = mod?.model.scopes[0].bindings.get(key.slice(dot + 1));
    const b = list && lastBound(list);
    return b?.kind === 'value' && b.expr?.k === 'call' ? b.expr : undefined;
  }
}

/**
 * Everything of a module beyond its surface that the roles read: the calls that give roles or
 * include routers, with their callee and arguments resolved in the module (local bindings too).
 * Two entries of a module with equal surfaces and equal roleInputs give the same roles. `calls` and
 * `functions` narrow it to some of the module's records (one part of an open document's model).
 */
export function roleInputs(mod: ModuleEntry, calls: readonly CallSite[] = mod.model.calls, functions: readonly FunctionInfo[] = mod.model.functions): string {
  const out: string[] = [];
  const sig = (e: Expr | undefined, depth: number): string => {
    if (!e) return '';
    if (e.k === 'str') return JSON.stringify(e.v);
    if (e.k === 'list') return depth > 4 ? '[..]' : `[${e.items.map((i) => sig(i, depth + 1)).join(',')}]`;
    const r = e.k === 'name' || e.k === 'attr' || e.k === 'call' ? mod.resolver.resolve(e) ?? '?' : e.k;
    if (e.k !== 'call' || depth > 4) return r;
    const kw = Object.entries(e.kw).map(([k, v]) => `${k}=${sig(v, depth + 1)}`);
    return `${r}<${sig(e.f, depth + 1)}>(${[...e.args.map((a) => sig(a, depth + 1)), ...kw].join(',')})`;
  };
  for (const c of calls) {
    const n = lastName(c.callee);
    if (!ROLE_CALLS.has(n) && n !== 'include_router' && !isDecoratorCall(c)) continue;
    const kw = Object.entries(c.kw).map(([k, v]) => `${k}=${sig(v, 0)}`);
    out.push(`${sig(c.callee, 0)}|${c.callee.k === 'attr' ? sig(c.callee.o, 0) : ''}(${[...c.args.map((a) => sig(a, 0)), ...kw].join(',')})`);
  }
  // Decorators and parameters are in the surface, but the names in them may be bound in a body.
  for (const fn of functions) {
    if (fn.isLambda) continue;
    for (const d of fn.decorators) out.push(`@${sig(d, 0)}`);
    for (const p of fn.params) if (p.annotation || p.default) out.push(`p${sig(p.annotation, 0)}=${sig(p.default, 0)}`);
  }
  return out.join('\n');
}

function listItems(e: Expr | undefined): Expr[] {
  return e && e.k === 'list' ? e.items : [];
}
