// The precision rule, checked on every fixture the project has: an awaited call returns an awaitable,
// so no blocking (LW1xx) or CPU (LW2xx) finding may ever sit on a call that is the operand of `await`.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { scanPaths } from '../../src/core/scan';
import type { Finding } from '../../src/core/types';
import { sections } from './expectations';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** The finding's call is awaited: `await` (optionally with a parenthesis) right before it in the text. */
function onAwaitedCall(text: string, f: Finding): boolean {
  const before = text.slice(Math.max(0, f.startOffset - 40), f.startOffset);
  return /\bawait[\s(]*$/.test(before);
}

/**
 * A blocking or CPU finding about the call itself. The one exception to the rule is a SQLAlchemy
 * listener (a chain hop with `event`): an awaited AsyncSession commit runs sync listeners on the loop
 * thread, so their blocking calls are reported at the commit with the chain (orm-events.py).
 */
function blocking(f: Finding): boolean {
  return /^LW[12]\d\d$/.test(f.code) && !f.chain.some((h) => h.event);
}

function dirs(dir: string): string[] {
  return readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).map((d) => join(dir, d));
}

describe('precision rule: no blocking finding on an awaited call', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });

  it('the checker itself recognises an awaited call', () => {
    const text = 'x = await  (db.execute(q))\ny = db.execute(q)\n';
    const at = (s: number) => ({ startOffset: s } as Finding);
    assert.equal(onAwaitedCall(text, at(text.indexOf('db.execute'))), true);
    assert.equal(onAwaitedCall(text, at(text.lastIndexOf('db.execute'))), false);
  });

  it('rule fixtures (every section) and fix fixtures', () => {
    let checked = 0;
    const bad: string[] = [];
    const inputs: { name: string; text: string }[] = [];
    for (const f of readdirSync(join(FIXTURES, 'rules')).filter((n) => n.endsWith('.py'))) {
      for (const s of sections(readFileSync(join(FIXTURES, 'rules', f), 'utf8'))) inputs.push({ name: `${f} / ${s.title}`, text: s.text });
    }
    for (const f of readdirSync(join(FIXTURES, 'fixes')).filter((n) => n.endsWith('.py'))) inputs.push({ name: `fixes/${f}`, text: readFileSync(join(FIXTURES, 'fixes', f), 'utf8') });
    for (const { name, text } of inputs) {
      const r = analyzer.analyze([{ path: 'x.py', text, module: 'fixture', isPackage: false }], { fixes: false });
      for (const f of r.findings.filter(blocking)) {
        checked++;
        if (onAwaitedCall(text, f)) bad.push(`${name}:${f.line} ${f.code} ${f.message}`);
      }
    }
    assert.ok(checked > 100, `only ${checked} findings checked`);
    assert.deepEqual(bad, []);
  });

  it('corpus apps and fixture projects', async () => {
    let checked = 0;
    const bad: string[] = [];
    for (const root of [...dirs(join(FIXTURES, 'corpus')), ...dirs(join(FIXTURES, 'projects'))]) {
      const out = await scanPaths([root], { noConfig: true, fixes: false, analyzer, jobs: 1 });
      for (const f of out.result.findings.filter(blocking)) {
        checked++;
        const text = out.files.get(f.file)!.decoded.text;
        if (onAwaitedCall(text, f)) bad.push(`${f.file}:${f.line} ${f.code} ${f.message}`);
      }
    }
    assert.ok(checked > 100, `only ${checked} findings checked`);
    assert.deepEqual(bad, []);
  });
});

describe('messages name calls as a reader would', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });

  it('one line, no synthetic type paths', () => {
    const text = [
      'from typing import Any, NewType',
      'import requests',
      'from fastapi import FastAPI',
      'from sqlalchemy.orm import Session',
      'app = FastAPI()',
      'DB = NewType("DB", Session)',
      '',
      '@app.get("/a")',
      'async def a(items: list, store: Any, db: DB):',
      '    for it in items:',
      '        await (store',
      '               # the bucket',
      '               .bucket(it)',
      '               .fetch)(it)',
      '    (requests',
      '        .Session()',
      '        .get)("u")',
      '    db.refresh(items)',
    ].join('\n');
    const r = analyzer.analyze([{ path: 'a.py', text, module: 'a', isPackage: false }], { fixes: false });
    const got = r.findings.map((f) => `${f.line}:${f.code}:${f.message.split(' ')[0] === 'await' ? f.message.split(' ')[1] : f.message.split(' ')[0]}:${f.call}`);
    assert.deepEqual(got, [
      '11:LW301:(store.bucket(...).fetch)(...):(store.bucket(...).fetch)',
      '15:LW101:(requests.Session().get):requests.Session().get',
      '18:LW105:db.refresh:sqlalchemy.orm.Session().refresh',
    ]);
    for (const f of r.findings) assert.ok(!/[\n\r]/.test(f.message), f.message);
  });
});
