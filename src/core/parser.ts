// Loads web-tree-sitter and the Python grammar once, from an explicit folder: the extension's or
// package's own grammars/ (next to dist/, or the source tree's), never the working directory, which
// is the project being scanned.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { keepYoungSmall } from './batchHeap';
import type { CursorOps } from './python/flatTree';

let ready: Promise<Language> | undefined;
let language: Language | undefined;

/** Where grammars/ may be: beside the bundle (dist/../grammars) or the source tree (src/core/../../grammars). */
export function grammarDirCandidates(): string[] {
  return [join(__dirname, '..', 'grammars'), join(__dirname, '..', '..', 'grammars')];
}

/** The package's own grammars/ folder. */
export function defaultGrammarDir(): string {
  const candidates = grammarDirCandidates();
  for (const c of candidates) if (existsSync(join(c, 'tree-sitter-python.wasm'))) return c;
  throw new Error(`tree-sitter grammars not found (looked in ${candidates.join(', ')}); run "npm run build"`);
}

/**
 * The emscripten module web-tree-sitter was initialised with (the options object handed to
 * Parser.init is the module itself). The model builder's cursor walk calls its tree-cursor exports
 * directly: the cursor state stays in the transfer buffer between calls instead of being copied in
 * and out by JS helpers on every step.
 */
interface WasmModule {
  _ts_init(): number;
  _ts_tree_root_node_wasm(tree: number): void;
  _ts_tree_cursor_new_wasm(tree: number): void;
  _ts_tree_cursor_delete_wasm(tree: number): void;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  /** Views of the wasm memory (the module replaces them when the memory grows). */
  HEAPU32: Uint32Array;
  HEAPU16: Uint16Array;
  HEAPU8: Uint8Array;
}
let wasm: WasmModule | undefined;
let transfer = 0;
const moduleOptions: Record<string, unknown> = {};

function checkWasm(): WasmModule | undefined {
  const m = moduleOptions as unknown as Partial<WasmModule>;
  const names = ['_ts_init', '_ts_tree_root_node_wasm', '_ts_tree_cursor_new_wasm', '_ts_tree_cursor_delete_wasm', '_ts_tree_cursor_goto_first_child_wasm',
    '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm',
    '_ts_tree_cursor_current_field_id_wasm', '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm'] as const;
  if (!names.every((n) => typeof m[n] === 'function')) return undefined;
  transfer = m._ts_init!(); // returns the transfer buffer's address (and only re-sets the allocator)
  return m as WasmModule;
}

/**
 * A cursor over the whole tree that calls the wasm exports directly, or undefined when this
 * web-tree-sitter build does not expose them (the caller then uses the public TreeCursor).
 */
export function wasmCursor(tree: Tree): CursorOps | undefined {
  const m = wasm;
  const ptr = (tree as unknown as { 0: number })[0];
  if (!m || typeof ptr !== 'number') return undefined;
  m._ts_tree_root_node_wasm(ptr);
  m._ts_tree_cursor_new_wasm(ptr);
  // The cursor's state lives in the first four words of the transfer buffer; only cursor calls
  // run until delete(), so nothing else overwrites it.
  return {
    typeId: () => m._ts_tree_cursor_current_node_type_id_wasm(ptr),
    fieldId: () => m._ts_tree_cursor_current_field_id_wasm(ptr),
    startIndex: () => m._ts_tree_cursor_start_index_wasm(ptr),
    endIndex: () => m._ts_tree_cursor_end_index_wasm(ptr),
    firstChild: () => m._ts_tree_cursor_goto_first_child_wasm(ptr) === 1,
    nextSibling: () => m._ts_tree_cursor_goto_next_sibling_wasm(ptr) === 1,
    parent: () => m._ts_tree_cursor_goto_parent_wasm(ptr) === 1,
    delete: () => m._ts_tree_cursor_delete_wasm(ptr),
  };
}

/**
 * Text whose tree has every kind of node the memory walk (python/flatTree.ts) decodes: inline and heap leaves (a token
 * longer than 255 bytes), external tokens (strings), errors, a MISSING node, non-ASCII text.
 */
