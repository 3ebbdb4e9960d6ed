// Ruff-style configuration through the CLI: the nearest config per file, excludes relative to the
// config's folder, .gitignore, the same result from any scan root and any argument order, glob limits,
// unknown codes and the size limit (no silent pass), stdin input, and the annotation formats.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIX_SPEC } from '../../src/cli/fix';
import { escapeData, escapeProperty } from '../../src/cli/format';
import { RECOMMEND_SPEC } from '../../src/cli/recommend';
import { SCAN_SPEC } from '../../src/cli/scan';
import { ConfigResolver, findPyproject, knownCodes, loadConfig } from '../../src/core/config';
import { braceAlternatives, compileGlobs, globProblem } from '../../src/core/globs';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const SLEEP = 'import time\nasync def h():\n    time.sleep(1)\n';
const OPEN = 'async def h():\n    return open("x").read()\n';

function run(args: string[], cwd: string, input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input, timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** `file:line:code` of each finding, from the JSON output. */
function found(args: string[], cwd: string): string[] {
  const r = run(['scan', ...args, '--format', 'json'], cwd);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout).findings as { file: string; line: number; code: string }[]).map((f) => `${f.file}:${f.line}:${f.code}`);
}

describe('configuration, resolved per file like Ruff', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-config-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('each file takes the nearest config; a [project]-only pyproject.toml does not stop the search', () => {
    tree(dir, {
      'pyproject.toml': '[tool.loopwise]\nignore = ["LW102"]\n',
      'top.py': SLEEP + OPEN.replace('async def h', 'async def g'),
      'svc/loopwise.toml': 'ignore = ["LW104"]\n',
      'svc/mod.py': SLEEP + OPEN.replace('async def h', 'async def g'),
      'lib/pyproject.toml': '[project]\nname = "lib"\n',
      'lib/mod.py': SLEEP,
    });
    assert.deepEqual(found(['.'], dir), ['svc/mod.py:3:LW102', 'top.py:5:LW104']);
    // The same from inside a folder, and for a file named directly.
    assert.deepEqual(found(['mod.py'], join(dir, 'svc')), ['mod.py:3:LW102']);
    assert.deepEqual(found(['lib/mod.py'], dir), []);
    // One report from the analyses of the two configurations: every file counted once, notes once.
    // (The word `async` makes the analysis need the file: one it cannot need is not parsed, see reach.ts.)
    writeFileSync(join(dir, 'svc', 'broken.py'), '# async\ndef broken(:\n');
    const j = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
    assert.equal(j.summary.files, 4);
    assert.deepEqual(j.notes.map((n: { file: string; kind: string }) => `${n.file}:${n.kind}`), ['svc/broken.py:syntax-error']);
    assert.equal(j.handlers.length, 5);
  });

  it('the resolver answers a folder or file already seen without resolving it again, and still resolves `..`, `.` and relative paths', () => {
    tree(dir, { 'loopwise.toml': 'ignore = ["LW102"]\n', 'svc/loopwise.toml': 'ignore = ["LW104"]\n', 'svc/a.py': '', 'b.py': '' });
    const r = new ConfigResolver();
    const svc = r.forFile(join(dir, 'svc', 'a.py'));
    const top = r.forFile(join(dir, 'b.py'));
    assert.notEqual(svc, top);
    assert.deepEqual([svc.ignore, top.ignore], [['LW104'], ['LW102']]);
    // Seen folders: the same object back, by folder or by file.
    assert.equal(r.forDir(join(dir, 'svc')), svc);
    assert.equal(r.forFile(join(dir, 'svc', 'other.py')), svc);
    // A path ending in `..` or `.` names a folder whose parent is not dirname(path): resolved first.
    assert.equal(r.forFile(`${join(dir, 'svc', 'a.py')}/..`), top); // the folder svc/, governed from above
    assert.equal(r.forFile(`${join(dir, 'svc')}/.`), top);
    assert.equal(r.forFile(join(dir, 'svc', 'x', '..', 'a.py')), svc);
    assert.equal(r.forDir(`${join(dir, 'svc')}/../svc/`), svc);
    // Relative to the current folder.
    const cwd = process.cwd();
    try { process.chdir(dir); assert.equal(r.forFile('svc/a.py'), svc); assert.equal(r.forFile('b.py'), top); } finally { process.chdir(cwd); }
  });

  it('exclude is relative to the config\'s folder, whatever the scan root; extend-exclude adds; names match anywhere', () => {
    tree(dir, {
      'pyproject.toml': '[tool.loopwise]\nexclude = ["app/legacy/**"]\nextend-exclude = ["*_gen.py", "{vendored,third_party}"]\n',
      'app/main.py': SLEEP,
      'app/legacy/old.py': SLEEP,
      'app/models_gen.py': SLEEP,
      'app/sub/third_party/x.py': SLEEP,
      'app/sub/vendored/y.py': SLEEP,
    });
    const expected = ['app/main.py:3:LW102'];
    assert.deepEqual(found(['.'], dir), expected);
    assert.deepEqual(found(['app'], dir), expected);
    assert.deepEqual(found(['app/legacy/old.py', 'app/main.py', 'app/models_gen.py'], dir), expected);
    assert.deepEqual(found(['.'], join(dir, 'app')), ['main.py:3:LW102']);
    assert.deepEqual(found(['legacy'], join(dir, 'app')), []);
    // fix never touches an excluded file, from any root.
    run(['fix', 'legacy'], join(dir, 'app'));
    assert.deepEqual(found(['--no-config', 'app/legacy'], dir), ['app/legacy/old.py:3:LW102']);
  });

  it('same findings whatever the order of the arguments and the scan root', () => {
    tree(dir, {
      'a/loopwise.toml': 'exclude = ["skip"]\n',
      'a/x.py': SLEEP,
      'a/skip/y.py': SLEEP,
      'b/z.py': 'from a.x import h as hh\nasync def k():\n    open("f")\n',
    });
    const one = found(['a', 'b'], dir);
    assert.deepEqual(found(['b', 'a'], dir), one);
    assert.deepEqual(found(['b/z.py', 'a/skip/y.py', 'a/x.py'], dir), one);
    assert.deepEqual(found(['.'], dir), one);
    assert.deepEqual(one, ['a/x.py:3:LW102', 'b/z.py:3:LW104']);
  });

  it('a project that lives under a folder named like a skipped one (build/, env/) still scans itself', () => {
    tree(dir, { 'build/env/proj/app.py': SLEEP, 'build/env/proj/.venv/lib/x.py': SLEEP });
    const proj = join(dir, 'build', 'env', 'proj');
    assert.deepEqual(found(['.'], proj), ['app.py:3:LW102']);
    assert.deepEqual(found(['app.py', '.venv/lib/x.py'], proj), ['app.py:3:LW102']);
    assert.deepEqual(found(['--exclude', 'build', 'app.py'], proj), ['app.py:3:LW102'], '--exclude looks at paths below the current folder');
  });

  it('a build/ folder inside a package is code (namespace subpackage); a build/ at the project root is output', () => {
    tree(dir, {
      'app/__init__.py': '', 'app/features/__init__.py': '', 'app/features/build/api.py': SLEEP,
      'build/lib/app/features/build/api.py': SLEEP,
    });
    assert.deepEqual(found(['.'], dir), ['app/features/build/api.py:3:LW102']);
    assert.deepEqual(found(['app'], dir), ['app/features/build/api.py:3:LW102'], 'the same from a sub-folder');
  });

  it('.gitignore is respected inside a git work tree (nested ones too), and --no-respect-gitignore turns it off', () => {
    tree(dir, {
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n/scratch.py\n',
      'app/main.py': SLEEP,
      'app/generated/api.py': SLEEP,
      'scratch.py': SLEEP,
      'app/.gitignore': 'tmp_*.py\n',
      'app/tmp_1.py': SLEEP,
    });
    assert.deepEqual(found(['.'], dir), ['app/main.py:3:LW102']);
    assert.deepEqual(found(['app/generated/api.py', 'app/tmp_1.py'], dir), []);
    assert.deepEqual(found(['.'], join(dir, 'app')), ['main.py:3:LW102']);
    assert.deepEqual(found(['--no-respect-gitignore', '.'], dir).length, 4);
    writeFileSync(join(dir, 'loopwise.toml'), 'respect-gitignore = false\n');
    assert.deepEqual(found(['.'], dir).length, 4);
  });

  it('unknown codes in --select, --ignore or the config exit 2 listing the valid codes', () => {
    tree(dir, { 'm.py': SLEEP });
    for (const args of [['--select', 'LW999'], ['--ignore', 'FOO'], ['--select', 'LW1,LW9']]) {
      const r = run(['scan', '.', ...args], dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^loopwise: --(select|ignore): unknown rule code "(LW999|FOO|LW9)" \(valid: LW101, LW102, [^)]*, or a prefix such as LW1\)\n$/);
      assert.ok(r.stderr.includes(`(valid: ${knownCodes().join(', ')}, `), 'every known code is listed');
    }
    writeFileSync(join(dir, 'loopwise.toml'), 'select = ["LW1", "LW10X"]\n');
    const r = run(['scan', '.'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /loopwise\.toml: select: unknown rule code "LW10X"/);
    assert.equal(run(['scan', '.', '--select', 'lw1', '--no-config'], dir).code, 1, 'prefixes, any case, are fine');
  });

  it('a file over --max-file-size (or unreadable) makes the run exit 2 unless --exit-zero', () => {
    tree(dir, { 'small.py': SLEEP, 'big.py': SLEEP + '#'.repeat(6000) + '\n' });
    const r = run(['scan', '.', '--max-file-size', '4k'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^big\.py: note: file is 5\.\d KB, over the 4 KB limit \(--max-file-size\)$/m);
    assert.match(r.stdout, /^small\.py:3:5: LW102/m, 'the rest is still reported');
    assert.match(r.stderr, /^loopwise: 1 file could not be analysed \(big\.py: file is/);
    assert.equal(run(['scan', '.', '--max-file-size', '4k', '--exit-zero'], dir).code, 0);
    assert.equal(run(['scan', '.', '--max-file-size', '1MB'], dir).code, 1);
    assert.equal(run(['scan', '.', '--max-file-size', 'lots'], dir).code, 2);
  });

  it('scan - reads standard input as the file named by --stdin-filename, with that file\'s config', () => {
    tree(dir, { 'svc/loopwise.toml': 'ignore = ["LW104"]\nexclude = ["gen"]\n' });
    const text = SLEEP + OPEN.replace('async def h', 'async def g');
    const r = run(['scan', '-', '--stdin-filename', 'svc/api.py'], dir, text);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^svc\/api\.py:3:5: LW102 time\.sleep/m);
    assert.doesNotMatch(r.stdout, /LW104/);
    assert.equal(run(['scan', '-', '--stdin-filename', 'svc/gen/api.py'], dir, text).code, 0, 'an excluded path reports nothing');
    assert.equal(run(['scan', '-'], dir, text).code, 2);
    assert.match(run(['scan', '-', 'x.py', '--stdin-filename', 'a.py'], dir, text).stderr, /cannot be combined/);
  });
});

