// After an edit of one file of a workspace, the symbol index and the FastAPI model are updated from
// that file alone (not rebuilt over every module); the result must be exactly what a fresh analysis
// of the same texts gives, whether the edit changes a body, a role input or the file's surface.
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { freshAnalysis } from './freshAnalysis';

const MAIN = `from fastapi import FastAPI
from app.routers import items

app = FastAPI()
app.include_router(items.router, prefix="/v1")
`;

const ITEMS = `from fastapi import APIRouter, Depends
from app import services
from app.db import get_db

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
async def read_item(item_id: int, db=Depends(get_db)):
    return services.load(item_id)


@router.post("/")
async def create_item():
    services.store(1)
    return {}
`;

const SERVICES = `import time
import requests


def load(item_id):
    return item_id


def store(value):
    requests.post("http://example.com", json=value)
    return value
`;

const DB = `def get_db():
    db = object()
    yield db
`;

function workspace(): SourceFile[] {
  return [
    { path: 'app/main.py', module: 'app.main', isPackage: false, text: MAIN },
    { path: 'app/routers/items.py', module: 'app.routers.items', isPackage: false, text: ITEMS },
    { path: 'app/services.py', module: 'app.services', isPackage: false, text: SERVICES },
    { path: 'app/db.py', module: 'app.db', isPackage: false, text: DB },
  ];
}

/** The text edits of the scenario: [file, old, new, what the edit changes]. */
const STEPS: [string, string, string, 'body' | 'role' | 'surface' | 'rename'][] = [
  ['app/services.py', '    return item_id\n', '    time.sleep(1)\n    return item_id\n', 'body'],
  ['app/main.py', 'prefix="/v1"', 'prefix="/v2"', 'role'],
  ['app/services.py', '    time.sleep(1)\n', '', 'body'],
  ['app/services.py', 'def store(value):', 'def store(value, retries=3):', 'surface'],
  // A function renamed: its old name leaves the index (create_item's call of it resolves no more);
  // no role input changed, so the FastAPI model is kept.
  ['app/services.py', 'def store(value, retries=3):', 'def save(value, retries=3):', 'rename'],
  ['app/routers/items.py', '@router.post("/")', '@router.put("/")', 'surface'],
  ['app/db.py', '    db = object()\n', '    import time\n    time.sleep(0.1)\n    db = object()\n', 'body'],
];

describe('workspace index after an edit', () => {
  it('updates the symbol index and FastAPI model from the edited file and matches a fresh analysis', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    for (const f of files) live.updateDocument(f, []);
    live.analyze(files, { fixes: false });
    assert.equal(live.indexStats.rebuilt, 1);
    const findingsSeen = new Set<number>();
    for (const [path, from, to, kind] of STEPS) {
      const i = files.findIndex((f) => f.path === path);
      const at = files[i].text.indexOf(from);
      assert.ok(at >= 0, `${path} holds ${from}`);
      const text = files[i].text.slice(0, at) + to + files[i].text.slice(at + from.length);
      files[i] = { ...files[i], text };
      live.updateDocument(files[i], [{ start: at, end: at + from.length, text: to }]);
      const before = { ...live.indexStats };
      const got = live.analyze(files, { fixes: false });
      // The index was updated in place (one entry swapped), never rebuilt.
      assert.equal(live.indexStats.rebuilt, before.rebuilt, `${kind} edit of ${path}: index rebuilt`);
      assert.equal(live.indexStats.replaced, before.replaced + 1);
      // The FastAPI model is kept only when no surface and no role input changed.
      assert.equal(live.indexStats.fastapiReused - before.fastapiReused, kind === 'body' || kind === 'rename' ? 1 : 0, `${kind} edit of ${path}`);

      const want = await freshAnalysis(files);
      assert.deepEqual(got.findings, want.findings, `${kind} edit of ${path}: findings`);
      assert.deepEqual(got.handlers, want.handlers, `${kind} edit of ${path}: handlers`);
      findingsSeen.add(got.findings.length);
    }
    // The scenario really changes results (a blocking call added and removed, a route renamed).
    assert.ok(findingsSeen.size > 1, 'the edits change the findings');
    live.dispose();
  });

  it('the role-input edit renames the routes of the included router', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    const routes = () => live.analyze(files, { fixes: false }).handlers.map((h) => h.route).filter(Boolean).sort();
    assert.deepEqual(routes(), ['GET /v1/items/{item_id}', 'POST /v1/items/']);
    const at = MAIN.indexOf('/v1');
    files[0] = { ...files[0], text: MAIN.replace('/v1', '/v2') };
    live.updateDocument(files[0], [{ start: at, end: at + 3, text: '/v2' }]);
    assert.deepEqual(routes(), ['GET /v2/items/{item_id}', 'POST /v2/items/']);
    live.dispose();
  });

  it('a different set of files rebuilds the index', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.analyze(files, { fixes: false });
    live.analyze(files.slice(1), { fixes: false });
    assert.equal(live.indexStats.rebuilt, 2);
    assert.equal(live.indexStats.replaced, 0);
    live.dispose();
  });
});

