// The model builder reads the syntax tree through one direct cursor walk (the wasm exports, the
// cursor state left in the transfer buffer). It must store exactly what web-tree-sitter's public
// TreeCursor reports, node for node, and the model built from it must not depend on which one ran.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasWasmCursor, initParser, parsePython } from '../../src/core/parser';
import { flattenModule, type FlatModule, hasMemoryWalk, kindsFor } from '../../src/core/python/flatTree';
import { KIND_NAMES } from '../../src/core/python/exprBuilder';
import { offsetOf, scopeOf } from '../../src/core/python/ir';
import { boundList, buildModel, CallSite, type FileModel, FunctionInfo } from '../../src/core/python/model';
import { ImportRecord } from '../../src/core/python/modelTypes';

const ROOT = join(__dirname, '..', 'fixtures');

function pyFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) pyFiles(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

/** A copy of the walk's arrays (they are shared and overwritten by the next walk). */
function snapshot(m: FlatModule): unknown {
  const t = m.flat;
  const cut = <T extends { slice(a: number, b: number): T }>(a: T) => Array.from(a.slice(0, t.n) as unknown as ArrayLike<number>);
  return { segments: m.segments, roots: m.roots, type: cut(t.type), field: cut(t.field), start: cut(t.start), end: cut(t.end), parent: cut(t.parent), last: cut(t.last) };
}

const at = (o: number) => ({ row: 0, column: o });

/**
 * A model as plain data, with every name and lambda at its file offset and model-wide scope (a
 * model assembled from parts keeps them per part, translated through the part's header). A name
 * shows, in place of its offset, what resolution reads of it: how many of its scope's bindings of
 * that name come before it (a whole-file model keeps one name for those that resolve alike,
 * compact.ts shareNames).
 */
function plain(m: FileModel): string {
  const before = (n: string, scope: number, off: number) => boundList(m.scopes[scope]?.bindings.get(n)).filter((b) => b.off !== -1 && b.off <= off).length;
  return JSON.stringify(m, function (this: Record<string, unknown>, k: string, v: any) {
    // A whole-file build's call site is also its call's expression (CallSite.k): held as an expression, it is compared as one.
    const raw = this[k];
    if (raw instanceof CallSite && (this as unknown) !== m.calls) return { k: 'call', f: raw.callee, args: raw.args, kw: raw.kw };
    // Its import is its name's binding too (ImportRecord): held as a binding, it is compared as one.
    if (raw instanceof ImportRecord && (this as unknown) !== m.imports) return { kind: 'import', off: raw.off, q: raw.q };
    // Its def is its name's binding too (FunctionInfo.kind).
    if (raw instanceof FunctionInfo && (this as unknown) !== m.functions) return { kind: 'def', off: raw.off, q: raw.q };
    if (v instanceof Map) return { map: [...v] };
    if (v instanceof Set) return { set: [...v] };
    if (v && typeof v === 'object' && v.k === 'name') return { k: 'name', n: v.n, scope: scopeOf(v), before: before(v.n, scopeOf(v), offsetOf(v)) };
    if (v && typeof v === 'object' && 'seg' in v && v.seg) {
      const { seg: _seg, ...rest } = v;
      return 'scope' in rest ? { ...rest, off: offsetOf(v), scope: scopeOf(v) } : { ...rest, off: offsetOf(v) };
    }
    return v;
  });
}

/** Text the parser recovers from: unclosed brackets, stray indentation, an f-string cut short, match, escapes. */
const BROKEN = [
  'def f(:\n    x = (1,\n',
  'class A:\n  def m(self):\n      return [x for x in\n',
  'x = f"{a!r:>{w}} \\n {b"\nmatch p:\n    case [1, *r]:\n        pass\n',
  '\n\n   @dec\nasync def g():\n    await h()\n  y = 1\n',
  's = "a\\tb\\u00e9" "c"\nt = b"\\x00"\n',
];

describe('flat tree walk', () => {
  before(async () => { await initParser(); });

  it('uses the direct cursor', () => {
    assert.ok(hasWasmCursor(), 'the wasm exports of web-tree-sitter were not found; the walk fell back to the public cursor');
  });

  it('reads trees from wasm memory without the cursor (the sample walked both ways matched)', () => {
    assert.ok(hasMemoryWalk(), 'the memory walk of python/flatTree.ts differs from the cursor walk on the layout sample; the cursor walk is in use');
  });

  it('stores what the public TreeCursor reports, on every fixture and on broken text, with either walk', () => {
    const texts = [...pyFiles(ROOT).map((p) => readFileSync(p, 'utf8')), ...BROKEN];
    let nodes = 0;
    for (const text of texts) {
      const tree = parsePython(text);
      try {
        const fast = snapshot(flattenModule(tree, at, () => true));
        const cursor = snapshot(flattenModule(tree, at, () => true, 'cursor'));
        const slow = snapshot(flattenModule(tree, at, () => true, 'public'));
        assert.deepEqual(fast, slow);
        assert.deepEqual(cursor, slow);
        nodes += (fast as { type: number[] }).type.length;
      } finally {
        tree.delete();
      }
    }
    assert.ok(nodes > 10_000, `only ${nodes} nodes walked`);
  });

  it('with a table of named types, leaves out exactly the anonymous leaves without a field, with either walk', () => {
    const texts = [...pyFiles(ROOT).map((p) => readFileSync(p, 'utf8')), ...BROKEN];
    let dropped = 0;
    for (const text of texts) {
      const tree = parsePython(text);
      try {
        const named = kindsFor(tree.language, KIND_NAMES).named;
        type Snap = { segments: unknown; roots: number[]; type: number[]; field: number[]; start: number[]; end: number[]; parent: number[]; last: number[] };
        const full = snapshot(flattenModule(tree, at, () => true, 'public')) as Snap;
        // The expected arrays: the full walk's, without the dropped nodes, indices renumbered.
        const keep = full.type.map((t, i) => named[t] === 1 || full.field[i] !== 0 || full.last[i] > i + 1 || full.parent[i] < 0);
        const index: number[] = [];
        let k = 0;
        for (let i = 0; i < full.type.length; i++) { index[i] = k; if (keep[i]) k++; }
        index[full.type.length] = k;
        const pick = (a: number[]) => a.filter((_, i) => keep[i]);
        const expected = {
          segments: full.segments, roots: full.roots.map((r) => (r < 0 ? r : index[r])), type: pick(full.type), field: pick(full.field), start: pick(full.start), end: pick(full.end),
          parent: pick(full.parent).map((p) => (p < 0 ? p : index[p])), last: pick(full.last).map((l) => index[l]),
        };
        dropped += full.type.length - k;
        assert.deepEqual(snapshot(flattenModule(tree, at, () => true, 'auto', named)), expected);
        assert.deepEqual(snapshot(flattenModule(tree, at, () => true, 'cursor', named)), expected);
      } finally {
        tree.delete();
      }
    }
    assert.ok(dropped > 5000, `only ${dropped} nodes left out`);
  });

  it('finds the def keyword of an async def (the second child, which the flat tree does not store)', () => {
    const text = 'async def a():\n    pass\n\nclass C:\n    async   def b(self):\n        pass\n\nasync \\\n  def c():\n    pass\n';
    const tree = parsePython(text);
    try {
      const m = buildModel(tree, text, { module: 'm', isPackage: false });
      const defs = tree.rootNode.descendantsOfType('function_definition').filter((d) => !!d);
      assert.equal(m.functions.length, 3);
      for (const [i, d] of defs.entries()) {
        assert.equal(d!.child(1)!.type, i < 2 ? 'def' : 'line_continuation');
        assert.equal(m.functions[i].defKeywordStart, d!.child(1)!.startIndex);
        assert.equal(m.functions[i].asyncStart, d!.startIndex);
      }
    } finally {
      tree.delete();
    }
  });

  it('a model built in one pass (nothing kept for edits) equals the one assembled from per-statement parts', () => {
    const texts = [...pyFiles(ROOT).map((p) => readFileSync(p, 'utf8')), ...BROKEN];
    let calls = 0;
    let statements = 0;
    for (const text of texts) {
      const tree = parsePython(text);
      try {
        const opts = { module: 'pkg.m', isPackage: false };
        const once = buildModel(tree, text, opts);
        const parts = new Map();
        const assembled = buildModel(tree, text, opts, undefined, parts);
        statements += parts.size;
        delete assembled.surface;
        assert.equal(plain(once), plain(assembled));
        calls += once.calls.length;
      } finally {
        tree.delete();
      }
    }
    assert.ok(calls > 1000 && statements > 1000, `only ${calls} call sites in ${statements} statements compared`);
  });

  it('walks only the statements asked for', () => {
    const text = 'import os\n\ndef a():\n    return os.getcwd()\n\nx = 1\n';
    const tree = parsePython(text);
    try {
      for (const walk of ['auto', 'cursor'] as const) {
        const m = flattenModule(tree, at, (seg) => seg.startIndex === text.indexOf('def'), walk);
        assert.equal(m.segments.length, 3);
        assert.deepEqual(m.roots.map((r) => r >= 0), [false, true, false]);
        assert.equal(m.flat.start[m.roots[1]], text.indexOf('def'));
        assert.equal(m.flat.last[m.roots[1]], m.flat.n);
      }
    } finally {
      tree.delete();
    }
  });

  it('positions follow tree-sitter rows (only \\n ends a row) and UTF-16 columns', () => {
    const text = 'import time\r\nx = "é😀"; time.sleep(1)\rasync def f():\n    await g()\n';
    const tree = parsePython(text);
    try {
      const m = buildModel(tree, text, { module: 'm', isPackage: false });
      const root = tree.rootNode;
      const calls = root.descendantsOfType('call').filter((c) => !!c);
      assert.equal(m.calls.length, calls.length);
      for (const [i, c] of calls.entries()) {
        assert.deepEqual([m.calls[i].line, m.calls[i].column, m.calls[i].endLine, m.calls[i].endColumn],
          [c!.startPosition.row + 1, c!.startPosition.column + 1, c!.endPosition.row + 1, c!.endPosition.column + 1]);
      }
      const fn = m.functions.find((f) => f.name === 'f')!;
      const def = root.descendantsOfType('function_definition')[0]!;
      assert.deepEqual([fn.line, fn.column], [def.startPosition.row + 1, def.startPosition.column + 1]);
    } finally {
      tree.delete();
    }
  });

  // V8 compiles typed-array reads without a detached check while no ArrayBuffer of the isolate was
  // ever detached; a parsing thread detaches some (wasm memory growth, transferred buffers), and that
  // first detach threw away the walk's optimised code mid-scan. initParser detaches one first.
  it('initParser leaves no optimised typed-array read for a later detach to deoptimise', () => {
    const child = `
      const { initParser } = require(process.argv[1]);
      function read(a) { return a[0] + a[1]; }
      const u8 = new Uint8Array(4);
      %PrepareFunctionForOptimization(read); read(u8); read(u8);
      (async () => {
        if (process.argv[2] === 'init') await initParser();
        %OptimizeFunctionOnNextCall(read); read(u8);
        const optimised = (%GetOptimizationStatus(read) & 16) !== 0;
        const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });
        console.log(JSON.stringify([optimised, (%GetOptimizationStatus(read) & 16) !== 0]));
      })();`;
    const run = (init: boolean): [boolean, boolean] => {
      const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', child, join(__dirname, '..', '..', 'src', 'core', 'parser.ts'), init ? 'init' : ''], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim()) as [boolean, boolean];
    };
    assert.deepEqual(run(true), [true, true], 'optimised before and after a detach, once initParser ran');
    assert.deepEqual(run(false), [true, false], 'control: without initParser the first detach deoptimises the read');
  });
});
