// `loopwise scan [PATH...] [options]` and `loopwise scan - --stdin-filename PATH`.
import { readFileSync } from 'node:fs';
import { MAX_FILE_BYTES, parseSize } from '../core/files';
import type { Finding, Fix, ScanResult } from '../core/types';
import { fixesFiller, modelLineStarts } from '../core/fixes';
import type { ScannedFile } from '../core/scan';
import { resolveLang } from '../core/i18n';
import { localizeFindings } from '../core/i18n/diagnostics';
import { lineStarts } from '../core/python/model';
import { scanPaths, type ScanOptions } from '../core/scan';
import { type CommandSpec, parseCommand, UsageError } from './args';
import { once } from 'node:events';
import { formatGithub, formatText, jsonChunks, jsonPieces, printable, toGitlab, toJson, toSarif, writeJson } from './format';
import { VERSION } from './version';
import { mark } from '../core/timeline';
import { collectBeforeOutput } from './v8flags';
import type { Severity } from '../core/types';

const FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab'] as const;

/** Flags shared by `scan` and `fix`: what to scan and which rules. */
export const SELECTION_FLAGS: CommandSpec['flags'] = {
  select: { type: 'list', value: 'CODE', help: 'only these rule codes or prefixes (LW1, LW203); replaces the configuration\'s select' },
  ignore: { type: 'list', value: 'CODE', help: 'leave out these codes or prefixes (added to the configuration\'s ignore)' },
  exclude: { type: 'list', value: 'GLOB', help: 'leave out matching files and folders (relative to the current folder; a name without "/" matches anywhere)' },
  'no-config': { type: 'boolean', help: 'read no loopwise.toml / pyproject.toml' },
  'no-respect-gitignore': { type: 'boolean', help: 'scan files that .gitignore ignores' },
  'max-file-size': { type: 'string', value: 'SIZE', help: `skip larger files, which makes the run exit 2 (default 2MB; 500k, 4MB, or bytes)` },
};

export const SCAN_SPEC: CommandSpec = {
  name: 'scan',
  summary: 'find event-loop blockers in FastAPI code',
  args: '[PATH...|-]',
  flags: {
    format: { type: 'string', short: 'f', value: 'FORMAT', help: `output format: ${FORMATS.join(', ')} (default text)` },
    ...SELECTION_FLAGS,
    'stdin-filename': { type: 'string', value: 'PATH', help: 'with "-": the path the text on standard input stands for (configuration, exclusion and messages follow it)' },
    'exit-zero': { type: 'boolean', help: 'exit 0 even with findings or files that could not be analysed' },
    'fail-on': { type: 'string', value: 'LEVEL', help: 'lowest severity that makes the run exit 1: error, warning or info (default warning: findings in tests, scripts and examples, at info, are shown but do not fail CI)' },
    jobs: { type: 'string', short: 'j', value: 'N', help: 'threads that parse files (default: up to 4)' },
    'test-severity': { type: 'string', value: 'LEVEL', help: 'severity of findings in tests, scripts and examples: error, warning or info (default info)' },
    lang: { type: 'string', value: 'LANG', help: 'messages in en or vi (default: text follows LC_ALL / LANG; other formats stay English)' },
  },
  epilog: `Configuration: for each file the nearest loopwise.toml, or pyproject.toml with [tool.loopwise], at or
above its folder. Exit codes: 0 nothing at or above --fail-on found, 1 findings at or above --fail-on, 2 usage or configuration error, or a file
that could not be read or was over --max-file-size (unless --exit-zero).`,
};

