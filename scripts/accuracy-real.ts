// Accuracy on real FastAPI repositories (issue 10, item 6): recall on hand labels, trap hits, and precision
// on a fixed seeded sample of the findings no label covers, judged by hand in test/real/judgements.json.
// Trees come from pinned commits in local git mirrors (bare repos); nothing third-party is stored here.
// Usage: npm run accuracy:real [-- --repo NAME[,NAME]] [--dump FILE] (FILE: the unjudged sampled findings, in full, as JSON)
// Env: LOOPWISE_MIRRORS (default /work/.mirror; each repo at $LOOPWISE_MIRRORS/<owner+name>/repo),
//      LOOPWISE_REAL_WORK (export folder, default <tmpdir>/loopwise-real). Always exits 0: it is a report.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const realDir = join(root, 'test/real');
const mirrors = process.env.LOOPWISE_MIRRORS ?? '/work/.mirror';
const work = process.env.LOOPWISE_REAL_WORK ?? join(tmpdir(), 'loopwise-real');
const cli = join(root, 'dist/cli.js');

/** Sample sizes per group; the sample is the K findings with the lowest seeded hash, so it is stable per finding. */
const SEED = 'loopwise-real-v1';
export const SAMPLE = { blocking: 60, n1: 40 } as const;

export interface Repo { name: string; url: string; mirror: string; commit: string; scanRoot: string }
export type Kind = 'blocking' | 'cpu' | 'n+1' | 'trap';
export interface Label { repo: string; path: string; line: number; endLine?: number; kind: Kind; code?: string; note: string; addedAfterBlind?: boolean }
export interface Judgement { repo: string; path: string; line: number; code: string; verdict: boolean; reason: string; rootCause?: string }
interface Cause { repo: string; path: string; line: number; code?: string; rootCause: string; detail: string }
export interface Hop { file: string; line: number; name: string; event?: string }
export interface Finding { file: string; line: number; column: number; endLine: number; endColumn: number; code: string; severity: string; message: string; call: string; function: string; chain: Hop[]; also?: { code: string; chain: Hop[] }[] }
export interface Scan { findings: Finding[]; summary: { files: number; findings: number } }

export type Group = 'blocking' | 'n1';
export const groupOf = (code: string): Group | null => (/^LW[12]\d\d$/.test(code) ? 'blocking' : code === 'LW301' ? 'n1' : null);
export const labelGroup = (l: Label): Group | null => (l.kind === 'blocking' || l.kind === 'cpu' ? 'blocking' : l.kind === 'n+1' ? 'n1' : null);
const readJson = <T>(name: string, fallback: T): T => {
  const p = join(realDir, name);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : fallback;
};

