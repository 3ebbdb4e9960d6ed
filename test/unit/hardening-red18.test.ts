// Session 18 red-team pass (docs/hardening.md, "Session 18: red18"): inputs that still hung or
// corrupted, each with the fix's test. Budgets are generous (CI load must not flake them); the old
// code took far longer on each input.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { applyFixes, fixAll } from '../../src/core/fixes/applyEdits';
import { discover } from '../../src/core/files';
import { main } from '../../src/cli/main';
import { printable } from '../../src/cli/format';
import { readableCallee } from '../../src/core/python/ir';

/** Runs fn and fails when it takes longer than `budgetMs`. */
async function within<T>(budgetMs: number, fn: () => T | Promise<T>): Promise<T> {
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  assert.ok(ms < budgetMs, `took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)`);
  return value;
}

const file = (text: string, path = 'm.py'): SourceFile => ({ path, text, module: path.replace(/\.py$/, ''), isPackage: false });
const HANDLER = 'import time\nfrom fastapi import FastAPI\napp = FastAPI()\n@app.get("/")\nasync def h():\n    time.sleep(1)\n';

describe('hardening (red18): a long chain of calls', function () {
  this.timeout(60_000);
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  // Each call's callee is the whole chain before it: readableCallee read n texts of up to 4n
  // characters, and rewrote its own output at every `(` (cubic: 4,000 `()` took 6.5 s, 10,000 over 60 s).
  for (const [name, link] of [['a()()()...', '()'], ['a.b().b()...', '.b()'], ['a[0]()[0]()...', '[0]()'], ['a ()  ()...', ' ()']] as const) {
    it(`10,000 calls chained as ${name}: analysed within the budget, the blocking call still found`, async () => {
      const text = `${HANDLER}async def g():\n    x = a${link.repeat(10_000)}\n    time.sleep(2)\n`;
      const r = await within(15_000, () => analyzer.analyze([file(text, `chain${link.length}.py`)]));
      assert.deepEqual(r.findings.filter((f) => f.code === 'LW102').map((f) => f.line), [6, 9]);
    });
  }

  it('the texts of the callees inside a chained one are what readableCallee gives each of them', () => {
    const chains = [
      'db.query(User).filter(x == 1).order_by(  y ).first',
      `s.execute(text("""${'SELECT 1 '.repeat(200)}""")).scalars().all`,
      `a${'.b(c, "d")  # e\n  '.repeat(300)}.z`,
      `f(x)[0](y) (z)${' .w()'.repeat(500)}`,
    ];
    for (const chain of chains) {
      const prefixes = new Map<number, string>();
      assert.equal(readableCallee(chain, prefixes), readableCallee(chain));
      assert.ok(prefixes.size >= 2, chain.slice(0, 40));
      for (const [length, text] of prefixes) assert.equal(text, readableCallee(chain.slice(0, length)), `${chain.slice(0, 40)} at ${length}`);
    }
    // The reader's text of a chain is unchanged by the rewrite (blanks, comments, strings, cut in the middle).
    assert.equal(readableCallee('db.query(User).filter(x == 1).order_by(  y ).first'), 'db.query(...).filter(...).order_by(...).first');
    assert.equal(readableCallee('a .b ( ) . c'), 'a.b().c');
    const long = `a${'.b()'.repeat(10_000)}`;
    assert.equal(readableCallee(long), `${long.slice(0, 30)}…${long.slice(long.length - 49)}`);
  });
});

describe('hardening (red18): fix-all on a file with thousands of fixes', function () {
  this.timeout(120_000);

  // applyFixes normalized every edit taken so far again for each fix (sorting, and a de-duplication
  // scan of the kept ones per edit): cubic, 4,000 fixes in one file 20 s, 10,000 over 5 minutes.
  it('10,000 blocking sleeps in one coroutine: every one fixed, within the budget', async () => {
    const text = `${HANDLER}async def d():\n    if a: pass\n${'    elif a: time.sleep(1)\n'.repeat(10_000)}`;
    const analyzer = await Analyzer.create();
    try {
      const { findings } = analyzer.analyze([file(text, 'many.py')]);
      assert.equal(findings.length, 10_001);
      const r = await within(20_000, () => fixAll(text, findings));
      assert.equal(r.applied.length, 10_001);
      // d's sleeps awaited; h (awaiting nothing) becomes a plain def.
      assert.equal(r.text.split('await asyncio.sleep(1)').length - 1, 10_000);
      assert.ok(r.text.includes('\ndef h():\n    time.sleep(1)\n'));
    } finally {
      analyzer.dispose();
    }
  });

  it('applyFixes decides as before: same edits de-duplicated, overlaps skipped, imports first at one offset, the order kept', () => {
    const imp = { start: 0, end: 0, newText: 'import asyncio\n' };
    const fixes = [
      { title: 'a', edits: [imp, { start: 10, end: 15, newText: 'A' }] },
      { title: 'b', edits: [imp, { start: 12, end: 13, newText: 'B' }] }, // inside a: skipped
      { title: 'c', edits: [imp, { start: 10, end: 15, newText: 'A' }] }, // a again: neither applied nor skipped
      { title: 'd', edits: [{ start: 0, end: 0, newText: '# x\n' }, { start: 15, end: 15, newText: 'D' }] }, // after the import, at a's end
      { title: 'e', edits: [{ start: 3, end: 2, newText: '' }] }, // reversed: skipped
      { title: 'f', edits: [{ start: 30, end: 31, newText: '' }] }, // outside the text: skipped
    ];
    const r = applyFixes('0123456789abcdefghij', fixes as never);
    assert.deepEqual(r.applied.map((f) => f.title), ['a', 'd']);
    assert.deepEqual(r.skipped.map((f) => f.title), ['b', 'e', 'f']);
    assert.equal(r.text, 'import asyncio\n# x\n0123456789ADfghij');
  });
});