export function selectionOptions(flags: Record<string, string | boolean | string[]>): Pick<ScanOptions, 'select' | 'ignore' | 'exclude' | 'noConfig' | 'respectGitignore' | 'maxFileBytes'> {
  let maxFileBytes = MAX_FILE_BYTES;
  if (typeof flags['max-file-size'] === 'string') {
    const n = parseSize(flags['max-file-size']);
    if (n === undefined) throw new UsageError(`--max-file-size needs a size such as 2MB, 500k or 1048576, got "${flags['max-file-size']}"`);
    maxFileBytes = n;
  }
  return {
    select: flags.select as string[] | undefined,
    ignore: flags.ignore as string[] | undefined,
    exclude: flags.exclude as string[] | undefined,
    noConfig: flags['no-config'] === true,
    respectGitignore: flags['no-respect-gitignore'] !== true,
    maxFileBytes,
  };
}

export async function runScan(argv: string[], out: (s: string) => void, err: (s: string) => void = (s) => process.stderr.write(s), readStdin: () => Buffer = () => readFileSync(0)): Promise<number> {
  const { flags, positional } = parseCommand(argv, SCAN_SPEC);
  const format = (flags.format as string | undefined) ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}" (use ${FORMATS.join(', ')})`);
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs needs a whole number >= 1, got "${flags.jobs}"`);
  const testSeverity = flags['test-severity'] as string | undefined;
  if (testSeverity !== undefined && !['error', 'warning', 'info'].includes(testSeverity)) throw new UsageError(`--test-severity needs error, warning or info, got "${testSeverity}"`);
  const failOn = (flags['fail-on'] as string | undefined) ?? 'warning';
  if (!(failOn in SEVERITY_RANK)) throw new UsageError(`--fail-on needs error, warning or info, got "${failOn}"`);
  const fromStdin = positional.includes('-');
  if (fromStdin && positional.length > 1) throw new UsageError('"-" (standard input) cannot be combined with other paths');
  if (fromStdin && typeof flags['stdin-filename'] !== 'string') throw new UsageError('"-" needs --stdin-filename PATH (the file the text stands for)');
  if (!fromStdin && flags['stdin-filename'] !== undefined) throw new UsageError('--stdin-filename is only used with "-"');
  const lang = outputLang(flags.lang as string | undefined, format);
  const { result: raw, files } = await resultOf(positional.length ? positional : ['.'], {
    ...selectionOptions(flags),
    // JSON: each file's fixes are made just before its findings are written (see streamJsonReport).
    fixes: format === 'json' ? 'deferred' : false,
    // The per-handler cost breakdown is part of `recommend`'s output, not of any scan format.
    costItems: false,
    jobs,
    stdin: fromStdin ? { path: flags['stdin-filename'] as string, bytes: readStdin() } : undefined,
    testSeverity: testSeverity as Severity | undefined,
  });
  // Deferred fixes read the models while the output is written; otherwise the models are garbage now:
  // collected before the output is made (v8flags.ts).
  // The mark says that it ran (launch.test.ts: text collects, JSON does not).
  const fill = fixesFiller(raw);
  if (!fill && collectBeforeOutput()) mark('collected before the output');
  const result = lang === 'en' ? raw : { ...raw, findings: localizeFindings(raw.findings, lang) };
  if (format === 'json') await streamJsonReport(result, files, out, fill, modelLineStarts(raw));
  else if (format === 'sarif') out(JSON.stringify(toSarif(result, VERSION), null, 2) + '\n');
  else if (format === 'gitlab') out(JSON.stringify(toGitlab(result), null, 2) + '\n');
  else if (format === 'github') out(formatGithub(result));
  else out(formatText(result));
  mark('output written');
  if (flags['exit-zero']) return 0;
  const failed = result.notes.filter((n) => n.failed);
  if (failed.length) {
    err(`loopwise: ${failed.length} file${failed.length === 1 ? '' : 's'} could not be analysed (${failed.slice(0, 3).map((n) => `${printable(n.file)}: ${printable(n.message)}`).join('; ')}${failed.length > 3 ? '; ...' : ''})\n`);
    return 2;
  }
  const floor = SEVERITY_RANK[failOn as Severity];
  return result.findings.some((f) => SEVERITY_RANK[f.severity] >= floor) ? 1 : 0;
}

/**
 * scanPaths' result and files, without the rest of its output: the analyzer (every file's model)
 * is then unreachable while the report is written, instead of held by runScan's frame to its end.
 */
async function resultOf(paths: string[], opts: ScanOptions): Promise<{ result: ScanResult; files: Map<string, ScannedFile> }> {
  const { result, files } = await scanPaths(paths, opts);
  return { result, files };
}

/** Severities in order, for --fail-on. */
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * The JSON report of a scan (fix ranges as line/column). Each file's line starts are computed once,
 * not once per finding: a file with hundreds of findings used to be scanned hundreds of times.
 */
export function jsonReport(result: ScanResult, files: Map<string, ScannedFile>): string {
  const fill = fixesFiller(result);
  if (fill) { const fixes = fill(result.findings); result.findings.forEach((f, i) => { f.fixes = fixes[i]; }); }
  return JSON.stringify(toJson(result, lineStartsOf(files)), null, 2) + '\n';
}

/** The same report as jsonReport, written to `out` in pieces (see writeJson). */
export function writeJsonReport(result: ScanResult, files: Map<string, ScannedFile>, out: (s: string) => void): void {
  writeJson(result, lineStartsOf(files), out, fixesFiller(result));
}

/**
 * writeJsonReport for the CLI: when standard output is a pipe, Node queues what the reader has not
 * taken yet in memory, so the whole 11 MB report of the 500-file benchmark (copied again when the
 * queue is flushed) sat on top of the scan's peak (about +45 MB of RSS). Each piece is made only once
 * standard output has room for it. `out` is any writer (tests collect the pieces); when it is not
 * standard output, standard output never needs draining and the pieces follow each other at once.
 */
async function streamJsonReport(result: ScanResult, files: Map<string, ScannedFile>, out: (s: string) => void, fill?: (findings: Finding[]) => Fix[][], modelStarts?: (file: string) => ArrayLike<number> | undefined): Promise<void> {
  const bytes = (out as ByteWriter).bytes;
  if (bytes) {
    for (const chunk of jsonChunks(result, lineStartsOf(files, modelStarts), fill)) {
      bytes(chunk);
      if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
    }
    return;
  }
  for (const piece of jsonPieces(result, lineStartsOf(files, modelStarts), fill)) {
    out(piece);
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }
}

/**
 * A writer of text that can also take UTF-8 bytes (`bytes`): the CLI's standard output (main.ts). The
 * JSON report then goes out as jsonChunks, with no string per piece to flatten and encode.
 */
export type ByteWriter = ((s: string) => void) & { bytes?: (b: Uint8Array) => void };

/**
 * Each file's line starts, once per file: its model's (`modelStarts`, a result with deferred fixes:
 * the same as lineStarts of the text it analysed), else from its text.
 */
function lineStartsOf(files: Map<string, ScannedFile>, modelStarts?: (file: string) => ArrayLike<number> | undefined): (file: string) => ArrayLike<number> | undefined {
  const cache = new Map<string, ArrayLike<number> | undefined>();
  return (file) => {
    if (!cache.has(file)) { const f = files.get(file); cache.set(file, f ? (modelStarts?.(file) ?? lineStarts(f.decoded.text)) : undefined); }
    return cache.get(file);
  };
}

/**
 * `--lang en|vi`; without it, text output follows the locale (LC_ALL, LC_MESSAGES, LANG) and
 * machine-readable output (json, sarif, github, gitlab) stays English so CI logs do not change with
 * the runner's locale.
 */
export function outputLang(flag: string | undefined, format: string): 'en' | 'vi' {
  if (flag !== undefined && flag !== 'en' && flag !== 'vi') throw new UsageError(`--lang must be en or vi, not "${flag}"`);
  if (flag) return flag;
  return format === 'text' ? resolveLang(undefined, process.env) : 'en';
}