describe('which files an edit re-analyses', () => {
  /** Analyses like the extension: after an edit only `dependents` are analysed, the rest is kept. */
  async function session() {
    const live = await Analyzer.create();
    const files = workspace();
    files[2] = { ...files[2], text: SERVICES.replace('    return item_id\n', '    time.sleep(1)  # slow\n    return item_id\n') };
    for (const f of files) live.updateDocument(f, []);
    let result = live.analyze(files, { fixes: false });
    const edit = (path: string, from: string, to: string, analyse = true): Set<string> => {
      const i = files.findIndex((f) => f.path === path);
      const at = files[i].text.indexOf(from);
      assert.ok(at >= 0, `${path} holds ${JSON.stringify(from)}`);
      files[i] = { ...files[i], text: files[i].text.slice(0, at) + to + files[i].text.slice(at + from.length) };
      live.updateDocument(files[i], [{ start: at, end: at + from.length, text: to }]);
      if (!analyse) return new Set();
      const only = live.dependents(files, path);
      const part = live.analyze(files, { fixes: false, only });
      const keep = result.findings.filter((f) => !only.has(f.file));
      result = { ...part, findings: [...keep, ...part.findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column) };
      return only;
    };
    const matchesFresh = async (why: string) => {
      const want = await freshAnalysis(files);
      assert.deepEqual(result.findings, want.findings, why);
    };
    return { live, edit, matchesFresh, findings: () => result.findings };
  }

  it('an edit its importers cannot see (a comment, spaces within a line) re-analyses the file alone', async () => {
    const s = await session();
    // The chain through services.load is reported in the importer, with services.py's line.
    assert.ok(s.findings().some((f) => f.file === 'app/routers/items.py' && f.chain.some((h) => h.file === 'app/services.py' && h.line === 6)));
    assert.deepEqual([...s.edit('app/services.py', '# slow', '# slower')], ['app/services.py']);
    await s.matchesFresh('comment edit');
    assert.deepEqual([...s.edit('app/services.py', 'def store(value):', 'def store(value):   ')], ['app/services.py']);
    await s.matchesFresh('trailing spaces');
    s.live.dispose();
  });

  it('an edit that changes a body, a line number or the surface re-analyses the importers', async () => {
    const s = await session();
    const all = ['app/main.py', 'app/routers/items.py', 'app/services.py'];
    // The blocking call moves one line down: the importer's chain names the new line.
    assert.deepEqual([...s.edit('app/services.py', 'import time\n', 'import time\n\n')].sort(), all);
    await s.matchesFresh('line shift');
    assert.ok(s.findings().some((f) => f.chain.some((h) => h.file === 'app/services.py' && h.line === 7)));
    assert.deepEqual([...s.edit('app/services.py', 'time.sleep(1)', 'time.sleep(2)')].sort(), all);
    await s.matchesFresh('argument changed');
    assert.deepEqual([...s.edit('app/services.py', '    time.sleep(2)  # slow\n', '')].sort(), all);
    await s.matchesFresh('blocking call removed');
    assert.ok(!s.findings().some((f) => f.chain.some((h) => h.name.includes('sleep'))));
    assert.ok(s.findings().some((f) => f.chain.some((h) => h.name.includes('requests.post'))));
    // Same view as when last analysed: alone again.
    assert.deepEqual([...s.edit('app/services.py', 'def load', 'def load')], ['app/services.py']);
    s.live.dispose();
  });

  it('importers analysed with another version of the file since: not narrowed back', async () => {
    const s = await session();
    // services.py changes without being analysed (typing within the debounce), then an importer is
    // analysed with that version; editing services.py back must re-analyse the importers again.
    s.edit('app/services.py', 'time.sleep(1)', 'time.sleep(5)', false);
    s.edit('app/routers/items.py', 'return {}', 'return {"ok": 1}');
    assert.deepEqual([...s.edit('app/services.py', 'time.sleep(5)', 'time.sleep(1)')].sort(), ['app/main.py', 'app/routers/items.py', 'app/services.py']);
    await s.matchesFresh('back to the first version');
    s.live.dispose();
  });
});
