// The source-root model: where Python would find a file's top-level package, so a module has one
// name whatever folder is scanned. A project is the nearest folder (inside its repository) holding a
// Python project marker; its source roots are the project folder, its `src/` and the folders named by
// pyproject.toml / setup.cfg package settings. Files outside any project fall back to the scan root.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';

const MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile', 'poetry.lock', 'uv.lock'];
const MAX_UP = 40;

/** Folder -> its project's source roots (deepest first), or null when it is in no project. */
const projectCache = new Map<string, string[] | null>();

export function clearSourceRootCache(): void { projectCache.clear(); }

/** Per folder: the names of the `__init__.py` folders from the outermost down to it (see packageChain). */
export type PackageChains = Map<string, string[]>;

/**
 * `dir` and the folders above it while each holds `__init__.py`, outermost first (`['app', 'routers']`
 * for `app/routers/`), or [] when `dir` is not a regular package. `chains` memoises it per folder for
 * the files of one scan (they share folders).
 */
function packageChain(dir: string, chains: PackageChains): string[] {
  let chain = chains.get(dir);
  if (chain) return chain;
  if (!existsSync(join(dir, '__init__.py'))) chain = [];
  else {
    const up = dirname(dir);
    chain = up === dir ? [basename(dir)] : [...packageChain(up, chains), basename(dir)];
  }
  chains.set(dir, chain);
  return chain;
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Source roots of the project that holds `dir`, deepest first; undefined outside any project. */
export function sourceRootsFor(dir: string): string[] | undefined {
  const start = resolve(dir);
  const walked: string[] = [];
  let found: string[] | null = null;
  let cur = start;
  for (let i = 0; i < MAX_UP; i++) {
    const hit = projectCache.get(cur);
    if (hit !== undefined) { found = hit; break; }
    walked.push(cur);
    // A folder holding `__init__.py` is a package: a `setup.py` or `requirements.txt` in it is one of
    // its files, not a project marker (else its namespace subfolders lose the package's name).
    if (MARKERS.some((m) => existsSync(join(cur, m))) && !existsSync(join(cur, '__init__.py'))) { found = rootsOf(cur); break; }
    // A repository's top is a boundary: markers above it belong to another project.
    if (existsSync(join(cur, '.git'))) break;
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const w of walked) projectCache.set(w, found);
  return found ?? undefined;
}

/** The project folder, `src/`, and package folders from pyproject.toml / setup.cfg; deepest first. */
function rootsOf(project: string): string[] {
  const roots = new Set<string>([project]);
  if (isDir(join(project, 'src'))) roots.add(join(project, 'src'));
  for (const d of declaredPackageDirs(project)) {
    const abs = resolve(project, d);
    if (abs.startsWith(project) && isDir(abs)) roots.add(abs);
  }
  return [...roots].sort((a, b) => b.length - a.length);
}

/** `where = ["src"]`, `package-dir = {"" = "lib"}`, poetry `from = "src"`, setup.cfg `package_dir = =src`. */
function declaredPackageDirs(project: string): string[] {
  const out: string[] = [];
  try {
    const pp = join(project, 'pyproject.toml');
    if (existsSync(pp)) {
      const doc = parseToml(readFileSync(pp, 'utf8')) as Record<string, any>;
      const tool = doc.tool ?? {};
      const find = tool.setuptools?.packages?.find;
      if (Array.isArray(find?.where)) out.push(...find.where.filter((w: unknown) => typeof w === 'string'));
      const pd = tool.setuptools?.['package-dir'];
      if (pd && typeof pd[''] === 'string') out.push(pd['']);
      for (const p of Array.isArray(tool.poetry?.packages) ? tool.poetry.packages : []) if (typeof p?.from === 'string') out.push(p.from);
      const hatch = tool.hatch?.build?.targets?.wheel?.packages;
      for (const p of Array.isArray(hatch) ? hatch : []) if (typeof p === 'string' && p.includes('/')) out.push(dirname(p));
    }
  } catch { /* a broken pyproject.toml is reported by the config loader; roots fall back to defaults */ }
  try {
    const cfg = join(project, 'setup.cfg');
    if (existsSync(cfg)) {
      const text = readFileSync(cfg, 'utf8');
      const pd = /^\s*package_dir\s*=\s*\n?\s*=\s*([\w./-]+)\s*$/m.exec(text);
      if (pd) out.push(pd[1]);
      const where = /^\[options\.packages\.find\][^[]*?^\s*where\s*=\s*([\w./-]+)\s*$/m.exec(text);
      if (where) out.push(where[1]);
    }
  } catch { /* unreadable: defaults */ }
  return out;
}

/**
 * The module `from <dots><rest> import ...` names when written in `module` (`isPackage`: its
 * `__init__.py`): `..x` in a.b.c -> `a.x`, in package a/b/__init__.py -> `a.x`; '' above the top.
 */
export function relativeImportTarget(module: string, isPackage: boolean, dots: number, rest: string | undefined): string {
  const parts = module.split('.');
  const pkg = isPackage ? parts : parts.slice(0, -1);
  const up = pkg.slice(0, Math.max(0, pkg.length - (dots - 1)));
  return [...up, ...(rest ? [rest] : [])].join('.');
}

/**
 * `app/routers/items.py` -> `app.routers.items`. A file in a regular package is named by its chain
 * of `__init__.py` folders; a file in a folder without one below a regular package by that package's
 * name and the folders in between; any other file (a namespace package, a plain folder) by its path
 * under the deepest source root of its project, else under the scan root, minus a `src/` layer.
 */
export function moduleName(abs: string, scanRoot: string, chains: PackageChains = new Map()): { module: string; isPackage: boolean } {
  const isPackage = basename(abs) === '__init__.py';
  const parts: string[] = isPackage ? [] : [basename(abs, '.py')];
  const pkg = packageChain(dirname(abs), chains);
  parts.unshift(...pkg);
  if (!pkg.length) {
    const fileDir = dirname(abs);
    const roots = sourceRootsFor(fileDir);
    const projectRoot = roots?.find((r) => isUnder(fileDir, r));
    const inPackage = enclosingPackage(fileDir, projectRoot, chains);
    if (inPackage) return { module: [...inPackage, ...parts].join('.'), isPackage };
    const root = projectRoot ?? scanRoot;
    const relDir = relative(root, fileDir);
    if (relDir && !relDir.startsWith('..')) {
      const segs = relDir.split(sep).filter(Boolean);
      if (segs[0] === 'src') segs.shift();
      if (segs.every((s) => /^[A-Za-z_]\w*$/.test(s))) parts.unshift(...segs);
    }
  }
  return { module: parts.join('.') || 'main', isPackage };
}

const MAX_NAMESPACE_DEPTH = 12;

/**
 * A folder without `__init__.py` inside a regular package is a namespace portion of that package
 * (`onyx/redis/` under `onyx/__init__.py` is `onyx.redis`): the package's dotted name plus the
 * folders below it; undefined when no package encloses it before the source root or the repository top.
 */
function enclosingPackage(dir: string, stopAt: string | undefined, chains: PackageChains): string[] | undefined {
  const between: string[] = [];
  let d = dir;
  for (let i = 0; i < MAX_NAMESPACE_DEPTH && d !== stopAt; i++) {
    const name = basename(d);
    if (!/^[A-Za-z_]\w*$/.test(name) || existsSync(join(d, '.git'))) return undefined;
    between.unshift(name);
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
    const pkg = packageChain(d, chains);
    if (pkg.length) return [...pkg, ...between];
  }
  return undefined;
}

function isUnder(p: string, root: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !/^[A-Za-z]:/.test(r));
}

/** Folders whose code is tests, scripts or examples (pytest's own layout and the usual names). */
const TEST_DIRS = new Set(['tests', 'test', 'scripts', 'examples']);
const TEST_FILE = /^(?:test_.*|.*_test|conftest)\.py$/;

/** The file's path under its project folder (else under the scan root), `/`-separated. */
export function projectPath(abs: string, scanRoot: string): string {
  const roots = sourceRootsFor(dirname(abs));
  const base = roots ? roots[roots.length - 1] : scanRoot;
  const rel = relative(base, abs);
  return (rel.startsWith('..') ? basename(abs) : rel).split(sep).join('/');
}

/**
 * Test code, scripts and examples: pytest's `test_*.py`, `*_test.py`, `conftest.py`, and anything
 * under `tests/`, `test/`, `scripts/` or `examples/`, by the path inside the project. `patterns`
 * (from `[tool.loopwise] test-code`) replaces that default: each matches a path or a folder.
 */
export function isTestCode(projectRel: string, patterns?: ((rel: string) => boolean)): boolean {
  if (patterns) return patterns(projectRel);
  const segs = projectRel.split('/');
  const file = segs.pop() ?? '';
  return TEST_FILE.test(file) || segs.some((s) => TEST_DIRS.has(s));
}

export type TestCodeKind = 'test' | 'script' | 'example' | 'other';

/**
 * What kind of test code a file is, by its path, for messages: a pytest file is a test, else the
 * innermost `tests/`, `test/`, `scripts/` or `examples/` folder decides; 'other' for a path only
 * `[tool.loopwise] test-code` names.
 */
export function testCodeKind(path: string): TestCodeKind {
  const segs = path.split(/[\\/]/);
  const file = segs.pop() ?? '';
  if (TEST_FILE.test(file)) return 'test';
  for (let i = segs.length - 1; i >= 0; i--) {
    if (segs[i] === 'tests' || segs[i] === 'test') return 'test';
    if (segs[i] === 'scripts') return 'script';
    if (segs[i] === 'examples') return 'example';
  }
  return 'other';
}
