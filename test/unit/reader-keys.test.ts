// A surface edit of an open document changes names that some files read (the readers): those are
// analysed again, and the files importing a reader only when the reader's own export key (see
// Run.exportKey: what its importers can see of it) changed. Each result must equal a fresh analysis.
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';
import { freshAnalysis } from './freshAnalysis';

const MODELS = `import time


def helper():
    return 1


class User:
    name = "ada"

    def save(self):
        time.sleep(1)
`;

// The reader: reads helper, User and User.save of the open document.
const CRUD = `import time

from app.models import User, helper


def load():
    time.sleep(1)


def count():
    return helper()


def get_name(user: User):
    return user.name


def store(user: User):
    user.save()
`;

// Imports the reader only: load reads nothing of models.py; store does.
const API = `from fastapi import FastAPI

from app.crud import load, store

app = FastAPI()


@app.get("/")
async def read():
    load()
    return 1


@app.get("/store")
async def write():
    store(None)
`;

// Imports the reader, calls nothing that reads models.py.
const JOBS = `from app.crud import load


async def job():
    load()
`;

// Imports api.py: crud.py has three importers (keys are taken for readers with three or more).
const MAIN = `from app.api import app
`;

/** Replaces `from` with `to` in files[doc] as an editor would, and analyses what the edit can change. */
function typeInto(live: Analyzer, files: SourceFile[], doc: number, from: string, to: string): { only: Set<string>; part: ScanResult } {
  const at = files[doc].text.indexOf(from);
  assert.ok(at >= 0, from);
  files[doc] = { ...files[doc], text: files[doc].text.slice(0, at) + to + files[doc].text.slice(at + from.length) };
  live.updateDocument(files[doc], [{ start: at, end: at + from.length, text: to }]);
  const only = live.dependents(files, files[doc].path);
  return { only, part: live.analyze(files, { fixes: false, only }) };
}

/** The whole workspace's results after a partial analysis: `part` replaces what `only` held in `before`. */
function merged(before: ScanResult, part: ScanResult, only: Set<string>): ScanResult {
  return {
    ...part,
    findings: [...before.findings.filter((f) => !only.has(f.file)), ...part.findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code)),
    handlers: [...before.handlers.filter((h) => !only.has(h.file)), ...part.handlers].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
  };
}

function workspace(): SourceFile[] {
  return [
    { path: 'app/main.py', module: 'app.main', isPackage: false, text: MAIN },
    { path: 'app/api.py', module: 'app.api', isPackage: false, text: API },
    { path: 'app/crud.py', module: 'app.crud', isPackage: false, text: CRUD },
    { path: 'app/jobs.py', module: 'app.jobs', isPackage: false, text: JOBS },
    { path: 'app/models.py', module: 'app.models', isPackage: false, text: MODELS },
  ];
}

