// attachFixes shares one memo (safety facts, body code, functions by name) across the findings and
// files of a run: every finding must get exactly the fixes it gets when computed alone, without it.
import { strict as assert } from 'node:assert';
import { fixesFor, functionIndex, makeContext } from '../../src/core/fixes';
import { factsOf, newFixMemo, threadFactsOf } from '../../src/core/fixes/safety';
import { Resolver } from '../../src/core/python/resolve';
import type { FunctionKind } from '../../src/core/types';
import { fixtureAnalysis } from './fixHelpers';
import { CallGraph } from '../../src/core/callgraph';
import { RuleSet } from '../../src/core/rules';
import { SymbolIndex } from '../../src/core/symbols';

describe('fix memo', () => {
  const fx = fixtureAnalysis();

  it('gives every finding of the fixtures the fixes it gets without the memo', () => {
    const result = fx.analyzer.analyze(fx.files);
    const withFixes = result.findings.filter((f) => f.fixes.some((x) => x.kind !== 'noqa'));
    assert.ok(withFixes.length > 50, `${withFixes.length} findings with fixes`);
    const entries = fx.files.map((f) => { const model = fx.analyzer.model(f); return { file: f.path, model, resolver: new Resolver(model) }; });
    const index = functionIndex(fx.files, entries);
    for (const f of result.findings) {
      const src = fx.files.find((s) => s.path === f.file)!;
      const kinds = new Map<number, FunctionKind>(result.handlers.filter((h) => h.file === f.file).map((h) => [h.line, h.kind]));
      const alone = fixesFor(makeContext(src.text, fx.analyzer.model(src), (line) => kinds.get(line), index), f);
      assert.deepEqual(f.fixes, alone, `${f.file}:${f.line} ${f.code}`);
    }
  });

  it('hands the fixes each call site\'s callee as the analysis resolved it, and nothing for a site it did not read', () => {
    const entries = fx.files.map((f) => { const model = fx.analyzer.model(f); return { file: f.path, model, resolver: new Resolver(model) }; });
    const graph = new CallGraph(new SymbolIndex(entries), new RuleSet(), () => ({ ms: 1, type: 'io' }));
    let read = 0;
    let resolved = 0;
    for (const e of entries) for (const site of e.model.calls) if (site.id % 3 !== 1) graph.calleeName(e, site);
    const resolvedOf = graph.resolvedCallees();
    for (const e of entries) {
      const fresh = new Resolver(e.model);
      for (const site of e.model.calls) {
        const got = resolvedOf(e.model.calls, site.id);
        if (site.id % 3 === 1) { assert.equal(got, undefined, `${e.file} ${site.id}`); continue; }
        const want = fresh.resolve(site.callee) ?? null;
        assert.equal(got, want, `${e.file} ${site.id}`);
        read++;
        if (want !== null && want !== graph.calleeName(e, site)) resolved++;
      }
    }
    // Not the canonical names: a name the index rewrites (an import of a re-export, a module-level instance) is given as resolved.
    assert.ok(read > 500 && resolved > 10, `${read} sites read, ${resolved} resolved names that are not canonical`);
  });

  it('gives a thread walk every hazard of the whole walk but param-mutation and framework-exception', () => {
    let extras = 0;
    let shared = 0;
    for (const src of fx.files) {
      const model = fx.analyzer.model(src);
      const resolver = new Resolver(model);
      const memo = newFixMemo();
      for (const fn of model.functions) {
        if (fn.isLambda) continue;
        const s = { text: src.text, model, resolver, fn };
        // The thread walk first (the memo then holds its own facts), then the whole walk.
        const thread = threadFactsOf(s, undefined, memo);
        const all = factsOf(s, undefined, memo);
        const want = new Map([...all.hazards].filter(([h]) => h !== 'param-mutation' && h !== 'framework-exception'));
        assert.deepEqual(thread.hazards, want, `${src.path} ${fn.qname}`);
        assert.equal(thread.complete, all.complete);
        extras += all.hazards.size - want.size;
        shared += want.size;
      }
    }
    assert.ok(extras > 3 && shared > 10, `the fixtures have both kinds of hazards (${extras}, ${shared})`);
  });

  it('reads a function once per run: the same facts object for the second finding that asks', () => {
    const src = fx.files.find((f) => f.path === 'fixes/plain-def.py') ?? fx.files[0];
    const model = fx.analyzer.model(src);
    const memo = newFixMemo();
    const fn = model.functions.find((x) => !x.isLambda)!;
    const s = { text: src.text, model, resolver: new Resolver(model), fn };
    const first = factsOf(s, undefined, memo);
    assert.equal(factsOf(s, undefined, memo), first);
    assert.deepEqual(factsOf(s), first);
    assert.ok(memo.code.has(fn));
  });

  it('names the first module-level name (in the module\'s order) a body writes and does not bind, ASCII or not', () => {
    // Module order: a, données, b, c. Each function writes some of them, in another order than the module's.
    const text = [
      'a = []', 'données = {}', 'b = {}', 'c = set()', '',
      'def writes_c_then_b():', '    c.add(1)', '    b["k"] = 1', '',
      'def binds_b_writes_c():', '    b = {}', '    b["k"] = 1', '    c.add(1)', '',
      'def writes_b_then_unicode():', '    b["k"] = 1', '    données["k"] = 1', '',
      'def writes_c_then_a():', '    c.add(1)', '    a.append(1)', '',
      'def writes_only_locals():', '    d = []', '    d.append(1)', '',
    ].join('\n');
    const src = { path: 'mods.py', text, module: 'mods', isPackage: false };
    const model = fx.analyzer.model(src);
    const resolver = new Resolver(model);
    const want: Record<string, string | undefined> = {
      writes_c_then_b: 'writes_c_then_b changes the module-level b',
      binds_b_writes_c: 'binds_b_writes_c changes the module-level c',
      writes_b_then_unicode: 'writes_b_then_unicode changes the module-level données',
      writes_c_then_a: 'writes_c_then_a changes the module-level a',
      writes_only_locals: undefined,
    };
    for (const [name, why] of Object.entries(want)) {
      const fn = model.functions.find((f) => f.name === name)!;
      for (const memo of [newFixMemo(), undefined]) assert.equal(threadFactsOf({ text, model, resolver, fn }, undefined, memo).hazards.get('global-write'), why, name);
    }
  });
});
