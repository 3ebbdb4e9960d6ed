// The model of a Python file: what the rules, the call graph and the fixes read. Built per top-level
// statement (python/builder.ts) from one cursor walk over the syntax tree into flat arrays
// (python/flatTree.ts), and joined from those parts (python/parts.ts), which an edit reuses.
import type { Language, Node, Tree } from 'web-tree-sitter';
import { ModelBuilder } from './builder';
import { FIELD_NAMES, type FieldName, KIND_NAMES, type Rows, rowOf } from './exprBuilder';
import { flattenModule, type FlatTree, type Kinds, kindsFor, type SegmentRef } from './flatTree';
import type { SegmentHeader } from './ir';
import type { BuildOptions, FileModel, Part, PartCache } from './modelTypes';
import { shareNames } from './compact';
import { assemble, surfaceHash } from './parts';

export type * from './modelTypes';
export { Bindings, boundList, CallSite, FunctionInfo, isList, lastBound, SiteBlock } from './modelTypes';
export type { SegmentRef } from './flatTree';
export { assemble, editLineStarts, reuseAfterEdit } from './parts';

/**
 * Builds the model. The tree is only read here; the caller frees it. `reuse` serves statements an
 * edit did not touch from the previous build's parts; `next` receives this build's parts.
 */
export function buildModel(tree: Tree, text: string, opts: BuildOptions, reuse?: (seg: SegmentRef) => Part | undefined, next?: PartCache, stats?: { built: number }, lines?: TextLines): FileModel {
  const { starts, rows: rowStarts } = lines ?? textLines(text);
  const rows: Rows = { starts: rowStarts };
  const kinds = kindsFor(tree.language, KIND_NAMES);
  if (!reuse && !next) return fromFlat(flattenFile(tree, text, rowStarts), text, opts, starts, rows, kinds, stats);
  const fields = fieldIds(kinds);
  const at = positionIn(rowStarts);
  const own = opts.ownText === true;
  const parts: (Part | undefined)[] = [];
  const { segments, roots, flat } = flattenModule(tree, at, (seg) => {
    const part = reuse?.(seg);
    parts.push(part);
    return !part;
  }, 'auto', kinds.named);
  let built = 0;
  segments.forEach((seg, i) => {
    if (roots[i] < 0) return;
    parts[i] = buildPart(text, opts, seg, flat, roots[i], kinds, fields, rows, own, !!next);
    built++;
  });
  if (stats) stats.built = built;
  if (next) segments.forEach((seg, i) => next.set(`${seg.startIndex}:${seg.endIndex}`, parts[i]!));
  const model = assemble(starts, opts, segments, parts as Part[]);
  // Surface hashes serve edits (a document's parts are kept): a file read from disk is identified by its model.
  if (next) model.surface = (parts as Part[]).map((p) => p.surface.toString(36)).join('.');
  withMissing(model, missingOf(tree));
  return model;
}

/** Where a tree's first syntax error starts (0-based row and column), or undefined when it has none. */
export function firstSyntaxError(tree: Tree): { row: number; column: number } | undefined {
  let node: Node | null = tree.rootNode;
  if (!node.hasError) return undefined;
  while (node) {
    if (node.isError || node.isMissing) return node.startPosition;
    let next: Node | null = null;
    for (const c of node.children) if (c && (c.hasError || c.isMissing)) { next = c; break; }
    if (!next) return node.startPosition;
    node = next;
  }
  return undefined;
}

/**
 * A file's syntax tree as the model builder reads it, made on one thread and built into the model on
 * another (core/parallel.ts): its flat arrays (python/flatTree.ts), and the syntax error buildModel
 * adds when the tree has one the builder did not see (`missing`).
 */
export interface FlatFile { segments: SegmentRef[]; roots: number[]; flat: FlatTree; missing?: { line: number; column: number } }

/**
 * The FlatFile of a whole file (no part kept for edits). Its arrays are shared: the next walk
 * overwrites them. `rows`: where tree-sitter's rows start (textLines(text).rows).
 */
export function flattenFile(tree: Tree, text: string, rows = textLines(text).rows): FlatFile {
  const out: FlatFile = flattenModule(tree, positionIn(rows), () => true, 'auto', kindsFor(tree.language, KIND_NAMES).named);
  const missing = missingOf(tree);
  if (missing) out.missing = missing;
  return out;
}