function git(gitDir: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr.toString().trim().split('\n')[0]}`);
  return r.stdout;
}

/** Writes the pinned commit's Python files (and packaging files) under `dest`; blobs the mirror lacks are skipped. */
export function exportTree(gitDir: string, commit: string, dest: string): number {
  const entries: { sha: string; path: string }[] = [];
  for (const e of git(gitDir, ['ls-tree', '-r', '-z', commit]).toString('utf8').split('\0')) {
    const tab = e.indexOf('\t');
    if (tab < 0) continue;
    const [, type, sha] = e.slice(0, tab).split(' ');
    const path = e.slice(tab + 1);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (type === 'blob' && (path.endsWith('.py') || ['pyproject.toml', 'setup.cfg', 'setup.py'].includes(base))) entries.push({ sha, path });
  }
  const out = git(gitDir, ['cat-file', '--batch'], Buffer.from(entries.map((e) => `${e.sha}\n`).join('')));
  let pos = 0;
  let written = 0;
  for (const e of entries) {
    const nl = out.indexOf(10, pos);
    const header = out.subarray(pos, nl).toString().split(' ');
    pos = nl + 1;
    if (header[1] === 'missing') continue;
    const size = Number(header[2]);
    const file = join(dest, e.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, out.subarray(pos, pos + size));
    pos += size + 1;
    written++;
  }
  return written;
}

export function prepare(repo: Repo, mirrorRoot = mirrors, workRoot = work): string | null {
  const gitDir = join(mirrorRoot, repo.mirror, 'repo');
  if (!existsSync(gitDir)) {
    console.log(`skip ${repo.name}: no mirror at ${gitDir} (fetch ${repo.url} there, or set LOOPWISE_MIRRORS)`);
    return null;
  }
  const dest = join(workRoot, `${repo.name}-${repo.commit.slice(0, 12)}`);
  const done = join(dest, '.loopwise-export-done');
  if (existsSync(done)) return dest;
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  try {
    exportTree(gitDir, repo.commit, dest);
  } catch (err) {
    console.log(`skip ${repo.name}: cannot export ${repo.commit.slice(0, 12)} from ${gitDir}: ${(err as Error).message}`);
    return null;
  }
  writeFileSync(done, repo.commit);
  return dest;
}

/** `loopwise scan TARGET --format json --no-config --exit-zero` run in `cwd`; throws with loopwise's first error line. */
export function scanJson(cwd: string, target: string): Scan {
  const r = spawnSync(process.execPath, [cli, 'scan', target, '--format', 'json', '--no-config', '--exit-zero'], { cwd, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`loopwise exited ${r.status}: ${(r.stderr ?? '').trim().split('\n')[0]}`);
  return JSON.parse(r.stdout) as Scan;
}

/** The fixed sample: the `n` keys with the lowest seeded hash (ties by key), so it is stable per finding. */
export function sampleOf<T>(items: T[], key: (t: T) => string, n: number): T[] {
  return [...items].sort((a, b) => score(key(a)) - score(key(b)) || key(a).localeCompare(key(b))).slice(0, n);
}

function scan(repo: Repo, dir: string): Scan | null {
  const t0 = Date.now();
  let out: Scan;
  try {
    out = scanJson(dir, repo.scanRoot);
  } catch (err) {
    console.log(`skip ${repo.name}: ${(err as Error).message}`);
    return null;
  }
  console.log(`scanned ${repo.name} (${repo.scanRoot}): ${out.summary.files} files, ${out.summary.findings} findings, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * A positive label is found when a finding of its group (LW1xx/LW2xx for blocking and cpu labels, LW301 for
 * N+1) starts on the label's line of that file, or one hop of the finding's chain (or of a chain in `also`) is that file:line. So a
 * label may sit at the coroutine's call site or at the blocking call inside the sync helper it reaches.
 */
export function matches(l: Label, f: Finding): boolean {
  if (labelGroup(l) !== groupOf(f.code)) return false;
  if (f.file === l.path && f.line === l.line) return true;
  // The other blocking calls reached through the same call site (one finding per call site) count too.
  return [f.chain, ...(f.also ?? []).map((a) => a.chain)].some((chain) => chain.some((h) => h.file === l.path && h.line === l.line));
}
/**
 * True when the finding's own call is the operand of `await`: `await` (or `await (`) right before its start,
 * and nothing chained after its end (`await Message(...).send()` awaits `send`, not the constructor).
 */
