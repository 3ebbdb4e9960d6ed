// One lens above each route, websocket, dependency and middleware: its CPU / I/O split and how many
// blockers it has; clicking opens the worker panel focused on that handler.
import * as vscode from 'vscode';
import type { HandlerReport } from '../core/types';
import type { Workspace } from './workspace';

const SHOWN = new Set(['route', 'websocket', 'dependency', 'middleware']);

/** `GET /weather · I/O 90 % · CPU 10 % · 2 blockers` */
export function lensTitle(h: HandlerReport): string {
  const total = h.cpuMs + h.ioMs + h.blockingMs;
  const pct = (n: number) => `${total > 0 ? Math.round((n / total) * 100) : 0} %`;
  const parts = [h.route ?? `${vscode.l10n.t(h.kind)} ${h.name}`, `I/O ${pct(h.ioMs)}`, `CPU ${pct(h.cpuMs)}`];
  if (h.blockingMs > 0) parts.push(vscode.l10n.t('blocking {0}', pct(h.blockingMs)));
  parts.push(h.findings === 1 ? vscode.l10n.t('1 blocker') : vscode.l10n.t('{0} blockers', h.findings));
  return parts.join(' · ');
}

export class CodeLenses implements vscode.CodeLensProvider {
  private changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private sub: vscode.Disposable;

  constructor(private ws: Workspace) {
    this.sub = ws.onDidAnalyze(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.ws.settingsForUri(doc.uri).codeLens) return [];
    return this.ws.handlers(doc.uri).filter((h) => SHOWN.has(h.kind)).map((h) => {
      const line = Math.min(Math.max(0, h.line - 1), doc.lineCount - 1);
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: lensTitle(h),
        command: 'loopwise.recommendWorkers',
        arguments: [{ file: h.file, line: h.line, name: h.name }],
        tooltip: vscode.l10n.t('Open the worker recommendation for this handler'),
      });
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
