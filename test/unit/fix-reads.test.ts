// Reads the fix builders make once instead of per finding (session 9): each must answer exactly as the
// per-finding read it replaced.
import { strict as assert } from 'node:assert';
import { fixesFor, functionIndex, makeContext } from '../../src/core/fixes';
import { appendedList } from '../../src/core/fixes/gather';
import type { FnSource } from '../../src/core/fixes/safety';
import { Resolver } from '../../src/core/python/resolve';
import type { FunctionKind } from '../../src/core/types';
import { fixtureAnalysis } from './fixHelpers';

/** The pattern gather.ts built per finding before appendedList. */
function appendedListByRegex(body: string, call: string): string | undefined {
  const esc = call.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^([A-Za-z_][\\w.]*)\\.append\\(\\s*await\\s+${esc}\\s*\\)$`).exec(body)?.[1];
}

describe('fix reads made once', () => {
  const fx = fixtureAnalysis();

  it('appendedList reads a loop body as the per-finding RegExp did', () => {
    const calls = ['f(x)', 'svc.get(item, k=1)', '(h)(1)', 'g(a)\n', 'load( x )'];
    const heads = ['results', 'self.out', '_r', 'a1.b_2', '1bad', '.x', 'r', ''];
    const gaps = ['', ' ', '  ', '\n    ', '\t', '\u00a0', '\u2028', '\u0085', 'x'];
    let positives = 0;
    let n = 0;
    for (const call of calls) {
      for (const head of heads) {
        for (const g1 of gaps) {
          for (const g2 of gaps) {
            for (const tail of [')', ' )', ')\n', '))', ') ', '']) {
              for (const verb of ['.append(', '.appendx(', '.append (', 'append(']) {
                const body = `${head}${verb}${g1}await${g2}${call}${tail}`;
                const want = appendedListByRegex(body, call);
                assert.equal(appendedList(body, call), want, JSON.stringify({ body, call }));
                if (want !== undefined) positives++;
                n++;
              }
            }
          }
        }
      }
    }
    assert.ok(positives > 100 && positives < n / 4, `${positives} of ${n} bodies match`);
    // Random bodies from the same pieces, in any order.
    const pieces = ['r', '.', 'append', '(', ')', ' ', '\n', 'await', 'f(x)', '_', '1', '\u00a0', '\ufeff'];
    let seed = 7;
    const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % k; };
    for (let i = 0; i < 20000; i++) {
      let body = '';
      for (let k = 1 + rnd(10); k > 0; k--) body += pieces[rnd(pieces.length)];
      assert.equal(appendedList(body, 'f(x)'), appendedListByRegex(body, 'f(x)'), JSON.stringify(body));
    }
  });

  it('a file analysed alone: the empty function index gives the fixes a full index of the file gives', () => {
    let compared = 0;
    for (const src of fx.files) {
      const result = fx.analyzer.analyze([src]);
      const model = fx.analyzer.model(src);
      const entries = [{ file: src.path, model, resolver: new Resolver(model) }];
      const map = new Map<string, FnSource>();
      for (const fn of model.functions) if (!fn.isLambda && !map.has(fn.qname)) map.set(fn.qname, { text: src.text, model, resolver: entries[0].resolver, fn });
      const kinds = new Map<number, FunctionKind>(result.handlers.map((h) => [h.line, h.kind]));
      const alone = functionIndex([src], entries);
      for (const q of map.keys()) assert.equal(alone(q), undefined, q);
      for (const f of result.findings) {
        const full = fixesFor(makeContext(src.text, model, (line) => kinds.get(line), (q) => map.get(q)), f);
        assert.deepEqual(f.fixes, full, `${f.file}:${f.line} ${f.code}`);
        compared += full.length;
      }
    }
    assert.ok(compared > 200, `${compared} fixes compared`);
  });

  it('the file-wide noqa fix: equal for the findings of one code, but each its own object', () => {
    const src = fx.files.find((f) => f.path === 'fixes/gather.py')!;
    const result = fx.analyzer.analyze([src]);
    const byCode = new Map<string, typeof result.findings>();
    for (const f of result.findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
    const [code, same] = [...byCode].find(([, l]) => l.length > 1)!;
    const fileFix = (i: number) => same[i].fixes.find((x) => x.title.startsWith(`Ignore ${code} in this file`))!;
    assert.deepEqual(fileFix(0), fileFix(1));
    assert.notEqual(fileFix(0), fileFix(1));
    assert.notEqual(fileFix(0).edits[0], fileFix(1).edits[0]);
    fileFix(0).edits[0].newText = 'changed';
    assert.match(fileFix(1).edits[0].newText, /# loopwise: noqa: LW/);
  });
});
