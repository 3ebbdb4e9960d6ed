// `node --import tsx bench/builder.ts [DIR...] [--rounds N]`: the model builder alone, per file, in
// one process: CPU time and bytes allocated of parsing every .py file of each tree, of parsing and
// flattening it (python/flatTree.ts), and of parsing and building its model (python/model.ts), so the
// builder's own cost is the difference; `walk` and `build` time the walk and the build alone, on
// trees parsed before each round. Bytes allocated and GC time are read from V8's GC trace of
// this same process (it re-runs itself with --trace-gc-nvp). Default trees: .bench/project.
// The child runs an esbuild bundle of this script, as the CLI runs a bundle (`--tsx`: the sources
// through tsx instead, as `npm run bench` runs them). Not a test: it prints one JSON line per tree and phase.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Analyzer } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';
import type { Tree } from 'web-tree-sitter';
import { initParser, parsePython } from '../src/core/parser';
import { KIND_NAMES } from '../src/core/python/exprBuilder';
import { flattenModule, kindsFor } from '../src/core/python/flatTree';
import { buildModel, textLines } from '../src/core/python/model';
import { median, r1 } from './measure';

const ROOT = process.env.LW_BUILDER_BENCH_ROOT ?? join(__dirname, '..');
const CHILD = process.env.LW_BUILDER_BENCH_CHILD === '1';

interface Src { path: string; text: string; module: string; isPackage: boolean }

function load(dir: string): Src[] {
  const { files } = discover([dir]);
  const out: Src[] = [];
  for (const f of files) {
    const d = readSource(f.abs, f.rel).decoded;
    if (!d) continue;
    const m = moduleName(f.abs, f.root);
    out.push({ path: f.rel, text: d.text, module: m.module, isPackage: m.isPackage });
  }
  return out;
}

let analyzer: Analyzer | undefined;

/** The trees of the files, parsed before a `walk` or `build` round starts (so its CPU time holds no parse). */
let trees: Tree[] = [];

const phases: Record<string, (files: Src[]) => void> = {
  parse: (files) => { for (const f of files) parsePython(f.text).delete(); },
  flatten: (files) => {
    for (const f of files) {
      const tree = parsePython(f.text);
      kindsFor(tree.language, KIND_NAMES);
      const { rows } = textLines(f.text);
      flattenModule(tree, (o) => ({ row: rows.length ? 0 : o, column: 0 }), () => true);
      tree.delete();
    }
  },
  model: (files) => {
    for (const f of files) {
      const tree = parsePython(f.text);
      buildModel(tree, f.text, { module: f.module, isPackage: f.isPackage });
      tree.delete();
    }
  },
  // The walk into flat rows alone, and the model build alone (walk included), of trees parsed before
  // the round: `build` minus `walk` is what the builder costs from the flat rows, without the parse's noise.
  walk: (files) => {
    for (let i = 0; i < files.length; i++) {
      const { rows } = textLines(files[i].text);
      flattenModule(trees[i], (o) => ({ row: rows.length ? 0 : o, column: 0 }), () => true, 'auto', kindsFor(trees[i].language, KIND_NAMES).named);
    }
  },
  build: (files) => { for (let i = 0; i < files.length; i++) buildModel(trees[i], files[i].text, { module: files[i].module, isPackage: files[i].isPackage }); },
  // What `npm run bench` times as throughput.projectPerFile: each file analysed alone, from its text.
  analysis: (files) => { for (const f of files) { analyzer!.forget(f.path); analyzer!.analyze([f]); } },
  // The same without quick fixes (the editor's analysis: fixes are computed when code actions are asked for).
  findings: (files) => { for (const f of files) { analyzer!.forget(f.path); analyzer!.analyze([f], { fixes: false }); } },
};

