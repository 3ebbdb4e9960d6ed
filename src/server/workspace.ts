// The server's view of the workspace: every .py file's text (open documents override the disk), one
// Analyzer for all of them, and the latest ScanResult per workspace folder. Edits are debounced,
// reparsed incrementally, and only the edited file and its importers are re-analysed; an analysis
// whose document changed again meanwhile is dropped (the newer edit re-runs it). A file whose parse
// or analysis goes over the per-file budget gets a note instead of findings until its text changes.
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { Analyzer, type DocumentEdit, type SourceFile } from '../core/analyzer';
import { excluder } from '../core/config';
import { clearSourceRootCache, isTestCode, projectPath } from '../core/python/sourceRoots';
import { discover, MAX_FILE_BYTES, moduleName, readSource, SKIP_DIRS } from '../core/files';
import { attachFixes, type FixSource } from '../core/fixes';
import { summarize } from '../core/scan';
import type { Finding, HandlerReport, ScanResult } from '../core/types';
import type { EditTiming, ServerStats } from './protocol';
import { analyzeOptions, readSettings, type Settings } from './settings';

export interface Folder { uri: string; name: string; fsPath?: string }

interface Entry {
  uri: string;
  text: string;
  module: string;
  isPackage: boolean;
  /** Workspace folder URI ('' outside any folder). */
  folder: string;
  /** The document version while the client has it open, else undefined. */
  version?: number;
  /** Part of the workspace scan (on disk in a folder), not just an open outside file. */
  onDisk: boolean;
  /** Test code, a script or an example (reported at the test-code severity, info by default). */
  testCode?: boolean;
}

interface Pending { edits: DocumentEdit[]; base: string; version: number; firstAt: number; lastAt: number; timer?: NodeJS.Timeout }

/** What the workspace needs from the connection. */
export interface Host {
  /** The `loopwise` settings section for a folder URI ('' = no folder). */
  configuration(folder: string): Promise<unknown>;
  /** `overBudget`: the file is not analysed (too slow, or `chars` over the size limit); a note instead of findings. */
  publish(file: string, version: number | undefined, findings: Finding[], overBudget?: OverBudget): void;
  didAnalyze(folder: string, findings: number): void;
  progress(title: string): Promise<{ report(message: string, percentage?: number): void; done(): void; cancelled(): boolean }>;
  log(message: string): void;
}

/** Why a file gets a note instead of findings: its analysis took `ms` (over `budgetMs`), or it has `chars` characters, over MAX_DOCUMENT_CHARS. */
export interface OverBudget { ms: number; budgetMs: number; chars?: number }

/**
 * Open documents longer than this are not analysed (the CLI's file limit, MAX_FILE_BYTES, in UTF-16
 * units: a document over it is over the CLI's byte limit too). A 20 MB generated module kept the
 * server busy for 108 s and at 2.85 GB before this.
 */
export const MAX_DOCUMENT_CHARS = MAX_FILE_BYTES;

const SLICE_MS = 20;
const yieldTick = () => new Promise<void>((r) => setImmediate(r));

/** One spelling per file URI, whatever encoding the client used. */
export function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try { return pathToFileURL(fileURLToPath(uri)).href; } catch { return uri; }
}

export function fsPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try { return fileURLToPath(uri); } catch { return undefined; }
}

export class ServerWorkspace {
  private entries = new Map<string, Entry>();
  private analyzer?: Promise<Analyzer>;
  private results = new Map<string, ScanResult>();
  private byFile = new Map<string, Finding[]>();
  private pending = new Map<string, Pending>();
  private settings = new Map<string, Settings>();
  private settingsLoading = new Map<string, Promise<Settings>>();
  private folderTimers = new Map<string, NodeJS.Timeout>();
  private overBudget = new Map<string, OverBudget & { text: string }>();
  private published = new Map<string, string>();
  private fixCache = new Map<string, { text: string; plain: Finding[]; fixed: Map<number, Finding> }>();
  private scanGeneration = 0;
  folders: Folder[] = [];
  /** False in a workspace the client does not trust: pyproject.toml / loopwise.toml are not read. */
  trusted = true;
  readonly stats: Omit<ServerStats, 'process'> = { edits: [], scans: [], cancelled: 0, overBudget: [], scanning: false };
  scanning: Promise<void> = Promise.resolve();

