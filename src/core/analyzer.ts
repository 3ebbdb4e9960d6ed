// The analysis entry point shared by the CLI and the extension: parse each file once (models are
// cached by content), build the workspace index, then report every blocking call that runs on the
// event loop, directly or through sync helpers, with a CPU / I/O estimate per coroutine.
import type { Tree } from 'web-tree-sitter';
import { Edit } from 'web-tree-sitter';
import { CallGraph, type CallInfo, CostMemo, edgeHops, isListenerRead, listenerEntry, listenerRead, type SummaryEntry, type SyncCost } from './callgraph';
import { isSuppressed } from './rules/loop-checks';
import { CostModel, type CostOverrides, type KindTimes } from './cost';
import { FastApiModel, type Role, roleInputs } from './fastapi/app';
import { mark } from './timeline';
import { attachFixes, deferFixes, fixFiller, functionIndex, sourcesFrom } from './fixes';
import { type FixMemo, newFixMemo } from './fixes/safety';
import { atScope, type Expr } from './python/ir';
import { assemble, buildModel, buildStatementPart, firstSyntaxError, type CallSite, type FileModel, type FunctionInfo, type Part, type PartCache, editLineStarts, positionAt, reuseAfterEdit, type SegmentRef, type TextLines, textLines } from './python/model';
import { rowOf } from './python/exprBuilder';
import { compactModel } from './python/compact';
import { Resolver } from './python/resolve';
import { type TestCodeKind, testCodeKind } from './python/sourceRoots';
import { initParser, parsePython, renewParser } from './parser';
import { type RuleHit, RuleSet, type RuleOptions } from './rules';
import { runLoopChecks } from './rules/loop-checks-run';
import { checkNPlusOne, isDdl, nPlusOneFix, RoundTrips } from './rules/n-plus-one';
import { handlerCalls, logCallKind, SYNC_HANDLERS } from './rules/per-request-logging';
import { type PatchTarget, patchedBy, reachesMock } from './rules/test-patches';
import { type FileResult, lineBack, remapResult, type RowEdit, WHOLE } from './resultCache';
import { CanonicalMemo, type FunctionRef, type ModuleEntry, readsChanged, SymbolIndex } from './symbols';
import { surfaceChanges } from './python/parts';
import type { AlsoReached, ChainHop, CostItem, CostWhere, FileNote, Finding, FunctionKind, HandlerReport, ScanResult, Severity, Workload } from './types';

export interface SourceFile {
  /** Path as it should appear in results (relative to the scan root for the CLI). */
  path: string;
  text: string;
  module: string;
  isPackage: boolean;
  /** Test code, a script or an example: findings at `severity['test-code']` (info) and no worker advice. */
  testCode?: boolean;
  /**
   * Read but never parsed: a cold scan's file the analysis cannot need (see reach.ts). It counts as
   * scanned, and its module name is indexed (prefixes, dotted suffixes) as if it were modelled.
   */
  unparsed?: boolean;
}

export interface AnalyzeOptions {
  rules?: RuleOptions;
  cost?: CostOverrides;
  /** Severity per family (`blocking`, `cpu`, `n-plus-one`) and for lifespan hooks. */
  severity?: Partial<Record<'blocking' | 'cpu' | 'n-plus-one' | 'lifespan' | 'test-code', Severity>>;
  /** Notes from reading files (skipped, decoded with replacement) to carry into the result. */
  notes?: FileNote[];
  /**
   * Report findings and handlers for these paths only (the whole workspace is still indexed, and
   * only what they reach is analysed): the extension's re-analysis after an edit.
   */
  only?: Set<string>;
  /**
   * Compute each finding's fixes (default). The extension skips them and asks for one finding's fixes
   * on demand. `'deferred'`: the findings come back with no fixes yet, and fixesFiller(result) fills
   * them when asked (the CLI's JSON output asks for each file's just before writing them, so the fix
   * objects die young instead of being kept, and copied by the GC, until the whole output is made).
   */
  fixes?: boolean | 'deferred';
  /**
   * Each handler report's `costs` list, the estimate's parts (default). `false`: reports without it,
   * and no cost-table entries made while the costs are summed (a scan's output does not carry them).
   * An editing session's runs (open documents) always make them: a later run carries its costs over.
   */
  costItems?: boolean;
}

/** One text change: replace [start, end) of the previous text (UTF-16 offsets) with `text`. */
export interface DocumentEdit { start: number; end: number; text: string }

/**
 * Note: edits must be given in the order they were applied, each against the text produced by
 * the previous one (VS Code's contentChanges are sorted back to front, so that order works).
 */
/** `rows`: tree-sitter's rows of `before` (where each line starts, counting `\n` only), when known. */
function toTreeEdit(before: string, e: DocumentEdit, rows?: number[]): Edit {
  const startPosition = rows ? rowAt(rows, e.start) : pointAt(before, e.start);
  const oldEndPosition = rows ? rowAt(rows, e.end) : pointAt(before, e.end);
  const nl = e.text.lastIndexOf('\n');
  let newEndPosition: { row: number; column: number };
  if (nl < 0) newEndPosition = { row: startPosition.row, column: startPosition.column + e.text.length };
  else {
    let added = 0;
    for (let i = e.text.indexOf('\n'); i >= 0; i = e.text.indexOf('\n', i + 1)) added++;
    newEndPosition = { row: startPosition.row + added, column: e.text.length - nl - 1 };
  }
  return new Edit({ startIndex: e.start, oldEndIndex: e.end, newEndIndex: e.start + e.text.length, startPosition, oldEndPosition, newEndPosition });
}

function rowAt(rows: number[], offset: number): { row: number; column: number } {
  const row = rowOf(rows, offset);
  return { row, column: offset - rows[row] };
}

/**
 * The line starts after an edit that types or removes no line break and touches none (most
 * keystrokes): the previous ones, those after the edit moved by its length change, copied once and
 * exactly sized. Undefined otherwise (editLineStarts then scans the edited lines). A start depends
 * on the two characters around it, so an edit right after a `\r` is left to editLineStarts (it may
 * split or join a `\r\n`).
 */
function startsWithinLine(prev: readonly number[], text: string, e: DocumentEdit): number[] | undefined {
  if (e.start > 0 && text.charCodeAt(e.start - 1) === 13) return undefined;
  for (let i = 0; i < e.text.length; i++) { const ch = e.text.charCodeAt(i); if (ch === 10 || ch === 13) return undefined; }
  // The first start after the edit's start: a start in (start, end] follows a removed line break.
  let lo = 0;
  let hi = prev.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (prev[mid] <= e.start) lo = mid + 1; else hi = mid; }
  if (lo < prev.length && prev[lo] <= e.end) return undefined;
  const delta = e.text.length - (e.end - e.start);
  const out = prev.slice();
  if (delta) for (let k = lo; k < out.length; k++) out[k] += delta;
  return out;
}

/** The number written in decimal digits at [from, to) of `s` (a part key's start or end), read without slicing. */
function digitsIn(s: string, from: number, to: number): number {
  let n = 0;
  for (let c = from; c < to; c++) n = n * 10 + s.charCodeAt(c) - 48;
  return n;
}

/** A part's surface hash as the model's `surface` spells it (parts are kept across keystrokes: made once each). */
const surfaceTexts = new WeakMap<Part, string>();
function surfaceText(p: Part): string {
  let s = surfaceTexts.get(p);
  if (s === undefined) surfaceTexts.set(p, (s = p.surface.toString(36)));
  return s;
}

/** The lines of a document after one edit, from its lines before (see editLineStarts). */
export function linesAfter(prev: TextLines, text: string, e: DocumentEdit): TextLines {
  const within = startsWithinLine(prev.starts, text, e);
  // The rows differ from the starts only at a lone `\r`, which such an edit neither makes nor removes.
  if (within) return { starts: within, rows: prev.rows === prev.starts ? within : startsWithinLine(prev.rows, text, e) ?? editLineStarts(prev.rows, text, e, false) };
  const starts = editLineStarts(prev.starts, text, e, true);
  const rows = editLineStarts(prev.rows, text, e, false);
  // A lone `\r` is the only difference between the two: with as many lines, they are the same.
  return { starts, rows: rows.length === starts.length ? starts : rows };
}

/** The single edit that turns `before` into `after`: the span between their common prefix and suffix. */
export function differingSpan(before: string, after: string): DocumentEdit {
  const max = Math.min(before.length, after.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let q = 0;
  while (q < max - p && before.charCodeAt(before.length - 1 - q) === after.charCodeAt(after.length - 1 - q)) q++;
  return { start: p, end: before.length - q, text: after.slice(p, after.length - q) };
}

function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { row++; lineStart = i + 1; }
  return { row, column: offset - lineStart };
}

interface CachedModel { text: string; module: string; isPackage: boolean; model: FileModel }

/**
 * Test code, scripts and examples are not the served application: a blocking call there holds up
 * only the event loop of that test or script (and what runs on it), which the message says; awaits
 * one after another (N+1) make only that test or script slower.
 */
const TEST_NOTE: Record<TestCodeKind, string> = {
  test: " (test code: it holds up this test's event loop, not a served request)",
  script: " (a script: it holds up the script's own event loop, not a served request)",
  example: " (example code: it holds up the example's event loop, not your application's)",
  other: ' (marked as test code: it holds up only its own event loop, not a served request)',
};
const TEST_NOTE_SLOW: Record<TestCodeKind, string> = {
  test: ' (test code: it slows this test, not a served request)',
  script: ' (a script: it slows the script, not a served request)',
  example: ' (example code: it slows the example, not your application)',
  other: ' (marked as test code: it slows only itself, not a served request)',
};

function testNote(mod: ModuleEntry): TestCodeKind | undefined {
  return mod.testCode ? testCodeKind(mod.file) : undefined;
}

const ROLE_WORD: Record<FunctionKind, string> = {
  route: 'async handler',
  websocket: 'async websocket handler',
  middleware: 'async middleware',
  dependency: 'async dependency',
  'exception-handler': 'async exception handler',
  lifespan: 'async startup/lifespan hook',
  coroutine: 'coroutine',
};


/** A Map that counts its changes (importersOf skips its scan of the models while none changed). */
class CountedMap<K, V> extends Map<K, V> {
  gen = 0;
  /** Keys set or deleted since `takeChanged` (undefined after a clear: every key). */
  private changedKeys: Set<K> | undefined = new Set();
  override set(k: K, v: V): this { this.gen++; this.changedKeys?.add(k); return super.set(k, v); }
  override delete(k: K): boolean { this.gen++; this.changedKeys?.add(k); return super.delete(k); }
  override clear(): void { this.gen++; this.changedKeys = undefined; super.clear(); }
  /** The keys changed since the last call (undefined: any may have). */
  takeChanged(): Set<K> | undefined {
    const out = this.changedKeys;
    this.changedKeys = new Set();
    return out;
  }
}

export class Analyzer {
  private cache = new CountedMap<string, CachedModel>();
  /** How many files were parsed (not served from the cache) since creation; tests use it. */
  parses = 0;
  /** How many times the wasm runtime aborted and the parser was rebuilt. */
  wasmResets = 0;
  /** Set after a wasm abort; the next analyze() reports it once as a note. */
  private wasmNote: FileNote | undefined;

  private constructor() { /* Analyzer.create */ }

  static async create(grammarDir?: string): Promise<Analyzer> {
    await initParser(grammarDir);
    return new Analyzer();
  }

  /**
   * Parses and builds a model; when the wasm runtime aborts (a RuntimeError: out of memory,
   * unreachable), rebuilds the parser, forgets every kept tree, and tries once more.
   */
  private parseAndBuild(file: SourceFile, oldTree: Tree | undefined, keep: boolean, reuse?: (seg: SegmentRef) => Part | undefined, nextParts?: PartCache, lines?: TextLines): { model: FileModel; tree?: Tree } {
    for (let attempt = 0; ; attempt++) {
      let tree: Tree | undefined;
      let kept = false;
      try {
        tree = parsePython(file.text, attempt ? undefined : oldTree, keep);
        this.parses++;
        const model = buildModel(tree, file.text, { module: file.module, isPackage: file.isPackage, ownText: keep }, attempt ? undefined : reuse, nextParts, this.buildStats, lines);
        kept = keep;
        return kept ? { model, tree } : { model };
      } catch (err) {
        if (attempt > 0 || !isWasmAbort(err)) throw err;
        this.recoverFromWasmAbort(err as Error, file.path);
        tree = undefined;
      } finally {
        if (tree && !kept) tree.delete();
      }
    }
  }

  private recoverFromWasmAbort(err: Error, path: string): void {
    this.wasmResets++;
    this.wasmNote ??= { file: path, kind: 'error', message: `the parser's wasm runtime aborted (${err.message}); it was reinitialised and the file analysed again` };
    // Trees live in the old state: drop them without touching it again.
    this.docs.clear();
    renewParser();
  }