async function child(dirs: string[], rounds: number): Promise<void> {
  await initParser(join(ROOT, 'grammars'));
  analyzer = await Analyzer.create(join(ROOT, 'grammars'));
  for (const dir of dirs) {
    const files = load(dir);
    const bytes = files.reduce((s, f) => s + f.text.length, 0);
    for (const [name, run] of Object.entries(phases)) {
      if (only.length && !only.includes(name)) continue;
      const parsed = name === 'walk' || name === 'build';
      const parseAll = () => { if (parsed) trees = files.map((f) => parsePython(f.text)); };
      const freeAll = () => { for (const t of trees) t.delete(); trees = []; };
      parseAll();
      run(files); // warm-up
      freeAll();
      const cpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        parseAll();
        (globalThis as { gc?: () => void }).gc?.();
        process.stdout.write(`@@begin ${name}\n`);
        const c0 = process.cpuUsage();
        run(files);
        const c1 = process.cpuUsage(c0);
        process.stdout.write(`@@cpu ${name}\n`);
        // The GC after the phase reports what the phase allocated since the GC before it.
        (globalThis as { gc?: () => void }).gc?.();
        process.stdout.write(`@@end ${name}\n`);
        freeAll();
        cpu.push((c1.user + c1.system) / 1000);
      }
      process.stdout.write(`@@result ${JSON.stringify({ dir, files: files.length, chars: bytes, phase: name, cpuMs: cpu })}\n`);
    }
  }
}

/** Sums `allocated=` and GC pause time of the trace lines between each @@begin / @@end pair. */
function parent(dirs: string[], rounds: number): void {
  let script = ['--import', 'tsx', __filename];
  if (!process.argv.includes('--tsx')) {
    const outfile = join(ROOT, 'out', 'bench-builder.cjs');
    buildSync({ entryPoints: [__filename], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
      alias: { 'web-tree-sitter': join(ROOT, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') } });
    script = [outfile];
  }
  const res = spawnSync(process.execPath, ['--expose-gc', '--trace-gc-nvp', ...process.execArgv.filter((a) => a.startsWith('--cpu-prof')), ...script, ...dirs, '--rounds', String(rounds), ...only.flatMap((p) => ['--phase', p])],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LW_BUILDER_BENCH_CHILD: '1', LW_BUILDER_BENCH_ROOT: ROOT } });
  if (res.status !== 0) { process.stderr.write(res.stderr); throw new Error('child failed'); }
  let inside = false;
  let timed = false;
  let alloc = 0;
  let gcMs = 0;
  const allocs: number[] = [];
  const gcs: number[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const line of res.stdout.split('\n')) {
    if (line.startsWith('@@begin')) { inside = true; timed = true; alloc = 0; gcMs = 0; continue; }
    if (line.startsWith('@@cpu')) { timed = false; continue; }
    if (line.startsWith('@@end')) { inside = false; allocs.push(alloc); gcs.push(gcMs); continue; }
    if (line.startsWith('@@result')) {
      const r = JSON.parse(line.slice(9)) as { dir: string; files: number; chars: number; phase: string; cpuMs: number[] };
      const cpuMs = median(r.cpuMs);
      rows.push({ tree: r.dir, files: r.files, mchars: r1(r.chars / 1e6), phase: r.phase, cpuMs: r1(cpuMs), allocMb: r1(median(allocs) / 1048576), gcMs: r1(median(gcs)), runs: r.cpuMs.map(r1) });
      allocs.length = 0; gcs.length = 0;
      continue;
    }
    if (!inside) continue;
    const a = /\ballocated=(\d+)/.exec(line);
    if (a) alloc += Number(a[1]);
    const p = /\bpause=([\d.]+)/.exec(line);
    if (p && timed) gcMs += Number(p[1]);
  }
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}

const argv = process.argv.slice(2);
const ri = argv.indexOf('--rounds');
const rounds = ri >= 0 ? Number(argv[ri + 1]) : 5;
// `--phase model` (repeatable): only these phases (e.g. for a --cpu-prof of the child alone).
const only = argv.flatMap((a, i) => (argv[i - 1] === '--phase' ? [a] : []));
const dirs = argv.filter((a, i) => !a.startsWith('--') && (ri < 0 || i !== ri + 1) && argv[i - 1] !== '--phase');
if (!dirs.length) dirs.push(join(ROOT, '.bench', 'project'));
if (CHILD) void child(dirs, rounds);
else parent(dirs, rounds);
