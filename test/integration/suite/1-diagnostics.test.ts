// Diagnostics in a real extension host: they appear on open, follow edits, cross files, survive
// syntax errors and go away when a file is fixed, closed from the workspace or deleted.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, codeOf, file, loopwiseDiagnostics, open, replaceText, revertAndClose, summary, waitFor, writeFile } from '../helpers';

describe('diagnostics', () => {
  before(async () => { await api(); });
  afterEach(revertAndClose);

  it('activates without loading anything heavy and reports its activation time', async () => {
    const a = await api();
    assert.ok(a.activateMs < 500, `activation took ${a.activateMs.toFixed(1)} ms`);
    console.log(`    activation: ${a.activateMs.toFixed(1)} ms`);
  });

  it('shows the blockers of main.py with source, code link, severity and the chain as related information', async () => {
    const uri = file('app/main.py');
    const t0 = performance.now();
    await open('app/main.py');
    await waitFor('main.py diagnostics', () => summary(uri).length === 3);
    console.log(`    open main.py -> diagnostics: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepStrictEqual(summary(uri), ['14:LW101', '20:LW102', '26:LW101']);
    const ds = loopwiseDiagnostics(uri);
    for (const d of ds) {
      assert.strictEqual(d.source, 'loopwise');
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.ok(typeof d.code === 'object' && d.code.target.toString().includes('#blocking-'), `code target: ${JSON.stringify(d.code)}`);
    }
    const chained = ds.find((d) => d.range.start.line === 13)!;
    assert.strictEqual(chained.relatedInformation?.length, 1);
    assert.ok(chained.relatedInformation![0].location.uri.path.endsWith('/app/helpers.py'));
    assert.strictEqual(chained.relatedInformation![0].location.range.start.line, 4);
  });

  it('updates after an edit and clears once the code is fixed', async () => {
    const uri = file('app/main.py');
    const editor = await open('app/main.py');
    await waitFor('initial diagnostics', () => summary(uri).length === 3);
    await replaceText(editor.document, '    await asyncio.sleep(0.1)\n', '    await asyncio.sleep(0.1)\n    time.sleep(0.5)\n');
    await waitFor('new LW102 in fine()', () => summary(uri).includes('33:LW102'));
    await replaceText(editor.document, '    time.sleep(1)\n', '    await asyncio.sleep(1)\n');
    await waitFor('sleepy() fixed', () => !summary(uri).includes('20:LW102'));
    assert.deepStrictEqual(summary(uri), ['14:LW101', '26:LW101', '33:LW102']);
  });

  it('re-analyses the route when the helper it calls changes (cross-file chain)', async () => {
    const main = file('app/main.py');
    await open('app/main.py');
    await waitFor('chained finding', () => summary(main).includes('14:LW101'));
    const helper = await open('app/helpers.py');
    await replaceText(helper.document, 'resp = requests.get(f"https://weather.example.com/{city}")', 'resp = {"city": city}');
    await waitFor('chain gone from main.py', () => !summary(main).includes('14:LW101'));
    await replaceText(helper.document, 'resp = {"city": city}', 'resp = requests.get(f"https://weather.example.com/{city}")');
    await waitFor('chain back in main.py', () => summary(main).includes('14:LW101'));
  });

  it('follows a helper changed on disk while closed', async () => {
    const main = file('app/main.py');
    await waitFor('chained finding', () => summary(main).includes('14:LW101'));
    const original = Buffer.from(await vscode.workspace.fs.readFile(file('app/helpers.py'))).toString('utf8');
    try {
      await writeFile('app/helpers.py', 'def fetch_weather(city: str) -> dict:\n    return {"city": city}\n');
      await waitFor('chain gone after the disk change', () => !summary(main).includes('14:LW101'));
    } finally {
      await writeFile('app/helpers.py', original);
    }
    await waitFor('chain back', () => summary(main).includes('14:LW101'));
  });

  it('reports what parses in a file with syntax errors', async () => {
    const uri = file('app/broken.py');
    await open('app/broken.py');
    await waitFor('broken.py diagnostics', () => summary(uri).length > 0);
    assert.deepStrictEqual(summary(uri), ['8:LW102']);
  });

  it('honours [tool.loopwise] exclude from pyproject.toml', async () => {
    await (await api()).scanned();
    assert.deepStrictEqual(summary(file('scripts/oneoff.py')), []);
  });

  it('clears diagnostics of a deleted file', async () => {
    const uri = await writeFile('app/tmp_deleted.py', 'import time\n\n\nasync def job():\n    time.sleep(1)\n');
    await waitFor('tmp file diagnostics', () => summary(uri).length === 1);
    await vscode.workspace.fs.delete(uri);
    await waitFor('diagnostics gone after delete', () => loopwiseDiagnostics(uri).length === 0);
  });

  it('clears diagnostics of a file outside the workspace when it is closed', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'import time\n\n\nasync def job():\n    time.sleep(1)\n' });
    await vscode.window.showTextDocument(doc);
    await waitFor('untitled diagnostics', () => loopwiseDiagnostics(doc.uri).length === 1);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('diagnostics gone after close', () => loopwiseDiagnostics(doc.uri).length === 0);
  });

  it('applies severity and disabled codes from the settings', async () => {
    const uri = file('app/main.py');
    await open('app/main.py');
    await waitFor('diagnostics', () => summary(uri).length === 3);
    const config = vscode.workspace.getConfiguration('loopwise', uri);
    try {
      await config.update('severity.blocking', 'error', vscode.ConfigurationTarget.Workspace);
      await waitFor('errors', () => loopwiseDiagnostics(uri).every((d) => d.severity === vscode.DiagnosticSeverity.Error));
      await config.update('rules.disabled', ['LW102'], vscode.ConfigurationTarget.Workspace);
      await waitFor('LW102 off', () => summary(uri).join() === '14:LW101,26:LW101');
    } finally {
      await config.update('severity.blocking', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('rules.disabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('back to warnings', () => summary(uri).length === 3 && loopwiseDiagnostics(uri).every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
  });

  it('shows a hover that explains why the call blocks', async () => {
    const uri = file('app/main.py');
    await open('app/main.py');
    await waitFor('diagnostics', () => summary(uri).length === 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(19, 6));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /LW102/);
    assert.match(text, /Why it blocks/);
  });

  it('puts a code lens on each route', async () => {
    const uri = file('app/main.py');
    await open('app/main.py');
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l.length >= 4 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    const users = titles.find((t) => t.startsWith('GET /users'));
    assert.match(users ?? '', /^GET \/users · I\/O \d+ % · CPU \d+ % · blocking \d+ % · 1 blocker$/);
    assert.ok(titles.some((t) => /^GET \/fine · I\/O \d+ % · CPU \d+ % · 0 blockers$/.test(t)), titles.join(' | '));
    assert.strictEqual(lenses[0].command?.command, 'loopwise.recommendWorkers');
  });

  it('shows the blocker count and recommendation in the status bar', async () => {
    const a = await api();
    await a.scanned();
    // The status refreshes after each analysis (the settings test above changed the count and put it back).
    await waitFor('status text', () => { assert.match(a.statusText(), /Loopwise: 4 blockers · 1 worker/); return true; });
    const codes = loopwiseDiagnostics(file('app/main.py')).map(codeOf);
    assert.ok(codes.every((c) => /^LW\d{3}$/.test(c)));
  });
});
