// Seeded, bounded fuzzing: mutated Python (deletions, duplications, truncation, random bytes,
// brackets, indentation) must never make the analyzer throw or stall.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { rng, routerModule } from '../../bench/generate';

const SEED = 20251128;
const CASES = 400;
const PER_FILE_MS = 2000;

function corpus(): string[] {
  const out = [routerModule(1, { lines: 160 }), routerModule(2, { lines: 90 }), HANDWRITTEN];
  const fixtures = join(__dirname, '..', 'fixtures');
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.py') && out.length < 40) out.push(readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(fixtures)) walk(fixtures);
  return out;
}

const HANDWRITTEN = `import time, requests
from fastapi import FastAPI, Depends
app = FastAPI()

def helper(x):
    with open(x) as f:
        return f.read()

@app.get("/a/{id}")
async def a(id: int, dep=Depends(helper)):
    for i in range(10):
        await db.get(i)
    time.sleep(1)  # noqa: LW102
    return [helper(p) for p in (lambda: ["x"])()]

class S:
    async def run(self):
        async with self.lock:
            requests.get("u")
`;

const JUNK = ['(', ')', '[', ']', '{', '}', ':', '\n', '\n    ', '\t', '"', "'", '"""', '\\', '#', 'async ', 'await ', 'def ', 'lambda', '\x00', '\uFFFD', '\u{1F600}', '\r', '\r\n', 'f"{', '@'];

function mutate(text: string, r: () => number): string {
  let t = text;
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * (t.length + 1));
    const len = Math.floor(r() * 80);
    switch (Math.floor(r() * 6)) {
      case 0: t = t.slice(0, at) + t.slice(at + len); break; // delete
      case 1: t = t.slice(0, at) + t.slice(at, at + len) + t.slice(at); break; // duplicate
      case 2: t = t.slice(0, at); break; // truncate
      case 3: { let s = ''; for (let i = 0; i < 1 + len / 8; i++) s += String.fromCharCode(Math.floor(r() * 0x3000)); t = t.slice(0, at) + s + t.slice(at); break; } // random chars
      case 4: t = t.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)].repeat(1 + Math.floor(r() * 5)) + t.slice(at); break; // brackets, quotes, keywords
      default: { const lines = t.split('\n'); const i = Math.floor(r() * lines.length); lines[i] = ' '.repeat(Math.floor(r() * 13)) + lines[i].trimStart(); t = lines.join('\n'); } // indentation
    }
  }
  return t;
}

describe('hardening: fuzz', function () {
  this.timeout(60_000);
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  it(`analyses ${CASES} seeded mutations without throwing, each within ${PER_FILE_MS} ms`, () => {
    const r = rng(SEED);
    const base = corpus();
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const text = mutate(base[i % base.length], r);
      const file: SourceFile = { path: `fuzz_${i}.py`, text, module: `fuzz_${i}`, isPackage: false };
      const t = performance.now();
      let result;
      try { result = analyzer.analyze([file]); } catch (err) {
        assert.fail(`case ${i} (seed ${SEED}) threw: ${(err as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
      }
      const ms = performance.now() - t;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < PER_FILE_MS, `case ${i} took ${ms.toFixed(0)} ms`);
      assert.equal(result.summary.files, 1);
      for (const f of result.findings) assert.ok(f.line >= 1 && f.column >= 1 && f.startOffset <= f.endOffset && f.endOffset <= text.length, `bad range in case ${i}`);
      analyzer.forget(file.path);
    }
  });

  it('keeps an open document usable through a stream of mutating edits', () => {
    const r = rng(SEED + 1);
    let text = routerModule(3, { lines: 120 });
    const path = 'open.py';
    analyzer.updateDocument({ path, text, module: 'open', isPackage: false }, []);
    for (let i = 0; i < 300; i++) {
      const start = Math.floor(r() * (text.length + 1));
      const end = Math.min(text.length, start + Math.floor(r() * 6));
      const ins = JUNK[Math.floor(r() * JUNK.length)];
      text = text.slice(0, start) + ins + text.slice(end);
      const file = { path, text, module: 'open', isPackage: false };
      const { incremental } = analyzer.updateDocument(file, [{ start, end, text: ins }]);
      assert.ok(incremental, 'edits reuse the previous tree');
      analyzer.analyze([file]);
    }
    analyzer.forget(path);
  });
});