export function isAwaited(f: Finding, lines: string[]): boolean {
  const before = (lines[f.line - 1] ?? '').slice(0, f.column - 1);
  const after = (lines[f.endLine - 1] ?? '').slice(f.endColumn - 1);
  return /\bawait\s*\(?\s*$/.test(before) && !/^\s*[.([]/.test(after);
}
/** A trap is hit by any blocking or LW301 finding that starts on one of its lines. */
export const hitsTrap = (l: Label, f: Finding) =>
  groupOf(f.code) !== null && f.file === l.path && f.line >= l.line && f.line <= (l.endLine ?? l.line);

export const score = (key: string) => createHash('sha256').update(`${SEED}:${key}`).digest().readUInt32BE(0);
const pct = (n: number, d: number) => (d === 0 ? '   -  ' : `${(n / d).toFixed(3)}`);
const pad = (s: string | number, n: number) => String(s).padStart(n);

function main(): void {
  const args = process.argv.slice(2);
  const only = args.includes('--repo') ? new Set(args[args.indexOf('--repo') + 1].split(',')) : null;
  const corpus = readJson<{ repos: Repo[]; labels: Label[] }>('corpus.json', { repos: [], labels: [] });
  const judgements = readJson<Judgement[]>('judgements.json', []);
  const causes = readJson<Cause[]>('root-causes.json', []);
  const jKey = (repo: string, path: string, line: number, code: string) => `${repo}:${path}:${line}:${code}`;
  const judged = new Map(judgements.map((j) => [jKey(j.repo, j.path, j.line, j.code), j]));
  if (!existsSync(cli)) { console.log(`no ${cli}: run npm run build first`); return; }

  const header = `repo            labels found recall | blk  found | n+1 found | traps hits | findings blk n+1`;
  const rows: string[] = [];
  const missed: Label[] = [];
  const trapHits: { label: Label; f: Finding }[] = [];
  const pool: { repo: string; f: Finding; key: string; group: Group }[] = [];
  const tot = { pos: 0, found: 0, blk: 0, blkFound: 0, n1: 0, n1Found: 0, traps: 0, hits: 0, findings: 0, fb: 0, fn: 0 };
  const scanned: string[] = [];
  const otherCodes = new Map<string, number>();
  const awaitedBlocking: string[] = [];
  let exact = 0;
  const severities = new Map<string, number>();
  for (const repo of corpus.repos) {
    if (only && !only.has(repo.name)) continue;
    const dir = prepare(repo);
    const result = dir ? scan(repo, dir) : null;
    if (!result) continue;
    scanned.push(repo.name);
    const labels = corpus.labels.filter((l) => l.repo === repo.name);
    const pos = labels.filter((l) => l.kind !== 'trap');
    const traps = labels.filter((l) => l.kind === 'trap');
    const findings = result.findings;
    const linesOf = new Map<string, string[]>();
    for (const f of findings) {
      if (groupOf(f.code) !== 'blocking') continue;
      let text = linesOf.get(f.file);
      if (!text) linesOf.set(f.file, (text = readFileSync(join(dir!, f.file), 'utf8').split(/\r?\n/)));
      if (isAwaited(f, text) && !f.chain.some((h) => h.event)) awaitedBlocking.push(`${repo.name}:${f.file}:${f.line}:${f.code} ${f.call}`);
    }
    for (const f of findings) if (!groupOf(f.code)) otherCodes.set(f.code, (otherCodes.get(f.code) ?? 0) + 1);
    for (const f of findings) severities.set(f.severity, (severities.get(f.severity) ?? 0) + 1);
    const found = pos.filter((l) => findings.some((f) => matches(l, f)));
    exact += found.filter((l) => !l.code || findings.some((f) => matches(l, f) && (f.code === l.code || !!f.also?.some((a) => a.code === l.code)))).length;
    missed.push(...pos.filter((l) => !found.includes(l)));
    let hits = 0;
    for (const t of traps) {
      const fs = findings.filter((f) => hitsTrap(t, f));
      if (fs.length) hits++;
      for (const f of fs) trapHits.push({ label: t, f });
    }
    const seen = new Set<string>();
    for (const f of findings) {
      const group = groupOf(f.code);
      if (!group || labels.some((l) => (l.kind === 'trap' ? hitsTrap(l, f) : matches(l, f)))) continue;
      const key = jKey(repo.name, f.file, f.line, f.code);
      if (seen.has(key)) continue;
      seen.add(key);
      pool.push({ repo: repo.name, f, key, group });
    }
    const blk = pos.filter((l) => labelGroup(l) === 'blocking');
    const n1 = pos.filter((l) => labelGroup(l) === 'n1');
    const c = {
      pos: pos.length, found: found.length, blk: blk.length, blkFound: found.filter((l) => blk.includes(l)).length,
      n1: n1.length, n1Found: found.filter((l) => n1.includes(l)).length, traps: traps.length, hits,
      findings: findings.length, fb: findings.filter((f) => groupOf(f.code) === 'blocking').length,
      fn: findings.filter((f) => f.code === 'LW301').length,
    };
    for (const k of Object.keys(tot) as (keyof typeof tot)[]) tot[k] += c[k];
    rows.push(`${repo.name.padEnd(15)} ${pad(c.pos, 6)} ${pad(c.found, 5)} ${pct(c.found, c.pos).padStart(6)} | ${pad(c.blk, 3)} ${pad(c.blkFound, 6)} | ${pad(c.n1, 3)} ${pad(c.n1Found, 5)} | ${pad(c.traps, 5)} ${pad(c.hits, 4)} | ${pad(c.findings, 8)} ${pad(c.fb, 3)} ${pad(c.fn, 3)}`);
  }
  console.log(`\nReal-world corpus: ${scanned.length} repos scanned, seed ${SEED}\n`);
  console.log(header);
  for (const r of rows) console.log(r);
  console.log(`${'TOTAL'.padEnd(15)} ${pad(tot.pos, 6)} ${pad(tot.found, 5)} ${pct(tot.found, tot.pos).padStart(6)} | ${pad(tot.blk, 3)} ${pad(tot.blkFound, 6)} | ${pad(tot.n1, 3)} ${pad(tot.n1Found, 5)} | ${pad(tot.traps, 5)} ${pad(tot.hits, 4)} | ${pad(tot.findings, 8)} ${pad(tot.fb, 3)} ${pad(tot.fn, 3)}`);

  console.log(`(findings by severity: ${[...severities].sort().map(([c, n]) => `${c} ${n}`).join(', ')})`);
  if (otherCodes.size) console.log(`(not measured here: ${[...otherCodes].sort().map(([c, n]) => `${c} x${n}`).join(', ')})`);
  console.log(`\nRecall: blocking (LW1xx/LW2xx) ${tot.blkFound}/${tot.blk} = ${pct(tot.blkFound, tot.blk)}; LW301 ${tot.n1Found}/${tot.n1} = ${pct(tot.n1Found, tot.n1)}; all ${tot.found}/${tot.pos} = ${pct(tot.found, tot.pos)} (${exact} of the ${tot.found} found with the expected code)`);
  console.log(`Awaited calls reported as blocking (LW1xx/LW2xx on \`await <call>\`): ${awaitedBlocking.length}${awaitedBlocking.map((a) => `\n  ${a}`).join('')}`);
  console.log(`Trap hits: ${trapHits.length} finding(s) on ${tot.hits} of ${tot.traps} trap labels`);

  const unjudged: typeof pool = [];
  const precision: string[] = [];
  const falseOnes: { key: string; j: Judgement }[] = [];
  const sampleByRepo: string[] = [];
  for (const group of ['blocking', 'n1'] as Group[]) {
    const all = pool.filter((p) => p.group === group);
    const sample = sampleOf(all, (p) => p.key, SAMPLE[group]);
    let yes = 0;
    let no = 0;
    let warnYes = 0;
    let warnNo = 0;
    for (const p of sample) {
      const j = judged.get(p.key);
      const shown = p.f.severity !== 'info';
      if (!j) unjudged.push(p);
      else if (j.verdict) { yes++; if (shown) warnYes++; }
      else { no++; if (shown) warnNo++; falseOnes.push({ key: p.key, j }); }
    }
    const byRepo = new Map<string, [number, number]>();
    for (const p of sample) {
      const j = judged.get(p.key);
      if (!j) continue;
      const r = byRepo.get(p.repo) ?? [0, 0];
      r[j.verdict ? 0 : 1]++;
      byRepo.set(p.repo, r);
    }
    const name = group === 'blocking' ? 'blocking (LW1xx/LW2xx)' : 'LW301';
    sampleByRepo.push(`${name} sample by repo (true/false): ${[...byRepo].sort().map(([r, [t, f]]) => `${r} ${t}/${f}`).join(', ')}`);
    precision.push(`${name}: ${yes}/${yes + no} = ${pct(yes, yes + no)} on the judged sample (${sample.length} sampled of ${all.length} unlabelled findings, ${sample.length - yes - no} unjudged; warning/error only: ${warnYes}/${warnYes + warnNo} = ${pct(warnYes, warnYes + warnNo)})`);
  }
  console.log(`Sampled precision (meaningful on a full run; --repo narrows the pool):\n  ${precision.join('\n  ')}\n  ${sampleByRepo.join('\n  ')}`);
  const labelledTp = tot.found;
  console.log(`(Labelled findings are not in the pool: ${labelledTp} labels found, ${trapHits.length} trap-line findings.)`);

  const causeOf = (repo: string, path: string, line: number, code?: string) =>
    causes.find((c) => c.repo === repo && c.path === path && c.line === line && (!c.code || !code || c.code === code));
  console.log(`\nMissed labels (${missed.length}):`);
  for (const l of missed) {
    const c = causeOf(l.repo, l.path, l.line);
    console.log(`  MISS ${l.repo} ${l.path}:${l.line} ${l.kind} ${l.code ?? ''} [${c?.rootCause ?? 'untagged'}]${l.addedAfterBlind ? ' (added after blind)' : ''}\n       ${l.note}`);
  }
  console.log(`\nTrap hits (${trapHits.length}):`);
  for (const { label, f } of trapHits) {
    const c = causeOf(label.repo, label.path, label.line, f.code);
    console.log(`  TRAP ${label.repo} ${f.file}:${f.line} ${f.code} ${f.call} [${c?.rootCause ?? 'untagged'}]\n       label: ${label.note}\n       finding: ${f.message}`);
  }
  console.log(`\nSampled findings judged false (${falseOnes.length}):`);
  for (const { key, j } of falseOnes) console.log(`  FALSE ${key} [${j.rootCause ?? 'untagged'}] ${j.reason}`);

  const table = new Map<string, { missed: number; falseFindings: number }>();
  const bump = (cause: string, k: 'missed' | 'falseFindings') => {
    const r = table.get(cause) ?? { missed: 0, falseFindings: 0 };
    r[k]++;
    table.set(cause, r);
  };
  for (const l of missed) bump(causeOf(l.repo, l.path, l.line)?.rootCause ?? 'untagged', 'missed');
  for (const { label, f } of trapHits) bump(causeOf(label.repo, label.path, label.line, f.code)?.rootCause ?? 'untagged', 'falseFindings');
  for (const { j } of falseOnes) bump(j.rootCause ?? 'untagged', 'falseFindings');
  console.log(`\nRoot causes (missed labels / false findings: trap hits + sampled findings judged false):`);
  for (const [cause, r] of [...table].sort((a, b) => b[1].missed + b[1].falseFindings - a[1].missed - a[1].falseFindings))
    console.log(`  ${cause.padEnd(18)} ${pad(r.missed, 4)} ${pad(r.falseFindings, 4)}`);

  console.log(`\nUnjudged sampled findings (${unjudged.length}); judge them in test/real/judgements.json:`);
  for (const p of unjudged.sort((a, b) => a.key.localeCompare(b.key))) {
    const hop = p.f.chain.length ? ` -> ${p.f.chain[p.f.chain.length - 1].file}:${p.f.chain[p.f.chain.length - 1].line}` : '';
    console.log(`  ${p.key} [${p.f.severity}] ${p.f.call}${hop} in ${p.f.function}`);
  }
  if (args.includes('--dump')) writeFileSync(args[args.indexOf('--dump') + 1], JSON.stringify(unjudged, null, 1));
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.log(`accuracy:real failed: ${(err as Error).message}`);
  }
}
