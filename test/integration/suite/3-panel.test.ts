// The worker panel: it opens as a webview and recommends what the CLI recommends for the same inputs.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadAdvisorContext, parseRecommendArgs, recommend, type Recommendation } from '../../../src/advisor';
import { Analyzer } from '../../../src/core/analyzer';
import { scanPaths } from '../../../src/core/scan';
import { api, folder, waitFor } from '../helpers';

// The extension under test is the repository (extensionDevelopmentPath), which holds dist/cli.js.
const EXT_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(EXT_ROOT, 'dist', 'cli.js'), ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, cwd: folder().fsPath },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** `loopwise recommend PATH ARGS --format json`; where this build's CLI lacks the command, the same calls in-process. */
async function cliRecommend(args: string[]): Promise<Recommendation> {
  const out = await runCli(['recommend', folder().fsPath, ...args, '--format', 'json']);
  if ((out.code === 0 || out.code === 1) && out.stdout.trim()) return JSON.parse(out.stdout) as Recommendation;
  assert.match(out.stderr, /unknown command/, `CLI failed (${out.code}): ${out.stderr}`);
  const parsed = parseRecommendArgs([folder().fsPath, ...args]);
  const ctx = loadAdvisorContext(parsed);
  const { result } = await scanPaths([folder().fsPath], { analyzer: await Analyzer.create(path.join(EXT_ROOT, 'grammars')) });
  return recommend(result, ctx.inputs, ctx.deployments);
}

describe('worker panel', () => {
  afterEach(async () => { (await api()).advice.clearInputs(); await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  it('opens a webview tab with the recommendation', async () => {
    const a = await api();
    await a.scanned();
    const rec = await vscode.commands.executeCommand<Recommendation>('loopwise.recommendWorkers');
    assert.ok(rec && rec.workers >= 1);
    await waitFor('webview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Loopwise: Workers'));
    const state = await waitFor('panel state', () => a.panel.lastState);
    assert.strictEqual(state.workers, rec.workers);
    assert.ok(state.handlers.length >= 4, 'handlers in the chart');
    assert.ok(state.trace.some((t) => t.step === '1'), 'trace has step [1]');
    assert.strictEqual(state.inputs.origin.cores.includes('docker-compose.yml'), true, `cores prefilled from compose: ${JSON.stringify(state.inputs.origin)}`);
    // One folder here: the panel shows it (a picker appears with several).
    assert.strictEqual(state.folder, folder().toString());
    assert.deepStrictEqual(state.folders.map((f) => f.uri), [folder().toString()]);
  });

  for (const [label, inputs, flags] of [
    ['defaults', {}, []],
    ['4 cores, 12,000 req/s, cannot refactor', { cores: 4, rps: 12000, cannotRefactor: true }, ['--cores', '4', '--rps', '12000', '--cannot-refactor']],
  ] as const) {
    it(`matches the CLI's recommendation (${label})`, async () => {
      const a = await api();
      await a.scanned();
      a.advice.setInputs(a.advice.currentFolder(), { ...inputs });
      const rec = await vscode.commands.executeCommand<Recommendation>('loopwise.recommendWorkers');
      const cli = await cliRecommend([...flags]);
      // The CLI projects "after the fix" by running the fix pipeline; the extension models it
      // (README, "Recommend workers"): everything about the code as it is must agree.
      const now = (r: Recommendation) => ({
        workers: r.workers, workload: r.workload, cpuRatio: r.cpuRatio, fixFirst: r.fixFirst, reason: r.fixFirst ? '' : r.reason,
        trace: r.trace.filter((t) => t.step !== 'after-fix' && !t.question.startsWith('After the fix')).map((t) => t.answer),
      });
      assert.deepStrictEqual(now(rec), now(cli));
      assert.ok(rec.afterFix.source === 'estimate' || rec.afterFix.source === 'unchanged', rec.afterFix.source);
    });
  }

  it('focuses the handler a code lens points at', async () => {
    const a = await api();
    const h = (await a.advice.get(a.advice.currentFolder())).scan.handlers.find((x) => x.route === 'GET /users')!;
    await vscode.commands.executeCommand('loopwise.recommendWorkers', { file: h.file, line: h.line, name: h.name });
    const state = await waitFor('focused state', () => a.panel.lastState?.handlers.some((x) => x.focused) && a.panel.lastState);
    assert.strictEqual(state.handlers.find((x) => x.focused)?.label, 'GET /users');
  });
});
