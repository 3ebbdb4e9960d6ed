// One fix pipeline: `loopwise fix` (the CLI's rounds) and the editor's fix-all (the extension calls the
// core's fixAllEdits on the document's text and findings, in the language server) must make the same edits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits } from '../../src/core/fixes';
import { fixAllEdits, runFixPipeline } from '../../src/core/fixes/pipeline';
import { analyzeText, analyzer, fixAllRounds, readText } from './fixHelpers';

const FIXES = join(__dirname, '..', 'fixtures', 'fixes');
const SRC = join(__dirname, '..', '..', 'src');

/** What the extension's "fix all" applies: the core's fix-all edits for the document, once. */
async function editorFixAll(name: string, text: string): Promise<string> {
  const a = await analyzer();
  const result = analyzeText(a, name, text);
  return applyEdits(text, fixAllEdits(text, result.findings))!;
}

describe('one fix pipeline (CLI and editor)', () => {
  it('the language server (the editors\' fix-all) calls the core pipeline and has no selection logic of its own', () => {
    const src = readFileSync(join(SRC, 'server', 'server.ts'), 'utf8');
    assert.match(src, /import \{ fixAllEdits \} from '\.\.\/core\/fixes\/pipeline';/);
    assert.equal((src.match(/fixAllEdits\((got\.)?doc\.getText\(\), /g) ?? []).length, 2, 'both the source action and the command use it');
    assert.doesNotMatch(src, /isPreferred\) \?\?/, 'no fallback to a non-preferred fix');
  });

  it('two time.sleep calls in a coroutine: both are fixed, with one asyncio import, by both', async () => {
    const text = 'import time\n\n\nasync def poll():\n    time.sleep(1)\n    time.sleep(2)\n';
    const a = await analyzer();
    const cli = fixAllRounds(a, 'poll.py', text);
    assert.equal(cli, 'import asyncio\nimport time\n\n\nasync def poll():\n    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n');
    assert.equal(await editorFixAll('poll.py', text), cli);
  });

  for (const name of ['gather-bounded.py', 'path-io.py', 'chain.py', 'pool-reuse.py', 'thread-offload.py', 'plain-def.py', 'imports-fresh.py', 'tabs.py', 'crlf.py']) {
    it(`${name}: the editor's fix-all makes the CLI's first-round edits`, async () => {
      const a = await analyzer();
      const text = readText(join(FIXES, name));
      const result = analyzeText(a, name, text);
      const oneRound = runFixPipeline({ result, files: new Map([[name, { text }]]), reanalyze: (t) => analyzeText(a, name, t.get(name) ?? text), maxRounds: 1 });
      const editor = await editorFixAll(name, text);
      assert.notEqual(editor, text, 'nothing to fix');
      assert.equal(editor, oneRound.texts.get(name) ?? text);
      // These files need one round only, so the editor's result is also the CLI's final text.
      assert.equal(editor, fixAllRounds(a, name, text));
    });
  }
});
