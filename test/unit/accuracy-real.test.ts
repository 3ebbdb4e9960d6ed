// The real-world corpus instrument (scripts/accuracy-real.ts): how labels match findings, how traps are hit,
// that the precision sample is stable per finding, that the corpus data is well-formed, and that the tree
// export works on a real bare repository and skips a missing mirror without throwing.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Finding, type Label, exportTree, groupOf, hitsTrap, isAwaited, labelGroup, matches, prepare, score,
} from '../../scripts/accuracy-real';

const finding = (over: Partial<Finding>): Finding => ({
  file: 'app/a.py', line: 10, column: 5, endLine: 10, endColumn: 6, code: 'LW104', severity: 'warning', message: '', call: 'open',
  function: 'f', chain: [], ...over,
});
const label = (over: Partial<Label>): Label => ({ repo: 'r', path: 'app/a.py', line: 10, kind: 'blocking', note: '', ...over });

describe('accuracy:real matching', () => {
  it('groups codes: LW1xx and LW2xx are blocking, LW301 is N+1, other codes are not measured', () => {
    assert.equal(groupOf('LW104'), 'blocking');
    assert.equal(groupOf('LW203'), 'blocking');
    assert.equal(groupOf('LW301'), 'n1');
    assert.equal(groupOf('LW302'), null);
    assert.equal(groupOf('LW401'), null);
    assert.equal(labelGroup(label({ kind: 'cpu' })), 'blocking');
    assert.equal(labelGroup(label({ kind: 'trap' })), null);
  });

  it('finds a label at the finding line or at any chain hop, only within its group', () => {
    assert.ok(matches(label({}), finding({})));
    assert.ok(matches(label({ kind: 'cpu' }), finding({ code: 'LW105' })), 'family, not exact code');
    assert.ok(!matches(label({ line: 11 }), finding({})));
    assert.ok(!matches(label({ path: 'app/b.py' }), finding({})));
    assert.ok(!matches(label({ kind: 'n+1' }), finding({})));
    const viaHelper = finding({ file: 'app/routes.py', line: 3, chain: [
      { file: 'app/routes.py', line: 3, name: 'helper' }, { file: 'app/a.py', line: 10, name: 'open' }] });
    assert.ok(matches(label({}), viaHelper), 'label on the blocking call inside the helper');
    assert.ok(matches(label({ path: 'app/routes.py', line: 3 }), viaHelper), 'label at the call site');
    const withAlso = finding({ file: 'app/routes.py', line: 3, chain: [{ file: 'app/routes.py', line: 3, name: 'helper' }, { file: 'app/b.py', line: 4, name: 'time.sleep' }],
      also: [{ code: 'LW104', chain: [{ file: 'app/routes.py', line: 3, name: 'helper' }, { file: 'app/a.py', line: 10, name: 'open' }] }] });
    assert.ok(matches(label({}), withAlso), 'label on another blocking call the same call site reaches');
    assert.ok(!matches(label({ line: 12 }), withAlso));
  });

  it('hits a trap only with a blocking or LW301 finding starting inside its line range', () => {
    const trap = label({ kind: 'trap', line: 10, endLine: 12 });
    assert.ok(hitsTrap(trap, finding({ line: 12 })));
    assert.ok(hitsTrap(trap, finding({ line: 11, code: 'LW301' })));
    assert.ok(!hitsTrap(trap, finding({ line: 13 })));
    assert.ok(!hitsTrap(trap, finding({ line: 10, code: 'LW303' })));
  });

  it('recognises a directly awaited call, not a call chained under an awaited one', () => {
    const at = (text: string, call: string) => {
      const column = text.indexOf(call) + 1;
      return isAwaited(finding({ line: 1, column, endLine: 1, endColumn: column + call.length }), [text]);
    };
    assert.ok(at('    r = await session.execute(q)', 'session.execute(q)'));
    assert.ok(at('    r = await (session.execute(q))', 'session.execute(q)'));
    assert.ok(!at('    r = session.execute(q)', 'session.execute(q)'));
    assert.ok(!at('    r = await f(x) or session.execute(q)', 'session.execute(q)'), 'another call is awaited');
    assert.ok(!at('    await Message(content="x").send()', 'Message(content="x")'), 'the chained send is awaited');
  });

  it('scores a finding the same way every time and independently of the others', () => {
    assert.equal(score('a:b.py:1:LW101'), score('a:b.py:1:LW101'));
    assert.notEqual(score('a:b.py:1:LW101'), score('a:b.py:2:LW101'));
  });
});

