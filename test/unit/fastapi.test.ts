// FastAPI's view of the code: kinds, full route paths through routers and include_router, and
// lifespan findings at a lower severity.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';

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

  it('lists def routes as not async, with no findings', () => {
    const src = 'import requests\nfrom fastapi import FastAPI\napp = FastAPI()\n@app.get("/s")\ndef s():\n    return requests.get("u")\n';
    const r = analyzer.analyze([{ path: 's.py', text: src, module: 's', isPackage: false }]);
    assert.equal(r.findings.length, 0);
    assert.deepEqual(r.handlers.map((h) => [h.name, h.async, h.route]), [['s', false, 'GET /s']]);
    assert.equal(r.handlers[0].ioMs, 200, 'the sync HTTP call counts as I/O waited in the threadpool');
  });
});
