// The worker recommendation the panel and the status bar show, asked from the language server
// (`loopwise/advice`), per workspace folder. The panel's inputs are kept here, per folder.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ADVICE_REQUEST, type AdviceParams, type AdviceResult, type PanelInputs } from '../server/protocol';

export type { AdviceResult as Advice, PanelInputs };

export class AdviceSource {
  private inputsByFolder = new Map<string, PanelInputs>();

  constructor(private client: LanguageClient) {}

  /** The folder of the active editor, else the first one ('' with none). */
  currentFolder(): string {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const f = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    return f?.uri.toString() ?? '';
  }

  inputs(folder: string): PanelInputs {
    return this.inputsByFolder.get(folder) ?? {};
  }

  setInputs(folder: string, inputs: PanelInputs): void {
    this.inputsByFolder.set(folder, inputs);
  }

  clearInputs(): void {
    this.inputsByFolder.clear();
  }

  async get(folder: string): Promise<AdviceResult> {
    await this.client.start();
    return this.client.sendRequest<AdviceResult>(ADVICE_REQUEST, { folder: folder || undefined, inputs: this.inputs(folder) } satisfies AdviceParams);
  }
}