describe('accuracy:real corpus data', () => {
  const real = join(__dirname, '..', 'real');
  const corpus = JSON.parse(readFileSync(join(real, 'corpus.json'), 'utf8')) as { repos: { name: string; commit: string }[]; labels: Label[] };
  const judgements = JSON.parse(readFileSync(join(real, 'judgements.json'), 'utf8')) as { repo: string; code: string; verdict: unknown; reason: string }[];

  it('has at least 80 labels over at least 8 repositories, each pinned to a full commit', () => {
    const repos = new Set(corpus.repos.map((r) => r.name));
    assert.ok(corpus.labels.length >= 80, `${corpus.labels.length} labels`);
    assert.ok(new Set(corpus.labels.map((l) => l.repo)).size >= 8);
    for (const r of corpus.repos) assert.match(r.commit, /^[0-9a-f]{40}$/);
    for (const l of corpus.labels) {
      assert.ok(repos.has(l.repo), `unknown repo ${l.repo}`);
      assert.ok(['blocking', 'cpu', 'n+1', 'trap'].includes(l.kind), `kind ${l.kind}`);
      assert.ok(Number.isInteger(l.line) && l.line > 0 && (l.endLine ?? l.line) >= l.line);
      assert.ok(l.note.length > 0);
    }
  });

  it('judgements name a known repo, a measured code, a boolean verdict and a reason', () => {
    const repos = new Set(corpus.repos.map((r) => r.name));
    for (const j of judgements) {
      assert.ok(repos.has(j.repo));
      assert.ok(groupOf(j.code) !== null, j.code);
      assert.equal(typeof j.verdict, 'boolean');
      assert.ok(j.reason.length > 0);
    }
  });
});

describe('accuracy:real export', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'lw-real-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports the Python and packaging files of a pinned commit from a bare mirror', () => {
    const src = join(dir, 'src');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: src, stdio: 'pipe' }).toString().trim();
    execFileSync('git', ['init', '-q', src]);
    writeFileSync(join(src, 'main.py'), 'import time\n');
    writeFileSync(join(src, 'pyproject.toml'), '[project]\nname = "x"\n');
    writeFileSync(join(src, 'logo.png'), 'not python');
    git('add', '.');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'one');
    const commit = git('rev-parse', 'HEAD');
    writeFileSync(join(src, 'main.py'), 'changed\n');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'two');
    execFileSync('git', ['clone', '-q', '--bare', src, join(dir, 'mirrors', 'o+n', 'repo')]);

    const out = prepare({ name: 'n', url: 'u', mirror: 'o+n', commit, scanRoot: '.' }, join(dir, 'mirrors'), join(dir, 'work'));
    assert.ok(out);
    assert.equal(readFileSync(join(out, 'main.py'), 'utf8'), 'import time\n', 'the pinned commit, not HEAD');
    assert.ok(existsSync(join(out, 'pyproject.toml')));
    assert.ok(!existsSync(join(out, 'logo.png')));
    assert.equal(exportTree(join(dir, 'mirrors', 'o+n', 'repo'), commit, join(dir, 'again')), 2);
  });

  it('skips a repository whose mirror is missing, with a message and no throw', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      assert.equal(prepare({ name: 'gone', url: 'https://github.com/x/gone', mirror: 'x+gone', commit: 'a'.repeat(40), scanRoot: '.' }, join(dir, 'none'), join(dir, 'work')), null);
    } finally {
      console.log = log;
    }
    assert.match(lines.join('\n'), /skip gone: no mirror/);
  });
});
