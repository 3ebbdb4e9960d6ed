// Quick fixes from the core's Fix[] (preferred one marked), a `# noqa` suppression, and
// `source.fixAll.loopwise`. Every edit is built against the document version the action was made
// for; a quick fix resolved after the document changed is refused rather than applied off target.
import * as vscode from 'vscode';
import { fixAllEdits } from '../core/fixes/pipeline';
import type { Finding, Fix, TextEdit } from '../core/types';
import { findingRange, toDiagnostic } from './diagnostics';
import type { Workspace } from './workspace';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('loopwise');

class LoopwiseAction extends vscode.CodeAction {
  constructor(title: string, kind: vscode.CodeActionKind, readonly uri: vscode.Uri, readonly version: number, readonly edits: TextEdit[]) {
    super(title, kind);
  }
}

/** Fix-all never silences a finding: it only applies real fixes. */
export function isSuppression(fix: Fix): boolean {
  return fix.kind === 'noqa';
}

/** `# noqa: LW101` at the end of the finding's last line, or the code added to an existing list. */
export function suppressionEdit(doc: vscode.TextDocument, f: Finding): TextEdit | undefined {
  const line = doc.lineAt(Math.min(f.endLine - 1, doc.lineCount - 1));
  const end = doc.offsetAt(line.range.end);
  const m = /#\s*noqa(:\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?\s*$/i.exec(line.text);
  if (m && !m[1]) return undefined; // a bare `# noqa` already silences everything
  if (m) return { start: end, end, newText: `, ${f.code}` };
  return { start: end, end, newText: `  # noqa: ${f.code}` };
}

export function toWorkspaceEdit(doc: vscode.TextDocument, edits: TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  return we;
}

export class CodeActions implements vscode.CodeActionProvider<LoopwiseAction> {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];

  constructor(private ws: Workspace) {}

  /** Findings for this document, computed on exactly its current text. */
  private async fresh(doc: vscode.TextDocument): Promise<Finding[] | undefined> {
    await this.ws.flush(doc);
    return this.ws.analyzedText(doc.uri) === doc.getText() ? this.ws.findings(doc.uri) : undefined;
  }

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): Promise<LoopwiseAction[]> {
    const findings = await this.fresh(doc);
    if (!findings) return [];
    const version = doc.version;
    const out: LoopwiseAction[] = [];
    if (ctx.only?.contains(FIX_ALL_KIND)) {
      const edits = fixAllEdits(doc.getText(), findings);
      if (edits.length) {
        const a = new LoopwiseAction(vscode.l10n.t('Loopwise: fix all auto-fixable problems'), FIX_ALL_KIND, doc.uri, version, edits);
        a.edit = toWorkspaceEdit(doc, edits);
        out.push(a);
      }
    }
    if (ctx.only && !ctx.only.intersects(vscode.CodeActionKind.QuickFix)) return out;
    for (const f of findings) {
      if (!findingRange(f).intersection(range)) continue;
      const diag = ctx.diagnostics.find((d) => d.source === 'loopwise' && codeOf(d) === f.code && d.range.isEqual(findingRange(f))) ?? toDiagnostic(f);
      for (const fix of f.fixes) out.push(this.quickFix(doc, version, f, fix, diag));
      // The core's fixes may already include the suppression; otherwise offer ours.
      const sup = f.fixes.some(isSuppression) ? undefined : suppressionEdit(doc, f);
      if (sup) {
        const a = new LoopwiseAction(vscode.l10n.t('Ignore {0} on this line (# noqa)', f.code), vscode.CodeActionKind.QuickFix, doc.uri, version, [sup]);
        a.diagnostics = [diag];
        out.push(a);
      }
    }
    return out;
  }

  private quickFix(doc: vscode.TextDocument, version: number, f: Finding, fix: Fix, diag: vscode.Diagnostic): LoopwiseAction {
    const a = new LoopwiseAction(fix.note ? `${fix.title} (${fix.note})` : fix.title, vscode.CodeActionKind.QuickFix, doc.uri, version, fix.edits);
    a.isPreferred = fix.isPreferred;
    a.diagnostics = [diag];
    return a;
  }

  /** Builds the edit at apply time, only if the document is still the version the fix was computed on. */
  resolveCodeAction(a: LoopwiseAction): LoopwiseAction {
    if (a.edit) return a;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === a.uri.toString());
    if (!doc || doc.version !== a.version) {
      a.disabled = { reason: vscode.l10n.t('The file changed since this fix was computed; try again.') };
      void vscode.window.showWarningMessage(vscode.l10n.t('Loopwise: the file changed since this fix was computed; it was not applied.'));
      return a;
    }
    a.edit = toWorkspaceEdit(doc, a.edits);
    return a;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' ? String(c.value) : c === undefined ? undefined : String(c);
}

/** "Loopwise: Fix all in file": the fix-all edit for the active document, refused if it went stale. */
export async function fixAllInDocument(ws: Workspace, doc: vscode.TextDocument): Promise<number> {
  await ws.flush(doc);
  if (ws.analyzedText(doc.uri) !== doc.getText()) return 0;
  const version = doc.version;
  const edits = fixAllEdits(doc.getText(), ws.findings(doc.uri));
  if (!edits.length) return 0;
  if (doc.version !== version) return 0;
  const ok = await vscode.workspace.applyEdit(toWorkspaceEdit(doc, edits));
  return ok ? edits.length : 0;
}
