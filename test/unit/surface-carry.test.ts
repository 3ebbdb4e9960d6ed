// Keystrokes that change the surface of a module other files import (a class attribute renamed, a def
// added, an import broken): the analysis carries the previous run's classified call sites over for
// every module that read none of the changed names (CallGraph.carryFrom with `reread`), classifies
// again the edited module and the modules that read one, and must give, after every edit, exactly a
// fresh Analyzer's findings and handler reports. The edited module registers a SQLAlchemy listener
// (which a commit in another module runs), so modules whose calls fire events are classified again
// when it changes, and the others are carried.
import { strict as assert } from 'node:assert';
import { Analyzer, differingSpan, type DocumentEdit, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';
import { assemblePartial, freshAnalysis } from './freshAnalysis';

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
    note = record(target)
    return note


def record(x):
    return x


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
  ['the listener blocks', '    note = record(target)\n', '    note = record(target)\n    time.sleep(1)\n'],
  ['an attribute renamed while the listener blocks', '    email = "e"', '    xemail = "e"'],
  ['the listener stops blocking', '    note = record(target)\n    time.sleep(1)\n', '    note = record(target)\n'],
  ['what the listener calls blocks', 'def record(x):\n', 'def record(x):\n    time.sleep(1)\n'],
  ['and stops', 'def record(x):\n    time.sleep(1)\n', 'def record(x):\n'],
  ['a blocking def of the same name added above helper', 'def helper(x):', 'def helper(x):\n    time.sleep(2)\n    return x\n\n\ndef helper(x):'],
  ['the listener renamed', 'def audit_insert(', 'def xaudit_insert('],
  ['a blocking listener added', 'def helper(x):\n    time.sleep(2)', '@event.listens_for(User, "after_update")\ndef on_update(mapper, connection, target):\n    requests.get("x")\n\n\ndef helper(x):\n    time.sleep(2)'],
  ['the import of time broken', 'import time\n', 'imp ort time\n'],
  ['and repaired', 'imp ort time\n', 'import time\n'],
  ['a method added to User', '    def load(self):', '    def email(self):\n        time.sleep(1)\n\n    def load(self):'],
  ['the attribute services.py reads renamed again', '    name = "u"', '    xname = "u"'],
];

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
      result = assemblePartial(result, part, only);
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

  it('classifies again the modules that read a changed name; a module that commits keeps its lists, with its listener edges moved, when the listener\'s module changes', async () => {
    const files = [...workspace(), { path: 'app/jobs.py', module: 'app.jobs', isPackage: false, text: JOBS }];
    const doc = 1;
    const live = await Analyzer.create();
    live.updateDocument(files[doc], []);
    live.analyze(files, { fixes: false });
    const edit = async (from: string, to: string): Promise<{ carried: number; jobs: string[] }> => {
      const text = files[doc].text;
      const at = text.indexOf(from);
      assert.ok(at >= 0, JSON.stringify(from));
      files[doc] = { ...files[doc], text: text.slice(0, at) + to + text.slice(at + from.length) };
      live.updateDocument(files[doc], [{ start: at, end: at + from.length, text: to }]);
      const got = live.analyze(files, { fixes: false });
      live.settle();
      const want = await freshAnalysis(files);
      assert.deepEqual(got.findings, want.findings, `${JSON.stringify(to)}: findings`);
      assert.deepEqual(got.handlers, want.handlers, `${JSON.stringify(to)}: handlers`);
      return { carried: live.carryStats.functions, jobs: got.findings.filter((f) => f.file === 'app/jobs.py').map((f) => `${f.line} ${f.code} ${f.message}`) };
    };
    // The same texts analysed again: every classified function is carried.
    const all = (await edit('\n', '\n')).carried;
    // A rename of what services.py reads: models.py and services.py are classified again, the rest carried.
    const renamed = (await edit('    name = "u"', '    xname = "u"')).carried;
    assert.ok(renamed > 0 && renamed < all, `${renamed} of ${all}`);
    // What the listener (in models.py) calls starts blocking, the listener unchanged: jobs.py's commit runs
    // it, through its carried lists.
    const blocks = await edit('def record(x):\n', 'def record(x):\n    time.sleep(1)\n');
    assert.ok(blocks.carried > 0, 'carried');
    assert.ok(blocks.jobs.some((f) => f.includes('time.sleep')), `jobs.py: ${blocks.jobs.join('; ')}`);
    // A line added above the listener (its def line moves), then it stops blocking.
    const moved = await edit('class Item:', '\nclass Item:');
    assert.ok(moved.carried > 0 && moved.jobs.some((f) => f.includes('time.sleep')), `jobs.py: ${moved.jobs.join('; ')}`);
    const stops = await edit('def record(x):\n    time.sleep(1)\n', 'def record(x):\n');
    assert.ok(!stops.jobs.some((f) => f.includes('time.sleep')), `jobs.py: ${stops.jobs.join('; ')}`);
    live.dispose();
  });
});