describe('hardening (red18): paths a repository can hold', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'lw-red18-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A folder symlink was followed wherever it led: `ln -s / sub/root` in a repository made a scan
  // walk the whole disk (still walking after 60 s here) and analyse code that is not the project's.
  it('a symlinked folder that holds the folder scanned (`/`, `../..`) is not followed (a note says so); one beside or inside is', async () => {
    const root = join(dir, 'links');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(dir, 'beside'));
    writeFileSync(join(root, 'app.py'), 'x = 1\n');
    writeFileSync(join(dir, 'beside', 'other.py'), 'y = 1\n');
    symlinkSync('/', join(root, 'sub', 'root'));
    symlinkSync('../..', join(root, 'sub', 'upup'));
    symlinkSync(join(dir, 'beside'), join(root, 'sub', 'shared'));
    symlinkSync(join(root, 'sub'), join(root, 'again'));
    const found = await within(10_000, () => discover([root]));
    assert.deepEqual(found.files.map((f) => f.abs.split(/[\\/]/).pop()).sort(), ['app.py', 'other.py']);
    // `again` (a link inside) is followed: sub is walked through it once, and the second way in is a loop.
    const notes = found.notes.map((n) => `${n.file.split(/[\\/]/).pop()}: ${n.message}`).sort();
    assert.deepEqual(notes, [
      'root: symlink to a folder that holds the scanned folder (not followed)',
      'sub: directory already visited (symlink loop)',
      'upup: symlink to a folder that holds the scanned folder (not followed)',
    ]);
  });

  it('text output writes control characters of file names and notes as escapes (no forged line, no terminal escape)', async () => {
    const root = join(dir, 'names');
    mkdirSync(root);
    const code = 'import time\nasync def h():\n    time.sleep(1)\n';
    writeFileSync(join(root, 'a\n::error file=x.py::forged.py'), code);
    writeFileSync(join(root, 'b\u001b]0;title\u0007.py'), code);
    let out = '';
    const status = await main(['scan', root, '--no-config'], (s) => { out += s; }, () => undefined);
    assert.equal(status, 1);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 3, out);
    assert.ok(lines[0].endsWith('a\\n::error file=x.py::forged.py:3:5: LW102 time.sleep blocks the event loop in coroutine h; use await asyncio.sleep(...)'), lines[0]);
    assert.ok(lines[1].includes('b\\x1b]0;title\\x07.py:3:5: LW102'), lines[1]);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(out));
    assert.equal(printable('plain/path.py'), 'plain/path.py');
    assert.equal(printable('\r\t\u0000\u009b'), '\\r\\t\\x00\\x9b');
  });
});

describe('hardening (red18): a file of CR line ends', function () {
  this.timeout(60_000);
  // Python reads a lone `\r` as a line break; the fixes inserted `\n` lines into such a file (mixed ends).
  it('fixes write `\\r` into it, never `\\n`', async () => {
    const analyzer = await Analyzer.create();
    try {
      const lf = 'from fastapi import FastAPI\nimport requests\nimport time\napp = FastAPI()\n@app.get("/")\nasync def h(us):\n    time.sleep(1)\n    out = []\n    for u in us:\n        out.append(requests.get(u).json())\n    return out\n';
      const text = lf.replace(/\n/g, '\r');
      const { findings } = analyzer.analyze([file(text, 'cr.py')]);
      // (The grammar reads only part of such a file, and positions count `\n` lines: docs/hardening.md.)
      assert.ok(findings.some((f) => f.code === 'LW102'), JSON.stringify(findings.map((f) => f.code)));
      const r = fixAll(text, findings);
      assert.ok(r.applied.length >= 1);
      assert.notEqual(r.text, text);
      assert.ok(!r.text.includes('\n'), JSON.stringify(r.text));
      assert.match(r.text, /^import asyncio\r/);
      assert.ok(r.text.includes('await asyncio.sleep(1)\r'));
    } finally {
      analyzer.dispose();
    }
  });
});
