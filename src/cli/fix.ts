// `loopwise fix [PATH...] [--select ...] [--diff]`: applies every preferred fix, in rounds (each on a
// fresh analysis of the fixed text) until nothing changes, so a second run changes nothing. Files are
// written atomically (temp file, fsync, rename) in their own encoding, BOM and line endings, and only
// if they still hold what was scanned. `--diff` prints a unified diff instead of writing.
// Where it writes: the real path of each file must lie under the real path of the folder it was found
// in (a symlinked folder or file pointing elsewhere is refused, never written through). A symlinked
// file whose target is inside that root is written through (the target is replaced, the link stays).
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decode, type DecodedText, InputError, isInside, readRegularFile } from '../core/files';
import { runFixPipeline } from '../core/fixes/pipeline';
import { scanPaths, type ScannedFile } from '../core/scan';
import type { ScanResult } from '../core/types';
import { type CommandSpec, parseCommand } from './args';
import { unifiedDiff } from './diff';
import { printable } from './format';
import { SELECTION_FLAGS, selectionOptions } from './scan';

export const FIX_SPEC: CommandSpec = {
  name: 'fix',
  summary: "apply each finding's preferred fix in place (atomic writes; a second run changes nothing)",
  args: '[PATH...]',
  flags: { ...SELECTION_FLAGS, diff: { type: 'boolean', help: 'print a unified diff instead of writing' } },
  epilog: 'Exit codes: 0 nothing left, 1 findings left (loopwise scan shows them), 2 usage, configuration or I/O error.',
};

export interface FixHooks {
  /** Called after the fixes are computed and before any file is checked and written (tests use it). */
  beforeWrite?: () => void;
}

export interface FixOutcome {
  /** New text by file (relative path), only for files that change. */
  texts: Map<string, string>;
  applied: number;
  result: ScanResult;
  /** Files left alone, with the reason. */
  skipped: { file: string; reason: string }[];
}

/** Runs the core fix pipeline in memory over a scan; nothing is written. */
export function computeFixes(scan: { result: ScanResult; files: Map<string, ScannedFile>; reanalyze(texts: Map<string, string>): ScanResult }, select?: string[]): FixOutcome {
  const files = new Map([...scan.files].map(([file, f]) => [file, { text: f.decoded.text, skipReason: f.decoded.note }]));
  return runFixPipeline({ result: scan.result, files, reanalyze: (texts) => scan.reanalyze(texts), select });
}

/** The text encoded as it was read (encoding and BOM), or undefined when it cannot be written back exactly. */
export function encodeLike(text: string, like: DecodedText): Buffer | undefined {
  let body: Buffer;
  const enc = like.encoding.toLowerCase();
  if (enc === 'utf-8' || enc === 'utf8') body = Buffer.concat([like.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
  else if (enc === 'utf-16le') body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  else if (enc === 'utf-16be') body = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  else body = Buffer.concat([like.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'latin1')]);
  // Write only what reads back as the same text (a declared encoding we cannot produce is refused).
  const back = decode(body);
  return back && back.text === text && back.encoding === like.encoding && back.bom === like.bom ? body : undefined;
}

/**
 * Writes through a temp file in the same folder, flushed to disk (fsync) before the rename, keeping the
 * file's mode. `abs` must be a regular file, not a symlink: the rename would replace the link itself.
 */
export function writeAtomic(abs: string, data: Buffer): void {
  const st = lstatSync(abs);
  if (!st.isFile()) throw new InputError(`${abs}: not a regular file; not written`);
  const tmp = join(dirname(abs), `.${basename(abs)}.loopwise-${process.pid}-${Date.now().toString(36)}.tmp`);
  const mode = st.mode & 0o7777;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, abs);
  } catch (err) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw err;
  }
  // The rename itself is durable once the folder is flushed (not possible on every platform).
  try { const dfd = openSync(dirname(abs), 'r'); try { fsyncSync(dfd); } finally { closeSync(dfd); } } catch { /* best effort */ }
}

/**
 * The path a fix may write for a scanned file: its real path, which must lie under the real path of
 * the root it was found in. A symlink is resolved (written through) only to a target inside that root.
 */
export function writeTarget(file: { abs: string; root?: string }): { path: string; error?: undefined } | { path?: undefined; error: string } {
  let real: string;
  let root: string;
  try { real = realpathSync(file.abs); root = realpathSync(file.root ?? dirname(file.abs)); } catch (err) {
    return { error: `cannot resolve the path (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing written` };
  }
  if (!isInside(root, real)) return { error: `resolves to ${real}, outside the scanned folder ${root}; nothing written (leave it out with --exclude)` };
  try { if (!statSync(real).isFile()) return { error: 'not a regular file; nothing written' }; } catch (err) {
    return { error: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing written` };
  }
  return { path: real };
}

function unchangedOnDisk(file: ScannedFile): boolean {
  const read = readRegularFile(file.abs);
  if (read.error !== undefined) return false;
  const now = decode(read.buf);
  return !!now && now.text === file.decoded.text && now.encoding === file.decoded.encoding && now.bom === file.decoded.bom;
}

export async function runFix(argv: string[], out: (s: string) => void, hooks: FixHooks = {}): Promise<number> {
  const { flags, positional } = parseCommand(argv, FIX_SPEC);
  const select = flags.select as string[] | undefined;
  const scan = await scanPaths(positional.length ? positional : ['.'], selectionOptions(flags));
  const outcome = computeFixes(scan, select);
  const files = [...outcome.texts.keys()].sort();
  if (flags.diff) {
    for (const file of files) out(unifiedDiff(file, scan.files.get(file)!.decoded.text, outcome.texts.get(file)!));
    return outcome.result.findings.length ? 1 : 0;
  }
  hooks.beforeWrite?.();
  // Check every file first: if one changed since the scan, or would be written outside its root,
  // nothing is written at all.
  const buffers = new Map<string, Buffer>();
  const targets = new Map<string, string>();
  const problems: string[] = [];
  for (const file of files) {
    const src = scan.files.get(file)!;
    const target = writeTarget(src);
    if (target.error !== undefined) { problems.push(`${file}: ${target.error}`); continue; }
    targets.set(file, target.path);
    if (!unchangedOnDisk(src)) { problems.push(`${file}: file changed on disk since it was scanned; nothing written`); continue; }
    const data = encodeLike(outcome.texts.get(file)!, src.decoded);
    if (!data) { problems.push(`${file}: cannot write the fixed text back in ${src.decoded.encoding}; nothing written`); continue; }
    buffers.set(file, data);
  }
  if (problems.length) throw new InputError(problems.join('\nloopwise: '));
  for (const file of files) writeAtomic(targets.get(file)!, buffers.get(file)!);
  for (const s of outcome.skipped) out(`${printable(s.file)}: not fixed: ${printable(s.reason)}\n`);
  const left = outcome.result.findings.length;
  out(`Applied ${outcome.applied} fix${outcome.applied === 1 ? '' : 'es'} in ${files.length} file${files.length === 1 ? '' : 's'}; ${left} finding${left === 1 ? '' : 's'} left${left ? ' (loopwise scan shows them)' : ''}.\n`);
  return left ? 1 : 0;
}