  constructor(private host: Host, private grammarDir?: string) {}

  private getAnalyzer(): Promise<Analyzer> {
    this.analyzer ??= Analyzer.create(this.grammarDir);
    return this.analyzer;
  }

  // ---- folders and settings --------------------------------------------------------------------

  setFolders(folders: { uri: string; name: string }[]): void {
    this.folders = folders.map((f) => { const uri = canonicalUri(f.uri); return { uri, name: f.name, fsPath: fsPathOf(uri) }; });
    for (const e of this.entries.values()) e.folder = this.folderOf(e.uri);
  }

  folderOf(uri: string): string {
    const p = fsPathOf(uri);
    let best: Folder | undefined;
    for (const f of this.folders) {
      const inside = p && f.fsPath ? p === f.fsPath || p.startsWith(f.fsPath.endsWith(path.sep) ? f.fsPath : f.fsPath + path.sep) : uri.startsWith(`${f.uri}/`);
      if (inside && (!best || f.uri.length > best.uri.length)) best = f;
    }
    return best?.uri ?? '';
  }

  async settingsFor(folder: string): Promise<Settings> {
    const s = this.settings.get(folder);
    if (s) return s;
    let p = this.settingsLoading.get(folder);
    if (!p) {
      p = (async () => {
        let raw: unknown;
        try { raw = await this.host.configuration(folder); } catch (err) { this.host.log(`configuration request failed: ${(err as Error).message}`); }
        const fs = this.trusted ? this.folders.find((f) => f.uri === folder)?.fsPath : undefined;
        const st = readSettings(raw, fs);
        for (const problem of st.config.problems) this.host.log(`config: ${problem}`);
        this.settings.set(folder, st);
        this.settingsLoading.delete(folder);
        return st;
      })();
      this.settingsLoading.set(folder, p);
    }
    return p;
  }

  /** Settings changed (client notification or a pyproject.toml): read them again and re-analyse. */
  async reloadSettings(): Promise<void> {
    const scope = (st: Settings | undefined) => JSON.stringify(st && [st.enable, st.config.exclude]);
    const before = new Map([...this.settings].map(([k, v]) => [k, scope(v)]));
    this.settings.clear();
    this.settingsLoading.clear();
    // A pyproject.toml (or setup.cfg) may have moved a source root: module names are found again.
    clearSourceRootCache();
    // The budget may have changed: every file gets another try.
    this.overBudget.clear();
    // Which files belong to the workspace changes only with `enable` and the excludes: rescan then.
    let rescan = false;
    for (const [k, sig] of before) if (scope(await this.settingsFor(k)) !== sig) rescan = true;
    for (const e of this.entries.values()) e.testCode = this.isTestCode(e.uri, e.folder);
    if (rescan) await this.scanWorkspace();
    else await this.reanalyzeAll();
  }

  // ---- queries ---------------------------------------------------------------------------------

  findings(uri: string): Finding[] {
    return this.byFile.get(canonicalUri(uri)) ?? [];
  }

