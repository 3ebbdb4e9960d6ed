// `loopwise recommend [PATH...] [--cores N] [--memory 2G] [--rps N] ... [--format text|json]`:
// the founding guide's decision tree applied to the scanned code and the user's numbers.
// What it says "after the fix" is what it would say once `loopwise fix` has run: the same fix
// pipeline is applied in memory and the fixed code is scanned again.
import { deploymentFindings, formatRecommendationText, loadAdvisorContext, parseRecommendArgs, recommend } from '../advisor';
import { scanPaths } from '../core/scan';
import type { ScanResult } from '../core/types';
import { computeFixes } from './fix';
import { outputLang } from './scan';

export async function runRecommend(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseRecommendArgs(argv);
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
    out(formatRecommendationText(rec));
    for (const f of deploy) out(`${f.file}:${f.line}:${f.column}: ${f.code} ${f.message}\n`);
    for (const n of ctx.notes) out(`note: ${n}\n`);
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
