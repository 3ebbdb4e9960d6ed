// `Loopwise: 3 blockers · 1 worker` in the status bar; a click opens the worker panel.
import * as vscode from 'vscode';

export class StatusBar implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem('loopwise.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Loopwise';
    this.item.command = 'loopwise.recommendWorkers';
  }

  update(blockers: number, workers: number | undefined, reason: string | undefined, folder?: string): void {
    const b = blockers === 1 ? vscode.l10n.t('1 blocker') : vscode.l10n.t('{0} blockers', blockers);
    const w = workers === undefined ? '' : ` · ${workers === 1 ? vscode.l10n.t('1 worker') : vscode.l10n.t('{0} workers', workers)}`;
    this.item.text = `$(pulse) Loopwise: ${b}${w}`;
    const tip = reason ? `${vscode.l10n.t('Recommend workers')}: ${reason}` : vscode.l10n.t('Recommend workers');
    this.item.tooltip = folder ? `${folder}: ${tip}` : tip;
    this.item.backgroundColor = blockers > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