  /**
   * This file's findings, with their fixes computed for those `want` selects (all when omitted): a
   * code action or hover needs the fixes of the findings under the cursor, not of the whole file.
   * Fixes are computed once per finding and text.
   */
  async findingsWithFixes(uri: string, want?: (f: Finding, index: number) => boolean): Promise<Finding[]> {
    const key = canonicalUri(uri);
    const e = this.entries.get(key);
    const plain = this.findings(key);
    if (!e || !plain.length) return plain;
    let hit = this.fixCache.get(key);
    if (!hit || hit.text !== e.text || hit.plain !== plain) { hit = { text: e.text, plain, fixed: new Map() }; this.fixCache.set(key, hit); }
    const cache = hit;
    const need = plain.map((f, i) => i).filter((i) => !cache.fixed.has(i) && (!want || want(plain[i], i)));
    if (need.length) {
      const analyzer = await this.getAnalyzer();
      const findings = need.map((i) => ({ ...plain[i], fixes: [] }));
      const src: FixSource | undefined = this.guard(() => ({ text: e.text, model: analyzer.model(this.source(e)) }));
      if (src) attachFixes({ ...emptyResult(), findings, handlers: this.handlers(key) }, () => src);
      need.forEach((i, k) => cache.fixed.set(i, findings[k]));
    }
    return plain.map((f, i) => cache.fixed.get(i) ?? f);
  }

  handlers(uri: string): HandlerReport[] {
    const key = canonicalUri(uri);
    return (this.results.get(this.entries.get(key)?.folder ?? this.folderOf(key))?.handlers ?? []).filter((h) => h.file === key);
  }

  result(folder: string): ScanResult {
    return this.results.get(folder) ?? emptyResult();
  }

  /** The text the latest analysis of this file saw, and the document version it had. */
  analyzed(uri: string): { text: string; version?: number } | undefined {
    const e = this.entries.get(canonicalUri(uri));
    return e && { text: e.text, version: e.version };
  }

  hasPending(uri: string): boolean {
    return this.pending.has(canonicalUri(uri));
  }

  // ---- documents -------------------------------------------------------------------------------

  private makeEntry(uri: string, text: string, version: number | undefined, onDisk: boolean): Entry {
    const folder = this.folderOf(uri);
    const p = fsPathOf(uri);
    const root = this.folders.find((f) => f.uri === folder)?.fsPath;
    let mod = { module: path.posix.basename(uri, '.py').replace(/[^A-Za-z0-9_]/g, '_') || 'main', isPackage: false };
    if (p) mod = moduleName(p, root ?? path.dirname(p));
    return { uri, text, module: mod.module, isPackage: mod.isPackage, folder, version, onDisk, testCode: this.isTestCode(uri, folder) };
  }

  /** Test code, scripts and examples (the folder's `test-code` patterns once its settings are loaded). */
  private isTestCode(uri: string, folder: string): boolean {
    const p = fsPathOf(uri);
    const root = this.folders.find((f) => f.uri === folder)?.fsPath;
    const s = this.settings.get(folder);
    return isTestCode(p ? projectPath(p, root ?? path.dirname(p)) : path.posix.basename(uri), s?.config.testCode ? matchersOf(s).testCode : undefined);
  }

  private source(e: Entry): SourceFile {
    return { path: e.uri, text: e.text, module: e.module, isPackage: e.isPackage, testCode: e.testCode };
  }

  private excluded(uri: string, s: Settings): boolean {
    const folder = this.folders.find((f) => f.uri === this.folderOf(uri));
    const p = fsPathOf(uri);
    if (!folder?.fsPath || !p) return false;
    const rel = path.relative(folder.fsPath, p).split(path.sep).join('/');
    if (rel.split('/').some((seg) => SKIP_DIRS.has(seg) || seg.endsWith('.egg-info'))) return true;
    return matchersOf(s).exclude?.(rel) ?? false;
  }

  async open(rawUri: string, text: string, version: number): Promise<void> {
    const uri = canonicalUri(rawUri);
    const prev = this.entries.get(uri);
    // The entry exists at once, so a didChange right after the didOpen finds it.
    const entry = this.makeEntry(uri, text, version, prev?.onDisk ?? false);
    this.entries.set(uri, entry);
    this.latestText.set(uri, text);
    const pend = this.pending.get(uri);
    if (pend) { clearTimeout(pend.timer); this.pending.delete(uri); }
    const s = await this.settingsFor(entry.folder);
    if (this.entries.get(uri) !== entry) return;
    if (!s.enable) { this.entries.delete(uri); this.latestText.delete(uri); return; }
    if (!prev) entry.onDisk = entry.folder !== '' && uri.startsWith('file:') && !this.excluded(uri, s);
    entry.testCode = this.isTestCode(uri, entry.folder);
    const analyzer = await this.getAnalyzer();
    if (this.entries.get(uri) !== entry) return;
    this.timedBuild(entry, () => analyzer.updateDocument(this.source(entry), []), s);
    await this.analyzeFolder(entry.folder, analyzer);
  }

