// Keystrokes that change the surface of a module other files import (a class attribute renamed, a def
// added, an import broken): the analysis carries the previous run's classified call sites over for
// every module that read none of the changed names (CallGraph.carryFrom with `reread`), classifies
// again the edited module and the modules that read one, and must give, after every edit, exactly a
// fresh Analyzer's findings and handler reports. The edited module registers a SQLAlchemy listener
// (which a commit in another module runs), so modules whose calls fire events are classified again
// when it changes, and the others are carried.
import { strict as assert } from 'node:assert';
import { Analyzer, type DocumentEdit, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';
import { freshAnalysis } from './freshAnalysis';

const MODELS = `import time
import requests
from sqlalchemy import event
from sqlalchemy.orm import Session


class User:
    name = "u"
    email = "e"
    session = Session()

    def load(self):
        return self.session


class Item:
    title = "t"
    client = requests.Session()


@event.listens_for(User, "after_insert")
def audit_insert(mapper, connection, target):
    note = target
    return note


def helper(x):
    return x


def make_user():
    return User()
`;

const SERVICES = `from sqlalchemy.ext.asyncio import AsyncSession
from app.models import User, helper


async def create(db: AsyncSession):
    db.add(User())
    await db.commit()
    return helper(User.name)


async def show():
    User().session.query(1)
    return User.email
`;

const ITEMS = `from app.models import Item
from app.util import crunch


async def items():
    Item().client.get("x")
    return crunch(3)
`;

// Imports nothing of the edited module, fires no event: carried over every keystroke.
const UTIL = `import time


def crunch(n):
    return spin(n)


def spin(n):
    time.sleep(n)
    return n


async def tick():
    return crunch(1)
`;

const ROUTES = `from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from app.services import create, show
from app.util import crunch

router = APIRouter()


@router.post("/u")
async def post_user(db: AsyncSession):
    crunch(2)
    return await create(db)


@router.get("/u")
async def get_user():
    return await show()
`;

// Commits, and refers to nothing of the edited module (test 2 only: a module that does not import the
// edited one is not among its dependents, which the editor re-analyses).
const JOBS = `from sqlalchemy.orm import Session


def save(db: Session, row):
    db.add(row)
    db.commit()


async def job(db: Session):
    save(db, 1)
`;

function workspace(): SourceFile[] {
  return [
    { path: 'app/items.py', module: 'app.items', isPackage: false, text: ITEMS },
    { path: 'app/models.py', module: 'app.models', isPackage: false, text: MODELS },
    { path: 'app/routes.py', module: 'app.routes', isPackage: false, text: ROUTES },
    { path: 'app/services.py', module: 'app.services', isPackage: false, text: SERVICES },
    { path: 'app/util.py', module: 'app.util', isPackage: false, text: UTIL },
  ];
}

/** [what, text to find in models.py, its replacement]. */
const STEPS: [string, string, string][] = [
  ['an attribute services.py reads renamed', '    name = "u"', '    xname = "u"'],
  ['and back', '    xname = "u"', '    name = "u"'],
  ['an attribute nobody reads renamed', '    title = "t"', '    xtitle = "t"'],
  ['the client attribute items.py calls through renamed (items.py refers to no function of models.py)', '    client = requests.Session()', '    xclient = requests.Session()'],
  ['and back', '    xclient = requests.Session()', '    client = requests.Session()'],
  ['the session attribute services.py queries through renamed', '    session = Session()', '    xsession = Session()'],
  ['and back', '    xsession = Session()', '    session = Session()'],
  ['a blocking def of the same name added below make_user', 'def make_user():\n    return User()\n', 'def make_user():\n    return User()\n\n\ndef helper(x):\n    requests.get(x)\n    return x\n'],
  ['the listener blocks', '    note = target\n', '    note = target\n    time.sleep(1)\n'],
  ['an attribute renamed while the listener blocks', '    email = "e"', '    xemail = "e"'],
  ['the listener stops blocking', '    note = target\n    time.sleep(1)\n', '    note = target\n'],
  ['a blocking def of the same name added above helper', 'def helper(x):', 'def helper(x):\n    time.sleep(2)\n    return x\n\n\ndef helper(x):'],
  ['the listener renamed', 'def audit_insert(', 'def xaudit_insert('],
  ['a blocking listener added', 'def helper(x):\n    time.sleep(2)', '@event.listens_for(User, "after_update")\ndef on_update(mapper, connection, target):\n    requests.get("x")\n\n\ndef helper(x):\n    time.sleep(2)'],
  ['the import of time broken', 'import time\n', 'imp ort time\n'],
  ['and repaired', 'imp ort time\n', 'import time\n'],
  ['a method added to User', '    def load(self):', '    def email(self):\n        time.sleep(1)\n\n    def load(self):'],
  ['the attribute services.py reads renamed again', '    name = "u"', '    xname = "u"'],
];

const byPlace = <T extends { file: string; line: number }>(a: T, b: T) => a.file.localeCompare(b.file) || a.line - b.line;

describe('surface keystrokes carry the call graph over for the modules that read no changed name', () => {
  it('gives a fresh analysis\'s findings and handlers after every surface edit, carrying the modules that read nothing it changed', async () => {
    const files = workspace();
    const doc = 1;
    const live = await Analyzer.create();
    live.readerKeyImporters = 1;
    live.updateDocument(files[doc], []);
    let result: ScanResult = live.analyze(files, { fixes: false });
    const findings = new Set<string>();
    const carried: number[] = [];
    for (const [what, from, to] of STEPS) {
      const text = files[doc].text;
      const at = text.indexOf(from);
      assert.ok(at >= 0, `${what}: models.py holds ${JSON.stringify(from)}`);
      const e: DocumentEdit = { start: at, end: at + from.length, text: to };
      files[doc] = { ...files[doc], text: text.slice(0, at) + to + text.slice(at + from.length) };
      live.updateDocument(files[doc], [e]);
      const only = live.dependents(files, files[doc].path);
      const part = live.analyze(files, { fixes: false, only });
      carried.push(live.carryStats.functions);
      // The result the editor assembles: the analysed files' findings, the others' kept.
      result = {
        ...part,
        findings: [...result.findings.filter((f) => !only.has(f.file)), ...part.findings].sort((a, b) => byPlace(a, b) || a.column - b.column || a.code.localeCompare(b.code)),
        handlers: [...result.handlers.filter((h) => !only.has(h.file)), ...part.handlers].sort(byPlace),
      };
      const want = await freshAnalysis(files.map((f, i) => (i === doc ? { ...f, text: live.modelText(f.path)! } : f)));
      assert.deepEqual(result.findings, want.findings, `${what}: findings`);
      assert.deepEqual(result.handlers, want.handlers, `${what}: handlers`);
      findings.add(JSON.stringify(want.findings.map((f) => [f.file, f.line, f.code])));
      live.settle();
    }
    // The edits change the findings (the listener's and the shadowing def's blocking calls).
    assert.ok(findings.size >= 3, `the edits change the findings (${findings.size} distinct)`);
    // util.py's functions (crunch, spin) were carried over the attribute renames.
    assert.ok(carried[0] >= 2 && carried[2] >= 2, `functions carried over surface edits: ${carried.join(', ')}`);
    live.dispose();
  });

  it('classifies again the modules that read a changed name, and those whose calls fire events when a listener\'s module changes', async () => {
    const withJobs = () => [...workspace(), { path: 'app/jobs.py', module: 'app.jobs', isPackage: false, text: JOBS }];
    const files = withJobs();
    const doc = 1;
    const live = await Analyzer.create();
    live.updateDocument(files[doc], []);
    live.analyze(files, { fixes: false });
    const edit = (from: string, to: string): number => {
      const text = files[doc].text;
      const at = text.indexOf(from);
      files[doc] = { ...files[doc], text: text.slice(0, at) + to + text.slice(at + from.length) };
      live.updateDocument(files[doc], [{ start: at, end: at + from.length, text: to }]);
      live.analyze(files, { fixes: false });
      live.settle();
      return live.carryStats.functions;
    };
    // The same texts analysed again: every classified function is carried.
    const all = edit('\n', '\n');
    // A rename of what services.py reads: models.py and services.py are classified again, the rest carried.
    const renamed = edit('    name = "u"', '    xname = "u"');
    assert.ok(renamed > 0 && renamed < all, `${renamed} of ${all}`);
    // Without a listener in models.py, a body edit there leaves services.py (which fires events) carried:
    // with one (the file as written), services.py is classified again too.
    const withListener = edit('    title = "t"', '    title = "tt"');
    const noListener = withJobs();
    const plain = await Analyzer.create();
    const modelsNoListener = MODELS.replace('@event.listens_for(User, "after_insert")\n', '');
    noListener[doc] = { ...noListener[doc], text: modelsNoListener };
    plain.updateDocument(noListener[doc], []);
    plain.analyze(noListener, { fixes: false });
    plain.analyze(noListener, { fixes: false });
    const at = modelsNoListener.indexOf('    title = "t"');
    const text = modelsNoListener.slice(0, at) + '    title = "tt"' + modelsNoListener.slice(at + 15);
    noListener[doc] = { ...noListener[doc], text };
    plain.updateDocument(noListener[doc], [{ start: at, end: at + 15, text: '    title = "tt"' }]);
    plain.analyze(noListener, { fixes: false });
    assert.ok(plain.carryStats.functions > withListener, `carried without a listener ${plain.carryStats.functions}, with one ${withListener}`);
    live.dispose();
    plain.dispose();
  });
});
