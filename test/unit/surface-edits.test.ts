// Typing that changes what other files see of a module (a def line, a signature, a class attribute,
// a module-level name, an import): only the files whose analysis read a changed name are analysed
// again (with the files that import them), the others keep their results. After every one of many
// random edits of that kind, the result the extension assembles (analyse `dependents` with `only`,
// keep the rest) must equal a fresh analysis of the same texts.
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';
import { lineStarts } from '../../src/core/python/model';
import { rng } from '../../bench/generate';
import { assemblePartial, freshAnalysis } from './freshAnalysis';

const MODELS = `import logging
import time
import requests
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class User:
    name = "u"
    session = Session()

    def load(self):
        return self.session

    def fetch(self, key):
        requests.get(key)
        return key


class Admin(User):
    level = 1


class Item:
    title = "t"
    client = requests.Session()

    def get(self):
        return self.client


def make_user():
    return User()


def slow(x):
    time.sleep(1)
    return x


def fast(x):
    return x


CLIENT = requests.Session()
`;

const USERS = `from app.models import Admin, User, make_user


async def get_user():
    u = make_user()
    u.fetch("k")
    u.session.query(1)
    Admin().fetch("k")
    return u.name


def plain():
    return User().load()
`;

const ITEMS = `from app import models
from app.models import Item, fast, CLIENT


async def items():
    Item().client.get("x")
    CLIENT.get("y")
    models.slow(2)
    return fast(1)
`;

const ROUTES = `from fastapi import APIRouter
from app.users import get_user, plain

router = APIRouter()


@router.get("/u")
async def u():
    plain()
    return await get_user()
`;

const OTHER = `from app.models import log, slow


async def tick():
    log.info("tick")
    return slow(1)


async def idle():
    return 1
`;

// LW501 in main.py counts the coroutines that log: other.py's tick, through models.log (main.py does not import other.py).
const MAIN = `import logging
from fastapi import FastAPI
from app.routes import router

app = FastAPI()
app.include_router(router)
logging.getLogger().addHandler(logging.FileHandler("app.log"))
`;

function workspace(): SourceFile[] {
  return [
    { path: 'app/items.py', module: 'app.items', isPackage: false, text: ITEMS },
    { path: 'app/main.py', module: 'app.main', isPackage: false, text: MAIN },
    { path: 'app/models.py', module: 'app.models', isPackage: false, text: MODELS },
    { path: 'app/other.py', module: 'app.other', isPackage: false, text: OTHER },
    { path: 'app/routes.py', module: 'app.routes', isPackage: false, text: ROUTES },
    { path: 'app/users.py', module: 'app.users', isPackage: false, text: USERS },
  ];
}

