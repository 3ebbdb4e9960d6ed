// `loopwise fix [PATH...] [--select ...] [--diff]`: applies every preferred fix, in rounds (each on a
// fresh analysis of the fixed text) until nothing changes, so a second run changes nothing. Files are
// written atomically (temp file + rename) in their own encoding, BOM and line endings, and only if
// they still hold what was scanned. `--diff` prints a unified diff instead of writing.
import { chmodSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decode, type DecodedText, InputError } from '../core/files';
import { runFixPipeline } from '../core/fixes/pipeline';
import { scanPaths, type ScannedFile } from '../core/scan';
import type { ScanResult } from '../core/types';
import { type CommandSpec, parseCommand } from './args';
import { unifiedDiff } from './diff';
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

/** Writes through a temp file in the same folder and a rename, keeping the file's mode. */
export function writeAtomic(abs: string, data: Buffer): void {
  const tmp = join(dirname(abs), `.${basename(abs)}.loopwise-${process.pid}-${Date.now().toString(36)}.tmp`);
  const mode = statSync(abs).mode & 0o7777;
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode });
    chmodSync(tmp, mode);
    renameSync(tmp, abs);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw err;
  }
}

function unchangedOnDisk(file: ScannedFile): boolean {
  let buf: Buffer;
  try { buf = readFileSync(file.abs); } catch { return false; }
  const now = decode(buf);
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
  // Check every file first: if one changed since the scan, nothing is written at all.
  const buffers = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const file of files) {
    const src = scan.files.get(file)!;
    if (!unchangedOnDisk(src)) { problems.push(`${file}: file changed on disk since it was scanned; nothing written`); continue; }
    const data = encodeLike(outcome.texts.get(file)!, src.decoded);
    if (!data) { problems.push(`${file}: cannot write the fixed text back in ${src.decoded.encoding}; nothing written`); continue; }
    buffers.set(file, data);
  }
  if (problems.length) throw new InputError(problems.join('\nloopwise: '));
  for (const file of files) writeAtomic(scan.files.get(file)!.abs, buffers.get(file)!);
  for (const s of outcome.skipped) out(`${s.file}: not fixed: ${s.reason}\n`);
  const left = outcome.result.findings.length;
  out(`Applied ${outcome.applied} fix${outcome.applied === 1 ? '' : 'es'} in ${files.length} file${files.length === 1 ? '' : 's'}; ${left} finding${left === 1 ? '' : 's'} left${left ? ' (loopwise scan shows them)' : ''}.\n`);
  return left ? 1 : 0;
}
