// `loopwise fix` end to end on copies of the fixtures: --diff, in-place writes that keep CRLF / BOM,
// refusal of a file changed between scan and write, exit codes, and idempotence over every fixture.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { InputError } from '../../src/core/files';
import { encodeLike, runFix } from '../../src/cli/fix';
import { main } from '../../src/cli/main';
import { decode } from '../../src/core/files';
import { pythonParses, pythonUnparseable, readText } from './fixHelpers';

const FIXTURES = join(__dirname, '..', 'fixtures');
const FIXES = join(FIXTURES, 'fixes');

function tempCopy(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopwise-fix-'));
  for (const f of files) cpSync(join(FIXES, f), join(dir, f));
  return dir;
}

function allPy(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allPy(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

/** Applies a unified diff to a text (enough for our own output: exact context, hunks in order). */
function applyUnified(text: string, diff: string): string {
  const lines = text.split('\n');
  const hadEol = text.endsWith('\n');
  if (hadEol) lines.pop();
  const out: string[] = [];
  let pos = 0;
  const d = diff.split('\n');
  for (let i = 0; i < d.length; i++) {
    const m = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(d[i]);
    if (!m) continue;
    const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
    while (pos < start) out.push(lines[pos++]);
    for (i++; i < d.length && /^[ +\-\\]/.test(d[i]) && !d[i].startsWith('@@'); i++) {
      const t = d[i][0];
      const body = d[i].slice(1);
      if (t === '\\') continue;
      if (t === ' ' || t === '-') { assert.equal(lines[pos], body, `diff context does not match at line ${pos + 1}`); pos++; }
      if (t === ' ' || t === '+') out.push(body);
    }
    i--;
  }
  while (pos < lines.length) out.push(lines[pos++]);
  return out.join('\n') + (hadEol ? '\n' : '');
}

describe('loopwise fix (CLI)', () => {
  it('--diff prints a unified diff that turns each file into its .fixed.py, and writes nothing', async () => {
    const names = ['gather-bounded.py', 'pool-reuse.py', 'thread-offload.py'];
    const dir = tempCopy(names);
    try {
      const r = await run(['fix', dir, '--diff', '--no-config']);
      assert.equal(r.err, '');
      assert.equal(r.code, 0, 'every finding in these files has a preferred fix');
      const parts = r.out.split(/^(?=--- a\/)/m).filter(Boolean);
      assert.equal(parts.length, names.length);
      for (const part of parts) {
        const file = /^--- a\/(.+)$/m.exec(part)![1];
        assert.match(part, /^\+\+\+ b\/.+$/m);
        const name = file.split('/').pop()!;
        const original = readText(join(dir, name));
        assert.equal(original, readText(join(FIXES, name)), '--diff wrote the file');
        assert.equal(applyUnified(original, part), readText(join(FIXES, name.replace(/\.py$/, '.fixed.py'))));
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('writes in place, keeping CRLF line endings and the UTF-8 BOM byte for byte', async () => {
    const dir = tempCopy(['crlf.py', 'bom.py', 'tabs.py']);
    try {
      const r = await run(['fix', dir, '--no-config']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^Applied \d+ fixes in 3 files; 0 findings left\.$/m);
      for (const name of ['crlf.py', 'bom.py', 'tabs.py']) {
        const expected = readFileSync(join(FIXES, name.replace(/\.py$/, '.fixed.py')));
        assert.ok(readFileSync(join(dir, name)).equals(expected), `${name} differs from its .fixed.py`);
      }
      const crlf = readFileSync(join(dir, 'crlf.py'), 'latin1');
      assert.equal(crlf.split('\r\n').length - 1, crlf.split('\n').length - 1, 'a bare \\n crept into the CRLF file');
      assert.deepEqual([...readFileSync(join(dir, 'bom.py')).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'a temp file was left behind');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('refuses a file that changed on disk after the scan, and writes nothing at all', async () => {
    const dir = tempCopy(['sleep.py', 'tabs.py']);
    try {
      const target = join(dir, 'sleep.py');
      const edited = readFileSync(target, 'utf8') + '# edited by someone else\n';
      const tabsBefore = readFileSync(join(dir, 'tabs.py'));
      let out = '';
      await assert.rejects(
        runFix([dir, '--no-config'], (s) => { out += s; }, { beforeWrite: () => appendFileSync(target, '# edited by someone else\n') }),
        (e: Error) => e instanceof InputError && /sleep\.py: file changed on disk since it was scanned; nothing written/.test(e.message),
      );
      assert.equal(readFileSync(target, 'utf8'), edited);
      assert.ok(readFileSync(join(dir, 'tabs.py')).equals(tabsBefore), 'another file was written');
      assert.equal(out, '');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('exits 1 when findings remain, 0 on a clean tree, 2 on a usage error', async () => {
    const dir = tempCopy(['no-gather-body.py']);
    try {
      const first = await run(['fix', dir, '--no-config']);
      assert.equal(first.code, 1);
      assert.match(first.out, /Applied 0 fixes in 0 files; 1 finding left/);
      writeFileSync(join(dir, 'no-gather-body.py'), 'import time\n\ndef f():\n    time.sleep(1)\n');
      assert.equal((await run(['fix', dir, '--no-config'])).code, 0);
      const bad = await run(['fix', dir, '--frobnicate']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /unknown option --frobnicate/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('--select limits the fixes to those codes', async () => {
    const dir = tempCopy(['noqa.py']);
    try {
      writeFileSync(join(dir, 'noqa.py'), readText(join(FIXES, 'noqa.py')).replace('# loopwise-fix: noqa\n', ''));
      const r = await run(['fix', dir, '--select', 'LW102', '--no-config']);
      assert.equal(r.code, 0);
      const text = readFileSync(join(dir, 'noqa.py'), 'utf8');
      // The route awaits nothing: the preferred LW102 fix is plain def, which leaves both calls as they are.
      assert.match(text, /^def legacy\(url: str\):\n {4}r = requests\.get\(url, timeout=5\)  # noqa: E501\n {4}time\.sleep\(0\.1\)/m);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('over every fixture app: leaves each file parseable and a second run changes nothing', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-apps-'));
    try {
      cpSync(FIXTURES, dir, { recursive: true });
      const files = allPy(dir);
      const unparseable = new Set(pythonUnparseable(files)); // fixtures with a deliberate syntax error
      const parsedBefore = files.filter((f) => !unparseable.has(f));
      const first = await run(['fix', dir, '--no-config']);
      assert.notEqual(first.code, 2, first.err);
      const after = new Map(files.map((f) => [f, readFileSync(f)]));
      assert.deepEqual(pythonUnparseable(parsedBefore), [], 'a fixed file no longer parses');
      const second = await run(['fix', dir, '--no-config']);
      assert.notEqual(second.code, 2, second.err);
      assert.match(second.out, /Applied 0 fixes in 0 files/);
      for (const f of files) assert.ok(readFileSync(f).equals(after.get(f)!), `${relative(dir, f)} changed on the second run`);
      const diff = await run(['fix', dir, '--diff', '--no-config']);
      assert.equal(diff.out, '');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('encodes back in the file\'s own encoding, or refuses', () => {
    const utf16 = decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x = 1\n', 'utf16le')]))!;
    assert.equal(decode(encodeLike('x = 2\n', utf16)!)!.text, 'x = 2\n');
    const latin = { text: 'x', encoding: 'latin-1', bom: false };
    assert.equal(encodeLike('s = "€"\n', latin), undefined);
    // A file declared `latin-1` (Python's spelling) is read as latin-1 and written back as latin-1 bytes.
    const file = Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\ns = "caf'), Buffer.from([0xe9]), Buffer.from('"\nimport time\n')]);
    const read = decode(file)!;
    assert.equal(read.note, undefined);
    const written = encodeLike(read.text.replace('import time', 'import asyncio'), read)!;
    assert.ok(written.equals(Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\ns = "caf'), Buffer.from([0xe9]), Buffer.from('"\nimport asyncio\n')])));
    // A character latin-1 cannot hold is refused, not written as something else.
    assert.equal(encodeLike(read.text.replace('caf', '\u20ac'), read), undefined);
  });
});