  /** The file's model, from the cache when its text has not changed. Never throws on user code. */
  model(file: SourceFile, oldTree?: Tree): FileModel {
    this.settle();
    const hit = this.cache.get(file.path);
    if (hit && hit.text === file.text && hit.module === file.module && hit.isPackage === file.isPackage) return hit.model;
    const { model } = this.parseAndBuild(file, oldTree, false);
    compactModel(model);
    this.cache.set(file.path, { text: file.text, module: file.module, isPackage: file.isPackage, model });
    return model;
  }

  /** Caches a model built elsewhere (a worker thread) from exactly this file's text. */
  adopt(file: SourceFile, model: FileModel): void {
    this.settle();
    this.cache.set(file.path, { text: file.text, module: file.module, isPackage: file.isPackage, model });
  }

  /**
   * The files whose findings an edit of `path` can change: itself and every file that imports its
   * module, directly or through others (from the cached models' import lists).
   */
  dependents(files: SourceFile[], path: string): Set<string> {
    const target = files.find((f) => f.path === path);
    if (!target) return new Set([path]);
    // The edits since its importers were last analysed changed nothing they can see: the file alone.
    const view = this.viewOf(target);
    if (view !== undefined && this.analysedView.get(path) === view) return new Set([path]);
    return this.importerClosure(files, path);
  }

  /** The file and every file that imports it, directly or through others (a fresh set). */
  private importerClosure(files: SourceFile[], path: string): Set<string> {
    return new Set(this.closureOf(this.importersOf(files), path));
  }

  /**
   * importerClosure's memoised set, not to be changed. Loops over many files take `importers` once
   * (importersOf checks every file's model on each call).
   */
  private closureOf(importers: Map<string, string[]>, path: string): ReadonlySet<string> {
    let closures = this.closures.get(importers);
    if (!closures) this.closures.set(importers, (closures = new Map()));
    let out = closures.get(path);
    if (!out) {
      out = new Set<string>([path]);
      const stack = [path];
      while (stack.length) {
        for (const imp of importers.get(stack.pop()!) ?? []) if (!out.has(imp)) { out.add(imp); stack.push(imp); }
      }
      closures.set(path, out);
    }
    return out;
  }

  /** importerClosure's results per importers map (a map is replaced, never changed). */
  private closures = new WeakMap<Map<string, string[]>, Map<string, Set<string>>>();
  private importersMemo: { paths: string[]; modules: string[]; imports: Map<string, { model: FileModel; key: string }>; importers: Map<string, string[]>; gen: number; complete: boolean } | undefined;

  /** Who imports each file (by path), kept while the file list and every file's imports are unchanged. */
  private importersOf(files: SourceFile[]): Map<string, string[]> {
    const memo = this.importersMemo;
    let same = memo?.paths.length === files.length;
    for (let i = 0; same && i < files.length; i++) same = files[i].path === memo!.paths[i] && files[i].module === memo!.modules[i];
    // While the file list is the same, only files whose model changed are looked at again (none
    // when the cache is unchanged since the last call).
    if (same && memo && memo.gen === this.cache.gen) return memo.importers;
    const changed = this.cache.takeChanged();
    if (same && memo) {
      // Files whose cache entry did not change since the last call kept the model seen then.
      const paths = changed && memo.complete ? [...changed].filter((p) => memo.imports.has(p)) : files.map((f) => f.path);
      for (const path of paths) {
        const model = this.cache.get(path)?.model;
        const was = memo.imports.get(path);
        if (!model || !was) { same = false; break; }
        if (was.model === model) continue;
        const k = model.imports.map((i) => i.q).join(',');
        if (k !== was.key) { same = false; break; }
        was.model = model;
      }
      if (same) { memo.gen = this.cache.gen; return memo.importers; }
    }
    const imports = new Map<string, { model: FileModel; key: string }>();
    for (const f of files) {
      const model = this.cache.get(f.path)?.model;
      if (model) imports.set(f.path, { model, key: model.imports.map((i) => i.q).join(',') });
    }
    const importers = new Map<string, string[]>();
    const byModule = new Map(files.map((f) => [f.module, f.path]));
    for (const f of files) {
      const model = this.cache.get(f.path)?.model;
      if (!model) continue;
      for (const imp of model.imports) {
        for (let q = imp.q; q; q = q.includes('.') ? q.slice(0, q.lastIndexOf('.')) : '') {
          const p = byModule.get(q);
          if (p && p !== f.path) { let l = importers.get(p); if (!l) importers.set(p, (l = [])); l.push(f.path); break; }
        }
      }
    }
    // complete: every file had a model (else each call looks at every file again, as a missing model fails the check).
    this.importersMemo = { paths: files.map((f) => f.path), modules: files.map((f) => f.module), imports, importers, gen: this.cache.gen, complete: imports.size === files.length };
    return importers;
  }

  forget(path: string): void {
    this.settle();
    this.cache.delete(path);
    this.rowEdits.set(path, [WHOLE]);
    this.analysedView.delete(path);
    this.entries.delete(path);
    this.docs.get(path)?.tree.delete();
    this.docs.delete(path);
  }

  /** Open documents: their last tree (for incremental parsing) and the parts of their model. */
  private docs = new Map<string, { tree: Tree; text: string; lines: TextLines; parts: PartCache; module: string; view?: string; clean: boolean; blanked?: { key: string; start: number; end: number } }>();
  /**
   * For open documents: the view (see viewKey) their importers were last analysed with, recorded by
   * an analyze() that covered the document and all its importers, dropped when importers were
   * analysed with another view.
   */
  private analysedView = new Map<string, string>();

  /** An open document's current view, with what else of the file its importers' analysis reads. */
  private viewOf(f: SourceFile): string | undefined {
    const d = this.docs.get(f.path);
    const hit = this.cache.get(f.path);
    if (!d || d.view === undefined || !hit || hit.text !== f.text || d.text !== f.text) return undefined;
    return `${d.view}|${f.module}|${f.isPackage}|${f.testCode ?? false}`;
  }

  /** After a successful analyze(): record or drop the views of the open documents (see analysedView). */
  private recordViews(files: SourceFile[], only: Set<string> | undefined): void {
    let importers: Map<string, string[]> | undefined;
    for (const f of files) {
      if (!this.docs.has(f.path)) continue;
      const view = this.viewOf(f);
      const covered = view !== undefined && (!only || (only.has(f.path) && [...this.closureOf((importers ??= this.importersOf(files)), f.path)].every((p) => only.has(p))));
      if (covered) this.analysedView.set(f.path, view);
      else if (this.analysedView.get(f.path) !== view) this.analysedView.delete(f.path);
    }
  }
  /** How many top-level statements the last updateDocument rebuilt, and how many edits parsed one statement alone (tests check the work done). */
  readonly buildStats = { built: 0, statementParses: 0 };

  /**
   * An edited open document: reuses its previous tree (tree.edit + incremental parse), so a keystroke
   * in a 10k-line file reparses only the changed region. Returns whether the parse was incremental.
   */
  updateDocument(file: SourceFile, edits: DocumentEdit[]): { model: FileModel; incremental: boolean } {
    this.settle();
    const prev = this.docs.get(file.path);
    let incremental = false;
    let old: Tree | undefined;
    const rows = this.rowEdits.get(file.path) ?? [];
    if (prev && edits.length) {
      let text = prev.text;
      for (const e of edits) {
        const te = toTreeEdit(text, e, edits.length === 1 ? prev.lines.rows : undefined);
        prev.tree.edit(te);
        // An edit within one line moves no line: nothing to record.
        if (te.startPosition.row !== te.oldEndPosition.row || te.startPosition.row !== te.newEndPosition.row) rows.push({ start: te.startPosition.row + 1, oldEnd: te.oldEndPosition.row + 1, newEnd: te.newEndPosition.row + 1 });
        if (edits.length > 1) text = text.slice(0, e.start) + e.text + text.slice(e.end);
      }
      old = prev.tree;
      incremental = true;
    } else if (!prev || prev.text !== file.text) rows.push(WHOLE);
    this.rowEdits.set(file.path, rows);
    let built: { model: FileModel; tree?: Tree };
    // One edit (a keystroke, a paste): statements it did not touch keep their part of the model.
    // Several edits (typing within the debounce) count as the one span where the texts differ.
    // A statement whose typed lines were left out is not what the file's text holds: never reused.
    const reusable = prev?.blanked ? new Map([...prev.parts].filter(([key]) => key !== prev.blanked!.key)) : prev?.parts;
    const reuse = prev && edits.length && prev.module === `${file.module}:${file.isPackage}` ? reuseAfterEdit(reusable!, edits.length === 1 ? edits[0] : differingSpan(prev.text, file.text)) : undefined;
    const nextParts: PartCache = new Map();
    const e0 = edits[0];
    const lines = prev && edits.length === 1 && file.text.length === prev.text.length + e0.text.length - (e0.end - e0.start) ? linesAfter(prev.lines, file.text, e0) : textLines(file.text);
    const statement = prev && edits.length === 1 && reuse ? this.statementUpdate(prev, file, e0, lines, nextParts) : undefined;
    if (statement) {
      // The kept tree has the edit applied (tree.edit) but is not reparsed: the next full reparse
      // takes every edit since into account.
      const { model, blanked } = statement;
      this.cache.set(file.path, { text: file.text, module: file.module, isPackage: file.isPackage, model });
      this.modelParts.set(model, [...nextParts.values()]);
      this.docs.set(file.path, { tree: prev!.tree, text: file.text, lines, parts: nextParts, module: prev!.module, view: viewKey(nextParts, model), clean: true, blanked });
      return { model, incremental: true };
    }
    try {
      built = this.parseAndBuild(file, old, true, reuse, nextParts, lines);
    } catch (err) {
      if (this.docs.get(file.path) === prev) { prev?.tree.delete(); this.docs.delete(file.path); }
      throw err;
    }
    // After a wasm abort the old tree is gone with the old state (docs was cleared): not incremental.
    if (this.docs.get(file.path) === prev) prev?.tree.delete();
    else incremental = false;
    const { model, tree } = built;
    this.cache.set(file.path, { text: file.text, module: file.module, isPackage: file.isPackage, model });
    this.modelParts.set(model, [...nextParts.values()]);
    this.docs.set(file.path, { tree: tree!, text: file.text, lines, parts: nextParts, module: `${file.module}:${file.isPackage}`, view: viewKey(nextParts, model), clean: model.syntaxErrors.length === 0 });
    return { model, incremental };
  }