/** The model buildModel(tree, text, opts) gives, from flattenFile(tree, text) (`language`: the tree's). */
export function buildModelFromFlat(file: FlatFile, text: string, opts: BuildOptions, language: Language): FileModel {
  const { starts, rows } = textLines(text);
  return fromFlat(file, text, opts, starts, { starts: rows }, kindsFor(language, KIND_NAMES));
}

/**
 * Nothing kept for edits: one builder over every statement gives the model the parts would assemble
 * (ids, offsets and rows are the file's already), without a part per statement. Names and constants
 * are shared as they are made (compact.ts NameTable); in the rare file where a binding came after a
 * name it changes, the model is built again and shared afterwards.
 */
function fromFlat({ segments, roots, flat, missing }: FlatFile, text: string, opts: BuildOptions, starts: number[], rows: Rows, kinds: Kinds, stats?: { built: number }): FileModel {
  const fields = fieldIds(kinds);
  const own = opts.ownText === true;
  const b = new ModelBuilder(text, flat, kinds, fields, rows, undefined, own).init(opts, true);
  for (const r of roots) b.run(r);
  if (stats) stats.built = segments.length;
  let model = b.model;
  if (!b.sharedExactly()) {
    const again = new ModelBuilder(text, flat, kinds, fields, rows, undefined, own).init(opts);
    for (const r of roots) again.run(r);
    model = again.model;
    shareNames(model);
  }
  model.lineStarts = starts;
  withMissing(model, missing);
  return model;
}

/**
 * A MISSING node (e.g. an unclosed bracket) is not an ERROR node, so the builder may have seen no
 * error: where the tree's error is then (located by its parent), if it has one.
 */
function missingOf(tree: Tree): { line: number; column: number } | undefined {
  const root = tree.rootNode;
  return root.hasError ? findMissing(root) ?? { line: 1, column: 1 } : undefined;
}

/** Adds the tree's error (missingOf) to a model whose builder found none. */
function withMissing(model: FileModel, missing: { line: number; column: number } | undefined): void {
  if (missing && model.syntaxErrors.length === 0) model.syntaxErrors.push(missing);
}

/** Tree-sitter's row and column of an offset, from where its rows start. */
function positionIn(rows: number[]): (offset: number) => { row: number; column: number } {
  return (offset) => { const row = rowOf(rows, offset); return { row, column: offset - rows[row] }; };
}

/**
 * One top-level statement built from its own text (`text` is the statement alone, from a line start):
 * the part a build of the whole file makes of it, placed at offset 0 and row 0 (assemble moves it),
 * and where the statement ends in `text`. Undefined unless the text parses, without any error, as
 * exactly one statement spanning all of it (`gap`: followed by blank lines only).
 */
export function buildStatementPart(tree: Tree, text: string, opts: BuildOptions, gap = false): { part: Part; end: number } | undefined {
  if (tree.rootNode.hasError) return undefined;
  const rows: Rows = { starts: textLines(text).rows };
  const kinds = kindsFor(tree.language, KIND_NAMES);
  const fields = fieldIds(kinds);
  const at = positionIn(rows.starts);
  const { segments, roots, flat } = flattenModule(tree, at, () => true, 'auto', kinds.named);
  if (segments.length !== 1 || segments[0].startIndex !== 0 || roots[0] < 0) return undefined;
  const end = segments[0].endIndex;
  if (end !== text.length && !(gap && text.slice(end).trim() === '')) return undefined;
  return { part: buildPart(text, opts, segments[0], flat, roots[0], kinds, fields, rows, opts.ownText === true, true), end };
}

function buildPart(text: string, opts: BuildOptions, seg: SegmentRef, flat: FlatTree, root: number, kinds: Kinds, fields: Record<FieldName, number>, rows: Rows, own: boolean, hash: boolean): Part {
  const header: SegmentHeader = { delta: 0, scopeBase: 0 };
  const b = new ModelBuilder(text, flat, kinds, fields, rows, header, own).init(opts);
  b.run(root);
  // Built with local ids: the module scope is 0 and the part's own scopes start at 1.
  return { model: b.model, header, surface: hash ? surfaceHash(b.model) : 0, column: seg.startPosition.column, placed: { start: seg.startIndex, row: seg.startPosition.row, fn: 0, cls: 0, call: 0, loop: 0, scope: 1 } };
}

