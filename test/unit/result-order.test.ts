// Run.result's order: findings and handler reports by path as localeCompare orders paths, then by position.
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';

describe('result order', () => {
  it('sorts findings and reports by path as localeCompare does, then by position', async () => {
    // Paths whose localeCompare order differs from their code-unit order (case, `_` and `/`, accents).
    const paths = ['b.py', 'B.py', 'a_x.py', 'a/x.py', 'A.py', 'é.py', 'e.py', 'f.py', 'Z/a.py', 'z_a.py'];
    const text = 'import time\nasync def g():\n    time.sleep(1)\n\nasync def f():\n    time.sleep(1); time.sleep(2)\n';
    const files = [...paths].reverse().map((p, i) => ({ path: p, text, module: `m${i}`, isPackage: false }));
    const r = (await Analyzer.create()).analyze(files, { fixes: false });
    const byLocale = [...paths].sort((a, b) => a.localeCompare(b));
    assert.notDeepEqual(byLocale, [...paths].sort());
    assert.deepEqual([...new Set(r.findings.map((f) => f.file))], byLocale);
    assert.deepEqual([...new Set(r.handlers.map((h) => h.file))], byLocale);
    for (const p of paths) {
      assert.deepEqual(r.findings.filter((f) => f.file === p).map((f) => [f.line, f.column]), [[3, 5], [6, 5], [6, 20]]);
      assert.deepEqual(r.handlers.filter((h) => h.file === p).map((h) => h.line), [2, 5]);
    }
  });
});