  /**
   * One edit strictly inside a top-level statement of a document without syntax errors (or between a
   * statement's end and the next one: typing a method after a class's last one), or inside the
   * statement whose lines were left out at the last edit (see statementPart): that statement's new
   * text alone is parsed and built, and the other statements keep their parts (moved by the edit).
   * Tree-sitter's incremental reparse of the whole file can cost as much as a full parse (after an
   * edit next to a dedent it re-lexes the rest of the file: 30 ms for a 7k-line module). Undefined
   * (the caller reparses the file) unless the new text parses, without error (possibly with the lines
   * being typed left out), as exactly one statement spanning the same range: then a parse of the whole
   * file gives the same statements, since a clean statement at column 0 leaves no state for the next one.
   */
  private statementUpdate(prev: { text: string; lines: TextLines; parts: PartCache; clean: boolean; blanked?: { key: string; start: number; end: number } }, file: SourceFile, e: DocumentEdit, lines: TextLines, nextParts: PartCache): { model: FileModel; blanked?: { key: string; start: number; end: number } } | undefined {
    const delta = e.text.length - (e.end - e.start);
    if (!prev.clean || lines.rows !== lines.starts || file.text.length !== prev.text.length + delta) return undefined;
    // The statements in order, as parallel arrays (a keystroke in a 10k-line file walks ~2,000 of
    // them: no object per statement). A key is `start:end`; its end is read without slicing it.
    const n = prev.parts.size;
    const keys = new Array<string>(n);
    const prevParts = new Array<Part>(n);
    const starts = new Array<number>(n);
    const ends = new Array<number>(n);
    const sameKey = new Uint8Array(n);
    let at = -1;
    let i = 0;
    for (const [key, part] of prev.parts) {
      const start = part.placed.start;
      const colon = key.indexOf(':');
      const keyStart = digitsIn(key, 0, colon);
      const end = digitsIn(key, colon + 1, key.length);
      if (start < e.start && e.end < end) at = i;
      keys[i] = key; prevParts[i] = part; starts[i] = start; ends[i] = end;
      // (a key whose start is not the part's is made again below, as `start:end`)
      if (keyStart === start) sameKey[i] = 1;
      i++;
    }
    // `gap`: the edit ends between the end of a statement and the next one (it starts in either); that
    // statement is parsed with the blank lines after it (what is typed there may continue it).
    let gap = false;
    if (at < 0) {
      for (let k = 0; k < n && at < 0; k++) if (starts[k] < e.start && (k + 1 === n || (e.start < starts[k + 1] && e.end < starts[k + 1]))) at = k;
      gap = at >= 0;
    }
    if (at < 0) return undefined;
    const hit = { start: starts[at], end: ends[at], part: prevParts[at], key: keys[at] };
    // Lines left out of another statement: only a parse of the whole file tells what they are now.
    if (prev.blanked && prev.blanked.key !== hit.key) return undefined;
    if (hit.part.column !== 0 || (hit.start > 0 && file.text.charCodeAt(hit.start - 1) !== 10)) return undefined;
    // The next statement must start at column 0 too: tree-sitter parses an inconsistent dedent
    // (a body line indented deeper than the next) without an error and leaves the rest of the body
    // as indented top-level statements, which the edited statement may take back.
    const after = at + 1 < n ? { start: starts[at + 1], part: prevParts[at + 1] } : undefined;
    if (after && after.part.column !== 0) return undefined;
    const text = file.text.slice(hit.start, gap ? (after ? after.start + delta : file.text.length) : hit.end + delta);
    const opts = { module: file.module, isPackage: file.isPackage, ownText: true };
    let built: { part: Part; end: number; blank?: { start: number; end: number } } | undefined;
    try {
      built = this.statementPart(text, opts, gap, rowIn(text, e.start - hit.start), rowIn(text, e.start - hit.start + e.text.length));
    } catch {
      return undefined; // a wasm abort: the whole-file path recovers
    }
    if (!built) return undefined;
    const { part } = built;
    const hitEnd = hit.start + built.end;
    this.parses++;
    this.buildStats.built = 1;
    this.buildStats.statementParses++;
    const dRows = lines.rows.length - prev.lines.rows.length;
    const segments = new Array<SegmentRef>(n);
    const parts = new Array<Part>(n);
    const surfaces = new Array<string>(n);
    for (let k = 0; k < n; k++) {
      const moved = k > at;
      const start = moved ? starts[k] + delta : starts[k];
      const end = k === at ? hitEnd : moved ? ends[k] + delta : ends[k];
      const row = prevParts[k].placed.row + (moved ? dRows : 0);
      segments[k] = { startIndex: start, endIndex: end, startPosition: { row, column: 0 } };
      const p = k === at ? part : prevParts[k];
      parts[k] = p;
      surfaces[k] = surfaceText(p);
      // A statement before the edit keeps its key (its start and end did not move).
      nextParts.set(k < at && sameKey[k] ? keys[k] : `${start}:${end}`, p);
    }
    const model = assemble(lines.starts, opts, segments, parts);
    model.surface = surfaces.join('.');
    const blanked = built.blank && { key: `${hit.start}:${hitEnd}`, start: hit.start + built.blank.start, end: hit.start + built.blank.end };
    return { model, blanked };
  }

  /**
   * A statement's part, built from its text alone (see statementUpdate). With a syntax error, the
   * lines being typed (rows `from`-`to` of `text`; else from the first error above them, from their
   * decorators, or from the line that opens what they continue) are left out: blanked, so every other record keeps its offset
   * and line, and the part notes the error. A class whose method is half typed keeps its other
   * members as importers see them; a parse of the whole file would let error recovery take the
   * statements after it (an unclosed `(` in a method turns every later class into an ERROR), which to
   * importers looks like every later name removed. `blank`: the offsets left out, in `text`.
   */
  private statementPart(text: string, opts: { module: string; isPackage: boolean; ownText: boolean }, gap: boolean, from: number, to: number): { part: Part; end: number; blank?: { start: number; end: number } } | undefined {
    const tree = parsePython(text, undefined, true);
    try {
      const error = firstSyntaxError(tree);
      if (!error) return buildStatementPart(tree, text, opts, gap);
      const rows = text.split('\n');
      const indent = (r: number) => rows[r].length - rows[r].trimStart().length;
      let typed = from;
      while (typed > 0 && !rows[typed].trim()) typed--;
      let opener = typed - 1;
      while (opener > 0 && (!rows[opener].trim() || indent(opener) >= indent(typed))) opener--;
      // A def line being typed under its decorators (`@property`): they go with it.
      let decorated = typed;
      while (decorated > 1 && rows[decorated - 1].trimStart().startsWith('@') && indent(decorated - 1) === indent(typed)) decorated--;
      const firsts = [...new Set([from, error.row, typed, decorated, opener])].filter((r) => r <= from && r > 0).sort((a, b) => b - a);
      for (const first of firsts) {
        const blank = blankRows(text, first, to);
        const masked = parsePython(blank.text, undefined, true);
        try {
          if (masked.rootNode.hasError) continue;
          const out = buildStatementPart(masked, blank.text, opts, gap);
          if (!out) continue;
          out.part.model.syntaxErrors.push({ line: error.row + 1, column: error.column + 1 });
          return { ...out, blank: { start: blank.start, end: blank.end } };
        } finally { masked.delete(); }
      }
      return undefined;
    } finally { tree.delete(); }
  }

  /** The text an open document's model stands for: its text, with the lines left out at the last edit (see statementPart) blanked. */
  modelText(path: string): string | undefined {
    const d = this.docs.get(path);
    if (!d) return undefined;
    const b = d.blanked;
    return b ? d.text.slice(0, b.start) + d.text.slice(b.start, b.end).replace(/[^\r\n]/g, ' ') + d.text.slice(b.end) : d.text;
  }

  /** Frees every kept tree (the extension calls this on deactivate). */
  dispose(): void {
    for (const d of this.docs.values()) d.tree.delete();
    this.docs.clear();
    this.cache.clear();
    this.analysedView.clear();
    this.entries.clear();
    this.workspace = undefined;
    this.importersMemo = undefined;
    this.kept = undefined;
    this.pendingKeys = undefined;
    this.keysMemo = undefined;
    this.rowEdits.clear();
    this.logCounts.clear();
    this.lastRun = undefined;
    this.droppedReads.clear();
  }

  analyze(files: SourceFile[], opts: AnalyzeOptions = {}): ScanResult {
    this.settle();
    this.keptStats.keyMs = 0;
    const notes: FileNote[] = [...(opts.notes ?? [])];
    const wasmNotesAt = notes.length;
    const entries: ModuleEntry[] = [];
    const seen = new Set<string>();
    // Unparsed files (reach.ts): their module names, and their places in the numbering of same-named modules.
    const ghosts: string[] = [];
    let slot = 0;
    for (const f of files) {
      if (f.unparsed) {
        const module = seen.has(f.module) ? `${f.module}@${entries.length + slot}` : f.module;
        seen.add(f.module);
        ghosts.push(module);
        slot++;
        continue;
      }
      let model: FileModel;
      try {
        model = this.model(f);
      } catch (err) {
        notes.push({ file: f.path, kind: 'error', message: `could not analyse: ${(err as Error).message}` });
        continue;
      }
      if (model.syntaxErrors.length) {
        const e = model.syntaxErrors[0];
        notes.push({ file: f.path, kind: 'syntax-error', message: `syntax error at line ${e.line}, column ${e.column}; findings cover the parts that parse` });
      }
      // Two files claiming one module name (scripts in different folders): keep both apart.
      let module = model.module;
      if (seen.has(module)) module = `${module}@${entries.length + slot}`;
      seen.add(module);
      entries.push(this.entryFor(f, model, module));
    }
    if (this.wasmNote) { notes.splice(wasmNotesAt, 0, this.wasmNote); this.wasmNote = undefined; }
    const keys = this.entryKeys(entries);
    const { surfaces } = keys;
    const names = ghosts.length ? `${keys.names}\n\u0001${ghosts.join('\n')}` : keys.names;
    const lastFastapi = this.workspace?.fastapi;
    const { index, fastapi, kept: resolutionsKept } = this.indexFor(entries, surfaces, names, ghosts);
    if (!fastapi) this.fastapiReads = new Set();
    const run = new Run(entries, opts, notes, files.length, this.canonicalMemo(surfaces, resolutionsKept), new Map(files.map((f) => [f.path, f.text])), index, fastapi, this.fastapiReads, this.docs.size > 0);
    run.loggingCoroutines = this.loggingCoroutines;
    // Same names and watched modules as the last run: its classified call sites serve again (Run.carryFrom),
    // when every surface is the same or the names the surfaces changed are known (indexFor), but for the
    // modules that read one of those names (see reads), which are classified again; the reads the replaced
    // files' kept functions made are theirs still.
    const last = this.lastRun;
    const changed = this.changedNow;
    const carries = last !== undefined && last.names === names && last.watch === index.watchKey && (last.surfaces === surfaces || (resolutionsKept && changed !== 'all'));
    const reread = carries && last.surfaces !== surfaces && changed !== 'all'
      ? (mod: ModuleEntry) => { const r = this.reads.get(mod.file) ?? this.droppedReads.get(mod.file); return !r || readsChanged(r, changed); }
      : undefined;
    this.carryStats.functions = carries ? run.carryFrom(last.run, reread) : 0;
    if (this.carryStats.functions) {
      for (const [file, r] of this.droppedReads) { let now = this.reads.get(file); if (!now) this.reads.set(file, (now = new Set())); for (const x of r) now.add(x); }
    }
    this.droppedReads.clear();
    this.lastRun = undefined;
    this.workspace!.fastapi = run.fastapiModel;
    // A FastAPI model built again (an edit changed what gives roles) that gives the same roles.
    const sameRoles = fastapi !== undefined || (resolutionsKept && lastFastapi !== undefined && run.fastapiModel.sameRoles(lastFastapi));
    const plan = this.planReuse(entries, surfaces, sameRoles, opts);
    const kept = plan && this.keptResults(run, plan, files, opts.only!);
    if (kept) run.narrow(plan!.run);
    const result = run.result(kept?.results);
    // Kept for editing sessions only (open documents, see Run's carryable): a scan's graph is garbage once its result is made.
    if (this.docs.size) this.lastRun = { run, names, surfaces, watch: index.watchKey };
    this.keep(run, files, entries, surfaces, opts, result, plan && kept ? { ...plan, changedNames: kept.changedNames, reused: kept.results } : undefined);
    this.recordViews(files, opts.only);
    if (opts.fixes === false) return result;
    // The index and the fix run read each model's first defs by name once, into one map.
    const memo = newFixMemo();
    memo.resolvedCallee = run.resolvedCallees();
    if (opts.fixes === 'deferred') {
      mark('findings ready');
      const source = sourcesFrom(files, entries);
      return deferFixes(result, fixFiller(result, source, functionIndex(files, entries, memo.byName), memo), (file) => source(file)?.model.lineStarts);
    }
    return attachFixes(result, sourcesFrom(files, entries), functionIndex(files, entries, memo.byName), memo);
  }

  private keysMemo: { entries: ModuleEntry[]; names: string; surfaces: string } | undefined;

  /**
   * The modules' names (file and module) and surfaces (see surfaceKey) as strings, rebuilt only
   * when an entry that changed since the last call changed one of them.
   */
  private entryKeys(entries: ModuleEntry[]): { names: string; surfaces: string } {
    const m = this.keysMemo;
    let sameNames = !!m && m.entries.length === entries.length;
    let sameSurfaces = true;
    for (let i = 0; sameNames && i < entries.length; i++) {
      const a = m!.entries[i];
      const b = entries[i];
      if (a === b) continue;
      if (a.file !== b.file || a.model.module !== b.model.module) sameNames = false;
      else if (a.model.isPackage !== b.model.isPackage || a.model.surface !== b.model.surface || b.model.surface === undefined) sameSurfaces = false;
    }
    const names = sameNames ? m!.names : entries.map((e) => `${e.file}\u0000${e.model.module}`).join('\n');
    const surfaces = sameNames && sameSurfaces ? m!.surfaces : surfaceKey(entries);
    this.keysMemo = { entries, names, surfaces };
    return { names, surfaces };
  }

