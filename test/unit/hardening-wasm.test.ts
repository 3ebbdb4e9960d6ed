// wasm memory and aborts: every tree is freed (the wasm heap stays flat across 10,000 edit/analyse
// cycles), and a wasm runtime abort is recovered from once and reported as a note, not a crash.
import { strict as assert } from 'node:assert';
import { Parser } from 'web-tree-sitter';
import { Analyzer, isWasmAbort } from '../../src/core/analyzer';
import { wasmMemoryBytes } from '../../src/core/parser';

const TEXT = `import time
from fastapi import APIRouter
router = APIRouter()

@router.get("/x/{i}")
async def x(i: int):
    data = [n * 2 for n in range(i)]
    time.sleep(0.1)
    return {"i": i, "data": data}
`;

/** The parser's wasm memory (emscripten memory never shrinks; process.memoryUsage().external also counts the models' typed arrays, garbage included until a GC). */
const wasmMb = () => wasmMemoryBytes() / 1048576;
/** WebAssembly is a Node global; the project's lib settings (ES2022, no DOM) do not declare it. */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }).WebAssembly.RuntimeError;

describe('hardening: wasm memory and aborts', function () {
  this.timeout(60_000);

  it('10,000 edit/analyse cycles of an open document: every reparse incremental, wasm heap flat', async () => {
    const a = await Analyzer.create();
    const path = 'doc.py';
    const at = TEXT.indexOf('range(i)') + 6;
    const variants = [TEXT.slice(0, at) + 'x' + TEXT.slice(at), TEXT];
    const edits = [{ start: at, end: at, text: 'x' }, { start: at, end: at + 1, text: '' }];
    a.updateDocument({ path, text: TEXT, module: 'doc', isPackage: false }, []);
    const parsesBefore = a.parses;
    let warm = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i === 500) warm = wasmMb();
      const file = { path, text: variants[i % 2], module: 'doc', isPackage: false };
      const { incremental } = a.updateDocument(file, [edits[i % 2]]);
      if (!incremental) assert.fail(`cycle ${i} was not incremental`);
      if (a.analyze([file]).findings.length !== 1) assert.fail(`cycle ${i} lost the finding`);
    }
    assert.equal(a.parses - parsesBefore, 10_000);
    assert.ok(warm > 0, 'the wasm memory is measured');
    const growth = wasmMb() - warm;
    assert.ok(growth <= 2, `wasm heap grew by ${growth.toFixed(1)} MB over 9,500 cycles`);
    a.dispose();
  });

  it('scanning the same files 200 times (parse, model, free) keeps the wasm heap flat', async () => {
    const a = await Analyzer.create();
    const files = Array.from({ length: 20 }, (_, i) => ({ path: `f${i}.py`, text: TEXT.repeat(1 + (i % 5)), module: `f${i}`, isPackage: false }));
    let warm = 0;
    for (let k = 0; k < 200; k++) {
      if (k === 20) warm = wasmMb();
      for (const f of files) a.forget(f.path);
      a.analyze(files);
    }
    assert.ok(warm > 0, 'the wasm memory is measured');
    assert.ok(wasmMb() - warm <= 2, `wasm heap grew by ${(wasmMb() - warm).toFixed(1)} MB`);
    a.dispose();
  });

  it('a wasm runtime abort during a parse: parser rebuilt, file analysed again, reported once', async () => {
    const a = await Analyzer.create();
    const orig = Parser.prototype.parse;
    let aborts = 0;
    Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
      if (aborts > 0) { aborts--; throw new WasmRuntimeError('Aborted(OOM)'); }
      return orig.apply(this, args);
    };
    try {
      const file = { path: 'a.py', text: TEXT, module: 'a', isPackage: false };
      a.updateDocument({ path: 'open.py', text: TEXT, module: 'open', isPackage: false }, []);
      aborts = 1;
      const r = a.analyze([file]);
      assert.equal(r.findings.length, 1, 'the file is still analysed');
      assert.equal(a.wasmResets, 1);
      const wasmNotes = r.notes.filter((n) => /wasm runtime aborted/.test(n.message));
      assert.equal(wasmNotes.length, 1);
      assert.equal(wasmNotes[0].file, 'a.py');
      // Reported once: the next analysis carries no note.
      a.forget('a.py');
      assert.equal(a.analyze([file]).notes.length, 0);
      // The open document lost its tree with the old state: the next update parses it afresh.
      const u = a.updateDocument({ path: 'open.py', text: TEXT + '\n', module: 'open', isPackage: false }, [{ start: TEXT.length, end: TEXT.length, text: '\n' }]);
      assert.equal(u.incremental, false);
      // A second abort in a row on the same file is not retried forever: it becomes a per-file error note.
      aborts = 2;
      a.forget('a.py');
      const r2 = a.analyze([file]);
      assert.equal(r2.findings.length, 0);
      assert.ok(r2.notes.some((n) => n.kind === 'error' && n.file === 'a.py'), JSON.stringify(r2.notes));
    } finally {
      Parser.prototype.parse = orig;
      a.dispose();
    }
  });

  it('recognises wasm aborts, not ordinary errors', () => {
    assert.ok(isWasmAbort(new WasmRuntimeError('unreachable')));
    assert.ok(isWasmAbort(new Error('Aborted(Assertion failed)')));
    assert.ok(!isWasmAbort(new TypeError('x is undefined')));
  });
});