  /** Records the edits (offsets against the previous text, in order) and re-analyses after the debounce. */
  async change(rawUri: string, edits: DocumentEdit[], text: string, version: number): Promise<void> {
    const uri = canonicalUri(rawUri);
    const entry = this.entries.get(uri);
    if (!entry || entry.version === undefined) return;
    const now = performance.now();
    let p = this.pending.get(uri);
    if (!p) { p = { edits: [], base: entry.text, version, firstAt: now, lastAt: now }; this.pending.set(uri, p); }
    p.edits.push(...edits);
    p.version = version;
    p.lastAt = now;
    entry.version = version;
    this.latestText.set(uri, text);
    flatten(text);
    const s = await this.settingsFor(entry.folder);
    if (s.trigger === 'onSave' || this.pending.get(uri) !== p) return;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => { void this.flush(uri); }, s.debounceMs);
  }

  /** The client's current text of open documents (pending edits included). */
  private latestText = new Map<string, string>();

  /** Runs a pending re-analysis of this document now; resolves when its results are published (or dropped for a newer edit). */
  async flush(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    const entry = this.entries.get(uri);
    const p = this.pending.get(uri);
    if (!entry || !p) return;
    clearTimeout(p.timer);
    this.pending.delete(uri);
    const text = this.latestText.get(uri) ?? entry.text;
    const analyzer = await this.getAnalyzer();
    if (this.entries.get(uri) !== entry) return;
    // The incremental edits must lead from the last parsed text to this one; otherwise reparse fully.
    // A text over the size limit was not built (timedBuild): the analyzer still holds an older one, which they do not start from.
    const built = this.overBudget.get(uri)?.chars === undefined;
    const edits = built && p.base === entry.text && editsLeadTo(p.base, p.edits, text) ? p.edits : [];
    entry.text = text;
    const s = await this.settingsFor(entry.folder);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const up = this.timedBuild(entry, () => analyzer.updateDocument(this.source(entry), edits), s);
    const parseMs = performance.now() - t0;
    // A newer edit arrived while we parsed: its own flush re-runs the analysis (cancellation).
    await yieldTick();
    if (this.pending.has(uri) || this.entries.get(uri) !== entry) { this.stats.cancelled++; return; }
    await this.analyzeFolder(entry.folder, analyzer, uri);
    if (this.pending.has(uri)) return;
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const timing: EditTiming = { file: uri, version: p.version, ms, cpuMs: (cpu.user + cpu.system) / 1000, parseMs, incremental: up?.incremental ?? false, changeToPublishMs: performance.now() - p.lastAt };
    this.stats.edits.push(timing);
    if (this.stats.edits.length > 500) this.stats.edits.shift();
  }

  save(uri: string): void {
    void this.flush(uri);
  }

  async close(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    const entry = this.entries.get(uri);
    if (!entry) return;
    const p = this.pending.get(uri);
    if (p) { clearTimeout(p.timer); this.pending.delete(uri); }
    this.latestText.delete(uri);
    const analyzer = await this.getAnalyzer();
    analyzer.forget(uri);
    const text = entry.onDisk ? this.readFile(uri) : undefined;
    if (text === undefined) this.entries.delete(uri);
    else this.entries.set(uri, { ...entry, text, version: undefined });
    await this.analyzeFolder(entry.folder, analyzer);
  }

  // ---- files on disk ---------------------------------------------------------------------------

  private readFile(uri: string): string | undefined {
    const p = fsPathOf(uri);
    if (!p) return undefined;
    return readSource(p, p).decoded?.text;
  }

  /** A .py file was created or changed on disk (saved elsewhere, git checkout, another tool). */
  async fileChanged(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    const folder = this.folderOf(uri);
    if (!folder || this.entries.get(uri)?.version !== undefined) return;
    const s = await this.settingsFor(folder);
    if (!s.enable || this.excluded(uri, s)) return;
    const text = this.readFile(uri);
    if (text === undefined) { this.fileDeleted(uri); return; }
    if (this.entries.get(uri)?.version !== undefined) return;
    this.entries.set(uri, this.makeEntry(uri, text, undefined, true));
    this.scheduleFolder(folder);
  }

  fileDeleted(rawUri: string): void {
    const uri = canonicalUri(rawUri);
    const prefix = uri.endsWith('/') ? uri : `${uri}/`;
    const folders = new Set<string>();
    for (const [k, e] of this.entries) {
      if ((k === uri || k.startsWith(prefix)) && e.version === undefined) {
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
    }, 100));
  }

  /** Scans every workspace folder in slices (the server keeps answering), with progress; a newer scan cancels an older one. */
  scanWorkspace(): Promise<void> {
    const gen = ++this.scanGeneration;
    this.stats.scanning = true;
    this.scanning = this.scan(gen).catch((err) => this.host.log(`scan failed: ${(err as Error).stack ?? err}`)).finally(() => {
      if (gen === this.scanGeneration) this.stats.scanning = false;
    });
    return this.scanning;
  }

  private async scan(gen: number): Promise<void> {
    const analyzer = await this.getAnalyzer();
    const progress = await this.host.progress('Loopwise: scanning workspace');
    const cancelled = () => gen !== this.scanGeneration || progress.cancelled();
    try {
      for (const folder of this.folders) {
        const t0 = performance.now();
        const s = await this.settingsFor(folder.uri);
        if (!s.enable || !folder.fsPath) { this.results.delete(folder.uri); continue; }
        const root = folder.fsPath;
        const ex = excluder(s.config.exclude);
        const files = discover([root], { exclude: ex ? (rel) => ex(rel.split(path.sep).join('/')) : undefined }).files;
        const uris = files.map((f) => canonicalUri(pathToFileURL(f.abs).href));
        const seen = new Set(uris);
        for (const [k, e] of this.entries) if (e.folder === folder.uri && e.version === undefined && !seen.has(k)) this.entries.delete(k);
        let slice = performance.now();
        for (let i = 0; i < files.length; i++) {
          if (cancelled()) return;
          const uri = uris[i];
          const prev = this.entries.get(uri);
          if (prev?.version !== undefined) { prev.onDisk = true; continue; }
          const text = readSource(files[i].abs, files[i].abs).decoded?.text;
          if (text === undefined) { this.entries.delete(uri); continue; }
          const entry = this.makeEntry(uri, text, undefined, true);
          this.entries.set(uri, entry);
          // Parse now, a slice at a time; the analysis below then only reads cached models.
          this.timedBuild(entry, () => analyzer.model(this.source(entry)), s);
          if (performance.now() - slice > SLICE_MS) {
            progress.report(`${folder.name}: ${i + 1}/${files.length}`, Math.round(((i + 1) / files.length) * 100));
            await yieldTick();
            slice = performance.now();
          }
        }
        if (cancelled()) return;
        await this.analyzeFolder(folder.uri, analyzer);
        this.stats.scans.push({ folder: folder.uri, files: files.length, ms: performance.now() - t0 });
        this.host.log(`scanned ${files.length} file(s) of ${folder.name} in ${(performance.now() - t0).toFixed(0)} ms`);
      }
    } finally {
      progress.done();
    }
  }

  async reanalyzeAll(): Promise<void> {
    const analyzer = await this.getAnalyzer();
    const folders = new Set([...this.entries.values()].map((e) => e.folder));
    for (const f of this.results.keys()) folders.add(f);
    for (const f of folders) await this.analyzeFolder(f, analyzer);
  }

  // ---- analysis --------------------------------------------------------------------------------

  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.host.log(`analysis error: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  /** Runs a per-file step and records the file as over budget when it took too long. */
  private timedBuild<T>(entry: Entry, fn: () => T, s: Settings): T | undefined {
    if (entry.text.length > MAX_DOCUMENT_CHARS) {
      // Not built at all: a note says why (see MAX_DOCUMENT_CHARS); it lifts when the text is short enough.
      this.overBudget.set(entry.uri, { text: entry.text, ms: 0, budgetMs: s.fileBudgetMs, chars: entry.text.length });
      this.stats.overBudget = [...this.overBudget.keys()];
      return undefined;
    }
    const t0 = performance.now();
    const r = this.guard(fn);
    this.checkBudget(entry, performance.now() - t0, s);
    return r;
  }

  private checkBudget(entry: Entry, ms: number, s: Settings): void {
    const prev = this.overBudget.get(entry.uri);
    if (ms > s.fileBudgetMs) this.overBudget.set(entry.uri, { text: entry.text, ms, budgetMs: s.fileBudgetMs });
    else if (prev && prev.text !== entry.text) this.overBudget.delete(entry.uri);
    this.stats.overBudget = [...this.overBudget.keys()];
  }

  private isOverBudget(e: Entry): boolean {
    const o = this.overBudget.get(e.uri);
    return !!o && o.text === e.text;
  }

  /**
   * One folder's files are analysed together (imports resolve within a folder). After an edit only
   * the edited file and the files that import it are re-analysed; the rest of the result is kept.
   */
  private async analyzeFolder(folder: string, analyzer: Analyzer, changed?: string): Promise<void> {
    const s = await this.settingsFor(folder);
    const sources: SourceFile[] = [];
    if (s.enable) for (const e of this.entries.values()) if (e.folder === folder && !this.isOverBudget(e)) sources.push(this.source(e));
    const prev = this.results.get(folder);
    let r: ScanResult | undefined;
    const t0 = performance.now();
    if (!sources.length) r = emptyResult();
    else if (changed && prev && sources.some((x) => x.path === changed)) {
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
    // The cross-file analysis after an edit counts against the edited file's budget.
    const changedEntry = changed ? this.entries.get(changed) : undefined;
    if (changedEntry && performance.now() - t0 > s.fileBudgetMs) {
      this.checkBudget(changedEntry, performance.now() - t0, s);
      r = { ...r, findings: r.findings.filter((f) => f.file !== changed), handlers: r.handlers.filter((h) => h.file !== changed) };
    }
    this.results.set(folder, r);
    this.publishFolder(folder, r);
    // The export keys the analysis left for later (Analyzer.settle), once the diagnostics are out:
    // off this edit's latency; the next edit settles them first if it comes sooner.
    setImmediate(() => this.guard(() => analyzer.settle()));
  }

  private publishFolder(folder: string, r: ScanResult): void {
    const byFile = new Map<string, Finding[]>();
    for (const f of r.findings) {
      let list = byFile.get(f.file);
      if (!list) byFile.set(f.file, (list = []));
      list.push(f);
    }
    for (const [k, e] of this.entries) if (e.folder === folder && !byFile.has(k)) byFile.set(k, []);
    for (const k of this.published.keys()) if (!byFile.has(k) && (this.entries.get(k)?.folder ?? this.folderOfPublished.get(k)) === folder) byFile.set(k, []);
    for (const [file, findings] of byFile) {
      const e = this.entries.get(file);
      const over = e && this.isOverBudget(e) ? this.overBudget.get(file) : undefined;
      if (findings.length) this.byFile.set(file, findings); else this.byFile.delete(file);
      this.fixCache.delete(file);
      const sig = over ? (over.chars !== undefined ? `size:${over.chars}` : `budget:${over.ms}`) : JSON.stringify(findings.map((f) => [f.line, f.column, f.endLine, f.endColumn, f.code, f.severity, f.message, f.chain, f.also ?? null]));
      const had = this.published.get(file);
      if (had === sig || (had === undefined && sig === '[]')) continue;
      this.host.publish(file, e?.version, over ? [] : findings, over);
      if (sig === '[]') { this.published.delete(file); this.folderOfPublished.delete(file); } else { this.published.set(file, sig); this.folderOfPublished.set(file, folder); }
    }
    this.host.didAnalyze(folder, r.findings.length);
  }

  private folderOfPublished = new Map<string, string>();

  dispose(): void {
    this.scanGeneration++;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const t of this.folderTimers.values()) clearTimeout(t);
    void this.analyzer?.then((a) => a.dispose());
  }
}


/** A folder's exclude and test-code globs, compiled once per settings object (settings are replaced, never changed). */
const compiled = new WeakMap<Settings, { exclude: ReturnType<typeof excluder>; testCode: (rel: string) => boolean }>();
function matchersOf(s: Settings): { exclude: ReturnType<typeof excluder>; testCode: (rel: string) => boolean } {
  let m = compiled.get(s);
  if (!m) compiled.set(s, (m = { exclude: excluder(s.config.exclude), testCode: (s.config.testCode ? excluder(s.config.testCode) : undefined) ?? (() => false) }));
  return m;
}

export function emptyResult(): ScanResult {
  return summarize(0, [], [], []);
}

/**
 * `TextDocument.update` makes each version's text by concatenation (slice + change + slice), which V8
 * keeps as a tree of the pieces until a read needs the characters in a row; the first such read copies it
 * into one string (2-3 ms of CPU for onyx's 535 KB `db/models.py` on a loaded machine; session 17). Every
 * version is read in a row sooner or later (the next didChange's `substring` does it), so doing it when the
 * change arrives, inside the debounce, costs nothing more and takes it out of the re-analysis.
 */
function flatten(text: string): void {
  // Kept in a module variable, so that an optimising compiler does not drop the read as unused.
  if (text.length) flattened = text.charCodeAt(0);
}
let flattened = 0;

/** Applies edits in order, each against the text left by the previous one. */
export function applyEdits(text: string, edits: DocumentEdit[]): string {
  for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

/**
 * Whether applying `edits` in order to `base` (each against the text left by the previous one) gives
 * `text`, as `applyEdits(base, edits) === text` says for edits inside the text (one out of range: false),
 * without building that text: a document's text of more than 128 KiB is a large object, born in V8's
 * old generation, so each copy stays until the next full GC (onyx's `db/models.py`, 267k UTF-16 units
 * of two-byte text: 535 KB per keystroke, and one more per pending edit, since each `slice` of the
 * previous result flattened it). The edited text is kept as runs of `base` and the edits' texts,
 * compared in place with `text`.
 */
export function editsLeadTo(base: string, edits: readonly DocumentEdit[], text: string): boolean {
  let pieces: { s: string; from: number; to: number }[] = [{ s: base, from: 0, to: base.length }];
  let length = base.length;
  for (const e of edits) {
    if (!(e.start >= 0 && e.start <= e.end && e.end <= length)) return false;
    const before: typeof pieces = [];
    const after: typeof pieces = [];
    let pos = 0;
    for (const p of pieces) {
      const len = p.to - p.from;
      if (pos < e.start) before.push({ s: p.s, from: p.from, to: p.from + Math.min(len, e.start - pos) });
      if (pos + len > e.end) after.push({ s: p.s, from: p.from + Math.max(0, e.end - pos), to: p.to });
      pos += len;
    }
    if (e.text.length) before.push({ s: e.text, from: 0, to: e.text.length });
    pieces = before.concat(after);
    length += e.text.length - (e.end - e.start);
  }
  if (length !== text.length) return false;
  let at = 0;
  for (const p of pieces) {
    if (!text.startsWith(p.from === 0 && p.to === p.s.length ? p.s : p.s.slice(p.from, p.to), at)) return false;
    at += p.to - p.from;
  }
  return true;
}