  /**
   * Per-file results of the last analyses, valid while the workspace is the one they were computed
   * in (the base) except for open documents whose export keys (see Run.exportKey, lines mapped back
   * through the edits since) are unchanged: an edit that changes nothing an importer's analysis reads
   * re-analyses the edited file alone, and the importers' results are kept (their chains' lines in the
   * edited file moved with the edit). Only for analyses without fixes (the editor's).
   */
  private kept: {
    names: string; surfaces: string; opts: string;
    entries: Map<string, ModuleEntry>;
    /** Export keys of the open documents in the base. */
    keys: Map<string, string>;
    /**
     * Export keys in the base of files that read an open document's names and that other files
     * import: when an edit changes a name such a file read, the file is analysed again, and its
     * importers only if its key changed.
     */
    readerKeys: Map<string, string>;
    /** In the base's line numbers. */
    results: Map<string, FileResult>;
    /** The modules whose reads were noted (see SymbolIndex.watch) when the base was taken. */
    watch: string;
    /** The SQLAlchemy listeners when the base was taken (see Run.listenerKey). */
    listeners: string;
  } | undefined;
  /**
   * Per file, the names of watched modules (open documents) its analysis read (see
   * SymbolIndex.readers): a file that read none of the names an edit changed keeps its result.
   */
  private reads = new Map<string, Set<string>>();
  /** Reads of files whose entry was replaced in this analyze() (see entryFor), until the run carries over (see lastRun). */
  private droppedReads = new Map<string, Set<string>>();
  /** The last run and the names, surfaces and watched modules it ran with: the next run may carry its call graph over. */
  private lastRun: { run: Run; names: string; surfaces: string; watch: string } | undefined;
  /** The names surfaces changed since the last analyze() (see indexFor), or 'all' (unknown, or everything). */
  private changedNow: Set<string> | 'all' = 'all';
  /** How many functions' classified call sites the last analyze() carried over from the one before (tests check the work saved). */
  readonly carryStats = { functions: 0 };
  private readsOf = (mod: ModuleEntry): Set<string> => {
    let r = this.reads.get(mod.file);
    if (!r) this.reads.set(mod.file, (r = new Set()));
    return r;
  };
  /**
   * Per file, how many of its coroutines log (LW501 counts them workspace-wide on every analysis that
   * reports a sync log handler), while its entry is the same and it read none of the names edits
   * changed since (see indexFor).
   */
  private logCounts = new Map<string, { entry: ModuleEntry; n: number }>();
  private loggingCoroutines = (mod: ModuleEntry, count: () => number): number => {
    const hit = this.logCounts.get(mod.file);
    if (hit?.entry === mod) return hit.n;
    const n = count();
    this.logCounts.set(mod.file, { entry: mod, n });
    return n;
  };
  /** Whether an open document's lines moved since the base (else kept results need no remapping). */
  private linesMoved(): boolean {
    for (const edits of this.rowEdits.values()) if (edits.length) return true;
    return false;
  }
  /** The names edits changed since the kept results' base was taken (see keep), as indexFor found them. */
  private namesSinceBase: Set<string> | 'all' = new Set();
  /** The names the last built FastAPI model read (it is kept while an edit changes none of them). */
  private fastapiReads = new Set<string>();
  /** Per open document, its line changes since the base of `kept`. */
  private rowEdits = new Map<string, RowEdit[]>();
  /** What the last analyze() re-analysed and kept (the bench and tests read it). */
  readonly keptStats: { analysed: number; kept: number; keyMs: number; pendingKeys: number; settleMs: number; analysedFiles?: ReadonlySet<string> } = { analysed: 0, kept: 0, keyMs: 0, pendingKeys: 0, settleMs: 0 };

  /** Which files of `only` need analysing and which results can be kept, if the kept results can serve. */
  private planReuse(entries: ModuleEntry[], surfaces: string, fastapiKept: boolean, opts: AnalyzeOptions): { run: Set<string>; reuse: string[]; changed: ModuleEntry[]; names: Set<string> } | undefined {
    const k = this.kept;
    if (!k || !opts.only || opts.fixes !== false || !fastapiKept || this.workspace?.names !== k.names || optionsKey(opts) !== k.opts) return undefined;
    if (surfaces !== k.surfaces && (!k.watch || k.watch !== this.workspace.index.watchKey)) return undefined;
    const changed: ModuleEntry[] = [];
    // The names the changed documents' surfaces changed since the base (none when every surface is the same).
    const names = new Set<string>();
    for (const e of entries) {
      const was = k.entries.get(e.file);
      if (was === e) continue;
      if (!k.keys.has(e.file) || !was) return undefined;
      changed.push(e);
    }
    if (surfaces !== k.surfaces) {
      if (this.namesSinceBase === 'all') return undefined;
      for (const n of this.namesSinceBase) names.add(n);
    }
    const run = new Set<string>();
    const reuse: string[] = [];
    const changedFiles = new Set(changed.map((e) => e.file));
    for (const p of opts.only) {
      if (!changedFiles.has(p) && k.results.has(p)) reuse.push(p);
      else run.add(p);
    }
    return { run, reuse, changed, names };
  }

  /**
   * The kept results of `plan.reuse`, in today's line numbers, for the files that read nothing the
   * changed documents changed: names of their surfaces (plan.names) and functions whose export key
   * line changed (see Run.exportKey). A file that read one (see reads) is analysed again, with every
   * file that imports it (their findings may go through it); `plan.run` grows by those.
   */
  private keptResults(run: Run, plan: { run: Set<string>; reuse: string[]; changed: ModuleEntry[]; names: Set<string> }, files: SourceFile[], only: Set<string>): { results: FileResult[]; changedNames: Set<string> } | undefined {
    const k = this.kept!;
    // Listeners registered or dropped since the base: what commits run changed, wherever they are.
    if (run.listenerKey() !== k.listeners) return undefined;
    const t = performance.now();
    const names = new Set(plan.names);
    try {
      for (const e of plan.changed) {
        const key = run.exportKey(e, (file, line) => lineBack(this.rowEdits.get(file), line));
        const base = k.keys.get(e.file)!;
        if (key === base) continue;
        const d = exportKeyChanges(base, key, e.model.module);
        if (d === 'all' || !k.watch) return undefined;
        for (const n of d) {
          names.add(n);
          // A listener is reached through no name: the modules whose calls fire it note what a commit sees
          // of it as read (CallGraph.noteListeners), and are analysed again (their importers unless their
          // export keys hold) when that changed.
          const q = n.replace('\u0000', '.');
          if (!run.isListener(q)) continue;
          const was = listenerView(base, q);
          const now = listenerView(key, q);
          if (!was || !now || was.entries !== now.entries) names.add(listenerRead(n, 'entries'));
          if (!was || !now || was.cost !== now.cost) names.add(listenerRead(n, 'cost'));
        }
      }
    } finally { this.keptStats.keyMs = performance.now() - t; }
    let reuse = plan.reuse;
    if (names.size) {
      const stale = new Set<string>();
      const readers: string[] = [];
      for (const p of reuse) {
        if (stale.has(p)) continue;
        const reads = this.reads.get(p);
        if (reads && !readsChanged(reads, names)) {
          // LW501 counts the coroutines that log across the workspace, which a file read again may
          // change: a file that makes a sync log handler is analysed again (its importers need not).
          const entry = this.entries.get(p)?.entry;
          const index = this.workspace!.index;
          const sync = (site: CallSite) => { const q = entry!.resolver.resolve(site.callee); return q !== undefined && SYNC_HANDLERS.has(index.canonicalize(q)); };
          if (!entry || handlerCalls(entry).some(sync)) stale.add(p);
          continue;
        }
        readers.push(p);
      }
      // A file that read a changed name: its importers too, unless what they can see of it is the same.
      const known = readers.filter((p) => k.readerKeys.has(p) && this.entries.has(p));
      const t2 = performance.now();
      const now = known.map((p) => run.exportKey(this.entries.get(p)!.entry, (file, line) => lineBack(this.rowEdits.get(file), line)));
      this.keptStats.keyMs += performance.now() - t2;
      const same = new Set(known.filter((p, i) => now[i] === k.readerKeys.get(p)));
      const importers = this.importersOf(files);
      for (const p of readers) {
        if (same.has(p)) stale.add(p);
        else for (const q of this.closureOf(importers, p)) stale.add(q);
      }
      reuse = reuse.filter((p) => !stale.has(p));
      for (const p of stale) if (only.has(p)) plan.run.add(p);
    }
    const out: FileResult[] = [];
    const linesMoved = this.linesMoved();
    for (const p of reuse) {
      const r = linesMoved ? remapResult(k.results.get(p)!, (f) => this.rowEdits.get(f), 'forward') : k.results.get(p)!;
      if (!r) return undefined;
      out.push(r);
    }
    plan.reuse = reuse;
    return { results: out, changedNames: names };
  }

  /** After a run: add its results to the kept ones (a reuse), or make this workspace the new base. */
  private keep(run: Run, files: SourceFile[], entries: ModuleEntry[], surfaces: string, opts: AnalyzeOptions, result: ScanResult, plan: { run: Set<string>; changed: ModuleEntry[]; reuse: string[]; changedNames: Set<string>; reused: FileResult[] } | undefined): void {
    const analysed = plan ? plan.run : opts.only;
    this.keptStats.analysed = analysed?.size ?? entries.length;
    this.keptStats.analysedFiles = analysed;
    this.keptStats.kept = plan?.reuse.length ?? 0;
    if (opts.fixes !== false || !this.workspace) { this.kept = undefined; this.pendingKeys = undefined; this.rowEdits.clear(); return; }
    const byFile = (only: Set<string> | undefined) => {
      const out = new Map<string, FileResult>();
      for (const e of entries) if (!only || only.has(e.file)) out.set(e.file, { findings: [], handlers: [] });
      for (const f of result.findings) out.get(f.file)?.findings.push(f);
      for (const h of result.handlers) out.get(h.file)?.handlers.push(h);
      return out;
    };
    if (plan?.changedNames.size) {
      // Names changed: this state becomes the base (results kept from the old base hold in it, as
      // they read none of those names), so later edits compare with it.
      const k = this.kept!;
      const results = new Map<string, FileResult>();
      const present = new Set(entries.map((e) => e.file));
      const reused = new Set(plan.reuse);
      const linesMoved = this.linesMoved();
      for (const [file, r] of k.results) {
        if (!present.has(file)) continue;
        const now = linesMoved ? remapResult(r, (f) => this.rowEdits.get(f), 'forward') : r;
        if (now) results.set(file, now);
      }
      for (const [file, r] of byFile(plan.run)) results.set(file, r);
      // Files not reported this time that read a changed name: not kept.
      const importers = this.importersOf(files);
      for (const file of [...results.keys()]) {
        if (plan.run.has(file) || reused.has(file)) continue;
        const reads = this.reads.get(file);
        if (!reads || readsChanged(reads, plan.changedNames)) for (const q of this.closureOf(importers, file)) results.delete(q);
      }
      const keys = new Map<string, string>();
      // Readers' keys: taken again for the files analysed now; the others' hold unless their lines moved.
      const moved = [...this.rowEdits].filter(([, edits]) => edits.length).map(([file]) => JSON.stringify(file));
      const readerKeys = new Map<string, string>();
      for (const [file, key] of k.readerKeys) if (present.has(file) && !plan.run.has(file) && results.has(file) && !moved.some((f) => key.includes(f))) readerKeys.set(file, key);
      this.deferKeys(run, keys, this.documentKeys(files, entries), readerKeys, this.readerKeys(files, entries.filter((e) => plan.run.has(e.file))));
      this.kept = { names: this.workspace.names, surfaces, opts: optionsKey(opts), entries: new Map(entries.map((e) => [e.file, e])), keys, readerKeys, results, watch: this.workspace.index.watchKey, listeners: run.listenerKey() };
      this.rowEdits.clear();
      this.namesSinceBase = new Set();
      return;
    }
    if (plan) {
      // Files analysed for the first time since the base, unchanged since: kept in the base's lines.
      const k = this.kept!;
      const changed = new Set(plan.changed.map((e) => e.file));
      for (const [file, r] of byFile(plan.run)) {
        if (changed.has(file)) continue;
        const back = remapResult(r, (f) => this.rowEdits.get(f), 'back');
        if (back) k.results.set(file, back);
      }
      return;
    }
    const keys = new Map<string, string>();
    const readerKeys = new Map<string, string>();
    this.deferKeys(run, keys, this.documentKeys(files, entries), readerKeys, this.readerKeys(files, opts.only ? entries.filter((e) => opts.only!.has(e.file)) : entries));
    this.kept = { names: this.workspace.names, surfaces, opts: optionsKey(opts), entries: new Map(entries.map((e) => [e.file, e])), keys, readerKeys, results: byFile(opts.only), watch: this.workspace.index.watchKey, listeners: run.listenerKey() };
    this.rowEdits.clear();
    this.namesSinceBase = new Set();
  }

  /**
   * Readers with fewer importers than this (directly or not) get no export key (see readerKeys): a key
   * costs about what analysing two files does (on onyx, 68 of 173 readers have one or two importers).
   * Tests set 1 to walk the keys' path in small workspaces.
   */
  readerKeyImporters = 3;

  /** The open documents among `entries` that other files import get export keys: an edit of any other re-analyses it alone anyway. */
  private documentKeys(files: SourceFile[], entries: ModuleEntry[]): ModuleEntry[] {
    const importers = this.importersOf(files);
    return entries.filter((e) => this.docs.has(e.file) && this.closureOf(importers, e.file).size > 1);
  }

  /**
   * Those of `entries` that read an open document's names and that at least readerKeyImporters files import get export keys (see Run.exportKey).
   * Not a file that read nothing but what commits see of listeners (see CallGraph.noteListeners): that
   * changes only when a listener starts or stops blocking, rarely worth a key taken at every new base.
   */
  private readerKeys(files: SourceFile[], entries: ModuleEntry[]): ModuleEntry[] {
    // The closure counts the file itself.
    const importers = this.importersOf(files);
    return entries.filter((e) => !this.docs.has(e.file) && readsNames(this.reads.get(e.file)) && this.closureOf(importers, e.file).size > Math.max(1, this.readerKeyImporters));
  }

