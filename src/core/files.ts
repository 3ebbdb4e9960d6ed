// Finding and reading Python files for a scan: skips virtualenvs and caches, refuses huge and binary
// files with a note, decodes BOMs / UTF-16 / PEP 263 encodings, and names each file's module
// (packages with or without __init__.py, src layouts) so imports resolve across files.
import { isAscii } from 'node:buffer';
import { closeSync, constants, type Dirent, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { takeEarlyListing } from './earlyWorkers';
import { globProblem } from './globs';
import type { FileNote } from './types';

export const MAX_FILE_BYTES = 2 * 1024 * 1024;
export const SKIP_DIRS = new Set(['.venv', 'venv', 'env', '.env', 'node_modules', '.git', '__pycache__', 'site-packages', '.tox', '.nox', '.mypy_cache', '.ruff_cache', '.pytest_cache', 'build', 'dist', '.hg', '.svn']);

const PACKAGE_NAMED_DIRS = new Set(['build', 'dist', 'env']);

/** A folder named like an output folder is Python code when it, or the folder holding it, is a package. */
function isPackageDir(dir: string, parent: string): boolean {
  return existsSync(join(dir, '__init__.py')) || existsSync(join(parent, '__init__.py'));
}

export class InputError extends Error {}

export interface DecodedText {
  text: string;
  /** How the bytes were decoded, so a fix can write them back the same way. */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | string;
  bom: boolean;
  note?: string;
}

export interface DiscoveredFile { abs: string; rel: string; root: string }

export interface Discovery { files: DiscoveredFile[]; notes: FileNote[] }

export interface DiscoverOptions {
  /** Legacy filter on the path relative to the scanned folder. */
  exclude?: (rel: string) => boolean;
  /** Whether a path found by the walk is left out (its folder above was already checked). */
  skip?: (abs: string, isDir: boolean) => boolean;
  /** Whether a path named in `paths` is left out (checks the folders above it too). */
  skipNamed?: (abs: string, isDir: boolean) => boolean;
  maxFiles?: number;
}

/** Walks the given paths for *.py files. A missing path is an InputError (exit 2 in the CLI). */
export function discover(paths: string[], opts: DiscoverOptions = {}): Discovery {
  const files: DiscoveredFile[] = [];
  const notes: FileNote[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const maxFiles = opts.maxFiles ?? 100_000;
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new InputError(`path not found: ${p}`);
    const st = statSync(abs);
    const root = st.isDirectory() ? abs : dirname(abs);
    if (opts.skipNamed?.(abs, st.isDirectory())) continue;
    if (st.isFile()) {
      if (!seenFiles.has(abs)) { seenFiles.add(abs); files.push({ abs, rel: relative(process.cwd(), abs) || basename(abs), root }); }
      continue;
    }
    // Iterative walk: symlink loops are cut by remembering real directory paths. A folder's real
    // path is its parent's real path and its name unless it is a symlink, so only the scan root
    // and symlinks cost a realpath; the entries' types come with the listing (no lstat per entry).
    const stack: [dir: string, real: string | undefined][] = [[abs, undefined]];
    let rootReal: string | undefined;
    while (stack.length) {
      const [dir, known] = stack.pop()!;
      let real: string;
      if (known !== undefined) real = known;
      else {
        try { real = realpathSync(dir); } catch { continue; }
        // A symlinked folder that holds the folder scanned is not followed: a link to `/`, `~` or
        // `../..` walked the whole disk (and read code that is not the project's). A link to a folder
        // beside it (`common -> ../../libs/common`) still is; `loopwise fix` refuses to write there.
        if (rootReal === undefined) rootReal = real;
        else if (real !== rootReal && isInside(real, rootReal)) { notes.push({ file: rel(dir), kind: 'skipped', message: 'symlink to a folder that holds the scanned folder (not followed)' }); continue; }
      }
      if (seenDirs.has(real)) { notes.push({ file: rel(dir), kind: 'skipped', message: 'directory already visited (symlink loop)' }); continue; }
      seenDirs.add(real);
      let entries: Dirent[];
      try { entries = (takeEarlyListing(dir) ?? readdirSync(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); } catch (err) {
        notes.push({ file: rel(dir), kind: 'skipped', message: `cannot read directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, failed: true });
        continue;
      }
      // The files' display paths: the folder's relative path made once, then each name added (relative() per file cost a path walk each).
      const relDir = relative(process.cwd(), dir);
      const relOf = (name: string) => (relDir ? relDir + sep + name : name);
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        const name = entry.name;
        const full = join(dir, name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        const link = entry.isSymbolicLink();
        if (link) {
          try { const t = statSync(full); isDir = t.isDirectory(); isFile = t.isFile(); } catch { notes.push({ file: rel(full), kind: 'skipped', message: 'broken symlink' }); continue; }
        }
        if (isDir) {
          // `build/` and `dist/` are output folders, unless they are a package or sit inside one
          // (`onyx/server/features/build/`, a namespace package without `__init__.py`).
          if ((SKIP_DIRS.has(name) && !(PACKAGE_NAMED_DIRS.has(name) && isPackageDir(full, dir))) || name.endsWith('.egg-info')) continue;
          if (opts.exclude?.(relative(abs, full)) || opts.skip?.(full, true)) continue;
          stack.push([full, link ? undefined : join(real, name)]);
        } else if (isFile && name.endsWith('.py')) {
          if (opts.exclude?.(relative(abs, full)) || opts.skip?.(full, false)) continue;
          let realFile = link ? full : join(real, name);
          if (link) { try { realFile = realpathSync(full); } catch { /* keep the path */ } }
          if (seenFiles.has(realFile)) continue;
          seenFiles.add(realFile);
          if (files.length >= maxFiles) { notes.push({ file: rel(full), kind: 'skipped', message: `more than ${maxFiles} files; the rest were not scanned` }); stack.length = 0; break; }
          files.push({ abs: full, rel: relOf(name), root: abs });
        } else if (!isDir && !isFile && name.endsWith('.py')) {
          // A FIFO, socket or device named *.py: reading it could block forever.
          if (opts.skip?.(full, false)) continue;
          notes.push({ file: rel(full), kind: 'skipped', message: 'not a regular file', failed: true });
        }
      }
    }
  }
  return { files, notes };
}

function rel(p: string): string {
  return relative(process.cwd(), p) || p;
}

/** Whether `real` (a real path) is `root` (a real path) or inside it. */
export function isInside(root: string, real: string): boolean {
  const r = relative(root, real);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

export type ReadFailure = { buf?: undefined; error: string; reason: 'unreadable' | 'outside' | 'not-regular' | 'too-large'; size?: number };

/**
 * Reads a file that must be a regular file of at most `maxBytes`, without ever blocking: the file is
 * opened non-blocking and checked on its descriptor, so a FIFO, socket or device (a `/dev/zero` link)
 * is refused instead of read. With `root`, the file's real path must lie under the root's real path
 * (a symlink out of the project is refused). Returns the bytes, or a one-line reason.
 */
export function readRegularFile(abs: string, opts: { root?: string; maxBytes?: number; /** Read into this buffer when the file fits: the result is then a view of it, valid until its next use. */ scratch?: Buffer } = {}): { buf: Buffer; error?: undefined } | ReadFailure {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  const unreadable = (err: unknown): ReadFailure => ({ error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, reason: 'unreadable' });
  const tooLarge = (size: number): ReadFailure => ({ error: `file is ${formatSize(size)}, over the ${formatSize(maxBytes)} limit`, reason: 'too-large', size });
  if (opts.root !== undefined) {
    let real: string;
    let rootReal: string;
    try { real = realpathSync(abs); rootReal = realpathSync(opts.root); } catch (err) { return unreadable(err); }
    if (!isInside(rootReal, real)) return { error: 'symlink to a file outside the project (not read)', reason: 'outside' };
  }
  let fd: number;
  try { fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)); } catch (err) { return unreadable(err); }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: 'not a regular file (FIFO, socket or device): not read', reason: 'not-regular' };
    if (st.size > maxBytes) return tooLarge(st.size);
    // Read at most maxBytes + 1, whatever the size said: the file may grow between fstat and read.
    const want = Math.min(st.size, maxBytes) + 1;
    const buf = opts.scratch && opts.scratch.length >= want ? opts.scratch.subarray(0, want) : Buffer.allocUnsafe(want);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      // All fstat promised: no second read to see the end (a file that grows meanwhile is read as it was).
      if (n === buf.length || n === st.size) break;
    }
    if (n > maxBytes) return tooLarge(n);
    return { buf: buf.subarray(0, n) };
  } catch (err) {
    return unreadable(err);
  } finally {
    closeSync(fd);
  }
}

/** `2MB`, `500k`, `1048576` -> bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  // Trimmed first: `\s*` around an optional unit was quadratic on a long run of spaces.
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const bytes = Math.round(Number(m[1]) * (unit === 'g' ? 1024 ** 3 : unit === 'm' ? 1024 ** 2 : unit === 'k' ? 1024 : 1));
  return bytes >= 1 ? bytes : undefined;
}

function formatSize(bytes: number): string {
  return bytes >= 1048576 ? `${+(bytes / 1048576).toFixed(1)} MB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;
}

/**
 * Where readSource reads a file that fits (decode() copies the text out of it). A buffer per file
 * (4.4 MB in 500 array buffers on the 500-file benchmark) made the main thread collect its young
 * generation while it read the files: V8 does when new array buffers pass its external-memory limit
 * for the young generation. Below glibc's mmap threshold (128 KiB), so it is an ordinary heap block.
 */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Buffer | undefined;

/**
 * Reads and decodes a file; returns a note instead of text when it must be skipped. A file that
 * cannot be read (a FIFO or device included: it is never opened for a blocking read) or is over the
 * size limit gets a `failed` note (the CLI exits 2 on those).
 */
export function readSource(abs: string, display: string, maxBytes = MAX_FILE_BYTES): { decoded?: DecodedText; note?: FileNote } {
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  const read = readRegularFile(abs, { maxBytes, scratch });
  return read.error !== undefined ? { note: unreadNote(read, display) } : decodeWithNote(read.buf, display);
}

/** The `failed` note of a file readRegularFile refused. */
function unreadNote(read: { error: string; reason?: string }, display: string): FileNote {
  const message = read.reason === 'too-large' ? `${read.error} (--max-file-size)` : read.error;
  return { file: display, kind: 'skipped', message, failed: true };
}

/** A file's bytes decoded, with the note readSource gives them (binary: skipped; an encoding fallback). */
function decodeWithNote(buf: Buffer, display: string): { decoded?: DecodedText; note?: FileNote } {
  const decoded = decode(buf);
  if (!decoded) return { note: { file: display, kind: 'skipped', message: 'binary file (contains NUL bytes)' } };
  return { decoded, note: decoded.note ? { file: display, kind: 'encoding', message: decoded.note } : undefined };
}

/**
 * A file read by SourceBatches: its text (or a note instead, or both), in the order the files were
 * given. A plain file's text is `batch.text.slice(at, at + decoded.text.length)` (else `at` is -1).
 */
export interface BatchedSource<T> { key: T; decoded?: DecodedText; note?: FileNote; batch?: TextBatch; at: number }

/** The string that plain files' texts are slices of (one per batch). */
export interface TextBatch { readonly text: string }

/**
 * Reads the files of a batch scan (scanPaths) into one buffer and decodes the plain ones a batch at
 * a time: one string of at least BATCH_MIN_BYTES, each file's text a slice of it (V8 sliced
 * strings). A file's text decoded on its own is a young string on V8's heap, copied by two
 * scavenges on its way to the old generation (4.4 MB twice on the 500-file benchmark). A batch's
 * string is over Node's EXTERN_APEX (1,031,913 characters), so Node makes it an external string:
 * its characters are outside V8's heap, never copied or counted by the collector (one under that
 * size, the last batch's, is still over 128 KiB or small: a large object is never copied either).
 * A plain file is ASCII with no NUL in its head and no coding line but UTF-8's: decode() would give
 * it the same text ('utf-8', no BOM); any other goes through decode(). Every text is kept to the
 * scan's end anyway (the models slice their names from it); the language server reads its
 * documents with readSource (an edited document must not pin a batch).
 */
export class SourceBatches<T> {
  private used = 0;
  /** Files read since the last batch was decoded, in order; a plain file's bytes are at [at, end) of the buffer. */
  private queue: (BatchedSource<T> & { end: number })[] = [];
  private plain = 0;
  /** The buffer this batch's files are read into: the process's (batchBuffer), or this scan's own while another holds that. */
  private buf: Buffer | undefined;
  private spare: Buffer | undefined;

  constructor(private readonly maxBytes = MAX_FILE_BYTES, private readonly minBytes = BATCH_MIN_BYTES) {}

  /** Reads a file; returns the files whose texts are ready (none while a batch fills), in the order they were added. */
  add(key: T, abs: string, display: string): BatchedSource<T>[] {
    if (this.used === 0) this.buf = this.claim();
    const buf = this.buf!;
    const read = readRegularFile(abs, { maxBytes: this.maxBytes, scratch: buf.subarray(this.used) });
    if (read.error !== undefined) {
      this.queue.push({ key, note: unreadNote(read, display), at: -1, end: -1 });
    } else if (read.buf.buffer === buf.buffer && isPlain(read.buf)) {
      const at = read.buf.byteOffset - buf.byteOffset;
      this.used = at + read.buf.length;
      this.queue.push({ key, at, end: this.used });
      this.plain++;
    } else {
      // Decoded now, into a string of its own (the buffer past `used` is free again).
      this.queue.push({ key, ...decodeWithNote(read.buf, display), at: -1, end: -1 });
    }
    return this.used >= this.minBytes || !this.plain ? this.take() : [];
  }

  /** The files still held: call once every file was added. */
  end(): BatchedSource<T>[] {
    return this.take();
  }

  /**
   * The buffer for a new batch: the process's, unless another SourceBatches holds files in it whose
   * batch is not decoded yet (two scans at once: scanPaths yields in its read loop), which this one's
   * reads would overwrite; then a buffer of this one's own.
   */
  private claim(): Buffer {
    const holder = batchHolder?.deref();
    if (holder !== undefined && holder !== this && holder.used > 0 && holder.buf === batchBuffer) return (this.spare ??= Buffer.allocUnsafeSlow(BATCH_BUFFER_BYTES));
    if (holder !== this) batchHolder = new WeakRef(this as SourceBatches<unknown>);
    return (batchBuffer ??= Buffer.allocUnsafeSlow(BATCH_BUFFER_BYTES));
  }

  private take(): BatchedSource<T>[] {
    const out = this.queue;
    this.queue = [];
    if (this.plain) {
      // ASCII: its latin-1 reading is its UTF-8 one, and a one-byte string is a copy of the bytes.
      const batch: TextBatch = { text: this.buf!.toString('latin1', 0, this.used) };
      for (const q of out) {
        if (q.at >= 0) { q.decoded = { text: batch.text.slice(q.at, q.end), encoding: 'utf-8', bom: false }; q.batch = batch; }
      }
    }
    this.used = 0;
    this.plain = 0;
    return out;
  }
}

/** A batch is decoded once it holds this many bytes: Node then makes its string external (see SourceBatches). */
export const BATCH_MIN_BYTES = 1032 * 1024;
/**
 * SourceBatches' buffer, made in the first batch scan and kept (freeing a block this large would raise
 * glibc's mmap and trim thresholds for the process: see parallel.ts ModelBuilders.post). A file that
 * does not fit in what a batch leaves of it (over ~1 MiB) is read and decoded on its own.
 */
const BATCH_BUFFER_BYTES = 2 * 1024 * 1024;
let batchBuffer: Buffer | undefined;
/** The SourceBatches that last took batchBuffer for a batch (see SourceBatches.claim). */
let batchHolder: WeakRef<SourceBatches<unknown>> | undefined;

/** Bytes decode() reads as UTF-8 without BOM or note, and whose latin-1 reading is the same text. */
function isPlain(buf: Buffer): boolean {
  if (!isAscii(buf) || buf.subarray(0, 8192).includes(0)) return false;
  const declared = codingDeclaration(buf);
  return declared === undefined || declared === 'utf-8';
}

// ---- .gitignore ------------------------------------------------------------------------------

/**
 * .gitignore files (and .git/info/exclude) inside a git work tree, read once per folder. A path is
 * ignored when a .gitignore in its folder or any folder above it, up to the work tree's root,
 * ignores it (a negation in a deeper file does not re-include what a shallower one ignored).
 * Lines that the glob limits refuse are dropped with a note.
 */
export class GitIgnores {
  private perDir = new Map<string, Ignore | null>();
  private roots = new Map<string, string | null>();
  readonly notes: FileNote[] = [];

  /** The nearest folder at or above `dir` holding `.git` (a folder, or a file in a worktree). */
  gitRoot(dir: string): string | undefined {
    const hit = this.roots.get(dir);
    if (hit !== undefined) return hit ?? undefined;
    const up = dirname(dir);
    const root = existsSync(join(dir, '.git')) ? dir : up === dir ? null : this.gitRoot(up) ?? null;
    this.roots.set(dir, root);
    return root ?? undefined;
  }

  ignored(abs: string, isDir: boolean): boolean {
    const root = this.gitRoot(dirname(abs));
    if (!root) return false;
    const chain: string[] = [];
    for (let d = dirname(abs); ; d = dirname(d)) { chain.push(d); if (d === root || dirname(d) === d) break; }
    for (const d of chain) {
      const ig = this.load(d, d === root);
      if (!ig) continue;
      const rel = relative(d, abs).split(sep).join('/');
      if (rel && ig.ignores(isDir ? `${rel}/` : rel)) return true;
    }
    return false;
  }

  /** `abs` or a folder above it inside the work tree is ignored (for paths named on the command line). */
  ignoredWithParents(abs: string, isDir: boolean): boolean {
    const root = this.gitRoot(isDir ? abs : dirname(abs));
    if (!root) return false;
    let dir = isDir;
    for (let p = abs; p !== root && dirname(p) !== p; p = dirname(p), dir = true) if (this.ignored(p, dir)) return true;
    return false;
  }

  private load(dir: string, isRoot: boolean): Ignore | null {
    let ig = this.perDir.get(dir);
    if (ig !== undefined) return ig;
    const texts: [string, string][] = [];
    for (const f of isRoot ? [join(dir, '.git', 'info', 'exclude'), join(dir, '.gitignore')] : [join(dir, '.gitignore')]) {
      try { const st = statSync(f); if (st.isFile() && st.size <= MAX_FILE_BYTES) texts.push([f, readFileSync(f, 'utf8')]); } catch { /* none */ }
    }
    ig = null;
    if (texts.length) {
      ig = ignore();
      for (const [file, text] of texts) {
        for (const raw of text.split(/\r?\n/)) {
          const line = raw.trim();
          if (!line || line.startsWith('#')) continue;
          const problem = globProblem(line.replace(/^!/, '').replace(/^\//, ''));
          if (problem) { this.notes.push({ file: relative(process.cwd(), file) || file, kind: 'error', message: `.gitignore pattern "${line.slice(0, 60)}" ignored: ${problem}` }); continue; }
          ig.add(raw);
        }
      }
    }
    this.perDir.set(dir, ig);
    return ig;
  }
}

/** One decoder for every file: a call without `stream` starts afresh (WHATWG Encoding), a failed one included. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (with or without BOM), UTF-16 with BOM, a PEP 263 coding line, else UTF-8 with replacement. */
export function decode(buf: Buffer): DecodedText | undefined {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'utf-16le', bom: true };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)), encoding: 'utf-16be', bom: true };
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const body = bom ? buf.subarray(3) : buf;
  if (body.subarray(0, 8192).includes(0)) return undefined;
  const declared = codingDeclaration(body);
  if (declared && declared !== 'utf-8') {
    // Python's latin-1 maps every byte to the same code point (TextDecoder's iso-8859-1 is windows-1252).
    if (declared === 'iso-8859-1') return { text: body.toString('latin1'), encoding: declared, bom };
    try { return { text: new TextDecoder(declared).decode(body), encoding: declared, bom }; } catch { /* unknown label: fall through */ }
  }
  try {
    return { text: UTF8_STRICT.decode(body), encoding: 'utf-8', bom };
  } catch {
    return { text: new TextDecoder('utf-8').decode(body), encoding: 'utf-8', bom, note: 'invalid UTF-8: analysed with replacement characters; `loopwise fix` will not write this file' };
  }
}

function codingDeclaration(buf: Buffer): string | undefined {
  const first = buf.subarray(0, 400);
  // Most files declare nothing: no string is made of their first bytes unless the word is there.
  if (first.indexOf('coding') < 0) return undefined;
  const head = first.toString('latin1').split(/\r?\n|\r/).slice(0, 2);
  for (const line of head) {
    const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (m) return normalCoding(m[1]);
  }
  return undefined;
}

/**
 * A declared codec name as Python's tokenizer reads it (`utf_8`, `latin-1`, `iso-latin-1-unix`: Python
 * spells with `_` or `-` alike and takes `utf-8-*` / `latin-1-*` as those codecs), spelled as a label
 * TextDecoder knows (WHATWG: `latin-1` is no label there, `iso-8859-1` is; `euc_jp` is `euc-jp`).
 */
function normalCoding(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (/^utf-?8/.test(n)) return 'utf-8';
  if (/^(latin-1|iso-8859-1|iso-latin-1)(-|$)/.test(n) || n === 'latin1' || n === 'l1' || n === 'latin') return 'iso-8859-1';
  return n;
}

export { moduleName } from './python/sourceRoots';
