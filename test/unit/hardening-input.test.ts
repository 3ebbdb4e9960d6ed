// Pathological inputs: deep nesting, very long lines, and the encodings / line endings real
// repositories contain. No stack overflow, no quadratic blow-up, positions still right.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { decode, MAX_FILE_BYTES, readSource } from '../../src/core/files';
import { scanPaths } from '../../src/core/scan';

const file = (text: string, path = 'm.py'): SourceFile => ({ path, text, module: path.replace(/\.py$/, ''), isPackage: false });
const BLOCKING = 'import time\nasync def h():\n    time.sleep(1)\n';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

describe('hardening: deep nesting and long lines', function () {
  this.timeout(30_000);
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  const cases: [string, (n: number) => string][] = [
    ['nested parentheses', (n) => `${BLOCKING}x = ${'('.repeat(n)}1${')'.repeat(n)}\n`],
    ['nested calls', (n) => `${BLOCKING}async def g():\n    y = ${'f('.repeat(n)}1${')'.repeat(n)}\n`],
    ['nested lists', (n) => `${BLOCKING}x = ${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['nested blocks', (n) => { let s = BLOCKING + 'async def deep():\n'; for (let i = 1; i <= n; i++) s += ' '.repeat(i) + 'if x:\n'; return s + ' '.repeat(n + 1) + 'time.sleep(1)\n'; }],
    ['nested defs', (n) => { let s = BLOCKING; for (let i = 0; i < n; i++) s += ' '.repeat(i) + `def f${i}():\n`; return s + ' '.repeat(n) + 'return time.sleep(1)\n'; }],
    ['binary operator chain', (n) => `${BLOCKING}x = ${Array.from({ length: n }, (_, i) => `a${i}`).join(' + ')}\n`],
    ['attribute chain', (n) => `${BLOCKING}async def g():\n    a${'.b'.repeat(n)}()\n`],
  ];
  for (const [name, make] of cases) {
    it(`${name}: 1,000 levels analyse; 2,000 levels cost about linearly more per byte (no quadratic blow-up)`, () => {
      const t1 = make(1000);
      const t2 = make(2000);
      const small = timed(() => analyzer.analyze([file(t1, `${name.replace(/\W/g, '_')}_1k.py`)]));
      const big = timed(() => analyzer.analyze([file(t2, `${name.replace(/\W/g, '_')}_2k.py`)]));
      assert.equal(small.value.summary.files, 1);
      assert.ok(small.value.findings.some((f) => f.code === 'LW102' && f.line === 3), 'the blocking call before the nesting is still found');
      // Linear in the input would scale with its size; allow noise, catch quadratic (and worse) with a margin.
      const grow = t2.length / t1.length;
      assert.ok(big.ms < Math.max(300, small.ms * grow * 3), `${name}: ${small.ms.toFixed(0)} ms -> ${big.ms.toFixed(0)} ms for ${grow.toFixed(1)}x the text`);
    });
  }

  it('a 1 MB line (one huge list literal) and a 100k-character string', () => {
    const list = `${BLOCKING}DATA = [${Array.from({ length: 150_000 }, (_, i) => String(i)).join(', ')}]\n`;
    const { value, ms } = timed(() => analyzer.analyze([file(list, 'longline.py')]));
    assert.ok(list.length > 900_000);
    assert.equal(value.findings.filter((f) => f.code === 'LW102').length, 1);
    assert.ok(ms < 10_000, `${ms} ms`);
    const str = `x = "${'a'.repeat(100_000)}"; ${'import time\nasync def h():\n    time.sleep(1)\n'}`;
    const r = analyzer.analyze([file(str, 'longstr.py')]);
    assert.deepEqual(r.findings.map((f) => [f.line, f.column]), [[3, 5]]);
  });

  it('a __getattr__ that forwards to an attribute of unknown type (xorbitsai inference): no endless resolution', () => {
    // Resolving `w._inner.close` asks the class for `_inner`, finds no type, asks `__getattr__`, which
    // forwards to `self._inner`: the same question again. It used to overflow the stack.
    const text = [
      'import time',
      '',
      '',
      'class Wrapper:',
      '    def __init__(self, inner):',
      '        self._inner = inner',
      '',
      '    def __getattr__(self, name):',
      '        return getattr(self._inner, name)',
      '',
      '',
      'async def handler(inner):',
      '    w = Wrapper(inner)',
      '    w._inner.close()',
      '    w.other.thing()',
      '    time.sleep(1)',
      '',
    ].join('\n');
    const r = analyzer.analyze([file(text, 'forward.py')]);
    assert.deepEqual(r.findings.map((f) => [f.code, f.line]), [['LW102', 16]]);
  });

  it('routers included in one another inside functions (fastapi/fastapi tests): no exponential walk of the include chains', () => {
    // Routers made inside functions are known only by their type (`fastapi.APIRouter()`), so every
    // `outer.include_router(inner)` is an include of that key in itself: the dependencies of a route
    // were gathered once per path through the cycle, up to the depth limit (8 such includes: 8^10
    // paths; it overflowed the stack). The dependency given where the router is included still counts.
    const parts = ['import time', 'from fastapi import APIRouter, Depends, FastAPI', '', 'def dep():', '    time.sleep(1)', ''];
    for (let i = 0; i < 8; i++) {
      parts.push(`def make_${i}():`, '    app = FastAPI()', '    outer = APIRouter()', '    inner = APIRouter()', '', "    @inner.get('/x')",
        `    async def handler_${i}():`, '        return 1', '', '    outer.include_router(inner, dependencies=[Depends(dep)])', '    app.include_router(outer)', '');
    }
    const { value: r, ms } = timed(() => analyzer.analyze([file(parts.join('\n'), 'routers.py')]));
    assert.ok(ms < 5000, `took ${ms} ms`);
    const routes = r.handlers.filter((h) => h.kind === 'route');
    assert.deepEqual(routes.map((h) => h.name), [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `make_${i}.handler_${i}`));
    const dep = r.handlers.find((h) => h.name === 'dep')!;
    assert.ok(dep.ioMs > 0);
    for (const h of routes) assert.ok(h.ioMs >= dep.ioMs, `${h.name}: the dependency given at the include is counted`);
  });
});

describe('hardening: encodings and line endings', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'lw-enc-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const findingAt = async (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    const { result } = await scanPaths([join(dir, name)], { noConfig: true });
    return result;
  };

  it('CRLF, CR and mixed line endings: lines and columns of findings stay right', async () => {
    for (const [name, eol] of [['crlf.py', '\r\n'], ['mixed.py', 'MIXED']] as const) {
      const lines = ['import time', '', 'async def h():', '    x = 1', '    time.sleep(1)'];
      const text = eol === 'MIXED' ? lines.map((l, i) => l + ['\r\n', '\n', '\r\n', '\n', '\n'][i]).join('') : lines.join(eol) + eol;
      const r = await findingAt(name, Buffer.from(text));
      const f = r.findings.find((x) => x.code === 'LW102');
      assert.ok(f, name);
      assert.equal(f.line, 5, name);
      assert.equal(f.column, 5, name);
      assert.equal(text.slice(f.startOffset, f.endOffset), 'time.sleep(1)');
    }
  });

  it('UTF-16 with BOM (LE and BE) and UTF-8 with BOM are decoded; positions count UTF-16 units', async () => {
    const text = 'import time\nasync def h():\n    s = "héllo 😀"; time.sleep(1)\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le); be.swap16(); be[0] = 0xfe; be[1] = 0xff;
    const u8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const [name, buf] of [['le.py', le], ['be.py', be], ['u8bom.py', u8]] as const) {
      const r = await findingAt(name, buf);
      const f = r.findings.find((x) => x.code === 'LW102');
      assert.ok(f, name);
      assert.equal(f.line, 3);
      assert.equal(f.column, '    s = "héllo 😀"; '.length + 1, name);
    }
  });

  it('invalid UTF-8 is analysed with a clear note; binary and oversized files are skipped with a note', async () => {
    writeFileSync(join(dir, 'bad.py'), Buffer.concat([Buffer.from('import time\nasync def h():\n    x = "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"; time.sleep(1)\n')]));
    writeFileSync(join(dir, 'bin.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0]));
    writeFileSync(join(dir, 'huge.py'), Buffer.alloc(MAX_FILE_BYTES + 10, 0x20));
    const bad = readSource(join(dir, 'bad.py'), 'bad.py');
    assert.match(bad.note?.message ?? '', /invalid UTF-8/);
    assert.equal(bad.note?.kind, 'encoding');
    assert.match(readSource(join(dir, 'bin.py'), 'bin.py').note?.message ?? '', /binary/);
    assert.match(readSource(join(dir, 'huge.py'), 'huge.py').note?.message ?? '', /over the 2 MB limit/);
    const { result } = await scanPaths([dir], { noConfig: true });
    assert.ok(result.findings.some((f) => f.file.endsWith('bad.py') && f.line === 3), 'the file with invalid bytes is still analysed');
    const skipped = result.notes.filter((n) => n.kind === 'skipped').map((n) => n.file);
    assert.ok(skipped.some((f) => f.endsWith('bin.py')) && skipped.some((f) => f.endsWith('huge.py')), JSON.stringify(result.notes));
    assert.equal(decode(Buffer.from([0xff, 0xfe]))?.text, '');
  });

  it('decodes each file on its own (one shared UTF-8 decoder) and reads a coding line only in the first two lines', () => {
    // Invalid bytes, then a file with a byte-order mark and one without: the failure leaves nothing behind.
    assert.match(decode(Buffer.from([0x61, 0xe2, 0x82]))?.note ?? '', /invalid UTF-8/);
    const bom = decode(Buffer.from([0xef, 0xbb, 0xbf, 0x78, 0xc3, 0xa9]))!;
    assert.deepEqual([bom.text, bom.bom, bom.encoding, bom.note], ['x\u00e9', true, 'utf-8', undefined]);
    assert.equal(decode(Buffer.from('y = "\u00e9"\n'))!.text, 'y = "\u00e9"\n');
    // A second BOM after the first is text (a stray U+FEFF), as before.
    assert.equal(decode(Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x7a]))!.text, 'z');
    const latin = (head: string) => decode(Buffer.concat([Buffer.from(head), Buffer.from([0xe9, 0x0a])]))!;
    assert.deepEqual([latin('#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\n# caf').encoding, latin('#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\n# caf').text.endsWith('caf\u00e9\n')], ['iso-8859-1', true]);
    // On the third line, or past the first 400 bytes, a declaration is not one (UTF-8 with replacement).
    assert.equal(latin('a = 1\nb = 2\n# -*- coding: iso-8859-1 -*-\n').encoding, 'utf-8');
    assert.equal(latin(`# ${'x'.repeat(400)} coding: iso-8859-1\n`).encoding, 'utf-8');
  });

  it('reads a coding line as Python spells it: latin-1, latin_1, iso-latin-1-unix, utf_8, euc_jp', () => {
    const cafe = (name: string) => decode(Buffer.concat([Buffer.from(`# -*- coding: ${name} -*-\n# caf`), Buffer.from([0xe9, 0x0a])]))!;
    for (const name of ['latin-1', 'latin_1', 'Latin-1', 'iso-latin-1-unix', 'latin1', 'ISO_8859_1']) {
      const d = cafe(name);
      assert.deepEqual([d.encoding, d.text.endsWith('caf\u00e9\n'), d.note], ['iso-8859-1', true, undefined], name);
    }
    // Python's latin-1 gives every byte its own code point (0x80 is U+0080, not windows-1252's euro sign).
    const c1 = decode(Buffer.concat([Buffer.from('# coding: latin-1\n# '), Buffer.from([0x80, 0x0a])]))!;
    assert.equal(c1.text.charCodeAt(c1.text.length - 2), 0x80);
    // utf_8 is UTF-8 (no fall-back note); euc_jp decodes as EUC-JP.
    const u = decode(Buffer.from('# coding: utf_8\n# caf\u00e9\n'))!;
    assert.deepEqual([u.encoding, u.note, u.text.endsWith('caf\u00e9\n')], ['utf-8', undefined, true]);
    const jp = decode(Buffer.concat([Buffer.from('# coding: euc_jp\n# '), Buffer.from([0xa4, 0xa2, 0x0a])]))!;
    assert.deepEqual([jp.encoding, jp.text.endsWith('\u3042\n')], ['euc-jp', true]);
    // An unknown codec still falls back to UTF-8.
    assert.equal(decode(Buffer.from('# coding: klingon\nx = 1\n'))!.encoding, 'utf-8');
  });
});
