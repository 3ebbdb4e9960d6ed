// A syntax tree read into flat typed arrays by one cursor walk, so the model builder reads node kinds,
// fields and offsets from JS memory instead of allocating a web-tree-sitter `Node` per visited node
// (each Node getter crosses the JS/wasm boundary and marshals through helper functions).
//
// Nodes are stored in pre-order: node i's descendants are i+1 .. last[i]-1, its first child (if any)
// is i+1 and the sibling after child c is last[c] (while below last[i]).
import type { Language, Tree } from 'web-tree-sitter';
import { TreeCursor } from 'web-tree-sitter';
import { LAYOUT_SAMPLE, languageCounts, type MemoryTree, memoryTree, newParser, wasmCursor } from '../parser';

/** A top-level statement of the module: a part of the model is built per statement. */
export interface SegmentRef { startIndex: number; endIndex: number; startPosition: { row: number; column: number } }

export interface FlatTree {
  /** Number of nodes stored. */
  n: number;
  /** Node type id (the public symbol, as `Node.typeId`). */
  type: Uint16Array;
  /** Field id under its parent, 0 for none. */
  field: Uint16Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  /** One past the last descendant. */
  last: Int32Array;
}

/** The segments of a module (non-empty top-level children) and, for those asked for, their subtrees. */
export interface FlatModule { segments: SegmentRef[]; roots: number[]; flat: FlatTree }

let shared: FlatTree | undefined;
/** Nodes the shared arrays keep room for between walks (20 bytes each). */
const KEEP = 1 << 18;

function alloc(size: number): FlatTree {
  return {
    n: 0, type: new Uint16Array(size), field: new Uint16Array(size), start: new Int32Array(size), end: new Int32Array(size),
    parent: new Int32Array(size), last: new Int32Array(size),
  };
}

function grow(t: FlatTree, need: number): FlatTree {
  if (need <= t.type.length) return t;
  const g = alloc(Math.max(need, t.type.length * 2));
  g.type.set(t.type.subarray(0, t.n)); g.field.set(t.field.subarray(0, t.n)); g.start.set(t.start.subarray(0, t.n));
  g.end.set(t.end.subarray(0, t.n)); g.parent.set(t.parent.subarray(0, t.n)); g.last.set(t.last.subarray(0, t.n));
  g.n = t.n;
  return g;
}

