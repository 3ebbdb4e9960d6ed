// The worker panel's webview is untrusted: every message it posts is checked at run time before the
// extension acts on it (src/extension/panelProtocol.ts; pure, so it runs without VS Code).
import { strict as assert } from 'node:assert';
import { MAX_PANEL_TEXT, parseFromWebview } from '../../src/extension/panelProtocol';

describe('hardening: webview messages validated at run time', () => {
  const current = { cores: 2, loadTestFile: '/work/app/wrk-4.txt' };

  it('accepts the messages the panel sends', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }, current), { type: 'ready' });
    assert.deepEqual(parseFromWebview({ type: 'pickLoadTest' }, current), { type: 'pickLoadTest' });
    assert.deepEqual(parseFromWebview({ type: 'reveal', kind: 'finding', index: 3 }, current), { type: 'reveal', kind: 'finding', index: 3 });
    assert.deepEqual(parseFromWebview({ type: 'copy', text: 'uvicorn main:app' }, current), { type: 'copy', text: 'uvicorn main:app' });
  });

  it('refuses anything else: unknown types, non-objects, a reveal by URI (the old shape), bad indexes', () => {
    for (const bad of [
      null, 'reveal', 42, [], { type: 'openExternal', url: 'https://x' }, { type: 'reveal', uri: 'file:///etc/passwd', line: 1, column: 1 },
      { type: 'reveal', kind: 'finding', index: -1 }, { type: 'reveal', kind: 'finding', index: 1.5 }, { type: 'reveal', kind: 'finding', index: '2' },
      { type: 'reveal', kind: 'file', index: 0 }, { type: 'copy', text: { toString: () => 'x' } }, { type: 'copy', text: 'x'.repeat(MAX_PANEL_TEXT + 1) },
      { type: 'setInputs' }, { type: 'setInputs', inputs: [1, 2] }, { type: { toString: () => 'ready' } },
    ]) assert.equal(parseFromWebview(bad, current), undefined, JSON.stringify(bad));
  });

  it('setInputs: only known fields with sane values; a load-test path from the page is dropped unless it is the one already chosen', () => {
    const m = parseFromWebview({ type: 'setInputs', inputs: {
      cores: 4, memoryMb: 10, rps: Number.NaN, ccu: 50, cannotRefactor: 'yes', loadTestFile: '/etc/shadow', loadTestText: '  ', evil: 1, __proto__: { polluted: true },
    } }, current);
    assert.deepEqual(m, { type: 'setInputs', inputs: { cores: 4, ccu: 50, cannotRefactor: false } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const keep = parseFromWebview({ type: 'setInputs', inputs: { loadTestFile: current.loadTestFile, loadTestWorkers: 4 } }, current);
    assert.deepEqual(keep, { type: 'setInputs', inputs: { loadTestFile: current.loadTestFile, loadTestWorkers: 4, cannotRefactor: false } });
  });
});
