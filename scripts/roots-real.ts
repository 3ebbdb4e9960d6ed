// `npm run roots:real [-- --repo NAME]`: does a file get the same findings whatever folder the scan starts
// from (issue 10: "scanning a repository from its root or from a sub-folder gives the same findings for the
// files both cover")? For each repository of test/real/corpus.json whose scan root is a sub-folder, exports
// the pinned tree (as accuracy:real does) and scans the same files twice with the same CLI and flags:
//   from the repository root (`loopwise scan SUB` run in the root) and from inside the sub-folder
//   (`loopwise scan .` run in SUB), comparing every finding by file, position, code, message and chain.
// Any difference exits 1. It also scans the whole repository from its root and reports, for the
// sub-folder's files, the findings that only appear when the rest of the repository is scanned too (a
// monorepo's other packages give types and call edges the sub-folder alone cannot see): informational.
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Finding, prepare, type Repo, scanJson } from './accuracy-real';

const root = join(__dirname, '..');
const corpus = JSON.parse(readFileSync(join(root, 'test', 'real', 'corpus.json'), 'utf8')) as { repos: Repo[] };
const only = process.argv.includes('--repo') ? process.argv[process.argv.indexOf('--repo') + 1] : undefined;

/** Findings with paths relative to the repository root (`prefix` is the working directory's path from it). */
function scan(cwd: string, target: string, prefix = ''): Finding[] {
  const at = (file: string) => (prefix ? `${prefix}/${file}` : file);
  return scanJson(cwd, target).findings.map((f) => ({ ...f, file: at(f.file), chain: f.chain.map((h) => ({ ...h, file: at(h.file) })) }));
}

const key = (f: Finding) => `${f.file}:${f.line}:${f.column}:${f.code} ${f.message} <- ${f.chain.map((h) => `${h.file}:${h.line}`).join(' > ')}`;
const diff = (a: Set<string>, b: Set<string>) => [...a].filter((k) => !b.has(k));

let differing = 0;
for (const repo of corpus.repos) {
  if (repo.scanRoot === '.' || (only && repo.name !== only)) continue;
  const dir = prepare(repo);
  if (!dir) continue;
  const sub = repo.scanRoot.split('/').join(sep);
  const inSub = (f: Finding) => !relative(sub, f.file).startsWith('..');
  const t0 = Date.now();
  const fromRoot = new Set(scan(dir, repo.scanRoot).map(key));
  const fromInside = new Set(scan(join(dir, sub), '.', repo.scanRoot).map(key));
  const whole = new Set(scan(dir, '.').filter(inSub).map(key));
  const a = diff(fromRoot, fromInside);
  const b = diff(fromInside, fromRoot);
  differing += a.length + b.length;
  const more = diff(whole, fromRoot);
  const fewer = diff(fromRoot, whole);
  console.log(`${repo.name.padEnd(14)} ${repo.scanRoot.padEnd(16)} ${fromRoot.size} findings from the root, ${fromInside.size} from inside; differ ${a.length + b.length}. Whole repository scanned: +${more.length} / -${fewer.length} in these files (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const k of [...a.map((k) => `  root only: ${k}`), ...b.map((k) => `  inside only: ${k}`), ...more.map((k) => `  whole repository adds: ${k}`), ...fewer.map((k) => `  whole repository drops: ${k}`)].slice(0, 10)) console.log(k.slice(0, 400));
}
console.log(differing === 0 ? 'Same findings from the root and from inside the sub-folder on every repository.' : `${differing} finding(s) differ.`);
process.exitCode = differing === 0 ? 0 : 1;
