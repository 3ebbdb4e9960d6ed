import { strict as assert } from 'node:assert';
import { mutates, mutatesAny } from '../../src/core/fixes/safety';
import { escapeRegex } from '../../src/core/fixes/pyText';

// mutates() tries its patterns only where the name (or `del`) occurs; the reference below searches
// the whole text, as it did before. Both must give the same first match for every name and text.
const MUTATORS = 'append|extend|update|pop|popitem|clear|insert|remove|add|discard|setdefault|sort|reverse|appendleft|extendleft|popleft';
function reference(code: string, name: string, rebind: boolean): string | undefined {
  if (!code.includes(name)) return undefined;
  const n = escapeRegex(name);
  const patterns = [
    new RegExp(`(?<![\\w.])${n}\\s*(\\[[^\\]\\n]*\\]|\\.[A-Za-z_]\\w*)+\\s*(=(?!=)|[-+*/|&^%@]=|//=|>>=|<<=|\\*\\*=)`),
    new RegExp(`(?<![\\w.])${n}\\.(${MUTATORS})\\s*\\(`),
    new RegExp(`\\bdel\\s+${n}\\s*[\\[.]`),
    new RegExp(`(?<![\\w.])${n}\\s*(=(?!=)|[-+*/|&^%@]=)`),
  ];
  for (let i = 0; i < (rebind ? 4 : 3); i++) { const m = patterns[i].exec(code); if (m) return m[0].trim(); }
  return undefined;
}

const CODES = [
  'cache["k"] = 1\n',
  'x = cache\nself.cache = 2\nmy_cache.x = 1\ncache.items.append(3)\n',
  'print(cache)\nreturn cache.get(k)\n',
  'undel cache[k]\ndel  cache[k]\n',
  'delcache.x = 1\ndel cache.attr\n',
  'a.cache[0] = 1\n_cache[0] = 1\ncache [ 0 ] += 1\n',
  'state.telemetry += [1]\nstate = 3\nstate == 3\n',
  'x = 1\ny == 2\nz += 3\nx.y.z = 4\n',
  '=\n = x\n(a) = 1\n',
  'c$ = 1\nc$.append(2)\n',
  'café.x = 1\nécafé.x = 2\n',
];
const NAMES = ['cache', 'state', 'x', 'y', 'z', 'a', 'del', '', 'c$', 'café', 'self', 'missing'];

describe('mutates', () => {
  it('finds what a search of the whole text finds, for every name, text and rebind', () => {
    let found = 0;
    for (const code of CODES) {
      for (const name of NAMES) {
        for (const rebind of [false, true]) {
          const want = reference(code, name, rebind);
          if (want !== undefined) found++;
          assert.equal(mutates(code, name, rebind), want, `${JSON.stringify(name)} in ${JSON.stringify(code)} (rebind ${rebind})`);
          assert.equal(mutatesAny(code, name, rebind), want !== undefined, `mutatesAny ${JSON.stringify(name)} in ${JSON.stringify(code)} (rebind ${rebind})`);
        }
      }
    }
    assert.ok(found >= 20, `the texts exercise the patterns (${found} matches)`);
  });

  it('reports the first write, not the first use', () => {
    assert.equal(mutates('print(cache)\nlog(cache)\ncache["k"] = 1\n', 'cache', false), 'cache["k"] =');
    assert.equal(mutates('x = items\nitems.append(1)\n', 'items', false), 'items.append(');
    assert.equal(mutates('items.sort\ndel items[0]\n', 'items', false), 'del items[');
    assert.equal(mutates('counter == 1\ncounter += 1\n', 'counter', false), undefined);
    assert.equal(mutates('counter == 1\ncounter += 1\n', 'counter', true), 'counter +=');
  });
});
