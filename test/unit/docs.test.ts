// One name links everything: each rule's code and name have a README row and a section (the anchor
// diagnostics link to), and a fixture file.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, OTHER_CODES } from '../../src/core/rules';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README and fixtures cover every rule', () => {
  for (const r of [...FAMILIES, ...OTHER_CODES]) {
    it(`${r.code} ${r.name}`, () => {
      assert.match(readme, new RegExp(`\\| ${r.code} \\| \\[${r.name}\\]\\(#${r.name}\\)`));
      assert.match(readme, new RegExp(`^### ${r.name}$`, 'm'));
      if (/^LW[1235]/.test(r.code)) {
        assert.ok(existsSync(join(ROOT, 'test', 'fixtures', 'rules', `${r.name}.py`)), `fixture for ${r.name}`);
      }
    });
  }
});
