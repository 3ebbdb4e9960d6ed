// The advisor stays a pure core: no VS Code import, no reads of the shared design folder.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('advisor purity', () => {
  const dir = join(__dirname, '..', '..', 'src', 'advisor');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has its modules', () => {
    assert.deepEqual(files.sort(), ['context.ts', 'deploy.ts', 'engine.ts', 'format.ts', 'index.ts', 'inputs.ts', 'loadtests.ts', 'loopAdvice.ts']);
  });

  for (const f of files) {
    it(`${f} imports neither vscode nor ../shared`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/);
      assert.doesNotMatch(text, /shared\//);
    });
  }
});
