// The language client: starts the bundled server (`dist/cli.js server --node-ipc`) in its own Node
// process, so parsing and analysis never run on the extension host's thread. Settings reach the
// server through workspace/configuration; only severities the user set are sent, so the ones in
// pyproject.toml still apply under the defaults.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { SERVER_NODE_ARGS } from '../core/batchHeap';

const SEVERITY_KEYS = ['blocking', 'cpu', 'nPlusOne', 'lifespan'];

/** The `loopwise` section with only the explicitly set severities. */
function configurationFor(scopeUri: string | undefined): Record<string, unknown> {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  const c = vscode.workspace.getConfiguration('loopwise', scope);
  const severity: Record<string, string> = {};
  for (const key of SEVERITY_KEYS) {
    const i = c.inspect<string>(`severity.${key}`);
    const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (typeof v === 'string') severity[key] = v;
  }
  return { ...JSON.parse(JSON.stringify(c)) as Record<string, unknown>, severity };
}

export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const module = path.join(context.extensionPath, 'dist', 'cli.js');
  // The server's young generation is sized when its process starts (core/batchHeap.ts SERVER_NODE_ARGS):
  // given here, the server runs in the process started (without them it would start itself again, server/relaunch.ts).
  const run = { module, args: ['server'], transport: TransportKind.ipc, options: { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, execArgv: SERVER_NODE_ARGS } };
  const serverOptions: ServerOptions = { run, debug: { ...run, options: { ...run.options, execArgv: [...SERVER_NODE_ARGS, '--nolazy', '--inspect=6019'] } } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'python', scheme: 'file' }, { language: 'python', scheme: 'untitled' }],
    outputChannel: output,
    // In an untrusted workspace the server does not read pyproject.toml / loopwise.toml.
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    middleware: {
      workspace: {
        configuration: (params) => params.items.map((item) => (item.section === 'loopwise' ? configurationFor(item.scopeUri) : null)),
      },
    },
  };
  return new LanguageClient('loopwise', 'Loopwise', serverOptions, clientOptions);
}
