// A scan's worker thread parses files and ships their flat trees (python/model.ts flattenFile,
// packed into one transferred buffer by workerThread.ts packFlat); the main thread builds the models
// from them. The model built from a shipped tree must be the one buildModel gives from the tree
// itself, whatever the file holds: every rule fixture, CRLF and lone-CR line ends, non-ASCII text,
// syntax errors (an ERROR node, and a MISSING one the builder does not see), an empty file.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { Language } from 'web-tree-sitter';
import { initParser, parsePython } from '../../src/core/parser';
import { buildModel, buildModelFromFlat, type FileModel, type FlatFile, flattenFile } from '../../src/core/python/model';
import { packFlat } from '../../src/core/workerThread';
import { routerModule } from '../../bench/generate';

const RULES = join(__dirname, '..', 'fixtures', 'rules');
const OPTS = { module: 'app.m', isPackage: false };

/** The model from the tree, and the model from its flat tree as a worker ships it (packed, posted, received). */
function both(text: string): { direct: FileModel; shipped: FileModel; flat: FlatFile; language: Language } {
  const tree = parsePython(text);
  let flat: FlatFile;
  let direct: FileModel;
  try {
    const { file, buffer } = packFlat(flattenFile(tree, text));
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(file, [buffer]);
    flat = receiveMessageOnPort(port2)!.message as FlatFile;
    port1.close();
    assert.equal(buffer.byteLength, 0, 'the buffer was transferred, not copied');
    direct = buildModel(tree, text, OPTS);
  } finally {
    tree.delete();
  }
  const language = tree.language;
  // Another walk overwrites flattenFile's shared arrays: the shipped tree must not change.
  parsePython('x = 1\n' + text).delete();
  const again = parsePython('def f(:\n  pass\n' + text);
  flattenFile(again, 'def f(:\n  pass\n' + text);
  again.delete();
  return { direct, shipped: buildModelFromFlat(flat, text, OPTS, language), flat, language };
}

describe('flat trees shipped from a worker', () => {
  before(async () => { await initParser(); });

  it('give the model buildModel gives, for every rule fixture and a generated router', () => {
    const texts = readdirSync(RULES).filter((n) => n.endsWith('.py')).map((n) => readFileSync(join(RULES, n), 'utf8'));
    texts.push(routerModule(11, { bytes: 30_000 }));
    assert.ok(texts.length > 10);
    for (const text of texts) {
      const { direct, shipped, flat } = both(text);
      assert.deepStrictEqual(shipped, direct);
      assert.ok(flat.flat.n > 0 && flat.flat.type.length === flat.flat.n, 'exactly sized arrays');
      assert.ok(direct.functions.length + direct.calls.length > 0 || text.trim() === '', 'the fixture builds something');
    }
  });

  it('keep line ends, non-ASCII text and an empty file as buildModel does', () => {
    const texts = [
      'import time\r\nasync def f():\r\n    time.sleep(1)\r\n',
      'import time\rasync def f():\r    time.sleep(1)\r',
      '# é ü 中文\nimport time\nasync def ñ():\n    s = "→"; time.sleep(1)\n',
      '',
    ];
    for (const text of texts) {
      const { direct, shipped } = both(text);
      assert.deepStrictEqual(shipped, direct);
    }
    // The lone-CR file is one row for tree-sitter (a syntax error there) and three lines for the model.
    const { shipped } = both(texts[1]);
    assert.equal(shipped.lineStarts.length, 4);
    assert.equal(shipped.syntaxErrors.length, 1);
  });

  it('carry the syntax error buildModel finds from the tree alone, and none for a clean file', () => {
    // Tree-sitter reads `def f(:` with an error the model builder does not see: only the tree tells.
    const text = 'import time\ndef f(:\n    pass\n';
    const a = both(text);
    assert.deepStrictEqual(a.direct.syntaxErrors, [{ line: 2, column: 7 }]);
    assert.deepStrictEqual(a.flat.missing, { line: 2, column: 7 }, 'the worker found the tree\'s error');
    assert.deepStrictEqual(buildModelFromFlat({ ...a.flat, missing: undefined }, text, OPTS, a.language).syntaxErrors, [], 'the builder alone does not');
    assert.deepStrictEqual(a.shipped, a.direct);
    // An unclosed call: the builder finds it; the tree's is not added again.
    const b = both('import time\nasync def f():\n    time.sleep(1\n');
    assert.equal(b.direct.syntaxErrors.length, 1);
    assert.deepStrictEqual(b.shipped, b.direct);
    const clean = both('import time\nasync def f():\n    time.sleep(1)\n');
    assert.equal(clean.flat.missing, undefined);
    assert.deepStrictEqual(clean.shipped.syntaxErrors, []);
  });

  it('packFlat copies exactly the nodes of the walk into one buffer of 20 bytes a node', () => {
    const text = routerModule(3, { bytes: 5_000 });
    const tree = parsePython(text);
    try {
      const walked = flattenFile(tree, text);
      const { file, buffer } = packFlat(walked);
      const n = walked.flat.n;
      assert.equal(buffer.byteLength, 20 * n);
      for (const k of ['type', 'field', 'start', 'end', 'parent', 'last'] as const) {
        assert.equal(file.flat[k].buffer, buffer);
        assert.deepEqual(Array.from(file.flat[k]), Array.from(walked.flat[k].subarray(0, n)), k);
      }
      assert.deepEqual(file.segments, walked.segments);
      assert.deepEqual(file.roots, walked.roots);
    } finally {
      tree.delete();
    }
  });

  it('packFlat takes the smallest buffer of the pool that holds the nodes, and a new one when none does', () => {
    const text = routerModule(4, { bytes: 5_000 });
    const tree = parsePython(text);
    try {
      const walked = flattenFile(tree, text);
      const bytes = 20 * walked.flat.n;
      const small = new ArrayBuffer(bytes - 4);
      const fits = new ArrayBuffer(bytes + 100);
      const larger = new ArrayBuffer(bytes * 3);
      const pool = [larger, small, fits];
      const { file, buffer } = packFlat(walked, pool);
      assert.equal(buffer, fits);
      assert.deepEqual(pool.map((b) => b.byteLength).sort((a, b) => a - b), [bytes - 4, bytes * 3]);
      assert.deepEqual(Array.from(file.flat.last), Array.from(walked.flat.last.subarray(0, walked.flat.n)), 'views of exactly n nodes in a larger buffer');
      // A buffer given back with stale nodes in it gives the same model.
      new Uint8Array(larger).fill(0xff);
      const again = packFlat(walked, [larger]);
      assert.equal(again.buffer, larger);
      assert.deepStrictEqual(buildModelFromFlat(again.file, text, OPTS, tree.language), buildModel(tree, text, OPTS));
      const none = packFlat(walked, [small]);
      assert.notEqual(none.buffer, small);
      assert.equal(none.buffer.byteLength, bytes);
    } finally {
      tree.delete();
    }
  });
});
