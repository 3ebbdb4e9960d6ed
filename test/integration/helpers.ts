// Shared helpers of the extension-host tests: the extension's API, polling, and file edits.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { LoopwiseApi } from '../../src/extension/extension';

export async function api(): Promise<LoopwiseApi> {
  const ext = vscode.extensions.getExtension<LoopwiseApi>('loopwise.loopwise');
  assert.ok(ext, 'extension loopwise.loopwise is installed');
  return ext.isActive ? ext.exports : await ext.activate();
}

export function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri;
}

export function file(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(folder(), ...rel.split('/'));
}

/** Polls until `fn` returns a truthy value (never a fixed sleep). */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function loopwiseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'loopwise');
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** `line:code` pairs (1-based lines), sorted, for compact assertions. */
export function summary(uri: vscode.Uri): string[] {
  return loopwiseDiagnostics(uri).map((d) => `${d.range.start.line + 1}:${codeOf(d)}`).sort();
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(file(rel));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Replaces the first occurrence of `find` in the document with `replace`. */
export async function replaceText(doc: vscode.TextDocument, find: string, replace: string): Promise<void> {
  const at = doc.getText().indexOf(find);
  assert.ok(at >= 0, `"${find}" is in ${doc.uri.path}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + find.length)), replace);
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
}

export async function writeFile(rel: string, text: string): Promise<vscode.Uri> {
  const uri = file(rel);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return uri;
}

export async function revertAndClose(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file') {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
