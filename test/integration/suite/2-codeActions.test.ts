// Code actions through VS Code's own commands: every quick fix the core offers, the `# noqa`
// suppression, fix-all on save, and the refusal of a fix computed on an older version.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, codeOf, file, loopwiseDiagnostics, open, revertAndClose, summary, waitFor } from '../helpers';

async function actionsAt(uri: vscode.Uri, d: vscode.Diagnostic, kind?: string): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, kind, 50);
  return all;
}

describe('code actions', () => {
  before(async () => { await api(); });
  afterEach(revertAndClose);

  it('offers the suppression quick fix, and applying it removes the diagnostic', async () => {
    const uri = file('app/main.py');
    const editor = await open('app/main.py');
    const d = await waitFor('LW102 at line 20', () => loopwiseDiagnostics(uri).find((x) => x.range.start.line === 19));
    const actions = await actionsAt(uri, d);
    const ignore = actions.find((a) => a.title.includes('# noqa'));
    assert.ok(ignore?.edit, `suppression offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.strictEqual(ignore.kind?.value, 'quickfix');
    assert.ok(await vscode.workspace.applyEdit(ignore.edit));
    assert.match(editor.document.lineAt(19).text, /time\.sleep\(1\)  # noqa: LW102$/);
    await waitFor('diagnostic suppressed', () => !summary(uri).includes('20:LW102'));
  });

  it('applies every quick fix the core offers and each one clears its finding', async function () {
    let applied = 0;
    for (const rel of ['app/main.py', 'app/helpers.py', 'app/broken.py']) {
      const uri = file(rel);
      const editor = await open(rel);
      const original = editor.document.getText();
      await (await api()).flush(editor.document.uri);
      const diags = loopwiseDiagnostics(uri);
      for (const d of diags) {
        const fixes = (await actionsAt(uri, d)).filter((a) => a.kind?.value === 'quickfix' && !a.title.includes('# noqa'));
        for (const fix of fixes) {
          assert.ok(fix.edit, `fix "${fix.title}" has an edit`);
          assert.ok(await vscode.workspace.applyEdit(fix.edit));
          const line = d.range.start.line + 1;
          const code = codeOf(d);
          await waitFor(`"${fix.title}" clears ${code} at ${rel}:${line}`, () => !loopwiseDiagnostics(uri).some((x) => codeOf(x) === code && x.message === d.message));
          applied++;
          // Back to the original text for the next fix.
          const all = new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(editor.document.getText().length));
          const undo = new vscode.WorkspaceEdit();
          undo.replace(uri, all, original);
          await vscode.workspace.applyEdit(undo);
          await waitFor('original diagnostics back', () => loopwiseDiagnostics(uri).length === diags.length);
        }
      }
    }
    console.log(`    quick fixes applied: ${applied}`);
    if (applied === 0) this.skip(); // the core offers no fixes yet (fixes engine not merged)
  });

  it('refuses a quick fix computed on an older version of the document', async () => {
    // At the protocol level, as VS Code itself resolves a chosen quick fix: the server builds the
    // edit only for the document version the action was computed on.
    const a = await api();
    const uri = file('app/main.py');
    const editor = await open('app/main.py');
    const d = await waitFor('LW102', () => loopwiseDiagnostics(uri).find((x) => x.range.start.line === 19));
    const range = { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } };
    const list = await a.client.sendRequest<{ title: string; edit?: unknown; data?: unknown; disabled?: unknown }[]>('textDocument/codeAction', { textDocument: { uri: uri.toString() }, range, context: { diagnostics: [] } });
    assert.ok(list.length > 0);
    assert.ok(list.every((x) => x.data && !x.edit), 'edits are built at resolve time');
    const current = await a.client.sendRequest<{ edit?: unknown; disabled?: unknown }>('codeAction/resolve', list[0]);
    assert.ok(current.edit && !current.disabled, 'resolves while the document is unchanged');
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# moved\n'));
    const resolved = await a.client.sendRequest<{ edit?: unknown; disabled?: unknown }>('codeAction/resolve', list[0]);
    assert.strictEqual(resolved.edit, undefined, 'no edit for a stale action');
    assert.ok(resolved.disabled, 'the stale action is disabled');
  });

  it('fix-all runs on save through editor.codeActionsOnSave', async function () {
    const uri = file('app/main.py');
    const editor = await open('app/main.py');
    await waitFor('diagnostics', () => loopwiseDiagnostics(uri).length === 3);
    const fixAll = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.loopwise', 5);
    if (!fixAll.some((x) => x.kind?.value === 'source.fixAll.loopwise')) { this.skip(); return; }
    const before = editor.document.getText();
    await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '\n'));
    await editor.document.save();
    assert.notStrictEqual(editor.document.getText().trimEnd(), before.trimEnd(), 'save applied the fixes');
    await waitFor('fixed findings gone', () => loopwiseDiagnostics(uri).length < 3);
    // Put the fixture back on disk for the later suites.
    const all = new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(editor.document.getText().length));
    const undo = new vscode.WorkspaceEdit();
    undo.replace(uri, all, before);
    await vscode.workspace.applyEdit(undo);
    const config = vscode.workspace.getConfiguration('editor', uri);
    const onSave = config.get('codeActionsOnSave');
    await config.update('codeActionsOnSave', {}, vscode.ConfigurationTarget.WorkspaceFolder);
    await editor.document.save();
    await config.update('codeActionsOnSave', onSave, vscode.ConfigurationTarget.WorkspaceFolder);
  });

  it('"Loopwise: Fix all in file" is a no-op without fixes and applies them when there are', async () => {
    await open('app/broken.py');
    const n = await vscode.commands.executeCommand<number>('loopwise.fixAll');
    assert.strictEqual(typeof n, 'number');
  });
});
