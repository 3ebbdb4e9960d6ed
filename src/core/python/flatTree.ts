// A syntax tree read into flat typed arrays by one cursor walk, so the model builder reads node kinds,
// fields and offsets from JS memory instead of allocating a web-tree-sitter `Node` per visited node
// (each Node getter crosses the JS/wasm boundary and marshals through helper functions).
//
// Nodes are stored in pre-order: node i's descendants are i+1 .. last[i]-1, its first child (if any)
// is i+1 and the sibling after child c is last[c] (while below last[i]).
import type { Language, Tree } from 'web-tree-sitter';
import { TreeCursor } from 'web-tree-sitter';
import { type DirectCursor, readDirect as readDirectImport, wasmCursor } from '../parser';

// readDirect, called per node, is bound locally: where the sources run through a CommonJS transform (tsx:
// the tests and `npm run bench`), every use of an imported name is a getter call; the bundle is not affected.
const readDirect = readDirectImport;

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
  /** Set when the current node's offsets can be read from wasm memory (`readDirect`) instead of calls. */
  direct?: DirectCursor;
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

/**
 * Walks the module's top-level children; a child's subtree is stored when `want(seg)` is true.
 * The returned arrays are shared and overwritten by the next call: read them before walking again.
 */
export function flattenModule(tree: Tree, rows: (offset: number) => { row: number; column: number }, want: (seg: SegmentRef) => boolean, usePublic = false): FlatModule {
  const c = (!usePublic && wasmCursor(tree)) || publicCursor(tree);
  // Arrays grown for one very large file are not kept for the next (at most KEEP nodes are).
  if (!shared || shared.type.length > KEEP) shared = alloc(1 << 16);
  let t = shared;
  t.n = 0;
  const segments: SegmentRef[] = [];
  const roots: number[] = [];
  let stack = new Int32Array(64);
  const d = c.direct;
  // [start, end, whether the node has any child] of the current node, when read from memory.
  const cur = [0, 0, 1];
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
        if (t.n === t.type.length) shared = t = grow(t, t.n + 1);
        const i = t.n++;
        t.type[i] = c.typeId();
        t.field[i] = c.fieldId();
        if (d) {
          readDirect(d, cur);
          t.start[i] = cur[0];
          t.end[i] = cur[1];
        } else {
          t.start[i] = c.startIndex();
          t.end[i] = c.endIndex();
        }
        t.parent[i] = depth > 0 ? stack[depth - 1] : -1;
        t.last[i] = i + 1;
        if (depth === stack.length) { const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = s2; }
        stack[depth] = i;
        // A leaf is known from memory without asking the cursor to descend.
        if (cur[2] !== 0 && c.firstChild()) { depth++; continue; }
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
