// The extension's view of the workspace: every .py file's text (open documents override the disk),
// one Analyzer for all of them, and the latest ScanResult. Edits reparse incrementally and re-run the
// (cached) workspace analysis; the startup scan reads and parses files in small slices so the
// extension host keeps answering while it runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Analyzer, type DocumentEdit, type SourceFile } from '../core/analyzer';
import { excluder } from '../core/config';
import { decode, MAX_FILE_BYTES, moduleName, SKIP_DIRS } from '../core/files';
import { isTestCode, projectPath } from '../core/python/sourceRoots';
import type { Finding, HandlerReport, ScanResult } from '../core/types';
import { analyzeOptions, readSettings, type Settings } from './settings';

interface Entry {
  uri: vscode.Uri;
  text: string;
  module: string;
  isPackage: boolean;
  /** Workspace folder key ('' outside any folder). */
  folder: string;
  /** True while a TextDocument supplies the text. */
  open: boolean;
  /** True when the file is part of the workspace scan (not just an open outside file). */
  onDisk: boolean;
  /** Test code, a script or an example (reported at the test-code severity, info by default). */
  testCode?: boolean;
}

interface Pending { edits: DocumentEdit[]; base: string; timer?: NodeJS.Timeout }

export interface Timings {
  activateMs?: number;
  /** From the first python document's open to its first published diagnostics. */
  firstDiagnosticsMs?: number;
  /** Wall time of each edit-triggered re-analysis (incremental reparse + workspace analysis). */
  edits: { file: string; ms: number; parseMs: number; incremental: boolean }[];
  scans: { files: number; ms: number }[];
}

const SLICE_MS = 25;

export class Workspace implements vscode.Disposable {
  private entries = new Map<string, Entry>();
  private analyzer?: Promise<Analyzer>;
  private results = new Map<string, ScanResult>();
  private byFile = new Map<string, Finding[]>();
  private pending = new Map<string, Pending>();
  private settings = new Map<string, Settings>();
  private scanCts?: vscode.CancellationTokenSource;
  private folderTimers = new Map<string, NodeJS.Timeout>();
  private firstOpenAt?: number;
  private emitter = new vscode.EventEmitter<ScanResult>();
  private disposables: vscode.Disposable[] = [];
  /** Fires after every analysis with the merged result of all folders. */
  readonly onDidAnalyze = this.emitter.event;
  readonly timings: Timings = { edits: [], scans: [] };
  result: ScanResult = emptyResult();
  scanning: Promise<void> = Promise.resolve();

  constructor(private grammarDir: string, private log: vscode.OutputChannel) {
    this.disposables.push(this.emitter);
  }

  /** The analyzer and its wasm are loaded on first use, once. */
  private getAnalyzer(): Promise<Analyzer> {
    this.analyzer ??= Analyzer.create(this.grammarDir);
    return this.analyzer;
  }