describe("a reader's importers are re-analysed only when the reader's export key changed", () => {
  async function editing() {
    const live = await Analyzer.create();
    const files = workspace();
    const doc = 4;
    live.updateDocument(files[doc], []);
    let result = live.analyze(files, { fixes: false });
    const edit = async (from: string, to: string): Promise<{ result: ScanResult; want: ScanResult; only: Set<string> }> => {
      const { only, part } = typeInto(live, files, doc, from, to);
      result = merged(result, part, only);
      return { result, want: await freshAnalysis(files), only };
    };
    return { live, result, edit };
  }

  it("a renamed function the reader imports, its functions blocking as before: the reader alone, its importers kept", async () => {
    const { live, result: first, edit } = await editing();
    assert.ok(first.findings.some((f) => f.file === 'app/api.py' && f.code === 'LW102' && f.chain.some((h) => h.file === 'app/models.py')), JSON.stringify(first.findings));
    const { result, want, only } = await edit('def helper():', 'def xhelper():');
    assert.deepEqual([...only].sort(), ['app/api.py', 'app/crud.py', 'app/jobs.py', 'app/main.py', 'app/models.py']);
    // models.py (edited) and crud.py (read helper) analysed; api.py, jobs.py and main.py kept.
    assert.equal(live.keptStats.analysed, 2);
    assert.equal(live.keptStats.kept, 3);
    assert.deepEqual(result.findings, want.findings);
    assert.deepEqual(result.handlers, want.handlers);
    // Again on the new base: the name typed back.
    const back = await edit('def xhelper():', 'def helper():');
    assert.equal(live.keptStats.analysed, 2);
    assert.equal(live.keptStats.kept, 3);
    assert.deepEqual(back.result.findings, back.want.findings);
    assert.deepEqual(back.result.findings, first.findings);
    live.dispose();
  });

  it("a renamed method the reader calls: the reader's key changed, its importers re-analysed", async () => {
    const { live, result: first, edit } = await editing();
    const { result, want } = await edit('    def save(self):', '    def xsave(self):');
    // jobs.py reads nothing of models.py: re-analysed because crud.store's summary (crud.py's key) changed.
    assert.equal(live.keptStats.analysed, 5);
    assert.equal(live.keptStats.kept, 0);
    assert.deepEqual(result.findings, want.findings);
    assert.deepEqual(result.handlers, want.handlers);
    // The blocking chain through crud.store is gone from api.py's write, as a fresh analysis says.
    assert.ok(first.findings.some((f) => f.function === 'write' && f.code === 'LW102'), JSON.stringify(first.findings));
    assert.ok(!result.findings.some((f) => f.function === 'write'), JSON.stringify(result.findings));
    const back = await edit('    def xsave(self):', '    def save(self):');
    assert.deepEqual(back.result.findings, back.want.findings);
    assert.deepEqual(back.result.findings, first.findings);
    live.dispose();
  });
});

describe('export keys of a new base are taken after the findings (Analyzer.settle)', () => {
  // Two editors typing the same edits: one settles as the language server does (once the findings
  // are out), the other never does (the next edit settles first). Both must give a fresh analysis'
  // result and do the same work.
  const steps: [string, string][] = [
    ['def helper():', 'def xhelper():'],
    ['    def save(self):', '    def xsave(self):'],
    ['def xhelper():', 'def helper():'],
    ['    name = "ada"', '    xname = "ada"'],
    ['    def xsave(self):', '    def save(self):\n        pass\n\n    def more(self):'],
    ['        time.sleep(1)', '        time.sleep(1)\n        open("x").read()'],
  ];

  async function walk(settle: boolean): Promise<{ results: ScanResult[]; work: number[][]; pending: number[] }> {
    const live = await Analyzer.create();
    const files = workspace();
    const doc = 4;
    live.updateDocument(files[doc], []);
    let result = live.analyze(files, { fixes: false });
    const pending = [live.keptStats.pendingKeys];
    if (settle) live.settle();
    const results: ScanResult[] = [];
    const work: number[][] = [];
    for (const [from, to] of steps) {
      const { only, part } = typeInto(live, files, doc, from, to);
      pending.push(live.keptStats.pendingKeys);
      if (settle) live.settle();
      result = merged(result, part, only);
      const want = await freshAnalysis(files);
      assert.deepEqual(result.findings, want.findings, `${settle} after ${to}`);
      assert.deepEqual(result.handlers, want.handlers, `${settle} after ${to}`);
      results.push(result);
      work.push([live.keptStats.analysed, live.keptStats.kept]);
    }
    live.dispose();
    return { results, work, pending };
  }

  it('the same results and the same work whether settled after each edit or by the next one', async () => {
    const now = await walk(true);
    const later = await walk(false);
    assert.deepEqual(now.results, later.results);
    assert.deepEqual(now.work, later.work);
    // The first analysis leaves keys for later (models.py, imported; crud.py, a reader with three importers).
    assert.equal(now.pending[0], 2);
    assert.ok(now.pending.slice(1).some((n) => n > 0), JSON.stringify(now.pending));
    // Some edits kept importers' results (the keys served).
    assert.ok(now.work.some(([analysed, kept]) => kept > 0 && analysed < 5), JSON.stringify(now.work));
  });
});
