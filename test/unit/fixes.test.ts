// Fix fixtures: test/fixtures/fixes/<name>.py -> <name>.fixed.py, compared exactly. Without a header
// fix-all runs (in rounds, as `loopwise fix` does). Headers: `# loopwise-fix: <title part>` applies that
// fix to every finding offering it; `# loopwise-fix-kind: <kind>` the first fix of that kind (preferred
// or not); `# loopwise-no-fix: <title part>` asserts the fix is NOT offered; `# loopwise-not-preferred:
// <kind>` asserts that kind is offered only with a "check: ..." title (fix-all then runs if a .fixed.py exists).
// Every fixed text must parse with python3, lose the fixed findings and gain no new one.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, analyzer, applyNamedFix, counts, fixAllRounds, pythonParses, readText } from './fixHelpers';

const DIR = join(__dirname, '..', 'fixtures', 'fixes');
const inputs = readdirSync(DIR).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).sort();

describe('fix fixtures', () => {
  it('has fixtures', () => assert.ok(inputs.length >= 15, `only ${inputs.length} fixtures`));

  for (const name of inputs) {
    it(name, async () => {
      const a = await analyzer();
      const text = readText(join(DIR, name));
      const before = analyzeText(a, name, text);
      assert.ok(before.findings.length > 0, 'the fixture has no finding to fix');
      const negative = /^# loopwise-no-fix: (.+)$/m.exec(text);
      if (negative) {
        for (const f of before.findings) assert.ok(!f.fixes.some((x) => x.title.includes(negative[1])), `${f.code} line ${f.line} offers "${negative[1]}"`);
        return;
      }
      // `# loopwise-not-preferred: <kind>`: the fix is offered with what to check, never preferred.
      const unsafe = /^# loopwise-not-preferred: ([a-z-]+)$/m.exec(text);
      if (unsafe) {
        const offered = before.findings.flatMap((f) => f.fixes.filter((x) => x.kind === unsafe[1]));
        assert.ok(offered.length > 0, `no ${unsafe[1]} fix offered`);
        for (const x of offered) {
          assert.equal(x.isPreferred, false, `${x.title} is preferred`);
          assert.match(x.title, /\(check: .+\)$/);
        }
        if (!existsSync(join(DIR, name.replace(/\.py$/, '.fixed.py')))) return;
      }
      const expectedPath = join(DIR, name.replace(/\.py$/, '.fixed.py'));
      assert.ok(existsSync(expectedPath), `missing ${expectedPath}`);
      const named = /^# loopwise-fix: (.+)$/m.exec(text);
      const kind = /^# loopwise-fix-kind: ([a-z-]+)$/m.exec(text);
      let fixed: string;
      let fixedKeys: string[] = [];
      if (kind) {
        const r = applyNamedFix(before, text, (x) => x.kind === kind[1]);
        fixed = r.text;
        fixedKeys = r.fixed;
        assert.ok(fixedKeys.length > 0, `no finding offers a ${kind[1]} fix`);
      } else if (named) {
        const r = applyNamedFix(before, text, (x) => x.title.includes(named[1]));
        fixed = r.text;
        fixedKeys = r.fixed;
        assert.ok(fixedKeys.length > 0, `no finding offers "${named[1]}"`);
      } else {
        fixed = fixAllRounds(a, name, text);
        // Idempotent: a second run over the fixed text changes nothing.
        assert.equal(fixAllRounds(a, name, fixed), fixed, 'fix-all changed the text again');
      }
      assert.equal(fixed, readText(expectedPath));
      pythonParses(fixed);
      const after = analyzeText(a, name, fixed);
      assert.deepEqual(after.notes.filter((n) => n.kind === 'syntax-error'), []);
      const b = counts(before);
      const c = counts(after);
      for (const [key, n] of c) assert.ok(n <= (b.get(key) ?? 0), `new finding after the fix: ${key}`);
      assert.ok(after.findings.length < before.findings.length, 'no finding was fixed');
      for (const key of fixedKeys) assert.ok((c.get(key) ?? 0) < b.get(key)!, `still there: ${key}`);
    });
  }
});
