// `loopwise scan [PATH...] [--format text|json|sarif] [--select ...] [--ignore ...] [--exclude ...]`
import type { ScanResult } from '../core/types';
import { scanPaths, type ScannedFile } from '../core/scan';
import { lineStarts } from '../core/python/model';
import { parseArgs, UsageError } from './args';
import { formatText, toJson, toSarif } from './format';
import { VERSION } from './version';
import type { Severity } from '../core/types';

export const SCAN_FLAGS = { format: 'string', select: 'list', ignore: 'list', exclude: 'list', 'no-config': 'boolean', 'exit-zero': 'boolean', jobs: 'string', 'test-severity': 'string' } as const;

export async function runScan(argv: string[], out: (s: string) => void): Promise<number> {
  const { flags, positional } = parseArgs(argv, SCAN_FLAGS);
  const format = (flags.format as string | undefined) ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format "${format}" (use text, json or sarif)`);
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs needs a whole number >= 1, got "${flags.jobs}"`);
  const testSeverity = flags['test-severity'] as string | undefined;
  if (testSeverity !== undefined && !['error', 'warning', 'info'].includes(testSeverity)) throw new UsageError(`--test-severity needs error, warning or info, got "${testSeverity}"`);
  const { result, files } = await scanPaths(positional.length ? positional : ['.'], {
    select: flags.select as string[] | undefined,
    ignore: flags.ignore as string[] | undefined,
    exclude: flags.exclude as string[] | undefined,
    noConfig: flags['no-config'] === true,
    fixes: format === 'json',
    jobs,
    testSeverity: testSeverity as Severity | undefined,
  });
  if (format === 'json') out(jsonReport(result, files)); else if (format === 'sarif') out(JSON.stringify(toSarif(result, VERSION), null, 2) + '\n');
  else out(formatText(result));
  if (flags['exit-zero']) return 0;
  return result.findings.length ? 1 : 0;
}

/**
 * The JSON report of a scan (fix ranges as line/column). Each file's line starts are computed once,
 * not once per finding: a file with hundreds of findings used to be scanned hundreds of times.
 */
export function jsonReport(result: ScanResult, files: Map<string, ScannedFile>): string {
  const cache = new Map<string, number[] | undefined>();
  const starts = (file: string) => {
    if (!cache.has(file)) { const f = files.get(file); cache.set(file, f ? lineStarts(f.decoded.text) : undefined); }
    return cache.get(file);
  };
  return JSON.stringify(toJson(result, starts), null, 2) + '\n';
}
