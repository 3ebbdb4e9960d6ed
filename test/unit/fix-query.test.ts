// The thread fix on a legacy SQLAlchemy Query (fixes/thread.ts): a Query runs its SQL where it is
// iterated, subscripted or ended by a terminal call, so moving only its build into a thread would
// leave the SELECT on the loop and still clear the finding. The thread drains it instead; where the
// Query is kept or returned that changes its value's type, so that fix is a choice that says so.
import assert from 'node:assert/strict';
import type { Fix } from '../../src/core/types';
import { analyzeText, analyzer, applyNamedFix, pythonParses } from './fixHelpers';

const HEAD = 'import asyncio\n\nfrom sqlalchemy.orm import Session\n\n\nasync def handler(db: Session):\n    await asyncio.sleep(0)\n';

async function threadFixOf(line: string): Promise<{ fix: Fix; fixed: string }> {
  const a = await analyzer();
  const text = `${HEAD}    ${line}\n    return x\n`;
  const result = analyzeText(a, 'app.py', text);
  const f = result.findings.find((x) => x.code === 'LW105');
  assert.ok(f, `no LW105 on ${line}`);
  const fix = f.fixes?.find((x) => x.title.includes('asyncio.to_thread'));
  assert.ok(fix, `no to_thread fix for ${line}`);
  const { text: fixed } = applyNamedFix(result, text, (x) => x === fix);
  pythonParses(fixed);
  return { fix, fixed: fixed.split('\n')[7] };
}

describe('thread fix on a legacy SQLAlchemy Query', () => {
  it('a Query kept in a name: list(...) in the thread, offered as a choice that names the change of type', async () => {
    const { fix, fixed } = await threadFixOf('x = db.query(User).filter(User.active == True)');
    assert.equal(fixed, '    x = await asyncio.to_thread(lambda: list(db.query(User).filter(User.active == True)))');
    assert.equal(fix.isPreferred, false);
    assert.match(fix.title, /check: the Query runs where its value is used: list\(\.\.\.\) runs it in the thread, so its uses get a list, not a Query/);
  });

  it('a bare build: drained too, as a choice', async () => {
    const { fix, fixed } = await threadFixOf('x = db.query(User)');
    assert.equal(fixed, '    x = await asyncio.to_thread(lambda: list(db.query(User)))');
    assert.equal(fix.isPreferred, false);
  });

  it('a subscript runs the SQL (LIMIT): the whole expression moves, preferred, no list', async () => {
    const { fix, fixed } = await threadFixOf('x = db.query(User).order_by(User.id)[0:3]');
    assert.equal(fixed, '    x = await asyncio.to_thread(lambda: db.query(User).order_by(User.id)[0:3])');
    assert.equal(fix.isPreferred, true);
  });

  it('a terminal call ends the chain: the whole chain moves, preferred, no list', async () => {
    const { fix, fixed } = await threadFixOf('x = db.query(User).filter(User.id == 1).one_or_none()');
    assert.equal(fixed, '    x = await asyncio.to_thread(lambda: db.query(User).filter(User.id == 1).one_or_none())');
    assert.equal(fix.isPreferred, true);
  });

  it('a bound terminal method (no call): moving it runs nothing, so it is no preferred fix', async () => {
    const { fix } = await threadFixOf('x = db.query(User).filter(User.id == 1).all');
    assert.equal(fix.isPreferred, false);
    assert.match(fix.title, /check: the expression ends in an attribute of the Query/);
  });

  it('a chain with a comment before its terminal call: no thread fix (it moved the build and left .first(), the SELECT, on the loop)', async () => {
    const a = await analyzer();
    const text = `${HEAD}    x = (\n        db.query(User)\n        .filter(User.id == 1)  # the newest\n        .first()\n    )\n    return x\n`;
    const result = analyzeText(a, 'app.py', text);
    const f = result.findings.find((x) => x.code === 'LW105');
    assert.ok(f);
    assert.deepEqual(f.fixes.map((x) => x.kind), ['noqa', 'noqa']);
  });

  it('an attribute read after a terminal call (`.first().name`): the whole expression moves, preferred', async () => {
    const { fix, fixed } = await threadFixOf('x = db.query(User).filter(User.id == 1).first().name');
    assert.equal(fixed, '    x = await asyncio.to_thread(lambda: db.query(User).filter(User.id == 1).first().name)');
    assert.equal(fix.isPreferred, true);
  });

  it('a comprehension over a Query: drained in the thread, preferred, as a for loop is', async () => {
    const { fix, fixed } = await threadFixOf('x = [u.name for u in db.query(User).filter(User.active == True)]');
    assert.equal(fixed, '    x = [u.name for u in await asyncio.to_thread(lambda: list(db.query(User).filter(User.active == True)))]');
    assert.equal(fix.isPreferred, true);
  });

  it('a generator expression over a Query: no thread fix (an await there would make it an async generator)', async () => {
    const a = await analyzer();
    const result = analyzeText(a, 'app.py', `${HEAD}    x = (u.name for u in db.query(User))\n    return list(x)\n`);
    const f = result.findings.find((x) => x.code === 'LW105');
    assert.ok(f);
    assert.deepEqual(f.fixes.filter((x) => x.kind.startsWith('thread')), []);
  });
});
