// Findings -> vscode.Diagnostic, published per file and only for files whose findings changed.
import * as vscode from 'vscode';
import { DOCS_URL } from '../cli/format';
import { FAMILIES, OTHER_CODES } from '../core/rules';
import { langOf } from '../core/i18n';
import { localizeMessage } from '../core/i18n/diagnostics';
import type { Finding } from '../core/types';
import type { Workspace } from './workspace';

const RULE_NAMES = new Map<string, string>([...FAMILIES, ...OTHER_CODES].map((r) => [r.code, r.name]));

/** The README section of a code: `https://…#blocking-http` for LW101. */
export function docsUri(code: string): vscode.Uri {
  return vscode.Uri.parse(DOCS_URL + (RULE_NAMES.get(code) ?? code.toLowerCase()));
}

export function findingRange(f: Finding): vscode.Range {
  return new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, f.endColumn - 1);
}

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information } as const;

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(findingRange(f), localizeMessage(f, langOf(vscode.env.language)), SEVERITY[f.severity]);
  d.source = 'loopwise';
  d.code = { value: f.code, target: docsUri(f.code) };
  // Each hop after the call in the coroutine: where the chain goes, down to the blocking call.
  if (f.chain.length > 1) {
    d.relatedInformation = f.chain.slice(1).map((h, i, hops) => new vscode.DiagnosticRelatedInformation(
      new vscode.Location(vscode.Uri.parse(h.file), new vscode.Position(Math.max(0, h.line - 1), 0)),
      i === hops.length - 1 ? vscode.l10n.t('blocking call {0}', h.name) : vscode.l10n.t('calls {0}', h.name),
    ));
  }
  return d;
}

export class DiagnosticsPublisher implements vscode.Disposable {
  private collection = vscode.languages.createDiagnosticCollection('loopwise');
  private published = new Map<string, string>();
  private sub: vscode.Disposable;
  /** Resolves waiters when a file's diagnostics are published (tests and timings). */
  readonly onDidPublish = new vscode.EventEmitter<vscode.Uri[]>();

  constructor(private ws: Workspace) {
    this.sub = ws.onDidAnalyze(() => this.publish());
  }

  publish(): void {
    const changed: vscode.Uri[] = [];
    const current = new Set<string>();
    const files = new Set([...this.ws.knownFiles(), ...this.ws.result.findings.map((f) => f.file)]);
    for (const key of files) {
      const findings = this.ws.findings(vscode.Uri.parse(key));
      if (!findings.length) continue;
      current.add(key);
      const sig = JSON.stringify(findings.map((f) => [f.line, f.column, f.endLine, f.endColumn, f.code, f.severity, f.message, f.chain]));
      if (this.published.get(key) === sig) continue;
      const uri = vscode.Uri.parse(key);
      this.collection.set(uri, findings.map(toDiagnostic));
      this.published.set(key, sig);
      changed.push(uri);
    }
    for (const key of [...this.published.keys()]) {
      if (current.has(key)) continue;
      const uri = vscode.Uri.parse(key);
      this.collection.delete(uri);
      this.published.delete(key);
      changed.push(uri);
    }
    if (changed.length) this.onDidPublish.fire(changed);
  }

  dispose(): void {
    this.sub.dispose();
    this.collection.dispose();
    this.onDidPublish.dispose();
  }
}
