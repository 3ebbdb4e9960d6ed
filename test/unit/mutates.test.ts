import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mutates, mutatesAny, writtenNames } from '../../src/core/fixes/safety';
import { codeOnly, escapeRegex } from '../../src/core/fixes/pyText';

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

  // ownFacts asks writtenNames(code).has(name) for an ASCII identifier instead of mutatesAny(code, name, false).
  const MORE = [
    'a[b.append(1)] = 2\n', 'del x.append(1)\n', 'naïve.append(1)\nve.x = 1\n', 'del  y [0]\ndel z, w[1]\n',
    'q1.x=1\nq1 .pop()\n_q.y  +=  2\nq.a.b[c].d **= 2\n', 'r.x == 1\nr.y <= 2\nr[0]\n', 'self.items.append(x)\nitems.extend(y)\n',
  ];
  const check = (code: string, names: Iterable<string>) => {
    const written = writtenNames(code);
    let hits = 0;
    for (const name of names) {
      if (!/^[A-Za-z_]\w*$/.test(name)) continue;
      const want = mutatesAny(code, name, false);
      if (want) hits++;
      assert.equal(written.has(name), want, `${JSON.stringify(name)} in ${JSON.stringify(code.slice(0, 200))}`);
    }
    for (const name of written) assert.ok(mutatesAny(code, name, false), `listed ${name}`);
    return hits;
  };

  it('writtenNames lists exactly the ASCII names mutatesAny finds (without rebind)', () => {
    let hits = 0;
    for (const code of [...CODES, ...MORE]) hits += check(code, new Set([...NAMES, ...(code.match(/[A-Za-z_]\w*/g) ?? [])]));
    assert.ok(hits >= 15, `the texts exercise the patterns (${hits} names written)`);
    assert.deepEqual([...writtenNames('a[b.append(1)] = 2\n')].sort(), ['a', 'b']);
    assert.deepEqual([...writtenNames('naïve.append(1)\n')], ['ve']);
    assert.deepEqual([...writtenNames('x == 1\nx.y\nprint(x)\n')], []);
  });

  it('writtenNames agrees with mutatesAny on every name of every fixture file', () => {
    const files: string[] = [];
    const walk = (d: string) => { for (const e of readdirSync(d)) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.py')) files.push(p); } };
    walk(join(__dirname, '../fixtures'));
    let hits = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const code = codeOnly(text, 0, text.length);
      hits += check(code, new Set(code.match(/[A-Za-z_]\w*/g) ?? []));
    }
    assert.ok(files.length > 100 && hits > 80, `${files.length} files, ${hits} names written`);
  });
});
