// `loopwise scan [PATH...] [--format text|json|sarif] [--select ...] [--ignore ...] [--exclude ...]`
import { scanPaths } from '../core/scan';
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
  if (format === 'json') {
    const starts = (file: string) => { const f = files.get(file); return f ? lineStarts(f.decoded.text) : undefined; };
    out(JSON.stringify(toJson(result, starts), null, 2) + '\n');
  } else if (format === 'sarif') out(JSON.stringify(toSarif(result, VERSION), null, 2) + '\n');
  else out(formatText(result));
  if (flags['exit-zero']) return 0;
  return result.findings.length ? 1 : 0;
}
