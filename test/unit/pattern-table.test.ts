// PatternTable (rules/table.ts): exact names first, then the wildcard patterns of the name's first
// segment in the order they were added, then the patterns that start with a wildcard; `except` names
// a last segment a pattern does not cover.
import { strict as assert } from 'node:assert';
import { expandBraces, firstSegment, lastSegment, PatternTable, patternToRegex } from '../../src/core/rules/table';

describe('PatternTable', () => {
  it('tries the first segment\'s patterns before those starting with a wildcard, in the order added', () => {
    const t = new PatternTable<string>();
    t.add('*.read_text', 'any-read');
    t.add('pathlib.*', 'pathlib-any');
    t.add('pathlib.Path().*', 'path-method');
    // Both a first-segment pattern and a wildcard-first one match: the first segment's wins.
    assert.equal(t.get('pathlib.Path().read_text')?.value, 'pathlib-any');
    // Only the wildcard-first pattern matches.
    assert.equal(t.get('os.path.read_text')?.value, 'any-read');
    assert.equal(t.get('os.path.read_text')?.pattern, '*.read_text');
    // Neither.
    assert.equal(t.get('os.getcwd'), undefined);
  });

  it('skips a pattern for an excepted last segment and goes on to the next', () => {
    const t = new PatternTable<string>();
    t.add('requests.*', 'requests', ['Session']);
    t.add('*.Session', 'session');
    assert.equal(t.get('requests.get')?.value, 'requests');
    assert.equal(t.get('requests.Session')?.value, 'session');
  });

  it('prefers an exact name, and answers the same after a memoised miss', () => {
    const t = new PatternTable<string>();
    t.add('time.*', 'time-any');
    t.add('time.sleep', 'sleep');
    assert.equal(t.get('time.sleep')?.value, 'sleep');
    assert.equal(t.get('time.monotonic')?.value, 'time-any');
    assert.equal(t.get('timex.sleep'), undefined);
    assert.equal(t.get('timex.sleep'), undefined);
    // Adding a pattern clears the memo: the earlier miss is looked up again.
    t.add('timex.*', 'timex');
    assert.equal(t.get('timex.sleep')?.value, 'timex');
  });
  it('reads a name\'s first segment as /^[^.(\\[]+/ does (whole name when none), on a grid of names', () => {
    const regex = (name: string): string => { const m = /^[^.(\[]+/.exec(name); return m ? m[0] : name; };
    const parts = ['', 'a', 'requests', '.', '(', ')', '[', ']', '()', '[]', '.get', 'x y', '\n', '*', 'é'];
    let n = 0;
    for (const a of parts) for (const b of parts) for (const c of parts) {
      const name = a + b + c;
      assert.equal(firstSegment(name), regex(name), JSON.stringify(name));
      n++;
    }
    assert.equal(n, parts.length ** 3);
    assert.deepEqual(['requests.get', 'Session().query', 'x[0].y', '.a', '(x', 'plain'].map(firstSegment), ['requests', 'Session', 'x', '.a', '(x', 'plain']);
  });

  it('answers as the patterns\' regexes alone do (the literal head and tail only skip regex runs), on a grid of names', () => {
    const patterns: [string, string[]?][] = [
      ['a.*.a'], ['a.*'], ['*.a'], ['*.{b,ab}()'], ['a().*', ['b']], ['b.*.c.*'], ['*'], ['a.b()'], ['*().a'],
    ];
    const t = new PatternTable<string>();
    for (const [p, except] of patterns) t.add(p, p, except);
    // The table's order by hand: exact names, then the first segment's wildcard patterns, then those
    // starting with a wildcard, each tried with its regex only.
    const wild = patterns.flatMap(([p, except]) => expandBraces(p).filter((x) => x.includes('*')).map((x) => ({ x, p, re: patternToRegex(x), except })));
    const reference = (name: string): string | undefined => {
      const exact = patterns.find(([p]) => expandBraces(p).includes(name));
      if (exact) return exact[0];
      const ok = (w: (typeof wild)[number]) => w.re.test(name) && !w.except?.includes(lastSegment(name));
      const first = firstSegment(name);
      return (wild.find((w) => firstSegment(w.x) === first && !firstSegment(w.x).includes('*') && ok(w)) ?? wild.find((w) => firstSegment(w.x).includes('*') && ok(w)))?.p;
    };
    // 'b.' and '.c.' let four parts spell a name that a pattern with several '*' matches (e.g. 'b.*.c.*'):
    // a table that took its head and tail from the wrong '*' fails on those.
    const parts = ['a', 'b', 'ab', 'c', '.', '()', ' ', 'b.', '.c.'];
    let n = 0;
    let hits = 0;
    for (const x of parts) for (const y of parts) for (const z of parts) for (const w of parts) {
      const name = x + y + z + w;
      const want = reference(name);
      assert.equal(t.get(name)?.value, want, JSON.stringify(name));
      if (want) hits++;
      n++;
    }
    assert.equal(n, parts.length ** 4);
    // Both answers occur on the grid: names some pattern matches and names none does.
    assert.ok(hits > 100 && hits < n - 100, String(hits));
  });
});
