// functionIndex (fixes/index.ts) answers a qualified name with the first def of that name over the
// analysed files, in the entries' order and then the file's, as a map of every function would;
// it looks only at the entries whose module name is a dotted head of the name.
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';
import { functionIndex } from '../../src/core/fixes';
import type { FnSource } from '../../src/core/fixes/safety';
import type { FileModel } from '../../src/core/python/model';
import { Resolver } from '../../src/core/python/resolve';
import { fixtureAnalysis } from './fixHelpers';

type Entry = { file: string; model: FileModel; resolver: Resolver };

/** The specification: every non-lambda function by qualified name, the first one kept. */
function reference(files: { path: string; text: string }[], entries: Entry[]): (q: string) => FnSource | undefined {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const map = new Map<string, FnSource>();
  for (const e of entries) {
    const text = texts.get(e.file);
    if (text === undefined) continue;
    for (const fn of e.model.functions) if (!fn.isLambda && !map.has(fn.qname)) map.set(fn.qname, { text, model: e.model, resolver: e.resolver, fn });
  }
  return (q) => map.get(q);
}

function same(a: FnSource | undefined, b: FnSource | undefined, q: string): void {
  assert.equal(a === undefined, b === undefined, q);
  if (!a || !b) return;
  assert.equal(a.fn, b.fn, q);
  assert.equal(a.model, b.model, q);
  assert.equal(a.resolver, b.resolver, q);
  assert.equal(a.text, b.text, q);
}

describe('functionIndex', () => {
  const fx = fixtureAnalysis();

  it('gives the first def of each name over two files of one module name, nested defs, methods and a package', async () => {
    const analyzer = await Analyzer.create();
    const files = [
      { path: 'a/svc.py', module: 'app.svc', isPackage: false, text: 'def run():\n    return 1\n\ndef run():\n    return 2\n\nclass C:\n    def m(self):\n        def inner():\n            pass\n        return inner\n\nf = lambda: 0\n' },
      // A second file claiming the same module name (scripts in two folders): its defs come second.
      { path: 'b/svc.py', module: 'app.svc', isPackage: false, text: 'def run():\n    return 3\n\ndef only_here():\n    pass\n' },
      { path: 'app/__init__.py', module: 'app', isPackage: true, text: 'def svc():\n    pass\n\ndef run():\n    pass\n' },
      { path: 'app/svc/deep.py', module: 'app.svc.deep', isPackage: false, text: 'def run():\n    pass\n' },
      // An entry without a source text is never an answer.
      { path: 'c/ghost.py', module: 'app.ghost', isPackage: false, text: 'def run():\n    pass\n' },
    ];
    const entries: Entry[] = files.map((f) => { const model = analyzer.model(f); return { file: f.path, model, resolver: new Resolver(model) }; });
    const sources = files.filter((f) => f.path !== 'c/ghost.py');
    const index = functionIndex(sources, entries);
    const spec = reference(sources, entries);
    const names = [...new Set(entries.flatMap((e) => e.model.functions.map((f) => f.qname)))];
    names.push('app', 'app.svc', 'requests.get', 'app.missing', 'app.svc.C', 'app.svc.C.m.x', '', '.', 'app..run');
    for (const q of names) { same(index(q), spec(q), q); same(index(q), spec(q), `${q} (asked again)`); }
    assert.equal(index('app.svc.run')?.fn.line, 1);
    assert.equal(index('app.svc.run')?.model, entries[0].model);
    assert.equal(index('app.svc.only_here')?.model, entries[1].model);
    assert.equal(index('app.svc.C.m.inner')?.fn.name, 'inner');
    assert.equal(index('app.ghost.run'), undefined);
    assert.equal(index('app.svc.f'), undefined);
  });

  it('agrees with every function of the fix fixtures', () => {
    const entries: Entry[] = fx.files.map((f) => { const model = fx.analyzer.model(f); return { file: f.path, model, resolver: new Resolver(model) }; });
    const index = functionIndex(fx.files, entries);
    const spec = reference(fx.files, entries);
    let n = 0;
    for (const e of entries) for (const fn of e.model.functions) { same(index(fn.qname), spec(fn.qname), fn.qname); n++; }
    assert.ok(n > 100, `${n} functions`);
  });
});
