// `loopwise recommend [PATH...] [--cores N] [--memory 2G] [--rps N] ... [--format text|json]`:
// the founding guide's decision tree applied to the scanned code and the user's numbers.
// What it says "after the fix" is what it would say once `loopwise fix` has run: the same fix
// pipeline is applied in memory and the fixed code is scanned again.
import { deploymentFindings, formatRecommendationText, loadAdvisorContext, parseRecommendArgs, recommend } from '../advisor';
import { scanPaths } from '../core/scan';
import type { ScanResult } from '../core/types';
import { computeFixes } from './fix';
import { outputLang } from './scan';
import { type CommandSpec, parseCommand } from './args';
import { printable, printableLines } from './format';

export const RECOMMEND_SPEC: CommandSpec = {
  name: 'recommend',
  summary: 'recommend the number of Uvicorn/Gunicorn workers from the code, your numbers and load tests',
  args: '[PATH...]',
  flags: {
    cores: { type: 'string', value: 'N', help: 'CPU cores available to the service (default 2, or the deployment files)' },
    memory: { type: 'string', value: 'SIZE', help: 'memory available, e.g. 2G or 512M (default 2G, or the deployment files)' },
    rps: { type: 'string', value: 'N', help: 'expected requests per second (default 100)' },
    ccu: { type: 'string', value: 'N', help: 'concurrent users' },
    concurrency: { type: 'string', value: 'N', help: 'concurrent requests in flight (default 100)' },
    'target-latency': { type: 'string', value: 'MS', help: 'target response time in milliseconds (default 200)' },
    'cannot-refactor': { type: 'boolean', help: 'the blocking code cannot be changed (the guide then allows 2-4 workers)' },
    'load-tests': { type: 'repeat', value: '[N:]FILE', help: 'a load-test result (wrk, hey, k6, Locust CSV, ...); N = workers it ran with' },
    'per-worker-memory': { type: 'string', value: 'MB', help: 'measured resident memory of one worker' },
    traffic: { type: 'string', value: '"GET /a=0.8,GET /b=0.2"', help: 'share of traffic per route' },
    format: { type: 'string', short: 'f', value: 'FORMAT', help: 'text or json (default text)' },
    lang: { type: 'string', value: 'LANG', help: 'advice in en or vi (default: text follows LC_ALL / LANG, json stays English)' },
  },
  epilog: 'Exit codes: 0 advice given, 1 deployment files whose workers differ from the advice (LW401/LW402), 2 usage or I/O error.',
};

export async function runRecommend(argv: string[], out: (s: string) => void): Promise<number> {
  const { flags, positional } = parseCommand(argv, RECOMMEND_SPEC);
  // Values are checked by the advisor's own parser, fed the flags in one canonical form.
  const canonical: string[] = [];
  for (const [name, v] of Object.entries(flags)) {
    if (name === 'help') continue;
    if (v === true) canonical.push(`--${name}`);
    else for (const one of Array.isArray(v) ? v : [v as string]) canonical.push(`--${name}=${one}`);
  }
  const args = parseRecommendArgs([...canonical, ...positional.map((p) => (p.startsWith('--') ? `./${p}` : p))]);
  const paths = args.paths.length ? args.paths : ['.'];
  const scan = await scanPaths(paths);
  const { result } = scan;
  const afterFixScan = result.findings.length > 0 ? projectFixes(scan) : undefined;
  const ctx = loadAdvisorContext({ ...args, paths });
  const rec = recommend(result, ctx.inputs, ctx.deployments, { afterFixScan, lang: outputLang(args.lang, args.format) });
  const deploy = deploymentFindings(ctx.deployments, rec);
  if (args.format === 'json') {
    out(JSON.stringify({
      ...rec,
      findings: deploy.map(({ fix, startOffset, endOffset, ...f }) => ({ ...f, fixes: fix ? [fix] : [] })),
      notes: ctx.notes,
    }, null, 2) + '\n');
  } else {
    out(printableLines(formatRecommendationText(rec)));
    for (const f of deploy) out(`${printable(f.file)}:${f.line}:${f.column}: ${f.code} ${printable(f.message)}\n`);
    for (const n of ctx.notes) out(`note: ${printable(n)}\n`);
  }
  return deploy.length ? 1 : 0;
}

/** The scan after the preferred fixes, in memory; if the pipeline fails, the advisor falls back to its estimate. */
function projectFixes(scan: Parameters<typeof computeFixes>[0]): ScanResult | undefined {
  try {
    return computeFixes(scan).result;
  } catch {
    return undefined;
  }
}
