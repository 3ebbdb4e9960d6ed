// Typing in a module that other files import: an edit that changes nothing those files' analysis
// reads (see Run.exportKey) re-analyses the edited file alone and keeps the importers' results, with
// their chains' lines in the edited file moved by the lines the edit added or removed. After every
// one of many random edits, the result the extension assembles (analyse `dependents` with `only`,
// keep the rest) must equal a fresh analysis of the same texts.
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';
import { lineStarts } from '../../src/core/python/model';
import { rng } from '../../bench/generate';
import { freshAnalysis } from './freshAnalysis';

const SERVICES = `import logging
import time
import requests

log = logging.getLogger(__name__)


def load(item_id):
    value = item_id
    return value


def store(value):
    requests.post("http://example.com", json=value)
    return value


def audit(value):
    note = value
    store(note)
    return note


class Repo:
    def get(self, key):
        found = key
        return found

    def put(self, key):
        time.sleep(0.5)
        return key


async def fetch(item_id):
    log.info("fetch")
    return item_id
`;

const ITEMS = `from fastapi import APIRouter
from app import services
from app.services import Repo, audit

router = APIRouter()


@router.get("/items/{item_id}")
async def read_item(item_id: int):
    services.load(item_id)
    return await services.fetch(item_id)


@router.post("/items")
async def create_item():
    audit(1)
    Repo().put("k")
    return {}


def helper(x):
    return services.load(x)
`;

const MAIN = `import logging
from fastapi import FastAPI
from app.routers import items

app = FastAPI()
app.include_router(items.router)
logging.getLogger().addHandler(logging.FileHandler("app.log"))


@app.get("/")
async def root():
    items.helper(1)
    return {}
`;

const OTHER = `import time


async def tick():
    time.sleep(1)
`;

function workspace(): SourceFile[] {
  return [
    { path: 'app/main.py', module: 'app.main', isPackage: false, text: MAIN },
    { path: 'app/routers/items.py', module: 'app.routers.items', isPackage: false, text: ITEMS },
    { path: 'app/services.py', module: 'app.services', isPackage: false, text: SERVICES },
    { path: 'app/other.py', module: 'app.other', isPackage: false, text: OTHER },
  ];
}

/**
 * One random edit of services.py as [start, end, text]: blank lines added or removed (lines move),
 * comments, a blocking call added to or removed from a body, a local renamed, or a stray character
 * (a syntax error or a surface change, removed again by the next edit).
 */
