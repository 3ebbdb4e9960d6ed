// discover(): the display path of each file found by the walk (made per folder, not per file).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { discover, readRegularFile, readSource } from '../../src/core/files';

describe('discover: display paths of the files a walk finds', () => {
  let dir: string;
  const cwd = process.cwd();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-discover-'));
    for (const f of ['a.py', 'pkg/__init__.py', 'pkg/b.py', 'pkg/sub/c.py', 'other/d.py', 'other/notes.txt']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
  });
  afterEach(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });

  it('is the path relative to the current folder, from inside, above, beside and below the scanned folder', () => {
    const rels = (from: string, path: string) => {
      process.chdir(from);
      return discover([path]).files.map((f) => { assert.equal(f.rel, relative(from, f.abs)); return f.rel; }).sort();
    };
    assert.deepEqual(rels(dir, '.'), ['a.py', join('other', 'd.py'), join('pkg', '__init__.py'), join('pkg', 'b.py'), join('pkg', 'sub', 'c.py')]);
    assert.deepEqual(rels(join(dir, '..'), dir), ['a.py', 'other/d.py', 'pkg/__init__.py', 'pkg/b.py', 'pkg/sub/c.py'].map((p) => join(relative(join(dir, '..'), dir), p)).sort());
    assert.deepEqual(rels(join(dir, 'other'), join(dir, 'pkg')), [join('..', 'pkg', '__init__.py'), join('..', 'pkg', 'b.py'), join('..', 'pkg', 'sub', 'c.py')]);
    assert.deepEqual(rels(join(dir, 'pkg', 'sub'), dir), [join('..', '..', 'a.py'), join('..', '..', 'other', 'd.py'), join('..', '__init__.py'), join('..', 'b.py'), 'c.py']);
  });
});

describe('readSource: files read through one scratch buffer', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-read-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('each text is its own: reading the next file (smaller, larger than the buffer, another encoding) changes none read before', () => {
    const files: [string, Buffer, string][] = [
      ['big.py', Buffer.from(`x = "${'b'.repeat(20_000)}"\n`), `x = "${'b'.repeat(20_000)}"\n`],
      ['small.py', Buffer.from('y = 1\n'), 'y = 1\n'],
      ['huge.py', Buffer.from(`z = "${'h'.repeat(70_000)}\u00e9"\n`), `z = "${'h'.repeat(70_000)}\u00e9"\n`],
      ['latin.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nw = "'), Buffer.from([0xe9]), Buffer.from('"\n')]), '# -*- coding: latin-1 -*-\nw = "\u00e9"\n'],
      ['utf16.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('v = "\u00fc"\n', 'utf16le')]), 'v = "\u00fc"\n'],
      ['again.py', Buffer.from('u = 2\n'), 'u = 2\n'],
    ];
    const texts: string[] = [];
    for (const [name, bytes] of files) {
      writeFileSync(join(dir, name), bytes);
      const { decoded, note } = readSource(join(dir, name), name);
      assert.equal(note, undefined, name);
      texts.push(decoded!.text);
    }
    assert.deepEqual(texts, files.map(([, , text]) => text));
  });

  it('readRegularFile reads into the scratch buffer when the file fits, else into a buffer of its own', () => {
    const scratch = Buffer.alloc(16);
    writeFileSync(join(dir, 'fits.py'), 'a = 1\n');
    writeFileSync(join(dir, 'over.py'), 'b = "0123456789abcdef"\n');
    const fits = readRegularFile(join(dir, 'fits.py'), { scratch });
    assert.equal(fits.buf!.toString(), 'a = 1\n');
    assert.equal(fits.buf!.buffer, scratch.buffer);
    const over = readRegularFile(join(dir, 'over.py'), { scratch });
    assert.equal(over.buf!.toString(), 'b = "0123456789abcdef"\n');
    assert.notEqual(over.buf!.buffer, scratch.buffer);
  });
});
