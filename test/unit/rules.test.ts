// Every rule fixture: each `# ### ` section is analysed on its own and must report exactly the codes
// its `# expect:` comments name, on those lines (positives), and nothing else (the traps).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { sections } from './expectations';

const DIR = join(__dirname, '..', 'fixtures', 'rules');

describe('rule fixtures', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });

  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    describe(file, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      for (const s of sections(text)) {
        it(s.title, () => {
          const r = analyzer.analyze([{ path: file, text: s.text, module: 'fixture', isPackage: false }]);
          const got = r.findings.map((f) => `${f.line}:${f.code}`).sort();
          assert.deepEqual(got, s.expected, r.findings.map((f) => `${f.line}: ${f.message}`).join('\n'));
        });
      }
    });
  }
});
