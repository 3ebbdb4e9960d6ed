// importRegion reads each head-of-file import's module name with moduleAfter instead of slicing the
// statement and matching `/^from\s+([.\w]+)/` (or `import`): the names must be what the regex captured.
// ensureImport finds the imports of a need once per file (importMatches): the same answer per function.
import { strict as assert } from 'node:assert';
import { ensureImport, type ImportNeed, moduleAfter, NEED } from '../../src/core/fixes/imports';
import { newFixMemo } from '../../src/core/fixes/safety';
import type { FileModel } from '../../src/core/python/model';
import { fixtureAnalysis } from './fixHelpers';

/** The regex reading moduleAfter replaces, on the statement's text. */
function reference(text: string, start: number, end: number): { module: string; isFrom: boolean } {
  const head = text.slice(start, end);
  const isFrom = head.startsWith('from');
  const m = isFrom ? /^from\s+([.\w]+)/.exec(head) : /^import\s+([.\w]+)/.exec(head);
  return { module: m ? m[1] : '', isFrom };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('moduleAfter: the module name of an import statement, as the regex read it', () => {
  it('on written statements: from/import, dots, relative imports, tabs, line breaks, non-ASCII space and names, cut ends', () => {
    const cases = [
      'from os import path', 'import os.path', 'from . import x', 'from ..pkg.mod import (a, b)', 'import\tsys', 'from\\\n  x import y',
      'from\u00a0x import y', 'from\u2003x import y', 'import   ', 'from', 'import', 'fromx import y', 'importos', 'from café import x',
      'import a_b.c9 as d', 'from __future__ import annotations', 'from x', 'imp', '', 'from\u0085x import y', 'import \ufeffx',
    ];
    let named = 0;
    for (const stmt of cases) {
      const text = `# head\n${stmt}\nrest = 1\n`;
      const start = text.indexOf('\n') + 1;
      for (let end = start; end <= start + stmt.length + 1; end++) {
        const want = reference(text, start, end);
        assert.equal(moduleAfter(text, start, end, want.isFrom ? 'from' : 'import'), want.module, JSON.stringify([stmt, end - start]));
        if (want.module) named++;
      }
    }
    assert.ok(named > 50, `${named} names read`);
  });

  it('on 20,000 random statements of keywords, spaces, word characters, dots and other characters', () => {
    const parts = ['from', 'import', ' ', '\t', '\n', '\u00a0', '\u2028', '\u0085', '.', 'a', 'Z', '_', '9', 'é', '(', '\\', ',', '#'];
    let named = 0;
    for (let seed = 1; seed <= 20000; seed++) {
      const r = rng(seed);
      let stmt = r() < 0.5 ? 'from' : 'import';
      const n = Math.floor(r() * 12);
      for (let k = 0; k < n; k++) stmt += parts[Math.floor(r() * parts.length)];
      const text = `x\n${stmt}\ny`;
      const start = 2;
      const end = start + Math.floor(r() * (stmt.length + 2));
      const want = reference(text, start, end);
      assert.equal(moduleAfter(text, start, end, want.isFrom ? 'from' : 'import'), want.module, JSON.stringify([stmt, end - start]));
      if (want.module) named++;
    }
    assert.ok(named > 1000, `${named} names read`);
  });
});

describe('ensureImport: the import a function reuses, found once per file and need', () => {
  const fx = fixtureAnalysis();

  /** The search ensureImport made for each function before (every import of the model, per call). */
  function reference(model: FileModel, need: ImportNeed, fnScope: number): string | undefined {
    const wanted = need.name ? [`${need.module}.${need.name}`, ...(need.alternatives ?? [])] : [need.module, ...(need.alternatives ?? [])];
    for (const imp of model.imports) if ((imp.scope === 0 || imp.scope === fnScope) && wanted.includes(imp.q)) return imp.name;
    return undefined;
  }

  it('reuses the first import of a wanted name in the module or the function, with or without the memo, on the fixtures and on imports in functions', () => {
    const local = [
      'def f():', '    import asyncio as aio_f', '    return aio_f', '',
      'import time', '', 'def g():', '    from starlette.concurrency import run_in_threadpool as rtp', '    import asyncio', '    return rtp, asyncio', '',
      'import asyncio as aio', 'from fastapi.concurrency import run_in_threadpool', '',
      'def h():', '    import asyncio', '    return asyncio', '', 'async def k():', '    return 1', '',
    ].join('\n');
    const sources = [...fx.files, { path: 'local.py', text: local, module: 'local', isPackage: false }];
    let reused = 0;
    let inFunction = 0;
    for (const src of sources) {
      const model = fx.analyzer.model(src);
      const memo = newFixMemo();
      const scopes = [-1, 0, ...model.functions.map((f) => f.scope)];
      for (const need of Object.values(NEED)) {
        for (const scope of scopes) {
          const want = reference(model, need, scope);
          for (const m of [memo, undefined]) {
            const got = ensureImport(src.text, model, need, '\n', scope, m);
            if (want !== undefined) assert.deepEqual(got, { local: want }, `${src.path} ${need.module} scope ${scope}`);
            else assert.ok(got === undefined || got.edit, `${src.path} ${need.module} scope ${scope}: an added import`);
          }
          if (want !== undefined) { reused++; if (!model.imports.some((i) => i.scope === 0 && i.name === want)) inFunction++; }
        }
      }
    }
    assert.ok(reused > 100 && inFunction >= 3, `${reused} reused, ${inFunction} from a function's own imports`);
  });
});
