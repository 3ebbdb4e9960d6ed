// FastAPI's view of the code: kinds, full route paths through routers and include_router, and
// lifespan findings at a lower severity.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { FastApiModel } from '../../src/core/fastapi/app';
import { Resolver } from '../../src/core/python/resolve';
import { type ModuleEntry, SymbolIndex } from '../../src/core/symbols';
import { scanPaths } from '../../src/core/scan';

describe('FastAPI model', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });

  const text = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'fastapi-roles.py'), 'utf8');

  it('classifies every coroutine FastAPI calls', () => {
    const r = analyzer.analyze([{ path: 'main.py', text, module: 'main', isPackage: false }]);
    const kinds = Object.fromEntries(r.handlers.map((h) => [h.name, [h.kind, h.route]]));
    assert.deepEqual(kinds, {
      lifespan: ['lifespan', null],
      audit: ['dependency', null],
      timing: ['middleware', null],
      'Auth.dispatch': ['middleware', null],
      ws: ['websocket', 'WS /ws'],
      on_error: ['exception-handler', null],
      item: ['route', 'GET /v1/items/{item_id}'],
      multi: ['route', 'GET,POST /multi'],
    });
  });

  it('reports lifespan hooks as information and the rest as warnings', () => {
    const r = analyzer.analyze([{ path: 'main.py', text, module: 'main', isPackage: false }]);
    const life = r.findings.filter((f) => f.function === 'lifespan');
    assert.equal(life.length, 1);
    assert.equal(life[0].severity, 'info');
    assert.match(life[0].message, /startup/);
    assert.ok(r.findings.filter((f) => f.function !== 'lifespan').every((f) => f.severity === 'warning'));
  });

  it('names the handler and route in the message', () => {
    const r = analyzer.analyze([{ path: 'main.py', text, module: 'main', isPackage: false }]);
    const f = r.findings.find((x) => x.function === 'item')!;
    assert.equal(f.message, 'time.sleep blocks the event loop in async handler item (GET /v1/items/{item_id}); use await asyncio.sleep(...)');
    assert.equal(f.route, 'GET /v1/items/{item_id}');
  });

  it('finds routes on router subclasses, in factories and classes, and added by hand (call forms); not on other objects', async () => {
    const { result } = await scanPaths([join(__dirname, '..', 'fixtures', 'projects', 'route-factories')], { noConfig: true });
    const kinds = Object.fromEntries(result.handlers.map((h) => [h.name, [h.kind, h.route]]));
    assert.deepEqual(kinds, {
      // `class AppRouter(APIRouter)` in app/base.py, used from a folder without __init__.py
      read_item: ['route', 'GET /items/{item_id}'],
      create_item: ['route', 'POST /items'],
      // `def make_router() -> APIRouter: r = APIRouter(); @r.get(...)`, and routes declared in __init__
      'make_router.ping': ['route', 'GET /ping'],
      'make_router.sync_ping': ['route', 'GET /sync'],
      'Views.__init__.clear': ['route', 'DELETE /cache'],
      // app.middleware("http")(fn), add_api_route(methods=...), add_api_websocket_route
      timing: ['middleware', null],
      search: ['route', 'POST /search'],
      report: ['route', 'GET /report'],
      feed: ['websocket', 'WS /feed'],
      // traps: `@registry.get(...)` on a plain class, `on("start").append(fn)`
      refresh: ['coroutine', null],
      listener: ['coroutine', null],
    });
  });

  it('lists def routes as not async, with no findings', () => {
    const src = 'import requests\nfrom fastapi import FastAPI\napp = FastAPI()\n@app.get("/s")\ndef s():\n    return requests.get("u")\n';
    const r = analyzer.analyze([{ path: 's.py', text: src, module: 's', isPackage: false }]);
    assert.equal(r.findings.length, 0);
    assert.deepEqual(r.handlers.map((h) => [h.name, h.async, h.route]), [['s', false, 'GET /s']]);
    assert.equal(r.handlers[0].ioMs, 200, 'the sync HTTP call counts as I/O waited in the threadpool');
  });

  it('gives every route of a router its prefixes and router-level dependencies, not only the first', () => {
    const src = [
      'import time',
      'from fastapi import APIRouter, Depends, FastAPI',
      'def auth():',
      '    time.sleep(1)',
      'def audit():',
      '    time.sleep(1); time.sleep(1)',
      'def own():',
      '    time.sleep(1); time.sleep(1); time.sleep(1); time.sleep(1)',
      'app = FastAPI()',
      'r1 = APIRouter(prefix="/r1", dependencies=[Depends(auth)])',
      'r2 = APIRouter()',
      '@r1.get("/a")',
      'async def a():',
      '    return 1',
      '@r1.post("/b", dependencies=[Depends(own)])',
      'async def b():',
      '    return 1',
      '@r2.get("/c")',
      'async def c():',
      '    return 1',
      '@r1.get("/d")',
      'async def d():',
      '    return 1',
      '@r2.get("/e")',
      'async def e():',
      '    return 1',
      'app.include_router(r1, prefix="/v1", dependencies=[Depends(audit)])',
      'app.include_router(r2, prefix="/v2")',
      '',
    ].join('\n');
    const r = analyzer.analyze([{ path: 'm.py', text: src, module: 'm', isPackage: false }]);
    // A sync dependency's sleeps are waited in the threadpool: 100 ms each by default, summed into every route it serves.
    const got = Object.fromEntries(r.handlers.map((h) => [h.name, [h.kind, h.route, h.ioMs]]));
    assert.deepEqual(got, {
      auth: ['dependency', null, 100],
      audit: ['dependency', null, 200],
      own: ['dependency', null, 400],
      a: ['route', 'GET /v1/r1/a', 300],
      b: ['route', 'POST /v1/r1/b', 700],
      c: ['route', 'GET /v2/c', 0],
      d: ['route', 'GET /v1/r1/d', 300],
      e: ['route', 'GET /v2/e', 0],
    });
  });
  it('tells which kinds of role some function has (hasRole), as the roles say', () => {
    const model = (src: string, path: string, module: string): { fa: FastApiModel; entry: ModuleEntry } => {
      const m = analyzer.model({ path, text: src, module, isPackage: false });
      const entry: ModuleEntry = { file: path, model: m, resolver: new Resolver(m) };
      const index = new SymbolIndex([entry]);
      return { fa: new FastApiModel(index, (mod, c) => { const q = mod.resolver.resolve(c.callee); return q === undefined ? undefined : index.canonicalize(q); }), entry };
    };
    const { fa: all, entry } = model(text, 'main.py', 'main');
    const kinds = ['route', 'websocket', 'middleware', 'dependency', 'exception-handler', 'lifespan'] as const;
    const roles = new Set<string>();
    for (const fn of entry.model.functions) { const r = all.roleOf(fn); if (r) roles.add(r.kind); }
    for (const k of kinds) assert.equal(all.hasRole(k), roles.has(k), k);
    assert.ok(all.hasRole('middleware') && all.hasRole('route'));
    const { fa: routes } = model(['from fastapi import FastAPI', 'app = FastAPI()', '@app.get("/")', 'async def home():', '    return 1', ''].join('\n'), 'r.py', 'r');
    assert.equal(routes.hasRole('route'), true);
    assert.equal(routes.hasRole('middleware'), false);
    assert.equal(routes.hasRole('lifespan'), false);
  });

  it('still reports a log line per request in middleware (LW501) next to routes, and none without middleware', () => {
    const mw = [
      'import logging',
      'from fastapi import FastAPI, Request',
      'log = logging.getLogger(__name__)',
      'app = FastAPI()',
      '@app.middleware("http")',
      'async def timing(request: Request, call_next):',
      '    log.info("request %s", request.url)',
      '    return await call_next(request)',
      '@app.get("/")',
      'async def home():',
      '    log.info("home")',
      '    return 1',
      '',
    ].join('\n');
    const with_ = analyzer.analyze([{ path: 'mw.py', text: mw, module: 'mw', isPackage: false }]);
    assert.deepEqual(with_.findings.filter((f) => f.code === 'LW501').map((f) => [f.function, f.line]), [['timing', 7]]);
    const without = analyzer.analyze([{ path: 'mw.py', text: mw.replace('@app.middleware("http")\n', ''), module: 'mw', isPackage: false }]);
    assert.deepEqual(without.findings.filter((f) => f.code === 'LW501'), []);
  });
});
