// Precision/recall of the analyzer against the blind labelled corpus in test/fixtures/corpus.
// Labels: `# expect: LW101[, LW105]` on the blocking line; `# trap: ...` marks lines that must stay clean.
// Prints a per-code table, then every false positive and false negative. Always exits 0 (it is a report).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { scanPaths } from '../src/core/scan';

const root = resolve(__dirname, '..');
const corpus = join(root, 'test/fixtures/corpus');

interface Hit { key: string; file: string; line: number; code: string; message: string }

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

const keyOf = (file: string, line: number, code: string) => `${file}:${line}:${code}`;

function readLabels(files: string[]) {
  const expected = new Map<string, Hit>();
  const traps = new Set<string>();
  const lines = new Map<string, string[]>();
  for (const abs of files) {
    const rel = relative(corpus, abs).split('\\').join('/');
    const text = readFileSync(abs, 'utf8').split(/\r?\n/);
    lines.set(rel, text);
    text.forEach((src, i) => {
      const m = /#\s*expect:\s*([A-Z0-9, ]+)\s*$/.exec(src);
      if (m) {
        for (const code of m[1].split(',').map((c) => c.trim()).filter(Boolean)) {
          const key = keyOf(rel, i + 1, code);
          expected.set(key, { key, file: rel, line: i + 1, code, message: src.trim() });
        }
      }
      if (/#\s*trap\b/.test(src)) traps.add(`${rel}:${i + 1}`);
    });
  }
  return { expected, traps, lines };
}

interface Row { tp: number; fp: number; fn: number }

async function main(): Promise<void> {
  const apps = readdirSync(corpus).filter((d) => statSync(join(corpus, d)).isDirectory()).sort();
  const { expected, traps, lines } = readLabels(walk(corpus));
  const reported = new Map<string, Hit>();
  let analyzer;
  for (const app of apps) {
    const out = await scanPaths([join(corpus, app)], { noConfig: true, analyzer });
    analyzer = out.analyzer;
    for (const note of out.result.notes) console.log(`note ${app}: ${note.kind} ${note.file}: ${note.message}`);
    for (const f of out.result.findings) {
      const abs = out.files.get(f.file)?.abs ?? resolve(join(corpus, app), f.file);
      const rel = relative(corpus, abs).split('\\').join('/');
      const key = keyOf(rel, f.line, f.code);
      if (!reported.has(key)) reported.set(key, { key, file: rel, line: f.line, code: f.code, message: `${f.message} [${f.call}]` });
    }
  }

  const rows = new Map<string, Row>();
  const row = (code: string) => rows.get(code) ?? (rows.set(code, { tp: 0, fp: 0, fn: 0 }), rows.get(code)!);
  const fps: Hit[] = [];
  const fns: Hit[] = [];
  for (const [key, hit] of reported) {
    if (expected.has(key)) row(hit.code).tp++;
    else { row(hit.code).fp++; fps.push(hit); }
  }
  for (const [key, hit] of expected) {
    if (!reported.has(key)) { row(hit.code).fn++; fns.push(hit); }
  }

  const pct = (n: number, d: number) => (d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);
  const line = (name: string, r: Row) =>
    `${name.padEnd(8)} ${String(r.tp).padStart(4)} ${String(r.fp).padStart(4)} ${String(r.fn).padStart(4)}  ${pct(r.tp, r.tp + r.fp)}  ${pct(r.tp, r.tp + r.fn)}`;
  console.log(`\nCorpus: ${apps.length} apps, ${expected.size} expected findings, ${traps.size} trap lines\n`);
  console.log('code       TP   FP   FN  precision  recall');
  const total: Row = { tp: 0, fp: 0, fn: 0 };
  for (const code of [...rows.keys()].sort()) {
    const r = rows.get(code)!;
    total.tp += r.tp; total.fp += r.fp; total.fn += r.fn;
    console.log(line(code, r));
  }
  console.log(line('overall', total));

  const sortHits = (a: Hit, b: Hit) => a.file.localeCompare(b.file) || a.line - b.line || a.code.localeCompare(b.code);
  const onTrap = fps.filter((h) => traps.has(`${h.file}:${h.line}`)).length;
  console.log(`\nFalse positives (${fps.length}, ${onTrap} on trap lines):`);
  for (const h of fps.sort(sortHits)) {
    const src = lines.get(h.file)?.[h.line - 1]?.trim() ?? '';
    const trap = traps.has(`${h.file}:${h.line}`) ? ' [trap]' : '';
    const other = [...expected.values()].filter((e) => e.file === h.file && e.line === h.line).map((e) => e.code);
    const also = other.length ? ` [labelled ${other.join(', ')}]` : '';
    console.log(`  FP ${h.file}:${h.line} ${h.code}${trap}${also}: ${h.message}\n       | ${src}`);
  }
  console.log(`\nFalse negatives (${fns.length}):`);
  for (const h of fns.sort(sortHits)) {
    const got = [...reported.values()].filter((r) => r.file === h.file && r.line === h.line).map((r) => r.code);
    const also = got.length ? ` [reported ${got.join(', ')}]` : '';
    console.log(`  FN ${h.file}:${h.line} ${h.code}${also}\n       | ${h.message}`);
  }
}

main()
  .catch((err) => console.error(err))
  .finally(() => process.exit(0));
