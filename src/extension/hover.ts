// Hover on a finding: why the call blocks the event loop, the chain that reaches it, and the fix.
import * as vscode from 'vscode';
import { FAMILIES } from '../core/rules';
import type { Finding } from '../core/types';
import { docsUri, findingRange } from './diagnostics';
import type { Workspace } from './workspace';

function why(f: Finding): string {
  const family = FAMILIES.find((x) => x.code === f.code)?.family;
  if (f.code === 'LW301') return vscode.l10n.t('Each iteration waits for the previous one: N round trips one after another instead of one batched query.');
  if (family === 'cpu') return vscode.l10n.t('CPU work runs on the event-loop thread: no other request on this worker makes progress until it finishes.');
  return vscode.l10n.t('The call waits for I/O while holding the event loop: every other request on this worker waits too.');
}

export function hoverMarkdown(f: Finding): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const title = FAMILIES.find((x) => x.code === f.code)?.title ?? f.code;
  md.appendMarkdown(`**[${f.code}](${docsUri(f.code).toString(true)})** `).appendText(title).appendMarkdown('\n\n');
  md.appendText(f.message).appendMarkdown('\n\n');
  md.appendMarkdown(`*${vscode.l10n.t('Why it blocks')}:* `).appendText(why(f)).appendMarkdown('\n\n');
  if (f.chain.length > 1) {
    md.appendMarkdown(`*${vscode.l10n.t('Call chain')}:* `).appendText(f.chain.map((h) => h.name).join(' → ')).appendMarkdown('\n\n');
  }
  for (const fix of f.fixes) {
    md.appendMarkdown(`*${vscode.l10n.t('Fix')}${fix.isPreferred ? ` (${vscode.l10n.t('preferred')})` : ''}:* `).appendText(fix.title + (fix.note ? ` (${fix.note})` : '')).appendMarkdown('\n\n');
  }
  return md;
}

export class Hovers implements vscode.HoverProvider {
  constructor(private ws: Workspace) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (this.ws.analyzedText(doc.uri) !== doc.getText()) return undefined;
    const hits = this.ws.findings(doc.uri).filter((f) => findingRange(f).contains(pos));
    if (!hits.length) return undefined;
    return new vscode.Hover(hits.map(hoverMarkdown), findingRange(hits[0]));
  }
}