export const LAYOUT_SAMPLE = [
  'import os, sys as system\nfrom . import (a, b)\n',
  `x_${'long'.repeat(80)} = f"\u00e9{1 + 2!r:>{w}}\u{1F600}\\n" + "\\t" 'c' b"\\x00"  # comment \u00fc\n`,
  '@dec(1)\nasync def f(a: int = 3, *args, **kw) -> None:\n    """doc"""\n    await g(a)[0].h\n    return [y for y in range(9) if y]\n',
  'class C(B, metaclass=M):\n    def m(self):\n        while True:\n            break\n',
  'def broken(:\n    x = (1,\n',
].join('');

/**
 * A tree's memory, for walking it from JS without the cursor (python/flatTree.ts `flattenFromMemory`):
 * the wasm heap views, the root subtree and the tables of the tree's language that the walk reads.
 * Nothing may call into wasm while a walk reads these views (a memory growth replaces them).
 */
export interface MemoryTree {
  u8: Uint8Array; u16: Uint16Array; u32: Uint32Array;
  /** Address of the root Subtree (8 bytes: inline data with the lowest bit set, or a pointer to heap data). */
  root: number;
  maxAliasLength: number; fieldCount: number;
  /** The language's production id count (its field map has one slice per production id). */
  productionCount: number;
  /** Addresses of the language's field_map_slices, field_map_entries, public_symbol_map and alias_sequences. */
  fieldSlices: number; fieldEntries: number; publicSymbols: number; aliasSequences: number;
}
/**
 * The memory of `tree` for a JS walk, or undefined when the wasm heap is not reachable. A TSTree is
 * { root Subtree (8 bytes), language pointer }; a TSLanguage (ABI 14/15) holds its counts in its
 * first 38 bytes (`languageCounts`; production id count at 28) and the table pointers the walk needs at 64, 68, 76 and 84.
 * python/flatTree.ts confirms the layout once against the cursor walk before it relies on it.
 */
export function memoryTree(tree: Tree): MemoryTree | undefined {
  const m = wasm;
  const ptr = (tree as unknown as { 0: number })[0];
  if (!m || typeof ptr !== 'number' || !(m.HEAPU32 instanceof Uint32Array) || !(m.HEAPU16 instanceof Uint16Array) || !(m.HEAPU8 instanceof Uint8Array)) return undefined;
  const u32 = m.HEAPU32;
  const lang = u32[(ptr + 8) >>> 2];
  return {
    u8: m.HEAPU8, u16: m.HEAPU16, u32, root: ptr,
    maxAliasLength: m.HEAPU16[(lang + 36) >>> 1], fieldCount: u32[(lang + 32) >>> 2], productionCount: u32[(lang + 28) >>> 2],
    fieldSlices: u32[(lang + 64) >>> 2], fieldEntries: u32[(lang + 68) >>> 2], publicSymbols: u32[(lang + 76) >>> 2], aliasSequences: u32[(lang + 84) >>> 2],
  };
}

/**
 * The ABI version, node type count (symbols and aliases, as `Language.nodeTypeCount`) and field count
 * stored in the language of a tree's memory (see memoryTree).
 */
export function languageCounts(t: MemoryTree): [number, number, number] {
  const lang = t.u32[(t.root + 8) >>> 2] >>> 2;
  return [t.u32[lang], t.u32[lang + 1] + t.u32[lang + 2], t.u32[lang + 8]];
}

/**
 * The size of the parser's wasm memory in bytes (0 before initParser). Emscripten's memory grows and
 * never shrinks, so growth over many parses is what trees or parsers not freed leave behind; unlike
 * process.memoryUsage().external, it counts no JS array buffer (the models' typed arrays).
 */
export function wasmMemoryBytes(): number {
  return wasm ? wasm.HEAPU8.buffer.byteLength : 0;
}

/** Whether the direct cursor is in use (tests compare it with the public one). */
export function hasWasmCursor(): boolean {
  return !!wasm && transfer !== 0;
}

/**
 * The two wasm modules, compiled: web-tree-sitter's runtime and the Python grammar. A compiled
 * WebAssembly.Module can be posted to a worker thread, and every isolate that instantiates it runs
 * the same compiled code, its optimised tier included (V8 keeps one copy per process).
 */
export interface Grammars { runtime: CompiledWasm; python: CompiledWasm }
/** A `WebAssembly.Module` (the project's `lib` declares no WebAssembly types). */
export type CompiledWasm = object;
/** The WebAssembly API this file uses. */
const WA = (globalThis as unknown as { WebAssembly: {
  compile(bytes: Uint8Array): Promise<CompiledWasm>;
  Instance: new (module: CompiledWasm, imports: object) => object;
} }).WebAssembly;

