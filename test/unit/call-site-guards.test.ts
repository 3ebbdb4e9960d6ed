// Call-site-sensitive reachability (test/fixtures/rules/guarded-calls.py holds the rule's cases): the
// guards a call site stands under, and the condition a helper's summary carries across files and
// across edits (a guard added or removed in the helper must re-analyse its importers).
import { strict as assert } from 'node:assert';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { buildModel } from '../../src/core/python/model';
import { initParser, parsePython } from '../../src/core/parser';

const AUDIT = `import redis

r = redis.Redis()


def emit(action, dedup_key=None):
    if dedup_key is not None:
        r.set(dedup_key, "1")
    print(action)
`;

const ROUTES = `from fastapi import FastAPI
from app.audit import emit

app = FastAPI()


@app.post("/login")
async def login(user: str):
    emit("login")
    emit("login", user)
    return {}
`;

function guardsIn(text: string): string[] {
  const tree = parsePython(text);
  try {
    const m = buildModel(tree, text, { module: 'm', isPackage: false });
    return m.calls.map((c) => `${c.text}:${(c.guard ?? []).join(',')}`);
  } finally {
    tree.delete();
  }
}

describe('call-site guards', () => {
  before(() => initParser());

  it('records the None-defaulted parameters a call needs, from conditions, else branches and early exits', () => {
    const text = [
      'def f(a, b=None, c=None, *, d=None, flag=False, n=0, **kw):',
      '    g0()',
      '    if b:',
      '        g1()',
      '    if (b is not None) and not (c is None):',
      '        g2()',
      '    elif d:',
      '        g3()',
      '    else:',
      '        g4()',
      '    x = g5() if None != c else g6()',
      '    b and g7()',
      '    if a is not None:',
      '        g8()',
      '    if c is None or not d:',
      '        return',
      '    g9()',
      '    def inner(e=None):',
      '        g10()',
      '    if b is None:',
      '        b = 1',
      '    g11()',
      '    if flag and n:',
      '        g12()',
      '    if flag is not None:',
      '        g13()',
      '',
    ].join('\n');
    assert.deepEqual(guardsIn(text), [
      'g0:', 'g1:b', 'g2:b,c', 'g3:d', 'g4:', 'g5:c', 'g6:', 'g7:b', 'g8:', 'g9:c,d', 'g10:', 'g11:c,d', 'g12:c,d,flag,n', 'g13:c,d',
    ]);
  });

  it("a helper's guard reaches importers, and an edit of the guard re-analyses them", async () => {
    const live = await Analyzer.create();
    const fresh = await Analyzer.create();
    const files: SourceFile[] = [
      { path: 'app/audit.py', module: 'app.audit', isPackage: false, text: AUDIT },
      { path: 'app/routes.py', module: 'app.routes', isPackage: false, text: ROUTES },
    ];
    live.updateDocument(files[0], []);
    const lines = (r: ReturnType<Analyzer['analyze']>) => r.findings.filter((f) => f.file === 'app/routes.py').map((f) => `${f.line}:${f.code}`);
    assert.deepEqual(lines(live.analyze(files, { fixes: false })), ['10:LW105']);
    const edit = (from: string, to: string) => {
      const at = files[0].text.indexOf(from);
      assert.ok(at >= 0, from);
      files[0] = { ...files[0], text: files[0].text.slice(0, at) + to + files[0].text.slice(at + from.length) };
      live.updateDocument(files[0], [{ start: at, end: at + from.length, text: to }]);
      const r = live.analyze(files, { fixes: false, only: live.dependents(files, 'app/audit.py') });
      assert.deepEqual(lines(r), lines(fresh.analyze(files, { fixes: false })), 'same as a fresh analysis');
      return lines(r);
    };
    // Same lines and the same chain: only the condition changed.
    assert.deepEqual(edit('if dedup_key is not None:', 'if action is not None:'), ['9:LW105', '10:LW105']);
    assert.deepEqual(edit('if action is not None:', 'if dedup_key            :'), ['10:LW105']);
    live.dispose();
    fresh.dispose();
  });
});