  /**
   * The new base's export keys, taken by settle(): after the findings are returned (the language
   * server settles once it has published them), or before anything that could change what they read
   * (the next updateDocument, analyze, model, adopt, forget). Each on a graph of its own (see
   * Run.exportKey): a key taken alone does not depend on which were taken before, or when.
   */
  private pendingKeys: { run: Run; jobs: [Map<string, string>, ModuleEntry][] } | undefined;

  private deferKeys(run: Run, keys: Map<string, string>, documents: ModuleEntry[], readerKeys: Map<string, string>, readers: ModuleEntry[]): void {
    const jobs: [Map<string, string>, ModuleEntry][] = [];
    for (const e of documents) jobs.push([keys, e]);
    for (const e of readers) jobs.push([readerKeys, e]);
    this.pendingKeys = jobs.length ? { run, jobs } : undefined;
    this.keptStats.pendingKeys = jobs.length;
  }

  /**
   * Takes the export keys the last analyze() left for later (see pendingKeys). Cheap when there are
   * none; the editor calls it once the findings are out, and every call that could change what the
   * keys read calls it first. Never throws: a key that fails drops the kept results (the next edit
   * analyses every file it names).
   */
  settle(): void {
    const p = this.pendingKeys;
    if (!p) return;
    this.pendingKeys = undefined;
    const t = performance.now();
    try {
      for (const [map, e] of p.jobs) map.set(e.file, p.run.exportKey(e, (_f, line) => line));
    } catch {
      this.kept = undefined;
    } finally {
      this.keptStats.settleMs = performance.now() - t;
    }
  }

  private canonMemo = { key: '', map: new CanonicalMemo(this.readsOf) };

  /**
   * Canonical names depend on every file's surface (its module-level names, definitions and what
   * they return): while those are unchanged, an edit inside a body reuses the previous run's names;
   * `kept`: the surfaces changed but the index told the memo which names (see indexFor).
   */
  private canonicalMemo(surfaces: string, kept: boolean): CanonicalMemo {
    if (surfaces !== this.canonMemo.key && !kept) this.canonMemo = { key: surfaces, map: new CanonicalMemo(this.readsOf) };
    this.canonMemo.key = surfaces;
    return this.canonMemo.map;
  }

  /** One ModuleEntry per file while its model, module name and test-code flag are unchanged. */
  private entries = new Map<string, { base: FileModel; entry: ModuleEntry }>();
  private entryFor(f: SourceFile, model: FileModel, module: string): ModuleEntry {
    const hit = this.entries.get(f.path);
    if (hit && hit.base === model && hit.entry.model.module === module && hit.entry.testCode === f.testCode) return hit.entry;
    const m = module === model.module ? model : { ...model, module };
    const parts = this.modelParts.get(model);
    if (parts && m !== model) this.modelParts.set(m, parts);
    const entry: ModuleEntry = { file: f.path, model: m, resolver: new Resolver(m), testCode: f.testCode };
    this.entries.set(f.path, { base: model, entry });
    const reads = this.reads.get(f.path);
    if (reads) this.droppedReads.set(f.path, reads);
    this.reads.delete(f.path);
    return entry;
  }

  /** An open document's model: its parts in order (the records of the model are theirs). */
  private modelParts = new WeakMap<FileModel, Part[]>();
  private partRoles = new WeakMap<Part, { names: string; surfaces: string; key: string }>();

  /**
   * roleInputs of a module, per part for an open document: a part an edit did not touch resolves
   * its names as before while the modules and every surface are unchanged, so only the rebuilt parts are read again.
   * Equal keys mean equal roleInputs (the parts' records, in order, are the model's).
   */
  private roleKey(e: ModuleEntry, names: string, surfaces: string): string {
    const parts = this.modelParts.get(e.model);
    if (!parts) return roleInputs(e);
    const out: string[] = [];
    for (const p of parts) {
      let r = this.partRoles.get(p);
      if (r?.surfaces !== surfaces || r.names !== names) this.partRoles.set(p, (r = { names, surfaces, key: roleInputs(e, p.model.calls, p.model.functions) }));
      out.push(r.key);
    }
    return `parts\u0000${out.join('\u0001')}`;
  }

  /** The last run's modules, symbol index and FastAPI model, updated in place by the next run. */
  private workspace: { names: string; entries: ModuleEntry[]; surfaces: string; index: SymbolIndex; fastapi?: FastApiModel } | undefined;
  private roleInputsMemo = new WeakMap<ModuleEntry, string>();
  /** What the last analyze() did with the workspace index (tests check the work done). */
  readonly indexStats = { rebuilt: 0, replaced: 0, fastapiReused: 0 };

  /**
   * The symbol index for these entries: when the same modules were analysed last time, only the
   * entries that changed (an edited file) are swapped in; the FastAPI model is kept too when every
   * surface and the changed modules' role inputs are unchanged. Otherwise both are built afresh.
   */
  private indexFor(entries: ModuleEntry[], surfaces: string, names: string, ghosts: string[] = []): { index: SymbolIndex; fastapi?: FastApiModel; kept: boolean } {
    const prev = this.workspace;
    // Reads of the open documents' names are noted (see SymbolIndex.watch), so that an edit of their
    // surface drops only what read a name it changed.
    const watch = entries.filter((e) => this.docs.has(e.file)).map((e) => e.model.module);
    if (!prev || prev.names !== names) {
      this.logCounts.clear();
      const index = new SymbolIndex(entries, ghosts);
      index.watch(watch);
      this.resetReads();
      this.workspace = { names, entries, surfaces, index };
      this.indexStats.rebuilt++;
      this.noteRoleInputs(entries, names, surfaces);
      this.changedNow = 'all';
      return { index, kept: false };
    }
    const watchKey = prev.index.watchKey;
    prev.index.watch(watch);
    const watchSame = prev.index.watchKey === watchKey;
    if (!watchSame) this.resetReads();
    const sameSurfaces = surfaces === prev.surfaces;
    // Surfaces changed: the names each changed watched module changed, or 'all'.
    let changedNames: Set<string> | 'all' = sameSurfaces ? new Set() : watchSame && prev.index.watching ? new Set() : 'all';
    let fastapi = watchSame ? prev.fastapi : undefined;
    const roleInputsOf = (e: ModuleEntry) => { let r = this.roleInputsMemo.get(e); if (r === undefined) this.roleInputsMemo.set(e, (r = this.roleKey(e, names, surfaces))); return r; };
    // An entry replaced by an edit may share records with its successor, moved in place (see assemble):
    // its role inputs are read only as taken while it was current.
    const roleInputsBefore = (e: ModuleEntry) => this.roleInputsMemo.get(e);
    for (let i = 0; i < entries.length; i++) {
      const old = prev.entries[i];
      const now = entries[i];
      if (old === now) continue;
      prev.index.replace(old, now);
      if (changedNames !== 'all' && !sameSurfaces && (now.model.surface === undefined || old.model.surface !== now.model.surface)) {
        // Ancestors from the index with the new entry in (the old one's records may have moved).
        const d = this.docs.has(now.file) && now.model.surface !== undefined ? surfaceChanges(old.model, this.modelParts.get(old.model), now.model, this.modelParts.get(now.model), (cls) => prev.index.workspaceAncestors(cls)) : 'all';
        if (d === 'all') changedNames = 'all';
        else for (const n of d) changedNames.add(n);
      }
      this.indexStats.replaced++;
      // Every name may have changed ('all', which never narrows again): the model is dropped below
      // whatever the role inputs say, so they are not read (open documents' are noted below all the same).
      if (fastapi && (changedNames === 'all' || roleInputsBefore(old) !== roleInputsOf(now))) fastapi = undefined;
    }
    this.noteRoleInputs(entries, names, surfaces);
    if (changedNames === 'all') {
      prev.index.forgetResolutions();
      fastapi = undefined;
      this.logCounts.clear();
    } else if (changedNames.size) {
      prev.index.forget(changedNames);
      const modules = new Set([...changedNames].map((n) => n.slice(0, n.indexOf('\u0000'))));
      for (const n of prev.index.recheck(modules, changedNames)) changedNames.add(n);
      for (const file of [...this.logCounts.keys()]) {
        const reads = this.reads.get(file);
        if (!reads || readsChanged(reads, changedNames)) this.logCounts.delete(file);
      }
      this.canonMemo.map.changed(changedNames);
      if (readsChanged(this.fastapiReads, changedNames)) fastapi = undefined;
    }
    // The names changed since the kept results' base (see planReuse).
    if (changedNames === 'all') this.namesSinceBase = 'all';
    else if (this.namesSinceBase !== 'all') for (const n of changedNames) this.namesSinceBase.add(n);
    if (fastapi) this.indexStats.fastapiReused++;
    this.changedNow = changedNames;
    this.workspace = { names, entries, surfaces, index: prev.index };
    return { index: prev.index, fastapi, kept: changedNames !== 'all' };
  }

  /** Takes the open documents' role inputs while their entries are current (see roleInputsBefore). */
  private noteRoleInputs(entries: ModuleEntry[], names: string, surfaces: string): void {
    for (const e of entries) if (this.docs.has(e.file) && !this.roleInputsMemo.has(e)) this.roleInputsMemo.set(e, this.roleKey(e, names, surfaces));
  }

  /** Reads noted before are incomplete for another set of watched modules: start again. */
  private resetReads(): void {
    this.reads.clear();
    this.logCounts.clear();
    this.namesSinceBase = 'all';
    this.canonMemo = { key: '', map: new CanonicalMemo(this.readsOf) };
    this.kept = undefined;
    this.pendingKeys = undefined;
  }
}

/** The 0-based row of an offset in a text. */
function rowIn(text: string, offset: number): number {
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return row;
}

/** The text with rows `from`-`to` (0-based) blanked: every character but a line end a space. */
function blankRows(text: string, from: number, to: number): { text: string; start: number; end: number } {
  let start = 0;
  for (let r = 0; r < from; r++) start = text.indexOf('\n', start) + 1;
  let end = start;
  for (let r = from; r <= to; r++) { const nl = text.indexOf('\n', end); if (nl < 0) { end = text.length; break; } end = nl + 1; }
  return { text: text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end), start, end };
}

const partViews = new WeakMap<Part, string | null>();
/** Offsets and columns: where records sit in the text, which an importer's analysis never reports. */
const POSITION_KEYS = new Set(['start', 'end', 'nameStart', 'nameEnd', 'bodyStart', 'asyncStart', 'defKeywordStart', 'calleeEnd', 'argsStart', 'off', 'seg', 'column', 'endColumn', 'lineStarts', 'surface']);
const MAX_VIEW_CALLS = 20_000;

/**
 * What other files' analysis can see of an open document's model: every part's records without their
 * offsets and columns, lines relative to the part, and the row each part starts at. Two versions with
 * equal keys give every importer the same findings (an edit in a comment, in whitespace within a line).
 * Undefined when a part is too large to fingerprint per keystroke.
 */
