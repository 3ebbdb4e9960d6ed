// Session 18 red-team pass (docs/hardening.md, "Session 18: red18"): inputs that still hung or
// corrupted, each with the fix's test. Budgets are generous (CI load must not flake them); the old
// code took far longer on each input.
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
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