// A listener's body typed in: the modules whose calls fire it are analysed again when what a commit
// sees of it changes (its blocking entries, or its cost where a commit passes the cost on), with their
// importers when what those see of them changed; every other importer of the listener's module keeps
// its results, which stay right.
const L_MODELS = `import time
from sqlalchemy import event


class User:
    name = "u"


@event.listens_for(User, "after_insert")
def audit_insert(mapper, connection, target):
    note = record(target)
    return note


def record(x):
    return x


def helper(x):
    time.sleep(x)
    return x
`;

// Imports the models and blocks (through helper), never commits.
const L_READER = `from app.models import User, helper


async def show():
    helper(1)
    return User.name
`;

// Commits from a sync function: the commit runs the listener, what it blocks on is reported at job's call.
const L_JOBS = `from sqlalchemy.orm import Session
from app.models import User


def save(db: Session):
    db.add(User())
    db.commit()


async def job(db: Session):
    save(db)
`;

// Imports jobs.py: what it sees of save changes with the listener.
const L_ROUTES = `from fastapi import APIRouter
from sqlalchemy.orm import Session
from app.jobs import save

router = APIRouter()


@router.post("/u")
async def post_user(db: Session):
    save(db)
`;

// Awaits a commit (its events run the listener too); a sync function returns one (not a blocking call,
// but its events run the listener there: its cost is the function's, which go's report adds up).
const L_SERVICES = `from sqlalchemy.ext.asyncio import AsyncSession
from app.models import User


async def create(db: AsyncSession):
    db.add(User())
    await db.commit()


def enqueue(db: AsyncSession):
    return db.commit()


async def go(db: AsyncSession):
    enqueue(db)
`;

