// SymbolIndex.canonicalize's module steps walk a trie of module-name runs (symbols.ts, stems), and its
// alias step skips names no alias starts with (aliases.ts, mayAlias): the rewrites must be those of a
// lookup of every dotted prefix by exact name, then by a unique dotted suffix.
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';
import { Resolver } from '../../src/core/python/resolve';
import { aliasOf, mayAlias } from '../../src/core/rules/aliases';
import { firstSegmentName, type ModuleEntry, splitSegments, SymbolIndex } from '../../src/core/symbols';

describe('SymbolIndex module and alias steps', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  const entry = (module: string, text: string, isPackage = false): ModuleEntry => {
    const path = `${module.replace(/\./g, '/')}${isPackage ? '/__init__' : ''}.py`;
    const model = analyzer.model({ path, text, module, isPackage });
    return { file: path, model, resolver: new Resolver(model) };
  };

  const SERVICE = 'class Service:\n    def run(self):\n        return 1\n';

  it('finds a module by a unique dotted suffix, and not by an ambiguous one or a single name', () => {
    const index = new SymbolIndex([entry('backend.app.services', SERVICE)]);
    assert.equal(index.canonicalize('app.services.Service().run'), 'backend.app.services.Service.run');
    assert.equal(index.canonicalize('backend.app.services.Service().run'), 'backend.app.services.Service.run');
    // `services` alone is never matched by suffix.
    assert.equal(index.canonicalize('services.Service().run'), 'services.Service().run');
    const two = new SymbolIndex([entry('backend.app.services', SERVICE), entry('other.app.services', SERVICE)]);
    assert.equal(two.canonicalize('app.services.Service().run'), 'app.services.Service().run');
    assert.equal(two.canonicalize('other.app.services.Service().run'), 'other.app.services.Service.run');
  });

  it('follows a module-level name to what it is bound to, through a longer module path first', () => {
    const index = new SymbolIndex([
      entry('app', 'from app.clients.http import fetch as services\n', true),
      entry('app.services', SERVICE),
      entry('app.db', 'from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n'),
    ]);
    // `app.services` is a module: `services` bound in `app` does not apply.
    assert.equal(index.canonicalize('app.services.Service().run'), 'app.services.Service.run');
    // Through a namespace package (`app.clients`, no module of its own): the name stays as written.
    assert.equal(index.canonicalize('app.clients.http.fetch()'), 'app.clients.http.fetch()');
    assert.equal(index.canonicalize('app.db.SessionLocal()'), 'sqlalchemy.orm.Session()');
    // A name bound in a package that no longer module path shadows.
    const pkg = new SymbolIndex([entry('app', 'from app.clients.http import fetch as get\n', true)]);
    assert.equal(pkg.canonicalize('app.get()'), 'app.clients.http.fetch()');
  });

  it('skips the alias tables only for names no alias starts with', () => {
    const index = new SymbolIndex([]);
    assert.equal(index.canonicalize('requests.session()'), 'requests.Session()');
    assert.equal(index.canonicalize('sklearn.ensemble.RandomForestClassifier()'), 'loopwise.Model()');
    assert.equal(index.canonicalize('os.path.join()'), 'os.path.join()');
    for (const name of ['requests.session()', 'sqlalchemy.orm.sessionmaker()()', 'sklearn.svm.SVC()', 'transformers.AutoModel.from_pretrained()', 'pymongo.MongoClient()[]']) {
      assert.ok(aliasOf(name), name);
      assert.equal(mayAlias(name.split('.')[0]), true, name);
    }
    for (const first of ['app', 'os', 'json', 'request', 'sqlalchemyx']) assert.equal(mayAlias(first), false, first);
    // A first name with its call marker: its head is what counts.
    assert.equal(mayAlias('sklearn()'), true);
  });

  it('tells a name\'s first segment without splitting it as splitSegments does', () => {
    const names = ['a', 'app.services.Service().run', 'f()', 'f()[]()', 'f[]', 'f(x)', 'f(.g', 'f()x.y', 'x[0].y', '(a).b', '()', '[]', '',
      '.a', 'a.', 'a..b', 'requests.session()', 'sqlalchemy.orm.sessionmaker()()', 'pymongo.MongoClient()[].db', 'a]', 'a)(', 'a()(', 'a_very_long_module_name_here.x'];
    for (const q of names) assert.equal(firstSegmentName(q), splitSegments(q)[0].name, q);
    // The split's first name, not the whole name: `app` of `app.main`, `f` of `f()` and `f()[]()`, all of `f(x)`.
    assert.deepEqual(['app.main', 'f()', 'f()[]()', 'f(x).y'].map(firstSegmentName), ['app', 'f', 'f', 'f(x)']);
  });

  it('splits a name into segments as splitting at dots and matching each part with /^([^()[\\]]*)((?:\\(\\)|\\[\\])*)$/ does', () => {
    const reference = (q: string): { name: string; suffix: string }[] => q.split('.').map((raw) => {
      const m = /^([^()[\]]*)((?:\(\)|\[\])*)$/.exec(raw);
      return m ? { name: m[1], suffix: m[2] } : { name: raw, suffix: '' };
    });
    const parts = ['', 'a', 'ab', '.', '()', '[]', '(', ')', '[', ']', '(x)', 'é'];
    let n = 0;
    for (const a of parts) for (const b of parts) for (const c of parts) for (const d of parts) {
      const q = a + b + c + d;
      assert.deepEqual(splitSegments(q), reference(q), JSON.stringify(q));
      n++;
    }
    assert.equal(n, parts.length ** 4);
    assert.deepEqual(splitSegments('app.Svc().get()[].x'), [{ name: 'app', suffix: '' }, { name: 'Svc', suffix: '()' }, { name: 'get', suffix: '()[]' }, { name: 'x', suffix: '' }]);
  });

  it('rewrites a name whose first name is no word and no alias\'s to itself, and a cycle of aliases ends', () => {
    const index = new SymbolIndex([entry('app.main', 'import requests\nclient = requests.session()\nloop = loop\n')]);
    assert.equal(index.canonicalize('zzz.unknown().x'), 'zzz.unknown().x');
    assert.equal(index.canonicalize('app.main.client.get()'), 'requests.Session().get()');
    assert.equal(index.canonicalize('app.main.loop.x'), 'app.main.loop.x');
  });
});