let compiling: Promise<Grammars> | undefined;

/**
 * Compiles the modules of `grammarDir` once per process, off this thread (V8 compiles in the
 * background; the promise settles on a later turn of the event loop): call it as early as possible.
 * The first call's folder is the one used. Rejects when a file is missing or not wasm.
 */
export function compileGrammars(grammarDir?: string): Promise<Grammars> {
  if (!compiling) {
    compiling = (async () => {
      const dir = grammarDir ?? defaultGrammarDir();
      const runtime = WA.compile(readFileSync(join(dir, 'web-tree-sitter.wasm')));
      const python = WA.compile(readFileSync(join(dir, 'tree-sitter-python.wasm')));
      return { runtime: await runtime, python: await python };
    })();
    compiling.catch(() => { compiling = undefined; });
  }
  return compiling;
}

/**
 * Loads web-tree-sitter and the Python grammar (once per thread) from `grammars` when given (a
 * worker thread gets the modules the main thread compiled), else from compileGrammars(grammarDir).
 * The runtime is instantiated through emscripten's `instantiateWasm` hook and the grammar with
 * Language.loadSync, both from the compiled modules: nothing is read or compiled again.
 */
export function initParser(grammarDir?: string, grammars?: Grammars): Promise<Language> {
  if (!ready) {
    detachedOnce();
    ready = (async () => {
      const g = grammars ?? await compileGrammars(grammarDir);
      moduleOptions.instantiateWasm = (imports: object, done: (instance: object, module: CompiledWasm) => void) => {
        done(new WA.Instance(g.runtime, imports), g.runtime);
        return {}; // emscripten's convention: the exports come through `done`
      };
      await Parser.init(moduleOptions);
      wasm = checkWasm();
      language = Language.loadSync(g.python);
      // A scan worker's isolate, made while this thread read the files, let the young generation grow again.
      keepYoungSmall();
      return language;
    })();
    ready.catch(() => { ready = undefined; });
  }
  return ready;
}

/**
 * Detaches an empty ArrayBuffer, once per thread, before any parsing code is optimised. V8's
 * optimised code reads typed arrays without a detached check for as long as no ArrayBuffer of the
 * isolate was ever detached (its "ArrayBufferDetaching" protector); the first detach deoptimises
 * all such code and aborts such compiles in flight. A thread that parses detaches buffers anyway:
 * the wasm memory's buffer when the memory grows, the buffers a scan transfers between threads. That
 * used to happen once the walk of the trees (python/flatTree.ts) and the model builder were hot, so
 * their first optimised code (and a compile in flight: ~75-140 ms of the worker's background CPU)
 * was thrown away and compiled again (docs/performance.md, "Session 13: jit").
 */
function detachedOnce(): void {
  if (detached) return;
  detached = true;
  try { const b = new ArrayBuffer(0); structuredClone(b, { transfer: [b] }); } catch { /* no structuredClone: V8 detaches later */ }
}
let detached = false;

/** A parser bound to Python. Call initParser() first. */
export function newParser(): Parser {
  if (!language) throw new Error('initParser() has not completed');
  const p = new Parser();
  p.setLanguage(language);
  return p;
}

let shared: Parser | undefined;
/**
 * Parses a whole text with a shared parser; the caller must delete() the tree. With `ownText`, every
 * `node.text` of the tree is a fresh copy instead of a slice of `text`: a model built from an open
 * document then keeps none of its text alive after the next edit (V8 slices pin their whole parent).
 */
export function parsePython(text: string, old?: Tree, ownText = false): Tree {
  shared ??= newParser();
  const tree = shared.parse(text, old ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  if (ownText) {
    (tree as unknown as { textCallback: (index: number) => string }).textCallback = copiedChunks(text);
  }
  return tree;
}

const CHUNK = 64;
/** web-tree-sitter's node text reads chunks from `textCallback` and joins them: hand it copies. */
function copiedChunks(text: string): (index: number) => string {
  return (index) => (index < text.length ? copyString(text.slice(index, index + CHUNK)) : '');
}

/** A flat copy of `s` that shares no storage with the string it was sliced from. */
export function copyString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1); // V8 flattens the concatenation, then slices the copy
}

/** A fresh shared parser for the loaded language (after a wasm abort); the old one is not touched. */
export function renewParser(): void {
  shared = undefined;
}