/** The cursor operations the walk needs (the wasm exports directly, or the public TreeCursor API). */
export interface CursorOps {
  typeId(): number;
  fieldId(): number;
  startIndex(): number;
  endIndex(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  delete(): void;
}

/** The public (slower) cursor: every call marshals the cursor through web-tree-sitter's helpers. */
export function publicCursor(tree: Tree): CursorOps {
  const c: TreeCursor = tree.walk();
  return {
    typeId: () => c.nodeTypeId, fieldId: () => c.currentFieldId, startIndex: () => c.startIndex, endIndex: () => c.endIndex,
    firstChild: () => c.gotoFirstChild(), nextSibling: () => c.gotoNextSibling(), parent: () => c.gotoParent(), delete: () => c.delete(),
  };
}

/** How a tree is read: from wasm memory in JS (when confirmed, see `hasMemoryWalk`), by the cursor exports, or by the public TreeCursor. */
export type Walk = 'auto' | 'cursor' | 'public';

/**
 * Walks the module's top-level children; a child's subtree is stored when `want(seg)` is true.
 * The returned arrays are shared and overwritten by the next call: read them before walking again.
 * With `named` (1 per named type id), a leaf of an anonymous type (a keyword or punctuation token)
 * that holds no field is not stored, unless it is a top-level statement: the builder reads such a
 * token only as a field (`operator`) and never visits the others (a third of a tree's nodes).
 */
export function flattenModule(tree: Tree, rows: (offset: number) => { row: number; column: number }, want: (seg: SegmentRef) => boolean, walk: Walk = 'auto', named?: Uint8Array): FlatModule {
  if (walk === 'auto' && hasMemoryWalk()) {
    const mt = memoryTree(tree);
    if (mt) return flattenFromMemory(mt, rows, want, named);
  }
  const c = (walk !== 'public' && wasmCursor(tree)) || publicCursor(tree);
  // Arrays grown for one very large file are not kept for the next (at most KEEP nodes are).
  if (!shared || shared.type.length > KEEP) shared = alloc(1 << 16);
  let t = shared;
  t.n = 0;
  const segments: SegmentRef[] = [];
  const roots: number[] = [];
  let stack = new Int32Array(64);
  try {
    if (!c.firstChild()) return { segments, roots, flat: t };
    do {
      const s = c.startIndex();
      const e = c.endIndex();
      if (e <= s) continue;
      const seg: SegmentRef = { startIndex: s, endIndex: e, startPosition: rows(s) };
      segments.push(seg);
      if (!want(seg)) { roots.push(-1); continue; }
      roots.push(t.n);
      // Pre-order walk of this statement's subtree; depth 0 is the statement itself.
      let depth = 0;
      for (;;) {
        const type = c.typeId();
        const field = c.fieldId();
        // An anonymous leaf without a field is not stored; an anonymous node with children is (the
        // cursor moves down only to tell, and only for those: most nodes go down once, below).
        let keep = depth === 0 || field !== 0 || !named || named[type] === 1;
        if (!keep && c.firstChild()) { c.parent(); keep = true; }
        if (keep) {
          if (t.n === t.type.length) shared = t = grow(t, t.n + 1);
          const i = t.n++;
          t.type[i] = type;
          t.field[i] = field;
          t.start[i] = c.startIndex();
          t.end[i] = c.endIndex();
          t.parent[i] = depth > 0 ? stack[depth - 1] : -1;
          t.last[i] = i + 1;
          if (depth === stack.length) { const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = s2; }
          stack[depth] = i;
          if (c.firstChild()) { depth++; continue; }
        }
        // Close finished nodes until one has a next sibling (never leave the statement).
        let moved = false;
        while (depth > 0) {
          if (c.nextSibling()) { moved = true; break; }
          c.parent();
          depth--;
          t.last[stack[depth]] = t.n;
        }
        if (!moved) break;
      }
      t.last[roots[roots.length - 1]] = t.n;
    } while (c.nextSibling());
  } finally {
    c.delete();
  }
  return { segments, roots, flat: t };
}

// ---- the walk from memory ---------------------------------------------------------------------
//
// What the cursor does, read straight from the tree's memory (web-tree-sitter's lib/src/subtree.h
// and tree_cursor.c, ABI 14/15): a Subtree is 8 bytes, inline data (lowest bit set: byte 0 flags
// visible 2 / extra 8, byte 1 symbol, byte 6 padding and byte 7 size in bytes) or a pointer to heap
// data (padding bytes at +4, size bytes at +16, child count at +36, symbol at +40, flags at +44:
// visible 1 / extra 4, visible child count at +48, production id at +66), whose children are the
// child-count Subtrees just before it. A visible child is a visible subtree or one its parent's
// production aliases; a hidden child with visible children has its children walked in its place.
// A node's type is the language's public symbol of its alias or symbol; its field is the first
// non-inherited entry of its parent's production field map for its structural index (extras have
// none and take no index), else the one a hidden parent got the same way.

/** Fields per frame of the walk's stack (one frame per node whose children are being read). */
const FRAME = 8;
// Frame fields: heap address of the node, its child count, the next child's index, its structural
// index, its position (bytes), the node's production id, the flat index of the node when visible
// or of its nearest visible ancestor (-1: the root), the field a hidden node passes on (-1: visible).
let frames = new Int32Array(FRAME * 256);

/**
 * The field id of every structural child index (0-255: a field map entry stores the index in a byte)
 * of every production id of a tree's language, at `production << 8 | index` (0: no field): a field
 * map entry `{ field_id u16, child_index u8, inherited u8 }` that is not inherited, the first one
 * for an index winning, as tree-sitter's cursor reads them. Made once per language (keyed by the
 * address of its field tables), so the walk reads one array element per node instead of searching
 * the map: the walk's optimised code is smaller (cheaper to compile) and has no loop inside.
 */
let fieldTable = new Uint16Array(0);
let fieldTableFor = -1;

function fieldsOf(t: MemoryTree): Uint16Array {
  if (fieldTableFor === t.fieldSlices) return fieldTable;
  const table = new Uint16Array(Math.max(1, t.productionCount) << 8);
  if (t.fieldCount > 0) {
    for (let production = 0; production < t.productionCount; production++) {
      const slice = (t.fieldSlices >>> 1) + production * 2;
      const first = t.u16[slice];
      const count = t.u16[slice + 1];
      for (let k = 0; k < count; k++) {
        const e = t.fieldEntries + (first + k) * 4;
        const at = (production << 8) | t.u8[e + 2];
        if (t.u8[e + 3] === 0 && table[at] === 0) table[at] = t.u16[e >>> 1];
      }
    }
  }
  fieldTable = table;
  fieldTableFor = t.fieldSlices;
  return table;
}

/** flattenModule from memory: exactly what the cursor walk stores (checked once, see hasMemoryWalk). */
function flattenFromMemory(mt: MemoryTree, rows: (offset: number) => { row: number; column: number }, want: (seg: SegmentRef) => boolean, named?: Uint8Array): FlatModule {
  const { u8, u16, u32 } = mt;
  const aliases = mt.aliasSequences >>> 1;
  const maxAlias = mt.maxAliasLength;
  const publicSymbols = mt.publicSymbols >>> 1;
  const fields = fieldsOf(mt);
  const productions = mt.productionCount;
  if (!shared || shared.type.length > KEEP) shared = alloc(1 << 16);
  let t = shared;
  t.n = 0;
  const segments: SegmentRef[] = [];
  const roots: number[] = [];
  const root = u32[mt.root >>> 2];
  if (root & 1 || u32[(root + 36) >>> 2] === 0) return { segments, roots, flat: t };
  let f = frames;
  let top = 0;
  f[0] = root; f[1] = u32[(root + 36) >>> 2]; f[2] = 0; f[3] = 0; f[4] = u32[(root + 4) >>> 2]; f[5] = u16[(root + 66) >>> 1]; f[6] = -1; f[7] = -1;
  while (top >= 0) {
    const b = top * FRAME;
    const count = f[b + 1];
    const idx = f[b + 2];
    if (idx === count) {
      if (f[b + 7] < 0 && f[b + 6] >= 0) t.last[f[b + 6]] = t.n;
      top--;
      continue;
    }
    const addr = f[b] - 8 * (count - idx);
    const lo = u32[addr >>> 2];
    let visible: boolean;
    let extra: boolean;
    let symbol: number;
    let size: number;
    let kids: number;
    if (lo & 1) {
      const flags = u8[addr];
      visible = (flags & 2) !== 0; extra = (flags & 8) !== 0; symbol = u8[addr + 1]; size = u8[addr + 7]; kids = 0;
    } else {
      const flags = u8[lo + 44];
      visible = (flags & 1) !== 0; extra = (flags & 4) !== 0; symbol = u16[(lo + 40) >>> 1]; size = u32[(lo + 16) >>> 2]; kids = u32[(lo + 36) >>> 2];
    }
    const production = f[b + 5];
    const structural = f[b + 3];
    let alias = 0;
    if (!extra) {
      if (production !== 0) alias = u16[aliases + production * maxAlias + structural];
      f[b + 3] = structural + 1;
    }
    const start = f[b + 4];
    let next = start + size;
    if (idx + 1 < count) { const nlo = u32[(addr + 8) >>> 2]; next += nlo & 1 ? u8[addr + 14] : u32[(nlo + 4) >>> 2]; }
    f[b + 4] = next;
    f[b + 2] = idx + 1;
    const passed = f[b + 7];
    let field = 0;
    if (!extra) { if (structural < 256 && production < productions) field = fields[(production << 8) | structural]; if (field === 0 && passed > 0) field = passed; }
    // The frame for the node's children: their parent's flat index, and the field a hidden node passes on (-1: none).
    let under: number;
    let pass: number;
    if (!visible && alias === 0) {
      // A hidden node: its visible descendants take its place (and, without a field of their own, its field).
      if (kids === 0 || u32[(lo + 48) >>> 2] === 0) continue;
      under = f[b + 6];
      pass = field;
    } else {
      const s = start >>> 1;
      const e = (start + size) >>> 1;
      const parent = f[b + 6];
      if (parent < 0) {
        // A top-level statement: a segment, walked when asked for.
        if (e <= s) continue;
        const seg: SegmentRef = { startIndex: s, endIndex: e, startPosition: rows(s) };
        segments.push(seg);
        if (!want(seg)) { roots.push(-1); continue; }
        roots.push(t.n);
      }
      const sym = alias || symbol;
      const type = sym === 65535 ? 65535 : u16[publicSymbols + sym];
      // An anonymous leaf without a field (see flattenModule): not stored.
      if (named && named[type] !== 1 && field === 0 && parent >= 0 && (kids === 0 || u32[(lo + 48) >>> 2] === 0)) continue;
      if (t.n === t.type.length) shared = t = grow(t, t.n + 1);
      const i = t.n++;
      t.type[i] = type;
      t.field[i] = field;
      t.start[i] = s;
      t.end[i] = e;
      t.parent[i] = parent;
      t.last[i] = i + 1;
      if (kids === 0) continue;
      under = i;
      pass = -1;
    }
    if ((top + 2) * FRAME > f.length) { const g = new Int32Array(f.length * 2); g.set(f); frames = f = g; }
    const o = (++top) * FRAME;
    f[o] = lo; f[o + 1] = kids; f[o + 2] = 0; f[o + 3] = 0; f[o + 4] = start; f[o + 5] = u16[(lo + 66) >>> 1]; f[o + 6] = under; f[o + 7] = pass;
  }
  return { segments, roots, flat: t };
}

let memoryWalk: boolean | undefined;

/**
 * Whether trees are walked from memory: decided once, by walking a sample tree that holds every kind
 * of node (parser.ts LAYOUT_SAMPLE) both ways; any difference keeps the cursor walk.
 */
export function hasMemoryWalk(): boolean {
  if (memoryWalk !== undefined) return memoryWalk;
  memoryWalk = false;
  let tree: Tree | null = null;
  try {
    const p = newParser();
    tree = p.parse(LAYOUT_SAMPLE);
    p.delete();
    const mt = tree && memoryTree(tree);
    if (!tree || !mt) return false;
    const lang = tree.language;
    const [abi, symbols, fields] = languageCounts(mt);
    if (abi !== lang.abiVersion || symbols !== lang.nodeTypeCount || fields !== lang.fieldCount) return false;
    const at = (o: number) => ({ row: 0, column: o });
    const copy = (m: FlatModule) => JSON.stringify([m.segments, m.roots, ...[m.flat.type, m.flat.field, m.flat.start, m.flat.end, m.flat.parent, m.flat.last].map((a) => Array.from(a.subarray(0, m.flat.n)))]);
    const fast = copy(flattenFromMemory(mt, at, () => true));
    const slow = copy(flattenModule(tree, at, () => true, 'cursor'));
    const named = new Uint8Array(65536);
    for (let id = 0; id < lang.nodeTypeCount; id++) named[id] = lang.nodeTypeIsNamed(id) ? 1 : 0;
    named[65535] = 1;
    const fastLeaves = copy(flattenFromMemory(mt, at, () => true, named));
    const slowLeaves = copy(flattenModule(tree, at, () => true, 'cursor', named));
    memoryWalk = fast === slow && fastLeaves === slowLeaves && (JSON.parse(fast) as number[][])[2].length > 150 && fastLeaves.length < fast.length;
  } catch {
    memoryWalk = false;
  } finally {
    tree?.delete();
  }
  return memoryWalk;
}

/** Per-language tables: a kind number per type id by name (named or not), which ids are named, field ids. */
export interface Kinds { byId: Uint8Array; named: Uint8Array; names: string[]; fields: Map<string, number> }

const kindCache = new WeakMap<Language, { list: readonly string[]; kinds: Kinds }>();

/**
 * Maps the node type names in `list` to 1..list.length (0 for anything else) for every type id of
 * `lang`, named or anonymous, as a comparison of `node.type` with a name would.
 */
export function kindsFor(lang: Language, list: readonly string[]): Kinds {
  const hit = kindCache.get(lang);
  if (hit && hit.list === list) return hit.kinds;
  const count = lang.nodeTypeCount;
  const byId = new Uint8Array(65536);
  const named = new Uint8Array(65536);
  const names: string[] = [];
  const index = new Map(list.map((n, k) => [n, k + 1]));
  for (let id = 0; id < count; id++) {
    const name = lang.nodeTypeForId(id) ?? '';
    names[id] = name;
    byId[id] = index.get(name) ?? 0;
    named[id] = lang.nodeTypeIsNamed(id) ? 1 : 0;
  }
  // The error symbol (65535) is outside the language's type list.
  byId[65535] = index.get('ERROR') ?? 0;
  named[65535] = 1;
  names[65535] = 'ERROR';
  const fields = new Map<string, number>();
  for (let id = 1; id < lang.fields.length; id++) { const f = lang.fields[id]; if (f) fields.set(f, id); }
  const kinds = { byId, named, names, fields };
  kindCache.set(lang, { list, kinds });
  return kinds;
}
