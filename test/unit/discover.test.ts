// discover(): the display path of each file found by the walk (made per folder, not per file).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BATCH_MIN_BYTES, discover, readRegularFile, readSource, SourceBatches } from '../../src/core/files';

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

describe('SourceBatches: a batch scan decodes plain files a batch at a time', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-batch-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  // Plain files between files of every other kind: each result is readSource's (text, encoding, BOM, note), in order.
  const kinds: [string, Buffer][] = [
    ['plain.py', Buffer.from('import time\r\nasync def h():\r\n    time.sleep(1)\r\n')],
    ['bom.py', Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('x = 1\n')])],
    ['utf8.py', Buffer.from('s = "h\u00e9llo \u{1f600}"\n')],
    ['latin.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nw = "'), Buffer.from([0xe9]), Buffer.from('"\n')])],
    ['ascii-latin.py', Buffer.from('# coding: latin-1\nv = 1\n')],
    ['ascii-utf8.py', Buffer.from('# coding: utf_8\nu = 1\n')],
    ['utf16.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('v = "\u00fc"\n', 'utf16le')])],
    ['bad.py', Buffer.concat([Buffer.from('x = "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')])],
    ['bin.py', Buffer.from([0x61, 0, 0x62])],
    ['empty.py', Buffer.alloc(0)],
    ['big.py', Buffer.from(`t = "${'b'.repeat(250_000)}"\n`)], // more than a batch's buffer has room for
    ['over.py', Buffer.from(`h = "${'h'.repeat(400_000)}"\n`)],
    ['tail.py', Buffer.from('y = 2\n')],
  ];

  it('gives each file the text, encoding, BOM and note readSource gives, in the order the files were added', () => {
    const names: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [name, bytes] of kinds) { writeFileSync(join(dir, `${round}-${name}`), bytes); names.push(`${round}-${name}`); }
    }
    names.push('missing.py');
    symlinkSync('/dev/zero', join(dir, 'dev.py'));
    names.push('dev.py');
    const maxBytes = 300_000; // over.py is over it
    const batches = new SourceBatches<string>(maxBytes, 4096);
    const got: { key: string; text?: string; encoding?: string; bom?: boolean; note?: unknown }[] = [];
    const keep = (r: { key: string; decoded?: { text: string; encoding: string; bom: boolean }; note?: unknown }) =>
      got.push({ key: r.key, text: r.decoded?.text, encoding: r.decoded?.encoding, bom: r.decoded?.bom, note: r.note });
    let early = 0;
    for (const name of names) for (const r of batches.add(name, join(dir, name), name)) { keep(r); early++; }
    for (const r of batches.end()) keep(r);
    const want = names.map((name) => {
      const { decoded, note } = readSource(join(dir, name), name, maxBytes);
      return { key: name, text: decoded?.text, encoding: decoded?.encoding, bom: decoded?.bom, note };
    });
    assert.deepEqual(got, want);
    assert.ok(early > 0 && early < names.length, `some files came before the end (${early} of ${names.length})`);
    assert.ok(got.some((g) => g.note === undefined && g.text === '') && got.some((g) => g.encoding === 'iso-8859-1' && g.text === '# coding: latin-1\nv = 1\n'));
  });

  it('holds plain files until a batch has BATCH_MIN_BYTES, then gives them all, slices of one external string', () => {
    const size = 10_000;
    let n = 0;
    while (n * size < BATCH_MIN_BYTES) { writeFileSync(join(dir, `f${n}.py`), `x${n} = "${String(n % 10).repeat(size)}"\n`); n++; }
    const batches = new SourceBatches<number>();
    let given: number[] = [];
    for (let i = 0; given.length === 0; i++) {
      given = batches.add(i, join(dir, `f${i}.py`), `f${i}.py`).map((r) => { assert.equal(r.decoded!.text, `x${r.key} = "${String(r.key % 10).repeat(size)}"\n`); return r.key; });
    }
    assert.deepEqual(given, [...Array(n).keys()], 'every file comes with the one that completes the batch');
    // The batch's characters are outside V8's heap: Node made its string external and counts it as
    // external memory (not counting array buffers: the read buffer is one). Measured in a fresh process (in this
    // one, a collection can free other external memory meanwhile).
    const script = `
      const { SourceBatches } = require(${JSON.stringify(join(__dirname, '../../src/core/files'))});
      const { join } = require('node:path');
      const read = (b, kept) => { for (let i = 0; i < ${n}; i++) for (const r of b.add(i, join(${JSON.stringify(dir)}, 'f' + i + '.py'), 'f' + i + '.py')) kept.push(r.decoded.text); };
      const b = new SourceBatches();
      globalThis.gc();
      const m0 = process.memoryUsage();
      const kept = [];
      read(b, kept);
      globalThis.gc();
      const m1 = process.memoryUsage();
      console.log(JSON.stringify({ texts: kept.length, external: m1.external - m1.arrayBuffers - (m0.external - m0.arrayBuffers), heap: m1.heapUsed - m0.heapUsed }));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '-e', script], { encoding: 'utf8' });
    const got = JSON.parse(out.trim().split('\n').pop()!) as { texts: number; external: number; heap: number };
    assert.equal(got.texts, n);
    assert.ok(got.external >= 0.5 * n * size, `external memory grew by ${got.external} bytes`);
    // (The heap grows by the code compiled on the way, ~0.1-0.2 MB: a string of the texts would be over 1 MB.)
    assert.ok(got.heap < 0.5 * n * size, `the heap grew by ${got.heap} bytes (the texts: ${n * size})`);
    assert.ok((n - 1) * size < BATCH_MIN_BYTES, `${n} files`);
    // A file that is not plain comes at once when nothing is held, and in its place when something is.
    writeFileSync(join(dir, 'e.py'), 'e = "\u00e9"\n');
    assert.deepEqual(batches.add(-1, join(dir, 'e.py'), 'e.py').map((r) => r.decoded?.text), ['e = "\u00e9"\n']);
    assert.deepEqual(batches.add(0, join(dir, 'f0.py'), 'f0.py'), []);
    assert.deepEqual(batches.add(-1, join(dir, 'e.py'), 'e.py'), []);
    assert.deepEqual(batches.end().map((r) => r.key), [0, -1]);
    assert.deepEqual(batches.end(), []);
  });
});

describe('SourceBatches: two at once (two scans in one process)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-batch2-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('gives each its own files\' texts when their reads interleave (scanPaths yields in its read loop)', () => {
    const a = new SourceBatches<string>();
    const b = new SourceBatches<string>();
    const got: [string, string | undefined][] = [];
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(dir, `a${i}.py`), `a${i} = ${'1'.repeat(i + 1)}\n`);
      writeFileSync(join(dir, `b${i}.py`), `b${i} = ${'2'.repeat(5 - i)}\n`);
      // A file that is not plain now and then: decoded at once, through the buffer.
      if (i === 2) writeFileSync(join(dir, `b${i}.py`), `b${i} = "\u00e9"\n`);
      for (const r of a.add(`a${i}.py`, join(dir, `a${i}.py`), `a${i}.py`)) got.push([r.key, r.decoded?.text]);
      for (const r of b.add(`b${i}.py`, join(dir, `b${i}.py`), `b${i}.py`)) got.push([r.key, r.decoded?.text]);
    }
    for (const r of [...a.end(), ...b.end()]) got.push([r.key, r.decoded?.text]);
    got.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    const want = got.map(([key]) => [key, readSource(join(dir, key), key).decoded?.text] as [string, string | undefined]);
    assert.equal(got.length, 8);
    assert.deepEqual(got, want);
    // A third, after both: the process's buffer again, its texts its own.
    const c = new SourceBatches<string>();
    assert.deepEqual([...c.add('a0.py', join(dir, 'a0.py'), 'a0.py'), ...c.end()].map((r) => r.decoded?.text), ['a0 = 1\n']);
  });
});