  settingsFor(folderKey: string): Settings {
    let s = this.settings.get(folderKey);
    if (!s) {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === folderKey);
      s = readSettings(folder);
      this.settings.set(folderKey, s);
      for (const p of s.config.problems) this.log.appendLine(`config: ${p}`);
    }
    return s;
  }

  settingsForUri(uri: vscode.Uri): Settings {
    return this.settingsFor(this.folderKey(uri));
  }

  reloadSettings(): void {
    this.settings.clear();
  }

  findings(uri: vscode.Uri): Finding[] {
    return this.byFile.get(uri.toString()) ?? [];
  }

  handlers(uri: vscode.Uri): HandlerReport[] {
    const key = uri.toString();
    return this.result.handlers.filter((h) => h.file === key);
  }

  /** The text the latest analysis of this file saw, to check that finding offsets still apply. */
  analyzedText(uri: vscode.Uri): string | undefined {
    return this.entries.get(uri.toString())?.text;
  }

  private folderKey(uri: vscode.Uri): string {
    return vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '';
  }

  isPython(doc: vscode.TextDocument): boolean {
    return doc.languageId === 'python' && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined);
  }

  private excluded(uri: vscode.Uri, folder: vscode.WorkspaceFolder | undefined): boolean {
    if (!folder) return false;
    const rel = path.posix.relative(folder.uri.path, uri.path);
    if (rel.split('/').some((seg) => SKIP_DIRS.has(seg) || seg.endsWith('.egg-info'))) return true;
    return excluder(this.settingsFor(folder.uri.toString()).config.exclude)?.(rel) ?? false;
  }

  private makeEntry(uri: vscode.Uri, text: string, open: boolean, onDisk: boolean): Entry {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    let mod = { module: path.posix.basename(uri.path, '.py') || 'main', isPackage: false };
    if (uri.scheme === 'file') mod = moduleName(uri.fsPath, folder?.uri.fsPath ?? path.dirname(uri.fsPath));
    else if (folder) mod = moduleName(uri.path, folder.uri.path);
    const patterns = folder ? this.settingsFor(folder.uri.toString()).config.testCode : undefined;
    const rel = uri.scheme === 'file' ? projectPath(uri.fsPath, folder?.uri.fsPath ?? path.dirname(uri.fsPath)) : folder ? path.posix.relative(folder.uri.path, uri.path) : path.posix.basename(uri.path);
    const testCode = isTestCode(rel, patterns ? excluder(patterns) ?? (() => false) : undefined);
    return { uri, text, module: mod.module, isPackage: mod.isPackage, folder: folder?.uri.toString() ?? '', open, onDisk, testCode };
  }

  private source(e: Entry): SourceFile {
    return { path: e.uri.toString(), text: e.text, module: e.module, isPackage: e.isPackage, testCode: e.testCode };
  }

  // ---- documents -------------------------------------------------------------------------------

  async openDocument(doc: vscode.TextDocument): Promise<void> {
    if (!this.isPython(doc) || !this.settingsForUri(doc.uri).enable) return;
    this.firstOpenAt ??= performance.now();
    const key = doc.uri.toString();
    const prev = this.entries.get(key);
    const entry = this.makeEntry(doc.uri, doc.getText(), true, prev?.onDisk ?? false);
    if (!prev && doc.uri.scheme === 'file' && !this.excluded(doc.uri, vscode.workspace.getWorkspaceFolder(doc.uri))) {
      entry.onDisk = vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined;
    }
    this.entries.set(key, entry);
    const analyzer = await this.getAnalyzer();
    if (this.entries.get(key) !== entry) return;
    entry.text = doc.getText();
    this.guard(() => analyzer.updateDocument(this.source(entry), []));
    this.analyzeFolder(entry.folder, analyzer);
  }

  /** Records the change and re-analyses after the debounce (or at once when asked for fresh results). */
  changeDocument(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    const key = doc.uri.toString();
    const entry = this.entries.get(key);
    if (!entry || !e.contentChanges.length) return;
    const s = this.settingsForUri(doc.uri);
    let p = this.pending.get(key);
    if (!p) { p = { edits: [], base: entry.text }; this.pending.set(key, p); }
    for (const c of e.contentChanges) p.edits.push({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text });
    if (s.trigger === 'onSave') return;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => { void this.flush(doc); }, s.debounceMs);
  }

  /** Runs a pending re-analysis of this document now; resolves when its results are published. */
  async flush(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const entry = this.entries.get(key);
    const p = this.pending.get(key);
    if (!entry) return;
    if (!p && entry.text === doc.getText()) return;
    if (p) { clearTimeout(p.timer); this.pending.delete(key); }
    const analyzer = await this.getAnalyzer();
    const text = doc.getText();
    // The incremental edits must lead from the last parsed text to this one; otherwise reparse fully.
    let edits = p?.edits ?? [];
    if (!p || p.base !== entry.text || applyEdits(p.base, edits) !== text) edits = [];
    entry.text = text;
    const t0 = performance.now();
    const up = this.guard(() => analyzer.updateDocument(this.source(entry), edits));
    const parseMs = performance.now() - t0;
    this.analyzeFolder(entry.folder, analyzer, key);
    const ms = performance.now() - t0;
    this.timings.edits.push({ file: key, ms, parseMs, incremental: up?.incremental ?? false });
    if (this.timings.edits.length > 200) this.timings.edits.shift();
  }

  saveDocument(doc: vscode.TextDocument): void {
    if (this.entries.has(doc.uri.toString())) void this.flush(doc);
  }

  async closeDocument(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const entry = this.entries.get(key);
    if (!entry) return;
    const p = this.pending.get(key);
    if (p) { clearTimeout(p.timer); this.pending.delete(key); }
    const analyzer = await this.getAnalyzer();
    analyzer.forget(key);
    if (entry.onDisk) {
      // Still part of the workspace: fall back to what is on disk.
      const text = await this.readFile(doc.uri);
      if (text === undefined) this.entries.delete(key);
      else this.entries.set(key, { ...entry, text, open: false });
    } else {
      this.entries.delete(key);
    }
    this.analyzeFolder(entry.folder, analyzer);
  }

  // ---- files on disk ---------------------------------------------------------------------------

  private async readFile(uri: vscode.Uri): Promise<string | undefined> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (bytes.byteLength > MAX_FILE_BYTES) return undefined;
      return decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))?.text;
    } catch {
      return undefined;
    }
  }

  /** A .py file was created or changed on disk (saved elsewhere, git checkout, another tool). */
  async fileChanged(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || this.entries.get(key)?.open || this.excluded(uri, folder)) return;
    if (!this.settingsFor(folder.uri.toString()).enable) return;
    const text = await this.readFile(uri);
    if (text === undefined) { this.fileDeleted(uri); return; }
    if (this.entries.get(key)?.open) return;
    this.entries.set(key, this.makeEntry(uri, text, false, true));
    this.scheduleFolder(folder.uri.toString());
  }

  fileDeleted(uri: vscode.Uri): void {
    const key = uri.toString();
    const prefix = key.endsWith('/') ? key : `${key}/`;
    const folders = new Set<string>();
    for (const [k, e] of this.entries) {
      if ((k === key || k.startsWith(prefix)) && !e.open) {
        this.entries.delete(k);
        folders.add(e.folder);
        void this.analyzer?.then((a) => a.forget(k));
      }
    }
    for (const f of folders) this.scheduleFolder(f);
  }

  private scheduleFolder(folder: string): void {
    clearTimeout(this.folderTimers.get(folder));
    this.folderTimers.set(folder, setTimeout(() => {
      this.folderTimers.delete(folder);
      void this.getAnalyzer().then((a) => this.analyzeFolder(folder, a));
    }, 200));
  }

  /** Scans every workspace folder in the background with a cancellable progress notification. */
  scanWorkspace(): Promise<void> {
    this.scanCts?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.scanCts = cts;
    this.scanning = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loopwise: scanning workspace'), cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        await this.scan(cts.token, progress);
      },
    )).finally(() => { if (this.scanCts === cts) this.scanCts = undefined; cts.dispose(); });
    return this.scanning;
  }

  private async scan(token: vscode.CancellationToken, progress: vscode.Progress<{ message?: string; increment?: number }>): Promise<void> {
    const t0 = performance.now();
    const analyzer = await this.getAnalyzer();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const skip = `**/{${[...SKIP_DIRS].join(',')}}/**`;
    let count = 0;
    for (const folder of folders) {
      const fkey = folder.uri.toString();
      if (!this.settingsFor(fkey).enable) continue;
      const uris = (await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), skip, undefined, token))
        .filter((u) => !this.excluded(u, folder))
        .sort((a, b) => a.path.localeCompare(b.path));
      const seen = new Set(uris.map((u) => u.toString()));
      for (const [k, e] of this.entries) if (e.folder === fkey && !e.open && !seen.has(k)) this.entries.delete(k);
      let slice = performance.now();
      for (let i = 0; i < uris.length; i += 8) {
        if (token.isCancellationRequested) return;
        const batch = uris.slice(i, i + 8);
        const texts = await Promise.all(batch.map((u) => this.entries.get(u.toString())?.open ? undefined : this.readFile(u)));
        batch.forEach((u, j) => {
          const key = u.toString();
          const prev = this.entries.get(key);
          if (prev?.open) { prev.onDisk = true; return; }
          const text = texts[j];
          if (text === undefined) { this.entries.delete(key); return; }
          const entry = this.makeEntry(u, text, false, true);
          this.entries.set(key, entry);
          // Parse now, a slice at a time; the analysis below then only reads cached models.
          this.guard(() => analyzer.model(this.source(entry)));
        });
        count += batch.length;
        if (performance.now() - slice > SLICE_MS) {
          progress.report({ message: `${count}/${uris.length}` });
          await new Promise((r) => setImmediate(r));
          slice = performance.now();
        }
      }
      if (token.isCancellationRequested) return;
      this.analyzeFolder(fkey, analyzer);
    }
    this.timings.scans.push({ files: count, ms: performance.now() - t0 });
    this.log.appendLine(`scanned ${count} file(s) in ${(performance.now() - t0).toFixed(0)} ms`);
  }

  /** Re-analyses every folder (settings changed). */
  async reanalyzeAll(): Promise<void> {
    const analyzer = await this.getAnalyzer();
    const folders = new Set([...this.entries.values()].map((e) => e.folder));
    for (const f of this.results.keys()) folders.add(f);
    for (const f of folders) this.analyzeFolder(f, analyzer);
  }

  // ---- analysis --------------------------------------------------------------------------------

  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.log.appendLine(`analysis error: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  /**
   * One folder's files are analysed together (imports resolve within a folder). After an edit only
   * the edited file and the files that import it are re-analysed; the rest of the result is kept.
   */
  private analyzeFolder(folder: string, analyzer: Analyzer, changed?: string): void {
    const s = this.settingsFor(folder);
    const sources: SourceFile[] = [];
    if (s.enable) for (const e of this.entries.values()) if (e.folder === folder) sources.push(this.source(e));
    const prev = this.results.get(folder);
    let r: ScanResult | undefined;
    if (!sources.length) r = emptyResult();
    else if (changed && prev) {
      const only = analyzer.dependents(sources, changed);
      const part = this.guard(() => analyzer.analyze(sources, { ...analyzeOptions(s), only }));
      if (part) {
        const keep = <T extends { file: string }>(xs: T[]) => xs.filter((x) => !only.has(x.file));
        r = summarize(sources.length, [...keep(prev.findings), ...part.findings], [...keep(prev.handlers), ...part.handlers], [...keep(prev.notes), ...part.notes.filter((n) => only.has(n.file))]);
      }
    } else {
      r = this.guard(() => analyzer.analyze(sources, analyzeOptions(s)));
    }
    if (!r) return;
    this.results.set(folder, r);
    this.merge();
    if (this.firstOpenAt !== undefined && this.timings.firstDiagnosticsMs === undefined) this.timings.firstDiagnosticsMs = performance.now() - this.firstOpenAt;
  }

  private merge(): void {
    const all = [...this.results.values()];
    this.result = summarize(all.reduce((n, r) => n + r.summary.files, 0), all.flatMap((r) => r.findings), all.flatMap((r) => r.handlers), all.flatMap((r) => r.notes));
    const findings = this.result.findings;
    this.byFile.clear();
    for (const f of findings) {
      let list = this.byFile.get(f.file);
      if (!list) this.byFile.set(f.file, (list = []));
      list.push(f);
    }
    this.emitter.fire(this.result);
  }

  /** Every file the analysis knows, for publishing (and clearing) diagnostics. */
  knownFiles(): string[] {
    return [...this.entries.keys()];
  }

  dispose(): void {
    this.scanCts?.cancel();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const t of this.folderTimers.values()) clearTimeout(t);
    void this.analyzer?.then((a) => a.dispose());
    for (const d of this.disposables) d.dispose();
  }
}

/** A ScanResult from parts, in the core's order (file, line, column, code). */
export function summarize(files: number, findings: Finding[], handlers: HandlerReport[], notes: ScanResult['notes']): ScanResult {
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
  handlers.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const byCode: Record<string, number> = {};
  for (const f of findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  return {
    version: 1,
    findings,
    handlers,
    notes,
    summary: {
      files,
      skipped: notes.filter((n) => n.kind === 'skipped').length,
      findings: findings.length,
      byCode,
      handlers: handlers.length,
      asyncHandlers: handlers.filter((h) => h.async).length,
      blockedHandlers: handlers.filter((h) => h.async && h.findings > 0).length,
    },
  };
}

export function emptyResult(): ScanResult {
  return { version: 1, findings: [], handlers: [], notes: [], summary: { files: 0, skipped: 0, findings: 0, byCode: {}, handlers: 0, asyncHandlers: 0, blockedHandlers: 0 } };
}

/** Applies edits in order, each against the text left by the previous one. */
export function applyEdits(text: string, edits: DocumentEdit[]): string {
  for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}
