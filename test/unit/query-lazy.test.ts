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

describe('LW105 on a lazy Query: many functions in one module', () => {
  it('reads each function\'s own calls (nested defs included), whatever their order in the module', async () => {
    const analyzer = await Analyzer.create();
    const n = 300;
    const lines = ['from sqlalchemy.orm import Session', ''];
    for (let i = 0; i < n; i++) {
      lines.push(`async def h${i}(db: Session):`, `    q = db.query(User).filter(User.id == ${i})`);
      // Every third function hands its Query to a nested def that runs it: the build is then no finding here.
      if (i % 3 === 0) lines.push('    def run():', '        return q.count()', '    return run');
      else lines.push('    return q.count()');
    }
    const r = analyzer.analyze([{ path: 'fns.py', text: lines.join('\n') + '\n', module: 'fns', isPackage: false }]);
    const builds = r.findings.filter((f) => f.call !== 'sqlalchemy.orm.Query().count');
    assert.deepEqual(builds, []);
    const counts = r.findings.filter((f) => f.call === 'sqlalchemy.orm.Query().count');
    assert.equal(counts.length, n - Math.ceil(n / 3));
  });
});

describe('LW105 on a lazy Query: handed to a builtin or a library', () => {
  it('list(q), enumerate(q), sorted(q) run it here: the build stays the finding; a workspace function or a thread still decides', async () => {
    const analyzer = await Analyzer.create();
    const text = [
      'import asyncio',
      'from sqlalchemy.orm import Session',
      '',
      'def page(q):',
      '    return q.all()',
      '',
      'async def listed(db: Session):',
      '    q = db.query(User).filter(User.id == 1)',
      '    return list(q)',
      '',
      'async def enumerated(db: Session):',
      '    q = db.query(User)',
      '    return [u for i, u in enumerate(q)]',
      '',
      'async def ordered(db: Session):',
      '    q = db.query(User)',
      '    return sorted(q, key=str)',
      '',
      'async def threaded(db: Session):',
      '    q = db.query(User)',
      '    return await asyncio.to_thread(page, q)',
      '',
    ].join('\n');
    const r = analyzer.analyze([{ path: 'handed.py', text, module: 'handed', isPackage: false }]);
    const lines = r.findings.filter((f) => f.code === 'LW105').map((f) => f.line).sort((a, b) => a - b);
    // The builds of listed, enumerated and ordered; nothing in threaded (page runs in the thread).
    assert.deepEqual(lines, [8, 12, 16]);
  });
});