const fieldMemo = new WeakMap<Kinds, Record<FieldName, number>>();
/** The grammar's id of every field the builder reads (a grammar without one of them is refused); exported for tests. */
export function fieldIds(kinds: Kinds): Record<FieldName, number> {
  let out = fieldMemo.get(kinds);
  if (out) return out;
  // Every field written in one literal first: an object given its 21 properties one by one through
  // `out[f] =` is a dictionary (V8 stops adding fast properties by keyed stores), so each `this.F.name`
  // the builder reads was a hash lookup; stores to properties it has keep the literal's fast shape.
  out = {
    name: 0, body: 0, parameters: 0, return_type: 0, superclasses: 0, left: 0, right: 0, type: 0, value: 0, alias: 0, function: 0,
    arguments: 0, object: 0, attribute: 0, subscript: 0, operator: 0, condition: 0, module_name: 0, consequence: 0, alternative: 0, argument: 0,
  } satisfies Record<FieldName, number>;
  for (const f of FIELD_NAMES) {
    const id = kinds.fields.get(f);
    if (!id) throw new Error(`the Python grammar has no field "${f}"`);
    out[f] = id;
  }
  fieldMemo.set(kinds, out);
  return out;
}

/** A text's line starts (`\r\n`, `\n` or a lone `\r` end a line) and tree-sitter's rows (only `\n` does). */
export interface TextLines { starts: number[]; rows: number[] }

export function textLines(text: string): TextLines {
  const starts = lineStarts(text);
  // Tree-sitter's rows count `\n` only; they differ from the file's lines only where a `\r` stands alone.
  return { starts, rows: text.indexOf('\r') >= 0 && /\r(?!\n)/.test(text) ? newlineStarts(text) : starts };
}

/** Where each line starts counting only `\n` (tree-sitter's rows). */
function newlineStarts(text: string): number[] {
  // One pass into a scratch list, then copied exactly sized (one grown by push keeps spare room, and
  // a scan's model keeps it); two passes of indexOf over the text took twice the searching.
  let n = 1;
  let scratch = lineScratch;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (n === scratch.length) { const g = new Int32Array(scratch.length * 2); g.set(scratch); scratch = g; }
    scratch[n++] = i + 1;
  }
  if (scratch.length <= MAX_LINE_SCRATCH) lineScratch = scratch;
  const starts = new Array<number>(n);
  starts[0] = 0;
  for (let k = 1; k < n; k++) starts[k] = scratch[k];
  return starts;
}

/** newlineStarts' scratch list (index 0 unused), kept between calls up to MAX_LINE_SCRATCH lines. */
let lineScratch = new Int32Array(1 << 12);
const MAX_LINE_SCRATCH = 1 << 16;

function findMissing(root: Node): { line: number; column: number } | undefined {
  let node: Node | null = root;
  while (node) {
    let next: Node | null = null;
    for (const c of node.children) {
      if (!c) continue;
      if (c.isMissing) return { line: c.startPosition.row + 1, column: c.startPosition.column + 1 };
      if (c.hasError) { next = c; break; }
    }
    node = next;
  }
  return undefined;
}

/** 1-based line and column (UTF-16 units) of an offset, from a file's line starts (binary search). */
export function positionAt(starts: ArrayLike<number>, offset: number): { line: number; column: number } {
  const row = rowOf(starts, offset);
  return { line: row + 1, column: offset - starts[row] + 1 };
}

export function lineStarts(text: string): number[] {
  // Without a `\r` only `\n` ends a line: found by indexOf, not a loop over every character.
  if (text.indexOf('\r') < 0) return newlineStarts(text);
  // Two passes (count, then fill), for an exactly sized array (see newlineStarts).
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) n++;
    else if (ch === 13) { if (text.charCodeAt(i + 1) === 10) i++; n++; }
  }
  const starts = new Array<number>(n);
  starts[0] = 0;
  for (let i = 0, k = 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts[k++] = i + 1;
    else if (ch === 13) { if (text.charCodeAt(i + 1) === 10) i++; starts[k++] = i + 1; }
  }
  return starts;
}