describe('globs: braces, classes, and limits on hostile patterns', () => {
  it('matches braces, classes, ** and bare names Ruff\'s way', () => {
    const g = compileGlobs(['app/{legacy,old}/**', 'test_[0-9].py', 'build']);
    assert.ok(g.matches('app/legacy/x.py'));
    assert.ok(g.matches('app/old'));
    assert.ok(!g.matches('app/new/x.py'));
    assert.ok(g.matches('deep/test_3.py'));
    assert.ok(!g.matches('deep/test_x.py'));
    assert.ok(g.matches('a/build/b.py'), 'a folder name anywhere covers its contents');
  });

  it('counts brace alternatives without expanding them', () => {
    assert.equal(braceAlternatives('{a,b}{c,d,e}'), 6);
    assert.equal(braceAlternatives('x{1..20}'), 20);
    assert.equal(braceAlternatives('{a,{b,c}}'), 3);
    assert.equal(braceAlternatives('{a,b}'.repeat(20)), 1001, 'capped just above the limit');
    assert.equal(braceAlternatives('{a,b'), 1, 'a lone { is a literal character');
  });

  it('refuses hostile patterns quickly with a clear error, from the CLI and from a config (exit 2)', () => {
    const hostile = ['**a**a**a**a**a**a**a**a**b', '{a,b}'.repeat(20), '{1..1000000}', 'x/' + '**/'.repeat(8) + 'y', 'a'.repeat(2000)];
    for (const p of hostile) {
      assert.ok(globProblem(p), p);
      assert.throws(() => compileGlobs([p]), /exclude: pattern ".*" refused: /);
    }
    // Refusing never runs a matcher: 100 rounds over every hostile pattern stay far under a second
    // (unchecked, picomatch's `*a*a*a*b` took 200 ms for one 255-character name, and it grows as n^4).
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) for (const p of hostile) globProblem(p);
    assert.ok(performance.now() - t0 < 1000, `${(performance.now() - t0).toFixed(0)} ms`);
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-glob-'));
    try {
      tree(dir, { 'm.py': SLEEP, 'loopwise.toml': 'exclude = ["**a**a**a**a**a**a**a**a**b"]\n' });
      const r = run(['scan', '.'], dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^loopwise: .*loopwise\.toml: exclude: pattern "\*\*a\*\*a.*" refused: more than 2 wildcards in one path segment/);
      const c = run(['scan', '.', '--no-config', '--exclude', '{a,b}'.repeat(20)], dir);
      assert.equal(c.code, 2);
      assert.match(c.stderr, /^loopwise: --exclude: pattern .* refused: braces expand to more than 1000 alternatives\n$/);
      // A hostile .gitignore line is dropped with a note, not matched.
      tree(dir, { '.git/HEAD': '', '.gitignore': '**a**a**a**a**a**a**a**a**b\n', 'loopwise.toml': '' });
      const g = run(['scan', '.'], dir);
      assert.equal(g.code, 1);
      assert.match(g.stdout, /\.gitignore: note: \.gitignore pattern "\*\*a.*" ignored: more than 2 wildcards/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('the worst patterns within the limits stay fast on long names (time budget)', () => {
    const worst = compileGlobs(['*a*ab', '**/*a*ab/**/*a*ab/**/*a*ab/**/*a*ab', '{a,aa}{a,aa}{a,aa}{a,aa}{a,aa}{a,aa}{a,aa}{a,aa}{a,aa}b']);
    const name = 'a'.repeat(255);
    const path = Array.from({ length: 16 }, () => name).join('/');
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) assert.equal(worst.matches(path), false);
    const ms = performance.now() - t0;
    // About 15 ms a match on an idle machine; without the limits one match of this path took 650 ms.
    assert.ok(ms < 4000, `20 matches of a 4 KB path took ${ms.toFixed(0)} ms`);
  });

  it('the resolver caches per folder and gives the same object for every file under one config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-res-'));
    try {
      tree(dir, { 'pyproject.toml': '[tool.loopwise]\nselect = ["LW1"]\n', 'a/b/c.py': '', 'd.py': '' });
      const r = new ConfigResolver();
      const c1 = r.forFile(join(dir, 'a', 'b', 'c.py'));
      assert.equal(c1, r.forFile(join(dir, 'd.py')));
      assert.deepEqual(c1.select, ['LW1']);
      assert.equal(c1.dir, dir);
      assert.equal(new ConfigResolver({ noConfig: true }).forFile(join(dir, 'd.py')).source, undefined);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('CLI conventions', function () {
  this.timeout(30_000);
  it('each command\'s --help lists every one of its flags', () => {
    for (const spec of [SCAN_SPEC, FIX_SPEC, RECOMMEND_SPEC]) {
      const r = run([spec.name, '--help'], tmpdir());
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: loopwise ${spec.name} `, 'm'));
      for (const flag of Object.keys(spec.flags)) assert.match(r.stdout, new RegExp(`--${flag}\\b`), `${spec.name} --help lacks --${flag}`);
    }
    assert.notEqual(run(['scan', '--help'], tmpdir()).stdout, run(['fix', '--help'], tmpdir()).stdout);
  });

  it('one error style for bad options in every command', () => {
    for (const [args, msg] of [[['recommend', '--frob'], 'unknown option --frob'], [['scan', '--frob'], 'unknown option --frob'], [['fix', '--select'], 'option --select needs a value'], [['scan', '--exit-zero=1'], 'option --exit-zero does not take a value'], [['recommend', '--cores'], 'option --cores needs a value']] as const) {
      const r = run([...args], tmpdir());
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `loopwise: ${msg}\n`);
    }
  });

  it('--format github writes workflow commands with GitHub\'s escaping', () => {
    assert.equal(escapeData('50% a\r\nb'), '50%25 a%0D%0Ab');
    assert.equal(escapeProperty('a,b:c%'), 'a%2Cb%3Ac%25');
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-gh-'));
    try {
      tree(dir, { 'a,b:c.py': SLEEP, 'svc.py': 'import requests\ndef get():\n    return requests.get("u")\n', 'h.py': 'from svc import get\nasync def k():\n    get()\n' });
      const r = run(['scan', '.', '--format', 'github'], dir);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines[0], '::warning file=a%2Cb%3Ac.py,line=3,col=5,endLine=3,endColumn=18,title=Loopwise LW102 (blocking-sleep)::LW102 time.sleep blocks the event loop in coroutine h; use await asyncio.sleep(...)');
      assert.match(lines[1], /^::warning file=h\.py,line=3,col=5,endLine=3,endColumn=10,title=Loopwise LW101 \(blocking-http\)::LW101 requests\.get \(via get\(\)\) [^\n]*%0A  -> svc\.py:3: requests\.get$/);
      assert.equal(lines.length, 2);
      const gl = JSON.parse(run(['scan', '.', '--format', 'gitlab'], dir).stdout) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } } }[];
      assert.deepEqual(gl.map((x) => `${x.location.path}:${x.location.lines.begin}:${x.check_name}:${x.severity}`), ['a,b:c.py:3:LW102:major', 'h.py:3:LW101:major']);
      assert.ok(gl.every((x) => /^[0-9a-f]{64}$/.test(x.fingerprint)) && gl[0].fingerprint !== gl[1].fingerprint);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('the folder-level helpers the extension and the language server call', () => {
  it('findPyproject skips a [project]-only pyproject.toml and finds loopwise.toml; loadConfig reads both shapes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-find-'));
    try {
      tree(dir, {
        'pyproject.toml': '[tool.loopwise]\nignore = ["LW301"]\nextend-exclude = ["gen"]\n',
        'svc/pyproject.toml': '[project]\nname = "svc"\n',
        'svc/app/x.py': '',
        'tool/loopwise.toml': 'select = ["LW2"]\n',
      });
      assert.equal(findPyproject(join(dir, 'svc', 'app')), join(dir, 'pyproject.toml'));
      assert.deepEqual(loadConfig(findPyproject(join(dir, 'svc', 'app'))).ignore, ['LW301']);
      assert.deepEqual(loadConfig(findPyproject(join(dir, 'svc'))).exclude, ['gen']);
      assert.equal(findPyproject(join(dir, 'tool')), join(dir, 'tool', 'loopwise.toml'));
      assert.deepEqual(loadConfig(join(dir, 'tool', 'loopwise.toml')).select, ['LW2']);
      assert.deepEqual(loadConfig(join(dir, 'svc', 'pyproject.toml')).select, []);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