/** One random edit of models.py as [start, end, text, kind], most of them surface edits. */
function randomEdit(text: string, rnd: () => number): [number, number, string, string] {
  const starts = lineStarts(text);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const lineAt = (i: number) => text.slice(starts[i], (starts[i + 1] ?? text.length + 1) - 1);
  const lines = starts.map((_, i) => i);
  const where = (re: RegExp) => lines.filter((i) => re.test(lineAt(i)));
  const kind = pick(['rename', 'rename', 'unrename', 'param', 'annotate', 'attr', 'newdef', 'method', 'value', 'import', 'sleep', 'unsleep', 'newline']);
  switch (kind) {
    case 'rename': {
      // A letter typed at the start of a def's name, a class attribute or a module-level name.
      const at = where(/^(\s*def \w|    [a-z]\w* = |[A-Za-z]\w* = )/);
      if (!at.length) break;
      const i = pick(at);
      const col = /^\s*def /.test(lineAt(i)) ? lineAt(i).indexOf('def ') + 4 : /^ */.exec(lineAt(i))![0].length;
      return [starts[i] + col, starts[i] + col, 'x', kind];
    }
    case 'unrename': {
      const at = where(/^(\s*def x|    x\w* = |x\w* = )/);
      if (!at.length) break;
      const i = pick(at);
      const col = lineAt(i).indexOf('x');
      return [starts[i] + col, starts[i] + col + 1, '', kind];
    }
    case 'param': {
      const at = where(/^\s*def \w+\([^)]*\):$/);
      if (!at.length) break;
      const i = pick(at);
      const col = lineAt(i).lastIndexOf(')');
      return rnd() < 0.5 && /, z=None\)/.test(lineAt(i)) ? [starts[i] + col - 8, starts[i] + col, '', kind] : [starts[i] + col, starts[i] + col, ', z=None', kind];
    }
    case 'annotate': {
      const at = where(/^\s*def \w+\([^)]*\)( -> \w+)?:$/);
      if (!at.length) break;
      const i = pick(at);
      const l = lineAt(i);
      const arrow = l.indexOf(' -> ');
      if (arrow >= 0) return [starts[i] + arrow, starts[i] + l.length - 1, '', kind];
      return [starts[i] + l.length - 1, starts[i] + l.length - 1, pick([' -> Session', ' -> User', ' -> int']), kind];
    }
    case 'attr': {
      // A class attribute added after a class line, or its value changed.
      const at = where(/^class \w+:$/);
      if (!at.length) break;
      const i = pick(at) + 1;
      return [starts[i], starts[i], pick(['    session = None\n', '    client = requests.Session()\n', '    name = Session()\n', '    title = 1\n']), kind];
    }
    case 'newdef': {
      const at = where(/^def \w/);
      if (!at.length) break;
      const i = pick(at);
      return [starts[i], starts[i], pick(['def fast(x):\n    time.sleep(2)\n    return x\n\n\n', 'def make_user():\n    return Item()\n\n\n', 'def helper(x):\n    return x\n\n\n']), kind];
    }
    case 'method': {
      // A method typed into a class: a new name, or an override of a base's method.
      const at = where(/^class \w+(\(\w+\))?:$/);
      if (!at.length) break;
      const i = pick(at) + 1;
      return [starts[i], starts[i], pick(['    def fetch(self, key):\n        return key\n\n', '    def load(self):\n        time.sleep(1)\n\n', '    def extra(self):\n        requests.get("x")\n\n']), kind];
    }
    case 'value': {
      const at = where(/^CLIENT = /);
      if (!at.length) break;
      const i = pick(at);
      return [starts[i], starts[i] + lineAt(i).length, pick(['CLIENT = requests.Session()', 'CLIENT = dict()', 'CLIENT = Session()']), kind];
    }
    case 'import': {
      const at = where(/^(import time|from time import sleep as Session)$/);
      const i = at.length ? pick(at) : 0;
      return lineAt(i) === 'import time'
        ? [starts[i] + lineAt(i).length, starts[i] + lineAt(i).length, '\nfrom time import sleep as Session', kind]
        : [starts[i] - 1, starts[i] + lineAt(i).length, '', kind];
    }
    case 'sleep': {
      const at = where(/^ {4,8}return /);
      if (!at.length) break;
      const i = pick(at);
      const indent = /^ */.exec(lineAt(i))![0];
      return [starts[i], starts[i], `${indent}time.sleep(1)\n`, kind];
    }
    case 'unsleep': {
      const at = where(/^\s+time\.sleep\(/);
      if (!at.length) break;
      const i = pick(at);
      return [starts[i], starts[i + 1] ?? text.length, '', kind];
    }
    case 'newline': { const i = pick(lines); return [starts[i], starts[i], '\n', kind]; }
  }
  return [0, 0, '\n', 'newline'];
}