function randomEdit(text: string, rnd: () => number): [number, number, string, string] {
  const starts = lineStarts(text);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const lineAt = (i: number) => text.slice(starts[i], (starts[i + 1] ?? text.length + 1) - 1);
  const bodyLines = starts.map((_, i) => i).filter((i) => /^ {4,8}[a-z]/.test(lineAt(i)) && !/^\s*(def|class|async)\b/.test(lineAt(i)));
  const kind = pick(['newline', 'newline', 'unblank', 'comment', 'sleep', 'sleep', 'unsleep', 'rename', 'stray']);
  switch (kind) {
    case 'newline': { const i = pick(starts.map((_, j) => j)); return [starts[i], starts[i], '\n', kind]; }
    case 'unblank': {
      const blanks = starts.map((_, i) => i).filter((i) => lineAt(i) === '' && i + 1 < starts.length);
      if (!blanks.length) break;
      const i = pick(blanks);
      return [starts[i], starts[i] + 1, '', kind];
    }
    case 'comment': { const i = pick(bodyLines); const end = starts[i] + lineAt(i).length; return [end, end, '  # note', kind]; }
    case 'sleep': {
      const i = pick(bodyLines);
      const indent = /^ */.exec(lineAt(i))![0];
      return [starts[i], starts[i], `${indent}time.sleep(1)\n`, kind];
    }
    case 'unsleep': {
      const sleeps = starts.map((_, i) => i).filter((i) => /^\s+time\.sleep\(/.test(lineAt(i)));
      if (!sleeps.length) break;
      const i = pick(sleeps);
      return [starts[i], starts[i + 1] ?? text.length, '', kind];
    }
    case 'rename': {
      const assigns = bodyLines.filter((i) => /^\s+[a-z_]\w*\s*=[^=]/.test(lineAt(i)));
      if (!assigns.length) break;
      const i = pick(assigns);
      const at = starts[i] + /^ */.exec(lineAt(i))![0].length;
      return [at, at, 'x', kind];
    }
    case 'stray': { const at = Math.floor(rnd() * text.length); return [at, at, pick(['(', ':', 'z', ' ']), kind]; }
  }
  return [0, 0, '\n', 'newline'];
}

/** The lines of the hops into services.py in the other files' findings. */
function hopLines(r: ScanResult): string {
  return JSON.stringify(r.findings.filter((f) => f.file !== 'app/services.py').map((f) => f.chain.filter((h) => h.file === 'app/services.py').map((h) => h.line)));
}

describe('edits re-analyse importers only when what they read changes', () => {
  // Readers' export keys (see Analyzer.readerKeys) as in the editor, and for every reader.
  for (const readerKeyImporters of [3, 1]) it(`after 120 random edits of an imported module, each result equals a fresh analysis (readers' keys from ${readerKeyImporters} importers)`, async function () {
    this.timeout(120_000);
    const live = await Analyzer.create();
    live.readerKeyImporters = readerKeyImporters;
    const files = workspace();
    const doc = 2;
    live.updateDocument(files[doc], []);
    let result: ScanResult = live.analyze(files, { fixes: false });
    // Seeded (mulberry32), so a failure names the edit that caused it.
    const rnd = rng(Number(process.env.LW_SEED ?? 13));
    const kinds = new Map<string, { edits: number; kept: number; alone: number }>();
    let chainsMoved = 0;
    let stray: number | undefined;
    let broken = 0;
    for (let n = 0; n < 120; n++) {
      // A stray character stays for one analysis only: the walk is mostly on code that parses.
      const [start, end, ins, kind]: [number, number, string, string] = stray !== undefined ? [stray, stray + 1, '', 'unstray'] : randomEdit(files[doc].text, rnd);
      stray = kind === 'stray' ? start : undefined;
      const text = files[doc].text.slice(0, start) + ins + files[doc].text.slice(end);
      files[doc] = { ...files[doc], text };
      live.updateDocument(files[doc], [{ start, end, text: ins }]);
      const hopsBefore = hopLines(result);
      const only = live.dependents(files, files[doc].path);
      const part = live.analyze(files, { fixes: false, only });
      if (part.notes.some((x) => x.kind === 'syntax-error' && x.file === 'app/services.py')) broken++;
      result = {
        ...part,
        findings: [...result.findings.filter((f) => !only.has(f.file)), ...part.findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code)),
        handlers: [...result.handlers.filter((h) => !only.has(h.file)), ...part.handlers].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
      };
      const k = kinds.get(kind) ?? { edits: 0, kept: 0, alone: 0 };
      k.edits++;
      if (only.size === 1) k.alone++;
      if (live.keptStats.kept > 0) {
        k.kept++;
        // Kept results: the edited file was analysed, with the files that read a function whose
        // summary the edit changed (see surface-edits.test.ts); every other one was kept.
        assert.equal(live.keptStats.analysed + live.keptStats.kept, only.size, `edit ${n} (${kind})`);
        if (live.keptStats.analysed === 1 && hopLines(result) !== hopsBefore) chainsMoved++;
      }
      kinds.set(kind, k);

      // Lines being typed that do not parse are left out of the document's model (see Analyzer.modelText).
      const want = await freshAnalysis(files.map((f, i) => (i === doc ? { ...f, text: live.modelText(f.path)! } : f)));
      assert.deepEqual(result.findings, want.findings, `edit ${n} (${kind} at ${start}): findings differ from a fresh analysis`);
      assert.deepEqual(result.handlers, want.handlers, `edit ${n} (${kind} at ${start}): handlers differ from a fresh analysis`);
    }
    // The walk exercised both paths: edits whose importers were kept (lines moved through them, so
    // chains into services.py were renumbered) and edits that re-analysed them.
    const kept = [...kinds.values()].reduce((s, k) => s + k.kept, 0);
    assert.ok(kept >= 20, `importers kept on ${kept} of 120 edits: ${JSON.stringify([...kinds])}`);
    if (process.env.LW_DEBUG) console.log(broken, chainsMoved, JSON.stringify([...kinds]));
    assert.ok(kept <= 110, `importers re-analysed on ${120 - kept} of 120 edits`);
    assert.ok(broken <= 20, `${broken} of 120 analyses saw a syntax error`);
    assert.ok(chainsMoved >= 5, `${chainsMoved} kept results had their chains renumbered`);
    live.dispose();
  });

  it('a blocking call added re-analyses the importers; lines added above keep them with renumbered chains; a line inside a chain re-analyses them', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.updateDocument(files[2], []);
    live.analyze(files, { fixes: false });
    const edit = (from: string, to: string): ScanResult => {
      const at = files[2].text.indexOf(from);
      assert.ok(at >= 0, from);
      files[2] = { ...files[2], text: files[2].text.slice(0, at) + to + files[2].text.slice(at + from.length) };
      live.updateDocument(files[2], [{ start: at, end: at + from.length, text: to }]);
      return live.analyze(files, { fixes: false, only: live.dependents(files, 'app/services.py') });
    };
    // `load` is called by read_item: its summary changes.
    let r = edit('    value = item_id\n', '    value = item_id\n    time.sleep(1)\n');
    assert.equal(live.keptStats.kept, 0);
    assert.ok(r.findings.some((f) => f.file === 'app/routers/items.py' && f.chain.some((h) => h.file === 'app/services.py' && h.line === 10)));
    // Two lines added above `load`: importers kept, their chain now names line 12.
    r = edit('log = logging', '\n\nlog = logging');
    assert.equal(live.keptStats.analysed, 1);
    assert.ok(live.keptStats.kept >= 2);
    assert.ok(r.findings.some((f) => f.file === 'app/routers/items.py' && f.chain.some((h) => h.file === 'app/services.py' && h.line === 12)));
    assert.ok(!r.findings.some((f) => f.chain.some((h) => h.file === 'app/services.py' && h.line === 10)));
    // A line inserted in `load` between its def and the sleep: the hop moved inside the edited span.
    r = edit('    value = item_id\n', '    value = item_id\n    other = 2\n');
    assert.equal(live.keptStats.kept, 0);
    live.dispose();
  });

  it('two open documents, other options, a closed document: kept results only while they are right', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.updateDocument(files[1], []);
    live.updateDocument(files[2], []);
    let result = live.analyze(files, { fixes: false });
    const fresh = (opts = {}) => freshAnalysis(files, opts);
    const edit = (i: number, from: string, to: string, opts = {}) => {
      const at = files[i].text.indexOf(from);
      assert.ok(at >= 0, from);
      files[i] = { ...files[i], text: files[i].text.slice(0, at) + to + files[i].text.slice(at + from.length) };
      live.updateDocument(files[i], [{ start: at, end: at + from.length, text: to }]);
      const only = live.dependents(files, files[i].path);
      const part = live.analyze(files, { fixes: false, only, ...opts });
      result = { ...part, findings: [...result.findings.filter((f) => !only.has(f.file)), ...part.findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code)) };
      return { part, only };
    };
    // services.py: two lines above everything (kept, renumbered); then items.py, which main.py imports:
    // both documents changed since the base, services.py's key still equal, main.py kept.
    edit(2, 'import logging\n', 'import logging\n\n\n');
    assert.equal(live.keptStats.analysed, 1);
    assert.deepEqual(result.findings, (await fresh()).findings);
    edit(1, 'router = APIRouter()\n', 'router = APIRouter()\n\n');
    assert.equal(live.keptStats.analysed, 1, 'items.py alone; main.py kept');
    assert.deepEqual(result.findings, (await fresh()).findings);
    // Other options (LW102 ignored): nothing kept, everything as a fresh analysis with those options.
    const opts = { rules: { ignore: ['LW102'] } };
    const changed = edit(2, 'import logging\n', 'import logging\n\n', opts);
    assert.equal(live.keptStats.kept, 0);
    assert.equal(live.keptStats.analysed, changed.only.size);
    assert.deepEqual(changed.part.findings, (await fresh(opts)).findings.filter((f) => changed.only.has(f.file)));
    assert.ok(!changed.part.findings.some((f) => f.code === 'LW102'));
    // services.py closed: read again from its text, its lines unknown; importers re-analysed when chains point into it.
    live.forget('app/services.py');
    const only = live.dependents(files, 'app/services.py');
    const part = live.analyze(files, { fixes: false, only, ...opts });
    assert.ok(part.findings.some((f) => f.chain.some((h) => h.file === 'app/services.py')));
    assert.equal(live.keptStats.kept, 0);
    assert.deepEqual(part.findings, (await fresh(opts)).findings.filter((f) => only.has(f.file)));
    live.dispose();
  });
});
