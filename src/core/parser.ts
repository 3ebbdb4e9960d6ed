// Loads web-tree-sitter, the Python grammar and the query sources (grammars/*.scm) once, from an
// explicit folder: the extension's or package's own grammars/ (next to dist/, or the source tree's),
// never the working directory, which is the project being scanned.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

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

let queryDir: string | undefined;

export function initParser(grammarDir = defaultGrammarDir()): Promise<Language> {
  if (!ready) {
    queryDir = grammarDir;
    ready = (async () => {
      await Parser.init({ locateFile: () => join(grammarDir, 'web-tree-sitter.wasm') });
      language = await Language.load(join(grammarDir, 'tree-sitter-python.wasm'));
      return language;
    })();
    ready.catch(() => { ready = undefined; });
  }
  return ready;
}

/** The source of grammars/<name>.scm, from the folder the grammar was loaded from. */
export function loadQuery(name: string): string {
  return readFileSync(join(queryDir ?? defaultGrammarDir(), `${name}.scm`), 'utf8');
}

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
  if (ownText) (tree as unknown as { textCallback: (index: number) => string }).textCallback = copiedChunks(text);
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