describe('surface edits re-analyse only the files that read a changed name', () => {
  // Readers' export keys (see Analyzer.readerKeys) as in the editor, and for every reader.
  for (const readerKeyImporters of [3, 1]) it(`after 150 random surface edits of an imported module, each result equals a fresh analysis (readers' keys from ${readerKeyImporters} importers)`, async function () {
    this.timeout(180_000);
    const live = await Analyzer.create();
    live.readerKeyImporters = readerKeyImporters;
    const files = workspace();
    const doc = 2;
    live.updateDocument(files[doc], []);
    let result: ScanResult = live.analyze(files, { fixes: false });
    const rnd = rng(Number(process.env.LW_SEED ?? 7));
    const kinds = new Map<string, { edits: number; partly: number }>();
    for (let n = 0; n < 150; n++) {
      const [start, end, ins, kind] = randomEdit(files[doc].text, rnd);
      const text = files[doc].text.slice(0, start) + ins + files[doc].text.slice(end);
      files[doc] = { ...files[doc], text };
      live.updateDocument(files[doc], [{ start, end, text: ins }]);
      const only = live.dependents(files, files[doc].path);
      const part = live.analyze(files, { fixes: false, only });
      result = assemblePartial(result, part, only);
      const k = kinds.get(kind) ?? { edits: 0, partly: 0 };
      k.edits++;
      if (only.size > 1 && live.keptStats.kept > 0 && live.keptStats.analysed > 1) k.partly++;
      kinds.set(kind, k);
      const want = await freshAnalysis(files);
      assert.deepEqual(result.findings, want.findings, `edit ${n} (${kind} at ${start}): findings differ from a fresh analysis`);
      assert.deepEqual(result.handlers, want.handlers, `edit ${n} (${kind} at ${start}): handlers differ from a fresh analysis`);
    }
    if (process.env.LW_DEBUG) console.log(JSON.stringify([...kinds]));
    // Edits that changed a name some importers read and others did not: those others were kept.
    const partly = [...kinds.values()].reduce((s, k) => s + k.partly, 0);
    assert.ok(partly >= 15, `importers partly kept on ${partly} of 150 edits: ${JSON.stringify([...kinds])}`);
    live.dispose();
  });

  it('renaming a class attribute re-analyses the file that reads it, not the one that reads another class', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.updateDocument(files[2], []);
    live.analyze(files, { fixes: false });
    const edit = (from: string, to: string): { r: ScanResult; only: Set<string> } => {
      const at = files[2].text.indexOf(from);
      assert.ok(at >= 0, from);
      files[2] = { ...files[2], text: files[2].text.slice(0, at) + to + files[2].text.slice(at + from.length) };
      live.updateDocument(files[2], [{ start: at, end: at + from.length, text: to }]);
      const only = live.dependents(files, 'app/models.py');
      return { r: live.analyze(files, { fixes: false, only }), only };
    };
    const fresh = () => freshAnalysis(files);
    // Item.client is a requests session no more: items.py reads it; users.py, routes.py and other.py do not.
    let { r, only } = edit('    client = requests.Session()', '    xclient = requests.Session()');
    assert.equal(only.size, 6);
    assert.deepEqual([live.keptStats.analysed, live.keptStats.kept], [3, 3], 'models.py, items.py, and main.py for LW501');
    assert.ok(!r.findings.some((f) => f.file === 'app/items.py' && f.line === 6), 'Item().client.get no longer resolves');
    assert.deepEqual(r.findings, (await fresh()).findings.filter((f) => only.has(f.file)));
    // `slow` gets a parameter: items.py and other.py read it; users.py and routes.py keep theirs.
    ({ r, only } = edit('def slow(x):', 'def slow(x, z=None):'));
    assert.deepEqual([live.keptStats.analysed, live.keptStats.kept], [4, 2]);
    assert.deepEqual(r.findings, (await fresh()).findings.filter((f) => only.has(f.file)));
    // `User.session` becomes None: users.py reads it, and routes.py imports users.py.
    ({ r, only } = edit('    session = Session()', '    session = None'));
    assert.deepEqual([live.keptStats.analysed, live.keptStats.kept], [4, 2]);
    assert.ok(!r.findings.some((f) => f.file === 'app/users.py' && f.code === 'LW105'));
    assert.deepEqual(r.findings, (await fresh()).findings.filter((f) => only.has(f.file)));
    live.dispose();
  });

  it('LW501 counts the coroutines that log again when what they log through changes (the counts of the others are kept)', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.updateDocument(files[2], []);
    const lw501 = (r: ScanResult) => r.findings.filter((f) => f.code === 'LW501').map((f) => `${f.file}:${f.args?.count}`);
    assert.deepEqual(lw501(live.analyze(files, { fixes: false })), ['app/main.py:1']);
    for (const [from, to, want] of [['log = logging.getLogger(__name__)', 'log = object()', []], ['log = object()', 'log = logging.getLogger(__name__)', ['app/main.py:1']]] as const) {
      const at = files[2].text.indexOf(from);
      files[2] = { ...files[2], text: files[2].text.slice(0, at) + to + files[2].text.slice(at + from.length) };
      live.updateDocument(files[2], [{ start: at, end: at + from.length, text: to }]);
      const only = live.dependents(files, 'app/models.py');
      const r = live.analyze(files, { fixes: false, only });
      assert.deepEqual(lw501(r), want);
      assert.deepEqual(r.findings, (await freshAnalysis(files)).findings.filter((f) => only.has(f.file)));
    }
    live.dispose();
  });

  it('what a property returns is read through its name: editing it re-analyses its readers only', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    files[2] = { ...files[2], text: MODELS.replace('    client = requests.Session()\n', '    @property\n    def client(self):\n        return requests.Session()\n') };
    live.updateDocument(files[2], []);
    const first = live.analyze(files, { fixes: false });
    assert.ok(first.findings.some((f) => f.file === 'app/items.py' && f.line === 6), 'Item().client.get() through the property');
    for (const [from, to] of [['return requests.Session()', 'return dict()'], ['return dict()', 'return requests.Session()']]) {
      const at = files[2].text.indexOf(from);
      files[2] = { ...files[2], text: files[2].text.slice(0, at) + to + files[2].text.slice(at + from.length) };
      live.updateDocument(files[2], [{ start: at, end: at + from.length, text: to }]);
      const only = live.dependents(files, 'app/models.py');
      const r = live.analyze(files, { fixes: false, only });
      assert.ok(only.has('app/users.py') && live.keptStats.kept > 0, `users.py kept (${JSON.stringify(live.keptStats)})`);
      assert.equal(r.findings.some((f) => f.file === 'app/items.py' && f.line === 6), to !== 'return dict()');
      assert.deepEqual(r.findings, (await freshAnalysis(files)).findings.filter((f) => only.has(f.file)));
    }
    live.dispose();
  });

  it('typing a method that does not parse yet leaves its lines out: later classes stay, their readers keep their results', async () => {
    const live = await Analyzer.create();
    const files = workspace();
    live.updateDocument(files[2], []);
    live.analyze(files, { fixes: false });
    // A method typed after User.fetch, one character at a time: `def check(self):` then `return (self.name`
    // with the bracket still open, then closed.
    const typed = '\n    def check(self):\n        return (\n            self.name\n        )\n';
    let at = files[2].text.indexOf('        return key\n') + '        return key\n'.length - 1;
    let broken = 0;
    let blanked = 0;
    let imports = 0;
    let wide = 0;
    // Then an import line typed after the last one (the names it binds are the surface's).
    const keys = [...typed, ...'\nimport zlib'];
    for (const [i, ch] of keys.entries()) {
      if (i === typed.length) at = files[2].text.indexOf(' import Session\n') + ' import Session'.length;
      files[2] = { ...files[2], text: files[2].text.slice(0, at) + ch + files[2].text.slice(at) };
      const { model } = live.updateDocument(files[2], [{ start: at, end: at, text: ch }]);
      at++;
      const only = live.dependents(files, 'app/models.py');
      const r = live.analyze(files, { fixes: false, only });
      const text = live.modelText('app/models.py')!;
      if (model.syntaxErrors.length) {
        broken++;
        if (i >= typed.length) imports++;
        assert.ok(r.notes.some((n) => n.kind === 'syntax-error' && n.file === 'app/models.py'));
        // The lines being typed are blanked (offsets and lines kept); every later definition is still
        // there. (A line that is a statement alone, `impor`, then `import`, is reparsed with the file.)
        if (text !== files[2].text) {
          blanked++;
          assert.equal(text.length, files[2].text.length);
          for (const name of ['Item', 'Admin']) assert.ok(model.classes.some((c) => c.name === name), `${name} after keystroke ${i}`);
          for (const name of ['make_user', 'slow', 'fast']) assert.ok(model.functions.some((f) => f.name === name), name);
        }
      } else assert.equal(text, files[2].text);
      // items.py reads Item, fast, CLIENT and models.slow, none of which changed: kept every time.
      if (only.has('app/items.py') && live.keptStats.kept === 0) wide++;
      const want = await freshAnalysis(files.map((f, i) => (i === 2 ? { ...f, text } : f)));
      assert.deepEqual(r.findings, want.findings.filter((f) => only.has(f.file)), `after ${JSON.stringify(ch)} at ${at}`);
    }
    assert.ok(blanked >= 10 && imports >= 1, `${broken} keystrokes with a syntax error (${imports} in the import), ${blanked} with lines left out`);
    assert.equal(wide, 0, 'no keystroke re-analysed every importer');
    // A parse of the whole broken text (the bracket still open) loses the class after it: why lines are left out.
    const raw = await Analyzer.create();
    const m = raw.model({ ...files[2], text: files[2].text.replace('            self.name\n        )\n', '            self.name\n') });
    assert.ok(m.syntaxErrors.length > 0, 'still open');
    assert.ok(!m.classes.some((c) => c.name === 'Admin'), 'tree-sitter recovery of the whole file drops the class after it');
    raw.dispose();
    live.dispose();
  });
});
