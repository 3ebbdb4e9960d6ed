// LW105 on a legacy SQLAlchemy Query (rules/blocking-database.ts, CallGraph.queryRunsNothing): what each
// build's Query does later is read in one pass per function, so thousands of builds in one coroutine
// cost a linear scan, not one scan of the function per build (a time budget, not a timing claim).
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';

describe('LW105 on a lazy Query: many builds in one coroutine', () => {
  it('reports each terminal call, not the builds, within a generous budget', async () => {
    const analyzer = await Analyzer.create();
    const n = 10_000;
    const lines = ['from sqlalchemy.orm import Session', '', 'async def handler(db: Session):'];
    for (let i = 0; i < n; i++) lines.push(`    q${i} = db.query(User).filter(User.id == ${i})`, `    q${i}.count()`);
    const t0 = Date.now();
    const r = analyzer.analyze([{ path: 'many.py', text: lines.join('\n') + '\n', module: 'many', isPackage: false }]);
    const ms = Date.now() - t0;
    assert.equal(r.findings.length, n);
    // Line 4 + 2i builds q_i, line 5 + 2i runs it.
    assert.ok(r.findings.every((f) => f.code === 'LW105' && f.line % 2 === 1 && f.call === 'sqlalchemy.orm.Query().count'));
    assert.ok(ms < 15_000, `${ms} ms`);
  });
});
