// VS Code entry point: the language client (analysis runs in the Loopwise language server, its own
// process), the worker panel and the status bar, which ask the server for their data. Activation
// only registers things and starts the client; it never loads the parser.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { DID_ANALYZE_NOTIFICATION, type DidAnalyzeParams, FIX_ALL_COMMAND, STATS_REQUEST, type ServerStats } from '../server/protocol';
import { type Advice, AdviceSource } from './advice';
import { createClient } from './client';
import { type Focus, WorkerPanel } from './panel';
import { StatusBar } from './statusBar';

/** What activate() returns: used by the integration tests, harmless for anyone else. */
export interface LoopwiseApi {
  client: LanguageClient;
  panel: WorkerPanel;
  advice: AdviceSource;
  /** Resolves once the server has finished its workspace scan. */
  scanned(): Promise<void>;
  /** Runs a pending re-analysis of this document now; resolves after its diagnostics were sent. */
  flush(uri: vscode.Uri): Promise<void>;
  /** The server's edit and scan timings. */
  stats(): Promise<ServerStats>;
  statusText(): string;
  activateMs: number;
}

export function activate(context: vscode.ExtensionContext): LoopwiseApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Loopwise');
  const client = createClient(context, log);
  const advice = new AdviceSource(client);
  const status = new StatusBar();
  let statusTimer: NodeJS.Timeout | undefined;
  // Answers can arrive out of order (each waits for the server's scan); only the newest request's shows.
  let statusRequest = 0;
  const refreshStatus = () => {
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      const folder = advice.currentFolder();
      const request = ++statusRequest;
      advice.get(folder).then(
        (a: Advice) => { if (request === statusRequest) status.update(a.scan.findings.length, a.rec.workers, a.rec.reason, a.folders.length > 1 ? a.folders.find((f) => f.uri === a.folder)?.name : undefined); },
        (err: Error) => log.appendLine(`advice error: ${err.message}`),
      );
    }, 100);
  };
  const panel = new WorkerPanel(context.extensionUri, advice, refreshStatus);

  context.subscriptions.push(
    log, status, panel, client,
    { dispose: () => clearTimeout(statusTimer) },
    vscode.window.onDidChangeActiveTextEditor(refreshStatus),
    // Trust granted: the project's configuration files now apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => { void client.start().then(() => client.sendNotification('loopwise/didGrantTrust')); }),
    vscode.workspace.onDidChangeWorkspaceFolders(refreshStatus),
    vscode.commands.registerCommand('loopwise.recommendWorkers', async (focus?: Focus) => (await panel.show(focus && typeof focus.file === 'string' ? focus : undefined)).rec),
    vscode.commands.registerCommand('loopwise.scanWorkspace', async () => {
      await client.start();
      await client.sendRequest('loopwise/scan');
      return (await advice.get(advice.currentFolder())).scan.summary;
    }),
    vscode.commands.registerCommand('loopwise.fixAll', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || doc.languageId !== 'python') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Loopwise: open a Python file first.'));
        return 0;
      }
      await client.start();
      const n = await client.sendRequest(ExecuteCommandRequest.type, { command: FIX_ALL_COMMAND, arguments: [doc.uri.toString()] }) as number;
      if (!n) void vscode.window.showInformationMessage(vscode.l10n.t('Loopwise: nothing to fix automatically in this file.'));
      return n ?? 0;
    }),
    vscode.commands.registerCommand('loopwise.showOutput', () => log.show()),
  );

  client.onNotification(DID_ANALYZE_NOTIFICATION, (p: DidAnalyzeParams) => {
    panel.analyzed(p.folder);
    refreshStatus();
  });
  // The server starts in the background; activate() returns at once.
  client.start().catch((err: Error) => log.appendLine(`language server failed to start: ${err.message}`));

  const activateMs = performance.now() - t0;
  log.appendLine(`activated in ${activateMs.toFixed(1)} ms`);
  return {
    client,
    panel,
    advice,
    scanned: async () => { await client.start(); await client.sendRequest('loopwise/waitForScan'); },
    flush: async (uri) => { await client.start(); await client.sendRequest('loopwise/flush', { uri: uri.toString() }); },
    stats: async () => { await client.start(); return client.sendRequest<ServerStats>(STATS_REQUEST); },
    statusText: () => status.text,
    activateMs,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it (the client stops the server).
}