function viewKey(parts: PartCache, model: FileModel): string | undefined {
  const out: string[] = [];
  for (const p of parts.values()) {
    let v = partViews.get(p);
    if (v === undefined) {
      const base = p.placed.row + 1;
      v = p.model.calls.length > MAX_VIEW_CALLS ? null : fnv1a(JSON.stringify(p.model, (k, x) => {
        // Records' positions are numbers (a keyword argument `end=` is an expression object, kept).
        if (POSITION_KEYS.has(k) && (typeof x === 'number' || typeof x === 'string' || Array.isArray(x) || (x && typeof x === 'object' && 'delta' in x))) return undefined;
        // A name's offset and scope in one number (python/ir.ts packAt): its scope only.
        if (k === 'at' && typeof x === 'number') return atScope(x);
        if ((k === 'line' || k === 'endLine') && typeof x === 'number') return x - base;
        if (x instanceof Map) return k === 'noqa' ? [...x].map(([line, codes]) => [line - base, [...codes]]) : [...x];
        return x instanceof Set ? [...x] : x;
      })).toString(36);
      partViews.set(p, v);
    }
    if (v === null) return undefined;
    out.push(`${p.placed.row}:${v}`);
  }
  return `${out.join(',')}|${JSON.stringify(model.syntaxErrors.map((e) => e.line))}`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/**
 * The functions whose export key lines (see Run.exportKey) differ, as changed names
 * (`module\0qualified name within it`), or 'all' when an import of a web framework or server changed,
 * a coroutine's logging did, or a coroutine that logs was added or removed (LW501 counts logging
 * coroutines workspace-wide, in web modules).
 */
function exportKeyChanges(before: string, after: string, module: string): Set<string> | 'all' {
  const lines = (key: string) => {
    const [imports, ...rest] = key.split('\n');
    const byFn = new Map<string, string>();
    for (const l of rest) {
      const q = l.slice(2, l.indexOf(' ', 2));
      byFn.set(q, (byFn.get(q) ?? '') + l);
    }
    return { imports, byFn };
  };
  const a = lines(before);
  const b = lines(after);
  if (a.imports !== b.imports) {
    // An import typed or removed: the names it binds are the surface's (see surfaceChanges); one that
    // makes the module part of a web app or a server (LW501's web modules) changes more.
    const was = new Set(a.imports.split(','));
    const now = new Set(b.imports.split(','));
    const changed = [...was].filter((q) => !now.has(q)).concat([...now].filter((q) => !was.has(q)));
    if (changed.some((q) => WEB_OR_SERVER.has(q.split('.')[0]))) return 'all';
  }
  const prefix = `${module}.`;
  const out = new Set<string>();
  for (const q of new Set([...a.byFn.keys(), ...b.byFn.keys()])) {
    const x = a.byFn.get(q);
    const y = b.byFn.get(q);
    if (x === y) continue;
    if (!q.startsWith(prefix)) return 'all';
    // A function added or removed (a def being typed) changes its name, unless it is a coroutine that logs.
    const z = x ?? y!;
    if ((!x || !y) && z[0] === 'a' && z.split(' ')[2] !== 'false') return 'all';
    if (x && y && (x[0] !== y[0] || (x[0] === 'a' && x.split(' ')[2] !== y.split(' ')[2]))) return 'all';
    out.add(`${module}\u0000${q.slice(prefix.length)}`);
  }
  return out;
}

/** Whether reads (see Analyzer.reads) hold a name, not only what commits see of listeners (see listenerRead). */
function readsNames(reads: Set<string> | undefined): boolean {
  if (reads) for (const r of reads) if (!isListenerRead(r)) return true;
  return false;
}

/**
 * What a commit that fires listener `qname` sees of it, from an export key's line for the sync function
 * (`s qname summary cost`, see Run.exportKey): the summary's entries a listener passes on (listenerEntry)
 * and its cost, as text. Undefined when the key has no single such line.
 */
function listenerView(key: string, qname: string): { entries: string; cost: string } | undefined {
  const head = `\ns ${qname} `;
  const at = key.indexOf(head);
  if (at < 0 || key.indexOf(head, at + 1) >= 0) return undefined;
  const end = key.indexOf('\n', at + 1);
  const line = key.slice(at + head.length, end < 0 ? key.length : end);
  // The cost is the line's last JSON object; the summary holds no object, and a quote inside its strings is escaped.
  const c = line.lastIndexOf(' {"cpuMs":');
  if (c < 0) return undefined;
  try {
    const entries = (JSON.parse(line.slice(0, c)) as [string, string, ...unknown[]][]).filter((e) => listenerEntry({ root: e[1] } as SummaryEntry));
    return { entries: JSON.stringify(entries), cost: line.slice(c + 1) };
  } catch {
    return undefined;
  }
}

const WEB_OR_SERVER = new Set(['fastapi', 'starlette', 'uvicorn', 'gunicorn', 'hypercorn', 'granian']);

/** The options that change findings and handlers (not `only`, `notes` or `fixes`). */
function optionsKey(opts: AnalyzeOptions): string {
  return JSON.stringify([opts.rules ?? null, opts.cost ?? null, opts.severity ?? null]);
}

/**
 * Every module's name and surface hash. Only documents' models have a surface hash (their parts are
 * rebuilt on edits); a model built from a file's whole text stands for itself, by identity.
 */
function surfaceKey(entries: ModuleEntry[]): string {
  return entries.map((e) => `${e.model.module}:${e.model.isPackage}:${e.model.surface ?? `#${modelId(e.model)}`}`).join('|');
}

const modelIds = new WeakMap<FileModel, number>();
let nextModelId = 0;
function modelId(m: FileModel): number {
  let id = modelIds.get(m);
  if (id === undefined) modelIds.set(m, (id = nextModelId++));
  return id;
}

/** A trap or abort of the wasm runtime (not a bug in the analyzer's own code). */
export function isWasmAbort(err: unknown): boolean {
  const RuntimeError = (globalThis as { WebAssembly?: { RuntimeError?: new () => Error } }).WebAssembly?.RuntimeError;
  if (RuntimeError && err instanceof RuntimeError) return true;
  const msg = (err as Error | undefined)?.message ?? '';
  return /^Aborted\(|RuntimeError|memory access out of bounds|unreachable/.test(msg);
}

const ruleSets = new Map<string, RuleSet>();
/** Rule sets are immutable: one per distinct configuration, so their match memo survives across runs. */
function ruleSetFor(opts: RuleOptions | undefined): RuleSet {
  const key = JSON.stringify(opts ?? {});
  let rs = ruleSets.get(key);
  if (!rs) {
    if (ruleSets.size > 16) ruleSets.clear();
    rs = new RuleSet(opts);
    ruleSets.set(key, rs);
  }
  return rs;
}

const FAMILIES = ['blocking', 'cpu'] as const;

/** One analysis over a set of modules. */
class Run {
  private index: SymbolIndex;
  private rules: RuleSet;
  private costs: CostModel;
  private graph: CallGraph;
  /** Which awaited calls make a round trip (LW301), memoised per run like the call graph. */
  private trips: RoundTrips;
  private fastapi: FastApiModel;
  private findings: Finding[] = [];
  private coroutineCosts = new CostMemo<CostAcc>();

  /** A memo of how many coroutines of a module log (see Analyzer.logCounts). */
  loggingCoroutines?: (mod: ModuleEntry, count: () => number) => number;

  constructor(entries: ModuleEntry[], private opts: AnalyzeOptions, private notes: FileNote[], private fileCount: number, private memo?: CanonicalMemo, private texts?: Map<string, string>, index?: SymbolIndex, fastapi?: FastApiModel, fastapiReads?: Set<string>, carryable = false) {
    this.index = index ?? new SymbolIndex(entries);
    this.rules = ruleSetFor(opts.rules);
    this.costs = new CostModel(opts.cost);
    this.costKey = JSON.stringify(opts.cost ?? null);
    this.graph = new CallGraph(this.index, this.rules, (k) => this.costs.of(k), memo);
    // Only an editing session keeps its last run for the next one to carry over (see Analyzer.lastRun).
    if (carryable) this.graph.carryable();
    else {
      // No later run carries this one's costs over (see carryFrom): their taints and modules are not noted.
      this.graph.untrackCosts();
      this.coroutineCosts.untrack();
    }
    this.carryable = carryable;
    this.costItems = opts.costItems !== false || carryable;
    // Sync costs' per-kind times make only the reports' cost items.
    if (!this.costItems) this.graph.noKinds();
    this.trips = new RoundTrips(this.graph, (file) => this.texts?.get(file));
    const callee = (mod: ModuleEntry, c: CallSite) => this.graph.calleeName(mod, c);
    this.fastapi = fastapi ? fastapi.rebind(this.index) : this.index.reading(fastapiReads, () => new FastApiModel(this.index, callee));
  }

  get fastapiModel(): FastApiModel { return this.fastapi; }

  /** The call sites' resolved callees the run's graph read (see CallGraph.resolvedCallees), for the quick fixes. */
  resolvedCallees(): FixMemo['resolvedCallee'] {
    return this.graph.resolvedCallees();
  }

  /** Takes over `prev`'s classified call sites where they still hold (see CallGraph.carryFrom); how many functions' lists. */
  carryFrom(prev: Run, reread?: (mod: ModuleEntry) => boolean): number {
    const kept = this.graph.carryFrom(prev.graph, reread);
    const drops = this.graph.costDrops;
    if (!kept || !drops || prev.costKey !== this.costKey) return kept;
    // Coroutine costs: the previous ones, less those of changed or stale functions, of modules that may
    // reach one, and those computed across a cycle cut or from such a cost (theirs or a sync one's).
    this.coroutineCosts.carry(prev.coroutineCosts, drops, drops.taint);
    return kept;
  }

  /** The cost options (see carryFrom). */
  private readonly costKey: string;

  /**
   * Whether a later run may carry this one's costs over (an editing session's): only then can a
   * handler's report be made of the same cost objects again, so only then is it memoised (handlerReport).
   */
  private readonly carryable: boolean;

  /** Whether cost sums keep their cost-table entries (see AnalyzeOptions.costItems). */
  private readonly costItems: boolean;

  /** The workspace's SQLAlchemy listeners as text (see CallGraph.listenerKey). */
  listenerKey(): string {
    return this.graph.listenerKey();
  }

  /** Whether a registered listener has this qualified name (see CallGraph.isListener). */
  isListener(qname: string): boolean {
    return this.graph.isListener(qname);
  }

  /** Report these files (before result()). */
  narrow(only: Set<string> | undefined): void {
    this.opts = { ...this.opts, only };
  }

  /**
   * Everything another file's analysis reads of this module beyond its surface: per function, what a
   * sync one blocks on (codes, the chains with `line` applied to their lines, the calls they root in)
   * and costs, what a coroutine costs and whether it logs (LW501 counts those). Computed with summaries
   * and costs of its own (they depend on the order they are computed in), so the run's results do not
   * depend on whether a key was taken; the classified call sites, which depend on no order, are the run's.
   */
  exportKey(mod: ModuleEntry, line: (file: string, line: number) => number): string {
    // Taken once per module and run (on a graph of its own, so the same whatever was taken before);
    // only the chains' lines are mapped per call.
    let raw = this.exportKeys.get(mod);
    if (!raw) this.exportKeys.set(mod, (raw = this.rawExportKey(mod)));
    return raw.map((x) => typeof x === 'string' ? x : `s ${x.qname} ${JSON.stringify(x.summary.map((e) => [e.code, e.root, e.chain.map((h) => [h.file, line(h.file, h.line), h.name]), ...(e.when ? [e.when] : [])]))} ${x.cost}`).join('\n');
  }

  /** Export keys' parts per module (see exportKey); a Run lives for one analysis, in which models do not change. */
  private exportKeys = new Map<ModuleEntry, (string | { qname: string; summary: SummaryEntry[]; cost: string })[]>();

  private rawExportKey(mod: ModuleEntry): (string | { qname: string; summary: SummaryEntry[]; cost: string })[] {
    const saved = { graph: this.graph, costs: this.coroutineCosts };
    // Summaries and costs of its own; the classified call sites shared with the run's graph (see CallGraph.sharing).
    this.graph = saved.graph.sharing();
    this.coroutineCosts = saved.costs.scratch();
    try {
      const out: (string | { qname: string; summary: SummaryEntry[]; cost: string })[] = [mod.model.imports.map((i) => i.q).join(',')];
      for (const fn of mod.model.functions) {
        // Importers reach a function by its qualified name: of two defs with one name, the one indexed.
        if (fn.isLambda || this.index.functions.get(fn.qname)?.fn !== fn) continue;
        const ref = { mod, fn };
        if (fn.isAsync) {
          const c = this.coroutineCost(ref);
          const logs = this.graph.callsOf(ref).some((x) => logCallKind(x.canonical, x.site) === 'logging');
          out.push(`a ${fn.qname} ${logs} ${c.cpuMs} ${c.ioMs} ${c.blockingMs} ${JSON.stringify([...c.items])}`);
        } else {
          out.push({ qname: fn.qname, summary: this.graph.summary(fn, mod), cost: JSON.stringify(this.graph.syncCost(ref)) });
        }
      }
      return out;
    } finally {
      this.graph = saved.graph;
      this.coroutineCosts = saved.costs;
    }
  }

  /** `kept`: results of other files kept from an earlier analysis, merged in. */
  result(kept: FileResult[] = []): ScanResult {
    const handlers: HandlerReport[] = [];
    for (const mod of this.index.modules.values()) {
      if (this.opts.only && !this.opts.only.has(mod.file)) continue;
      this.index.reading(this.memo?.readsOf(mod), () => {
        const fns = mod.model.functions;
        for (let i = 0; i < fns.length; i++) {
          const fn = fns[i];
          if (fn.isLambda) continue;
          const role = this.fastapi.roleOf(fn);
          const isAsync = fn.isAsync;
          if (!isAsync && !role) continue;
          const ref = { mod, fn };
          const before = this.findings.length;
          if (isAsync) this.reportCoroutine(ref, role);
          handlers.push(this.handlerReport(ref, role, this.findings.length - before));
        }
      });
    }
    this.loopChecks();
    for (const k of kept) { this.findings.push(...k.findings); handlers.push(...k.handlers); }
    // By file as localeCompare orders the paths: ranked once per distinct path, not compared per step of the sorts.
    const rank = fileRanks(this.findings, handlers);
    this.findings.sort((a, b) => rank.get(a.file)! - rank.get(b.file)! || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
    handlers.sort((a, b) => rank.get(a.file)! - rank.get(b.file)! || a.line - b.line);
    const byCode: Record<string, number> = {};
    for (const f of this.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    return {
      version: 1,
      findings: this.findings,
      handlers,
      notes: this.notes,
      summary: {
        files: this.fileCount,
        skipped: this.notes.filter((n) => n.kind === 'skipped').length,
        findings: this.findings.length,
        byCode,
        handlers: handlers.length,
        asyncHandlers: handlers.filter((h) => h.async).length,
        blockedHandlers: handlers.filter((h) => h.async && h.findings > 0).length,
      },
    };
  }

  // ---- findings ------------------------------------------------------------------------------

  private reportCoroutine(ref: FunctionRef, role: Role | undefined): void {
    // A test's `@patch(...)` targets are mocks while it runs: nothing is reached through them.
    const patched = ref.mod.testCode ? patchedBy(ref.fn, (e) => this.graph.canonical(ref.mod, e), (q) => this.index.canonicalize(q)) : undefined;
    const calls = this.graph.callsOf(ref);
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      if (patched && reachesMock(patched, ref.mod.model.module, c.site.callee, c.canonical)) continue;
      if (c.kind === 'rule' && c.rule && !c.suppressed && this.rules.enabled(c.rule.code)) {
        this.push(ref, role, c, c.rule, [], this.syncLoopHint(ref, c));
      }
      // Sync functions the call runs here: its target, property getters it reads, and SQLAlchemy listeners
      // a commit/flush fires (on the loop thread even when the commit is awaited). One finding per call
      // site and family: the nearest blocking call reached is the finding, the others on the same path are
      // listed with it (`also`). A start-up chain such as Prefect's `get_client()` (Popen + a sync health
      // poll + time.sleep) is one finding per call, not three; the offload fix at the call site is the same
      // for all of them. Codes stay selectable: only enabled, unsuppressed codes take part, and a code the
      // call itself is reported under (a direct rule hit) or already reached through another edge counts once.
      const direct = c.kind === 'rule' && c.rule ? c.rule.code : undefined;
      // Made on the first entry reached: most calls reach none.
      let reached: Map<string, { rule: RuleHit; chain: ChainHop[] }> | undefined;
      const edges = this.graph.syncEdges(c);
      for (let j = 0; j < edges.length; j++) {
        const edge = edges[j];
        if (patched && !edge.hops && !edge.listener && reachesMock(patched, ref.mod.model.module, c.site.callee, edge.t.fn.qname)) continue;
        const entries = this.graph.entriesAt(ref, c, edge);
        for (let k = 0; k < entries.length; k++) {
          const e = entries[k];
          if (patched && this.throughPatched(e, patched)) continue;
          if (e.code === direct || (edge.listener && !listenerEntry(e)) || !this.rules.enabled(e.code) || isSuppressed(ref.mod, c.site, e.code)) continue;
          // concat makes an array of the exact length (a spread leaves room to grow: a finding keeps it).
          const chain = edgeHops(ref.mod, c.site, edge).concat(e.chain);
          const prev = reached?.get(e.code);
          if (!prev || chain.length < prev.chain.length) (reached ??= new Map()).set(e.code, { rule: e.rule, chain });
        }
      }
      // Most calls reach nothing: no loop over the families then.
      for (let fi = 0; reached && fi < FAMILIES.length; fi++) {
        const family = FAMILIES[fi];
        // The family's entries in the map's order (mostly one: sorted only when there are more).
        let same: [string, { rule: RuleHit; chain: ChainHop[] }][] | undefined;
        for (const entry of reached) if (entry[1].rule.family === family) (same ??= []).push(entry);
        if (!same) continue;
        if (same.length > 1) same.sort(([ca, a], [cb, b]) => a.chain.length - b.chain.length || ca.localeCompare(cb));
        const also = same.slice(1).map(([code, x]) => ({ code, call: x.chain[x.chain.length - 1].name, chain: x.chain }));
        this.push(ref, role, c, same[0][1].rule, same[0][1].chain, '', also);
      }
      if (c.site.awaited && c.site.loop >= 0) this.checkNPlusOne(ref, role, c);
    }
  }

  private modsByFile: Map<string, ModuleEntry> | undefined;

  /** A call on the path of `e` reaches a mock the test patched in (see reachesMock). */
  private throughPatched(e: SummaryEntry, patched: PatchTarget[]): boolean {
    if (!this.modsByFile) { this.modsByFile = new Map(); for (const m of this.index.modules.values()) this.modsByFile.set(m.file, m); }
    return e.chain.some((h) => {
      const mod = this.modsByFile!.get(h.file);
      const site = mod?.model.calls.find((x) => x.line === h.line && x.text === h.name);
      return !!site && reachesMock(patched, mod!.model.module, site.callee, this.graph.canonical(mod!, site.callee));
    });
  }

  /** LW302-LW304 and LW501 (src/core/rules/loop-checks-run.ts): checks over call sites and loops, not call tables. */
  private loopChecks(): void {
    runLoopChecks({
      index: this.index,
      graph: this.graph,
      roleOf: (fn) => this.fastapi.roleOf(fn),
      hasRole: (kind) => this.fastapi.hasRole(kind),
      enabled: (code) => this.rules.enabled(code),
      textOf: (file) => this.texts?.get(file),
      loggingCoroutines: this.loggingCoroutines,
      where: (mod, fn) => {
        if (!fn) return 'module code';
        const role = this.fastapi.roleOf(fn);
        return fn.isAsync ? this.where({ mod, fn }, role) : `sync function ${displayName({ mod, fn })}${role?.route ? ` (${role.route})` : ''}`;
      },
      report: (mod, fn, span, code, severity, message, call, args) => {
        const ref = fn ? { mod, fn } : undefined;
        const role = fn ? this.fastapi.roleOf(fn) : undefined;
        const whereArgs = !ref ? { role: 'module', name: '', route: '' } : fn!.isAsync ? this.whereArgs(ref, role) : { role: 'sync', name: displayName(ref), route: role?.route ?? '' };
        const a = positionOf(mod, span.start);
        const b = positionOf(mod, span.end);
        this.findings.push({
          file: mod.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, code,
          severity: mod.testCode ? this.opts.severity?.['test-code'] ?? 'info' : severity, message,
          function: ref ? displayName(ref) : '', route: role?.route ?? null, chain: [], fixes: [], call, startOffset: span.start, endOffset: span.end,
          ...(mod.testCode ? { testCode: true } : {}),
          ...(args ? { args: { ...whereArgs, ...args } } : {}),
        });
      },
    }, [...this.index.modules.values()].filter((m) => !this.opts.only || this.opts.only.has(m.file)), [...this.index.modules.values()]);
  }

  private severity(ref: FunctionRef, role: Role | undefined, family: 'blocking' | 'cpu' | 'n-plus-one'): Severity {
    if (ref.mod.testCode) return this.opts.severity?.['test-code'] ?? 'info';
    if (role?.kind === 'lifespan') return this.opts.severity?.lifespan ?? 'info';
    return this.opts.severity?.[family] ?? 'warning';
  }

  private where(ref: FunctionRef, role: Role | undefined, name = displayName(ref)): string {
    const kind = role?.kind ?? 'coroutine';
    return `${ROLE_WORD[kind]} ${name}${role?.route ? ` (${role.route})` : ''}`;
  }

  private push(ref: FunctionRef, role: Role | undefined, c: CallInfo, rule: RuleHit, chain: ChainHop[], hint = '', also: AlsoReached[] = []): void {
    // Each part made once per finding (the name, the route and the via text are read two or three times),
    // and the arguments' object written field by field in its order (no object made per spread).
    const name = displayName(ref);
    const route = role?.route ?? '';
    const via = viaText(chain);
    const what = chain.length
      ? `${chain[chain.length - 1].name} (via ${via})`
      : c.site.text;
    const verb = rule.family === 'cpu' ? 'is CPU-heavy and blocks the event loop' : 'blocks the event loop';
    const lifespan = role?.kind === 'lifespan' ? ' (runs once at startup)' : '';
    const test = testNote(ref.mod);
    // Test code, scripts and examples serve no request: no "plain def handler" advice there.
    const alternative = test ? rule.testAlternative ?? rule.alternative : rule.alternative;
    const alsoText = also.length ? also.map((a) => `${a.chain[a.chain.length - 1].name} (${a.code})`).join(', ') : '';
    const message = flat(`${what} ${verb} in ${this.where(ref, role, name)}${lifespan}${test ? TEST_NOTE[test] : ''}; ${alternative}${hint}${also.length ? `. The same call also reaches ${alsoText}` : ''}`);
    const f = this.finding(ref, role, c, rule.code, this.severity(ref, role, rule.family), message, chain, chain.length ? chain[chain.length - 1].name : c.canonical ?? c.site.text, name);
    const args: Record<string, string> = {
      shape: rule.family, call: chain.length ? chain[chain.length - 1].name : c.site.text, via,
      role: role?.kind ?? 'coroutine', name, route, alternative, iter: hint ? this.syncLoopIter(ref, c) ?? '' : '',
    };
    if (also.length) args.also = alsoText;
    if (test) args.test = test;
    f.args = args;
    if (also.length) f.also = also;
    this.findings.push(f);
  }

  private whereArgs(ref: FunctionRef, role: Role | undefined): Record<string, string> {
    return { role: role?.kind ?? 'coroutine', name: displayName(ref), route: role?.route ?? '' };
  }

  private finding(ref: FunctionRef, role: Role | undefined, c: CallInfo, code: string, severity: Severity, message: string, chain: ChainHop[], call: string, name = displayName(ref)): Finding {
    const site = c.site;
    const f: Finding = {
      file: ref.mod.file,
      line: site.line,
      column: site.column,
      endLine: site.endLine,
      endColumn: site.endColumn,
      code,
      severity,
      message,
      function: name,
      route: role?.route ?? null,
      chain,
      fixes: [],
      call,
      startOffset: site.start,
      endOffset: site.end,
    };
    // Last, as the spread of `{ testCode: true }` put it.
    if (ref.mod.testCode) f.testCode = true;
    return f;
  }

  /** A sync DB call inside a `for` loop in a coroutine runs once per row: say so (sync N+1). */
  private syncLoopHint(ref: FunctionRef, c: CallInfo): string {
    const iter = this.syncLoopIter(ref, c);
    return iter === undefined ? '' : `. It runs once per item of \`${iter}\` (N+1): load them in one query (WHERE id IN (...))`;
  }

  private syncLoopIter(ref: FunctionRef, c: CallInfo): string | undefined {
    if (c.rule?.code !== 'LW105' || c.site.loop < 0 || c.site.args.some(isDdl)) return undefined;
    const loop = ref.mod.model.loops[c.site.loop];
    if (loop.kind === 'while' || loop.fn !== ref.fn.id) return undefined;
    return loop.iterText;
  }

  private checkNPlusOne(ref: FunctionRef, role: Role | undefined, c: CallInfo): void {
    if (isSuppressed(ref.mod, c.site, 'LW301') || !this.rules.enabled('LW301')) return;
    const hit = checkNPlusOne(this.graph, ref, c, this.trips);
    if (!hit) return;
    const { loop, shared } = hit;
    const test = testNote(ref.mod);
    const name = displayName(ref);
    const message = flat(`await ${c.site.text}(...) runs once per item of \`${loop.iterText}\`, one after another (N+1) in ${this.where(ref, role, name)}${test ? TEST_NOTE_SLOW[test] : ''}; ${nPlusOneFix(shared)}`);
    const f = this.finding(ref, role, c, 'LW301', this.severity(ref, role, 'n-plus-one'), message, [], c.canonical ?? c.site.text, name);
    if (shared) f.sharesAsyncSession = true;
    // Field by field in the order the spreads gave (see push).
    const args: Record<string, string> = { shape: 'n-plus-one', call: c.site.text, iter: loop.iterText, role: role?.kind ?? 'coroutine', name, route: role?.route ?? '', shared: shared ? '1' : '' };
    if (test) args.test = test;
    f.args = args;
    this.findings.push(f);
  }

  // ---- cost ----------------------------------------------------------------------------------

  private handlerReport(ref: FunctionRef, role: Role | undefined, findings: number): HandlerReport {
    // The report is made of the costs of the handler and its dependencies (memoised objects, carried
    // over while they hold: see carryFrom) and of its role: when all are the same, so is the report.
    // Cost objects are the same only in a run that carried them from a carryable one: a scan's (or an
    // analysis with no open document) never are, and its reports are not memoised (nor copied).
    if (!this.carryable) return this.makeHandlerReport(ref, role, findings);
    const inputs: unknown[] = [this.costKey, ref.fn.isAsync ? this.coroutineCost(ref) : this.graph.syncCost(ref), role?.kind, role?.route, findings, ref.fn.line, ref.fn.qname, ref.mod.file, ref.mod.model.module, ref.mod.testCode];
    for (const d of role?.deps ?? []) inputs.push(d.fn.qname === ref.fn.qname ? null : d.fn.isAsync ? this.coroutineCost(d) : this.graph.syncCost(d));
    const memo = handlerMemo.get(ref.fn);
    if (memo && memo.inputs.length === inputs.length && memo.inputs.every((x, i) => x === inputs[i])) return { ...memo.report };
    const report = this.makeHandlerReport(ref, role, findings);
    handlerMemo.set(ref.fn, { inputs, report });
    return { ...report };
  }

  private makeHandlerReport(ref: FunctionRef, role: Role | undefined, findings: number): HandlerReport {
    const kind = role?.kind ?? 'coroutine';
    const cost = new CostAcc(this.costItems);
    // A def handler's threadpool cost goes straight into the empty sum (as adding a sum of its own would).
    if (ref.fn.isAsync) cost.add(this.coroutineCost(ref)); else this.threadpoolCost(ref, cost);
    if (kind === 'route' || kind === 'websocket') { cost.cpuMs += this.costs.of('base').ms; cost.item(this.costs, 'base', 'overhead', this.costs.of('base').ms); }
    const deps = role?.deps;
    for (let i = 0; deps && i < deps.length; i++) {
      const d = deps[i];
      if (d.fn.qname === ref.fn.qname) continue;
      cost.add(d.fn.isAsync ? this.coroutineCost(d) : this.threadpoolCost(d));
    }
    const total = cost.cpuMs + cost.ioMs + cost.blockingMs;
    const cpuRatio = total > 0 ? cost.cpuMs / total : 0;
    const report: HandlerReport = {
      file: ref.mod.file,
      line: ref.fn.line,
      name: displayName(ref),
      kind,
      route: role?.route ?? null,
      async: ref.fn.isAsync,
      cpuMs: round(cost.cpuMs),
      ioMs: round(cost.ioMs),
      blockingMs: round(cost.blockingMs),
      cpuRatio: Math.round(cpuRatio * 1000) / 1000,
      workload: workloadOf(cost.cpuMs, total, this.costs.of('base').ms),
      findings,
    };
    // Added in this order after the others (as the object spreads did), with no spread per report.
    if (this.costItems) report.costs = cost.list();
    if (ref.mod.testCode) report.testCode = true;
    return report;
  }

  /** A def handler or dependency runs in FastAPI's threadpool: its sync I/O is waiting, not blocking. */
  private threadpoolCost(ref: FunctionRef, into?: CostAcc): CostAcc {
    const sc = this.graph.syncCost(ref);
    const out = into ?? new CostAcc(this.costItems);
    out.cpuMs += sc.cpuMs; out.ioMs += sc.ioMs;
    out.kinds(this.costs, sc.kinds, () => 'threadpool');
    return out;
  }

  private coroutineCost(ref: FunctionRef, on?: Set<string>): CostAcc {
    // A memoised cost asked from outside any sum (a report) taints no stack: no set is made for it.
    const memo = this.coroutineCosts.get(ref.fn.qname, on ?? NO_STACK);
    if (memo) return memo;
    const stack = on ?? new Set<string>();
    const out = new CostAcc(this.costItems);
    if (stack.has(ref.fn.qname)) { this.coroutineCosts.cut(stack); return out; }
    stack.add(ref.fn.qname);
    const calls = this.graph.callsOf(ref);
    for (let i = 0; i < calls.length; i++) this.addCallCost(ref, out, calls[i], stack);
    stack.delete(ref.fn.qname);
    this.coroutineCosts.set(ref, out);
    return out;
  }

  /** A sync function's cost as a coroutine on `stack` adds it (a tainted one taints the stack: see CostMemo). */
  private syncCostIn(t: FunctionRef, stack: Set<string>): SyncCost {
    const sc = this.graph.syncCost(t);
    if (this.graph.costTainted(t.fn.qname)) this.coroutineCosts.cut(stack);
    return sc;
  }

  private addCallCost(ref: FunctionRef, out: CostAcc, c: CallInfo, stack: Set<string>): void {
    switch (c.kind) {
      case 'rule': {
        const cost = this.ruleCost(c);
        if (cost.type === 'cpu') out.cpuMs += cost.ms; else out.blockingMs += cost.ms;
        out.item(this.costs, c.rule!.kind, cost.type === 'cpu' ? 'loop' : 'blocking', cost.ms, cost.fromCode);
        return;
      }
      case 'cpu-only': out.cpuMs += this.costs.of(c.ioKind!).ms; out.item(this.costs, c.ioKind!, 'loop', this.costs.of(c.ioKind!).ms); return;
      case 'async-io': out.ioMs += this.costs.of(c.ioKind!).ms; out.item(this.costs, c.ioKind!, 'awaited', this.costs.of(c.ioKind!).ms); return;
      case 'offload': {
        if ((c.canonical ?? '').includes('BackgroundTask')) return; // runs after the response
        const o = c.offloaded;
        const where = this.offloadPlace(ref, c);
        if (o?.kind === 'rule' && o.rule) {
          const cost = this.costs.of(o.rule.kind);
          out.ioMs += cost.ms;
          out.item(this.costs, o.rule.kind, cost.type === 'cpu' ? where : 'thread', cost.ms);
        } else if (o?.kind === 'local' && o.target && !o.target.fn.isAsync) {
          const sc = this.syncCostIn(o.target, stack);
          out.ioMs += sc.cpuMs + sc.ioMs;
          out.kinds(this.costs, sc.kinds, (type) => (type === 'cpu' ? where : 'thread'));
        } else if (o?.kind === 'local' && o.target) {
          const sub = this.coroutineCost(o.target, stack);
          out.ioMs += sub.cpuMs + sub.ioMs + sub.blockingMs;
          for (const it of sub.items.values()) out.item(this.costs, it.kind, 'awaited', it.ms, it.source === 'code', it.calls);
        } else {
          out.ioMs += this.costs.of('await').ms;
          out.item(this.costs, 'await', 'thread', this.costs.of('await').ms);
        }
        return;
      }
      case 'local': {
        const t = c.target!;
        if (t.fn.isAsync) {
          out.add(this.coroutineCost(t, stack));
        } else if (this.graph.syncTarget(c)) {
          const sc = this.syncCostIn(t, stack);
          out.cpuMs += sc.cpuMs; out.blockingMs += sc.ioMs;
          out.kinds(this.costs, sc.kinds, (type) => (type === 'cpu' ? 'loop' : 'blocking'));
        }
        return;
      }
      default: {
        if (!c.site.awaited) return;
        const name = c.canonical ?? '';
        if (name === 'asyncio.sleep') { const ms = secondsArg(c) ?? 0; out.ioMs += ms; if (ms) out.item(this.costs, 'sleep', 'awaited', ms, true); return; }
        if (name.startsWith('asyncio.') || name.startsWith('anyio.')) return;
        out.ioMs += this.costs.of('await').ms;
        out.item(this.costs, 'await', 'awaited', this.costs.of('await').ms);
      }
    }
  }

  /** `run_in_executor(pool, ...)` with a ProcessPoolExecutor runs in another process; every other offload in a thread. */
  private offloadPlace(ref: FunctionRef, c: CallInfo): 'pool' | 'thread' {
    if (!(c.canonical ?? '').endsWith('.run_in_executor') || !c.site.args[0]) return 'thread';
    const pool = this.graph.canonical(ref.mod, c.site.args[0]) ?? '';
    return /ProcessPoolExecutor/.test(pool) ? 'pool' : 'thread';
  }

  private ruleCost(c: CallInfo): { ms: number; type: 'cpu' | 'io'; fromCode?: boolean } {
    const base = this.costs.of(c.rule!.kind);
    if (c.canonical === 'time.sleep') { const ms = secondsArg(c); if (ms !== undefined) return { ms, type: 'io', fromCode: true }; }
    return base;
  }
}

/** The stack of a cost asked for outside any sum: never added to (CostMemo.get only reads it; a cut of it adds no taint). */
const NO_STACK = new Set<string>();

/** Per handler record, its last report and what it was made of (see Run.handlerReport). */
const handlerMemo = new WeakMap<FunctionInfo, { inputs: unknown[]; report: HandlerReport }>();

/** CostAcc.items of every sum that keeps no items: never written (see item and add). */
const NO_ITEMS = new Map<string, CostItem>();

/** A coroutine's or handler's estimate: loop-centric totals plus the cost-table entries behind them. */
class CostAcc {
  cpuMs = 0;
  ioMs = 0;
  blockingMs = 0;
  /** The cost-table entries; one shared empty map for a sum that keeps none (item and add never write it). */
  readonly items: Map<string, CostItem>;

  /** `keep`: whether the sum keeps its cost-table entries (`items`); without them only the totals are summed. */
  constructor(private readonly keep = true) {
    // A scan makes a sum per coroutine and handler (~10k on the 500-file benchmark), none with items.
    this.items = keep ? new Map() : NO_ITEMS;
  }

  item(model: CostModel, kind: string, where: CostWhere, ms: number, fromCode = false, calls = 1): void {
    if (!this.keep) return;
    const key = model.keyOf(kind);
    const source = fromCode ? 'code' : model.sourceOf(kind);
    const id = `${where}|${key}|${source}`;
    const it = this.items.get(id);
    if (it) { it.ms += ms; it.calls += calls; return; }
    this.items.set(id, { kind: key, where, type: model.of(key).type, calls, ms, source });
  }

  kinds(model: CostModel, kinds: KindTimes, where: (type: 'cpu' | 'io') => CostWhere): void {
    if (!this.keep) return;
    for (const [kind, v] of Object.entries(kinds)) this.item(model, kind, where(model.of(kind).type), v.ms, false, v.calls);
  }

  add(o: CostAcc): void {
    this.cpuMs += o.cpuMs; this.ioMs += o.ioMs; this.blockingMs += o.blockingMs;
    if (!this.keep) return;
    for (const [id, it] of o.items) {
      const mine = this.items.get(id);
      if (mine) { mine.ms += it.ms; mine.calls += it.calls; } else this.items.set(id, { ...it });
    }
  }

  /**
   * The items, rounded and sorted, for a report. Only for a sum whose items are its own (made by item()
   * or copied by add(), never handed out): they are rounded in place, not copied. The sum is spent.
   */
  list(): CostItem[] {
    const out = [...this.items.values()];
    for (const it of out) it.ms = round(it.ms);
    return out.sort((a, b) => b.ms - a.ms || a.kind.localeCompare(b.kind));
  }
}

/**
 * Each path of the findings and reports by its place in localeCompare's order: paths that compare
 * equal share a rank, so a sort by rank orders (and ties) them as a sort by localeCompare would.
 */
function fileRanks(findings: readonly Finding[], handlers: readonly HandlerReport[]): Map<string, number> {
  const paths = new Set<string>();
  for (const f of findings) paths.add(f.file);
  for (const h of handlers) paths.add(h.file);
  const sorted = [...paths].sort((a, b) => a.localeCompare(b));
  const rank = new Map<string, number>();
  let r = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i - 1].localeCompare(sorted[i]) !== 0) r = i;
    rank.set(sorted[i], r);
  }
  return rank;
}

function secondsArg(c: CallInfo): number | undefined {
  const a = c.site.args[0];
  return a && a.k === 'num' ? a.v * 1000 : undefined;
}

function displayName(ref: FunctionRef): string {
  const q = ref.fn.qname;
  const m = ref.mod.model.module;
  // The qualified name after `module.` (no `module.` string made per ask: reports and findings ask ~17k times a scan).
  return q.length > m.length && q.charCodeAt(m.length) === 46 && q.startsWith(m) ? q.slice(m.length + 1) : ref.fn.name;
}

/** 1-based line and UTF-16 column of an offset, from the model's line starts. */
function positionOf(mod: ModuleEntry, offset: number): { line: number; column: number } {
  return positionAt(mod.model.lineStarts, offset);
}

/**
 * `s` as one sequential string. V8 keeps a string made by concatenation as a tree with one object per
 * `+` (a message is about a dozen); converting it to a number flattens it in place into one string of
 * its characters, and the tree's nodes, all made since the last scavenge, die young. A finding's
 * message is kept to the end of the scan (and the JSON writer flattens it anyway): a tree would be
 * copied through the young generation twice, node by node.
 */
function flat(s: string): string {
  if (Number.isNaN(+s)) return s;
  return s;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The hops before the blocking call, as a reader names them: `svc.load() -> svc.data -> fetch()`. */
function viaText(chain: ChainHop[]): string {
  return chain.slice(0, -1).map((h) => (h.property ? h.name : `${h.name}()`)).join(' -> ');
}

/**
 * >= 70 % CPU is cpu-bound, >= 70 % I/O (awaited or blocking) is io-bound. A handler whose only CPU
 * is the framework's per-request overhead has no CPU-heavy work: it is I/O-bound by definition.
 */
export function workloadOf(cpuMs: number, totalMs: number, baseMs: number): Workload {
  if (totalMs <= 0 || cpuMs <= baseMs) return 'io-bound';
  const cpu = cpuMs / totalMs;
  if (cpu >= 0.7) return 'cpu-bound';
  if (1 - cpu >= 0.7) return 'io-bound';
  return 'mixed';
}
