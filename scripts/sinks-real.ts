// `npm run sinks:real [-- --repo NAME[,NAME]] [--top N]`: the blocking findings (LW1xx/LW2xx) of the real
// corpus grouped by what they block on, for reading false classes by pattern (issue 10, precision): one row
// per code + blocking call (the last hop of a chain, else the call itself) with its file:line, how many
// findings reach it and how many of those are test code (info). Also per repository: findings, those at
// warning/error, and the other blocking calls carried in `also` (one finding per call site and family).
// `--extra N` (default 40): a second precision sample, of warning/error blocking findings only, that no
// label or trap covers and that are not in accuracy:real's sample: the N lowest sha256("loopwise-real-extra:"
// + repo:path:line:code), judged in judgements.json like the main sample (so both stay disjoint and fixed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Finding, groupOf, hitsTrap, type Judgement, type Label, matches, prepare, type Repo, SAMPLE, sampleOf, scanJson } from './accuracy-real';
import { createHash } from 'node:crypto';

const root = join(__dirname, '..');
const corpus = JSON.parse(readFileSync(join(root, 'test', 'real', 'corpus.json'), 'utf8')) as { repos: Repo[]; labels: Label[] };
const judgements = JSON.parse(readFileSync(join(root, 'test', 'real', 'judgements.json'), 'utf8')) as Judgement[];
const judged = new Map(judgements.map((j) => [`${j.repo}:${j.path}:${j.line}:${j.code}`, j]));
const hash = (seed: string, key: string) => createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0);
const args = process.argv.slice(2);
const only = args.includes('--repo') ? new Set(args[args.indexOf('--repo') + 1].split(',')) : null;
const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) : Infinity;
const extraN = args.includes('--extra') ? Number(args[args.indexOf('--extra') + 1]) : 40;
const pool: { key: string; f: Finding; repo: string }[] = [];
const mainPool = new Set<string>();

const sinks = new Map<string, { n: number; info: number }>();
const totals = { findings: 0, shown: 0, also: 0 };
console.log('repo | blocking findings | warning/error | other calls in `also`');
for (const repo of corpus.repos) {
  if (only && !only.has(repo.name)) continue;
  const dir = prepare(repo);
  if (!dir) continue;
  let scanned: Finding[];
  try { scanned = scanJson(dir, repo.scanRoot).findings; } catch (err) { console.log(`skip ${repo.name}: ${(err as Error).message}`); continue; }
  const found = scanned.filter((f) => groupOf(f.code) === 'blocking');
  const shown = found.filter((f) => f.severity !== 'info').length;
  const also = found.reduce((n, f) => n + (f.also?.length ?? 0), 0);
  console.log(`${repo.name} | ${found.length} | ${shown} | ${also}`);
  totals.findings += found.length; totals.shown += shown; totals.also += also;
  const labels = corpus.labels.filter((l) => l.repo === repo.name);
  for (const f of found) {
    if (labels.some((l) => (l.kind === 'trap' ? hitsTrap(l, f) : matches(l, f)))) continue;
    const key = `${repo.name}:${f.file}:${f.line}:${f.code}`;
    if (mainPool.has(key)) continue;
    mainPool.add(key);
    if (f.severity !== 'info') pool.push({ key, f, repo: repo.name });
  }
  for (const f of found) {
    const h = f.chain.length ? f.chain[f.chain.length - 1] : { file: f.file, line: f.line, name: f.call };
    const k = `${f.code} ${h.name} ${repo.name}:${h.file}:${h.line}`;
    const s = sinks.get(k) ?? { n: 0, info: 0 };
    s.n++;
    if (f.severity === 'info') s.info++;
    sinks.set(k, s);
  }
}
console.log(`total | ${totals.findings} | ${totals.shown} | ${totals.also}`);
console.log(`\n${sinks.size} distinct blocking calls (findings, of them info: code call repo:file:line)`);
[...sinks].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0])).slice(0, top)
  .forEach(([k, s]) => console.log(`${String(s.n).padStart(4)} ${String(s.info).padStart(3)}  ${k}`));

// accuracy:real's sample: the 60 lowest of its seed over the whole pool (all severities); left out here.
const mainSample = new Set(sampleOf([...mainPool], (k) => k, SAMPLE.blocking));
const extra = pool.filter((p) => !mainSample.has(p.key)).sort((a, b) => hash('loopwise-real-extra', a.key) - hash('loopwise-real-extra', b.key)).slice(0, extraN);
const verdicts = extra.map((p) => judged.get(p.key));
const t = verdicts.filter((v) => v?.verdict === true).length;
const n = verdicts.filter((v) => v).length;
console.log(`\nExtra sample (warning/error blocking, ${extra.length} of ${pool.filter((p) => !mainSample.has(p.key)).length} unlabelled, outside accuracy:real's sample): ${t}/${n} true${n < extra.length ? `, ${extra.length - n} unjudged` : ''}`);
for (const [i, p] of extra.entries()) {
  const v = verdicts[i];
  const via = p.f.chain.length ? ` -> ${p.f.chain[p.f.chain.length - 1].file}:${p.f.chain[p.f.chain.length - 1].line} ${p.f.chain[p.f.chain.length - 1].name}` : ` ${p.f.call}`;
  console.log(`  ${v ? (v.verdict ? 'TRUE ' : 'FALSE') : '?    '} ${p.key}${via} in ${p.f.function}${v && !v.verdict ? ` [${v.rootCause ?? ''}] ${v.reason}` : ''}`);
}
