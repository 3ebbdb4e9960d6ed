// Sampled precision of LW302, LW303, LW304 and LW501 on real repositories (issue 15).
//
//   node scripts/new-rules-sample.mjs sample <scan-dir> [perCode=20]
//     <scan-dir> holds one `loopwise scan --format json --select LW302,LW303,LW304,LW501` output per
//     repository (<owner>+<name>.json) and commits.txt (`<owner>+<name> <commit>` per line). Prints the
//     seeded sample (seed 15, up to perCode findings per code) as JSON entries with an empty verdict.
//   node scripts/new-rules-sample.mjs score [test/real/new-rules-sample.json]
//     Prints findings, sample size, true positives and precision per code from the judged sample.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CODES = ['LW302', 'LW303', 'LW304', 'LW501'];

/** mulberry32: a small seeded PRNG, so the same scans always give the same sample. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(dir, perCode) {
  const commits = new Map(readFileSync(join(dir, 'commits.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')));
  const all = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const repo = f.slice(0, -5);
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const x of r.findings) {
      if (!CODES.includes(x.code)) continue;
      all.push({ repo: repo.replace('+', '/'), commit: commits.get(repo) ?? '', path: x.file.slice(repo.length + 1), line: x.line, code: x.code, call: x.call });
    }
  }
  all.sort((a, b) => a.code.localeCompare(b.code) || a.repo.localeCompare(b.repo) || a.path.localeCompare(b.path) || a.line - b.line);
  const out = { totals: {}, sample: [] };
  const next = rng(15);
  for (const code of CODES) {
    const group = all.filter((x) => x.code === code);
    out.totals[code] = group.length;
    // Partial Fisher-Yates: the first perCode of a seeded shuffle.
    const idx = group.map((_, i) => i);
    for (let i = 0; i < Math.min(perCode, idx.length); i++) {
      const j = i + Math.floor(next() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    for (const i of idx.slice(0, perCode).sort((a, b) => a - b)) out.sample.push({ ...group[i], verdict: '', reason: '' });
  }
  return out;
}

function score(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const rows = [];
  for (const code of CODES) {
    const s = data.sample.filter((x) => x.code === code);
    const tp = s.filter((x) => x.verdict === 'tp').length;
    const fp = s.filter((x) => x.verdict === 'fp').length;
    rows.push({ code, findings: data.totals[code], sampled: s.length, tp, fp, precision: tp + fp ? Math.round((tp / (tp + fp)) * 1000) / 1000 : null });
  }
  return rows;
}

const [cmd, arg, n] = process.argv.slice(2);
if (cmd === 'sample' && arg) console.log(JSON.stringify(sample(arg, Number(n ?? 20)), null, 1));
else if (cmd === 'score') console.table(score(arg ?? join(import.meta.dirname, '..', 'test', 'real', 'new-rules-sample.json')));
else { console.error('usage: new-rules-sample.mjs sample <scan-dir> [perCode] | score [file]'); process.exit(2); }
