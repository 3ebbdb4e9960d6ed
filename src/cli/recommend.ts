// `loopwise recommend [PATH...] [--cores N] [--memory 2G] [--rps N] ... [--format text|json]`:
// the founding guide's decision tree applied to the scanned code and the user's numbers.
import { deploymentFindings, formatRecommendationText, loadAdvisorContext, parseRecommendArgs, recommend } from '../advisor';
import { scanPaths } from '../core/scan';

export async function runRecommend(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseRecommendArgs(argv);
  const paths = args.paths.length ? args.paths : ['.'];
  const { result } = await scanPaths(paths);
  const ctx = loadAdvisorContext({ ...args, paths });
  const rec = recommend(result, ctx.inputs, ctx.deployments);
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