describe('a listener body edit re-analyses the modules whose commits run it, not every importer', () => {
  it('keeps a module that imports the models and never commits, analyses the one that commits, and equals a fresh analysis', async () => {
    const files: SourceFile[] = [
      { path: 'app/jobs.py', module: 'app.jobs', isPackage: false, text: L_JOBS },
      { path: 'app/models.py', module: 'app.models', isPackage: false, text: L_MODELS },
      { path: 'app/reader.py', module: 'app.reader', isPackage: false, text: L_READER },
      { path: 'app/routes.py', module: 'app.routes', isPackage: false, text: L_ROUTES },
      { path: 'app/services.py', module: 'app.services', isPackage: false, text: L_SERVICES },
    ];
    const doc = 1;
    const live = await Analyzer.create();
    live.readerKeyImporters = 1;
    live.updateDocument(files[doc], []);
    let result: ScanResult = live.analyze(files, { fixes: false });
    live.settle();
    const edit = async (from: string, to: string): Promise<{ analysed: ReadonlySet<string>; only: Set<string>; jobs: string[] }> => {
      const text = files[doc].text;
      const at = text.indexOf(from);
      assert.ok(at >= 0, JSON.stringify(from));
      files[doc] = { ...files[doc], text: text.slice(0, at) + to + text.slice(at + from.length) };
      // The span that differs, as typing or deleting it would change the text (lines around it keep their numbers).
      live.updateDocument(files[doc], [differingSpan(text, files[doc].text)]);
      const only = live.dependents(files, files[doc].path);
      const part = live.analyze(files, { fixes: false, only });
      result = assemblePartial(result, part, only);
      const want = await freshAnalysis(files);
      assert.deepEqual(result.findings, want.findings, `${JSON.stringify(to)}: findings`);
      assert.deepEqual(result.handlers, want.handlers, `${JSON.stringify(to)}: handlers`);
      const analysed = live.keptStats.analysedFiles ?? new Set(files.map((f) => f.path));
      live.settle();
      return { analysed, only, jobs: want.findings.filter((f) => f.file === 'app/jobs.py').map((f) => `${f.line} ${f.code} ${f.message}`) };
    };
    const reader = result.findings.filter((f) => f.file === 'app/reader.py').length;
    assert.ok(reader > 0, 'reader.py has a finding of its own (helper blocks)');

    // The listener starts blocking: jobs.py (its commit runs it) and routes.py (save now blocks) change.
    const blocks = await edit('    note = record(target)\n', '    note = record(target)\n    time.sleep(1)\n');
    assert.ok(blocks.jobs.some((f) => f.includes('time.sleep')), `jobs.py reports the listener's sleep: ${blocks.jobs.join('; ')}`);
    assert.ok(blocks.only.has('app/reader.py') && !blocks.analysed.has('app/reader.py'), `reader.py kept: ${[...blocks.analysed].join(', ')}`);
    assert.ok(blocks.analysed.has('app/jobs.py') && blocks.analysed.has('app/routes.py'), `jobs.py and routes.py analysed: ${[...blocks.analysed].join(', ')}`);
    // A statement typed in the listener that changes its summary but nothing a commit sees of it (an
    // SQLAlchemy call: the flush's own), nor the cost of a sync commit: jobs.py and routes.py are kept.
    const inner = await edit('    time.sleep(1)\n', '    time.sleep(1)\n    connection.execute("x")\n');
    assert.ok(!inner.analysed.has('app/reader.py') && !inner.analysed.has('app/jobs.py') && !inner.analysed.has('app/routes.py'), `analysed: ${[...inner.analysed].join(', ')}`);
    // What the listener calls starts blocking too: a commit sees the same entry (the shortest chain), but
    // the listener costs more, which services.py's enqueue (a commit that is no blocking call) passes on to
    // go's report; routes.py sees nothing new of jobs.py (a blocking commit passes on no listener's cost).
    const calls = await edit('def record(x):\n', 'def record(x):\n    helper(x)\n');
    assert.ok(calls.analysed.has('app/services.py') && !calls.analysed.has('app/reader.py') && !calls.analysed.has('app/routes.py'), `analysed: ${[...calls.analysed].join(', ')}`);
    // Then the listener stops blocking (record still does).
    const stops = await edit('    note = record(target)\n    time.sleep(1)\n', '    note = record(target)\n');
    assert.ok(stops.analysed.has('app/jobs.py') && !stops.analysed.has('app/reader.py'), `analysed: ${[...stops.analysed].join(', ')}`);
    assert.ok(!stops.jobs.some((f) => f.includes('time.sleep(1)')), `jobs.py: ${stops.jobs.join('; ')}`);
    // record stops blocking: jobs.py's finding goes.
    const none = await edit('def record(x):\n    helper(x)\n', 'def record(x):\n');
    assert.ok(none.analysed.has('app/jobs.py') && !none.analysed.has('app/reader.py'), `analysed: ${[...none.analysed].join(', ')}`);
    assert.ok(none.jobs.length > 0 && !none.jobs.some((f) => f.includes('sleep')), `jobs.py: its commit alone: ${none.jobs.join('; ')}`);
    assert.equal(result.findings.filter((f) => f.file === 'app/reader.py').length, reader, "reader.py's own finding kept throughout");
    live.dispose();
  });
});
