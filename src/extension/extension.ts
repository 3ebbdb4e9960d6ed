// VS Code entry point: wires the workspace model, diagnostics, code actions, lenses, hovers, the
// worker panel and the status bar. Activation only registers things; the wasm parser loads on the
// first analysis and the workspace scan starts after activate() has returned.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Advisor } from './advice';
import { CodeActions, fixAllInDocument } from './codeActions';
import { CodeLenses } from './codeLens';
import { DiagnosticsPublisher } from './diagnostics';
import { Hovers } from './hover';
import { type Focus, WorkerPanel } from './panel';
import { StatusBar } from './statusBar';
import { Workspace } from './workspace';

const PYTHON: vscode.DocumentSelector = [{ language: 'python', scheme: 'file' }, { language: 'python', scheme: 'untitled' }, { language: 'python', scheme: 'vscode-vfs' }];
const DEPLOY_GLOB = '**/{Dockerfile,Procfile,gunicorn.conf.py,*compose*.yml,*compose*.yaml,*.k8s.yaml,deployment*.yaml,deployment*.yml}';

/** What activate() returns: used by the integration tests, harmless for anyone else. */
export interface LoopwiseApi {
  workspace: Workspace;
  diagnostics: DiagnosticsPublisher;
  panel: WorkerPanel;
  advisor: Advisor;
  actions: CodeActions;
  statusText(): string;
  activateMs: number;
}

export function activate(context: vscode.ExtensionContext): LoopwiseApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Loopwise');
  const ws = new Workspace(path.join(context.extensionPath, 'grammars'), log);
  const diagnostics = new DiagnosticsPublisher(ws);
  const firstFolder = () => vscode.workspace.workspaceFolders?.[0];
  const advisor = new Advisor(firstFolder, () => ws.settingsFor(firstFolder()?.uri.toString() ?? ''));
  const status = new StatusBar();
  const refreshStatus = () => {
    try {
      const { rec } = advisor.compute(ws.result);
      status.update(ws.result.findings.length, rec.workers, rec.reason);
    } catch (err) {
      log.appendLine(`advisor error: ${(err as Error).stack ?? err}`);
      status.update(ws.result.findings.length, undefined, undefined);
    }
  };
  const panel = new WorkerPanel(context.extensionUri, ws, advisor, refreshStatus);
  const actions = new CodeActions(ws);
  const lenses = new CodeLenses(ws);

  context.subscriptions.push(
    log, ws, diagnostics, status, panel, lenses,
    ws.onDidAnalyze(refreshStatus),
    vscode.languages.registerCodeActionsProvider(PYTHON, actions, { providedCodeActionKinds: CodeActions.kinds }),
    vscode.languages.registerCodeLensProvider(PYTHON, lenses),
    vscode.languages.registerHoverProvider(PYTHON, new Hovers(ws)),
    vscode.workspace.onDidOpenTextDocument((d) => void ws.openDocument(d)),
    vscode.workspace.onDidChangeTextDocument((e) => ws.changeDocument(e)),
    vscode.workspace.onDidSaveTextDocument((d) => ws.saveDocument(d)),
    vscode.workspace.onDidCloseTextDocument((d) => void ws.closeDocument(d)),
    // Trust granted: pyproject.toml and the restricted workspace settings now apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => { ws.reloadSettings(); void ws.scanWorkspace(); }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => { ws.reloadSettings(); advisor.invalidateDeployment(); void ws.scanWorkspace(); }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('loopwise')) return;
      ws.reloadSettings();
      if (e.affectsConfiguration('loopwise.exclude') || e.affectsConfiguration('loopwise.enable')) void ws.scanWorkspace();
      else void ws.reanalyzeAll();
    }),
    vscode.commands.registerCommand('loopwise.recommendWorkers', (focus?: Focus) => panel.show(focus && typeof focus.file === 'string' ? focus : undefined).rec),
    vscode.commands.registerCommand('loopwise.scanWorkspace', async () => {
      await ws.scanWorkspace();
      return ws.result.summary;
    }),
    vscode.commands.registerCommand('loopwise.fixAll', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !ws.isPython(doc)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Loopwise: open a Python file first.'));
        return 0;
      }
      const n = await fixAllInDocument(ws, doc);
      if (n === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Loopwise: nothing to fix automatically in this file.'));
      return n;
    }),
    vscode.commands.registerCommand('loopwise.showOutput', () => log.show()),
  );

  const py = vscode.workspace.createFileSystemWatcher('**/*.py');
  const deploy = vscode.workspace.createFileSystemWatcher(DEPLOY_GLOB);
  const pyproject = vscode.workspace.createFileSystemWatcher('**/pyproject.toml');
  const redeploy = () => { advisor.invalidateDeployment(); refreshStatus(); };
  const reconfigure = () => { ws.reloadSettings(); void ws.reanalyzeAll(); };
  context.subscriptions.push(
    py, deploy, pyproject,
    py.onDidCreate((u) => void ws.fileChanged(u)),
    py.onDidChange((u) => void ws.fileChanged(u)),
    py.onDidDelete((u) => ws.fileDeleted(u)),
    deploy.onDidCreate(redeploy), deploy.onDidChange(redeploy), deploy.onDidDelete(redeploy),
    pyproject.onDidCreate(reconfigure), pyproject.onDidChange(reconfigure), pyproject.onDidDelete(reconfigure),
  );

  // Heavy work starts after activation: open documents first (fast first diagnostics), then the scan.
  setTimeout(() => {
    void (async () => {
      for (const d of vscode.workspace.textDocuments) await ws.openDocument(d);
      await ws.scanWorkspace();
    })();
  }, 0);

  const activateMs = performance.now() - t0;
  ws.timings.activateMs = activateMs;
  log.appendLine(`activated in ${activateMs.toFixed(1)} ms`);
  return { workspace: ws, diagnostics, panel, advisor, actions, statusText: () => status.text, activateMs };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
