// Shared by the fix tests: analyse a text in memory, run fix-all rounds or one named fix, parse with python3.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { decode } from '../../src/core/files';
import { applyFixes } from '../../src/core/fixes';
import type { Fix, ScanResult } from '../../src/core/types';
import { computeFixes } from '../../src/cli/fix';

/** Every rule and fix fixture (not the expected `.fixed.py` outputs) as in-memory sources. */
export function fixtureSources(): SourceFile[] {
  const dirs = [join(__dirname, '..', 'fixtures', 'rules'), join(__dirname, '..', 'fixtures', 'fixes')];
  return dirs.flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.py') && !n.endsWith('.fixed.py'))
    .map((n) => ({ path: `${d === dirs[0] ? 'rules' : 'fixes'}/${n}`, text: readFileSync(join(d, n), 'utf8'), module: n.slice(0, -3).replace(/[^\w]/g, '_'), isPackage: false })));
}

/** A describe block's Analyzer and the fixtures as sources, made before its tests and disposed after them. */
export function fixtureAnalysis(): { analyzer: Analyzer; files: SourceFile[] } {
  const fx = {} as { analyzer: Analyzer; files: SourceFile[] };
  before(async () => { fx.analyzer = await Analyzer.create(); fx.files = fixtureSources(); });
  after(() => fx.analyzer.dispose());
  return fx;
}

let shared: Promise<Analyzer> | undefined;
export function analyzer(): Promise<Analyzer> {
  shared ??= Analyzer.create();
  return shared;
}

export function readText(path: string): string {
  const d = decode(readFileSync(path));
  if (!d) throw new Error(`cannot decode ${path}`);
  return d.text;
}

export function analyzeText(a: Analyzer, name: string, text: string): ScanResult {
  return a.analyze([{ path: name, text, module: 'app', isPackage: false }]);
}

/** Fix-all in rounds, exactly as `loopwise fix` runs it. */
export function fixAllRounds(a: Analyzer, name: string, text: string): string {
  const decoded = { text, encoding: 'utf-8', bom: false };
  const scan = {
    result: analyzeText(a, name, text),
    files: new Map([[name, { abs: name, rel: name, decoded }]]),
    reanalyze: (texts: Map<string, string>) => analyzeText(a, name, texts.get(name) ?? text),
  };
  return computeFixes(scan).texts.get(name) ?? text;
}

/** For each finding, its first fix that `pick` accepts, applied in one pass. */
export function applyNamedFix(result: ScanResult, text: string, pick: (fix: Fix) => boolean): { text: string; fixed: string[] } {
  const chosen = result.findings.map((f) => ({ f, fix: f.fixes.find(pick) })).filter((x) => x.fix);
  const r = applyFixes(text, chosen.map((x) => x.fix!));
  return { text: r.text, fixed: chosen.filter((x) => r.applied.includes(x.fix!)).map((x) => findingKey(x.f)) };
}

export function findingKey(f: { code: string; function: string; call: string }): string {
  return `${f.code} ${f.function} ${f.call}`;
}

export function counts(result: ScanResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of result.findings) m.set(findingKey(f), (m.get(findingKey(f)) ?? 0) + 1);
  return m;
}

/** The paths among `files` that python3 cannot parse (one python3 process for all of them). */
export function pythonUnparseable(files: string[]): string[] {
  if (files.length === 0) return [];
  const script = 'import ast,sys\nfor p in sys.stdin.read().splitlines():\n  try: ast.parse(open(p, encoding="utf-8").read())\n  except Exception: print(p)';
  const out = execFileSync('python3', ['-c', script], { input: files.join('\n'), stdio: ['pipe', 'pipe', 'pipe'] });
  return out.toString().split('\n').filter(Boolean);
}

/** Throws with python's message when the text does not parse. */
export function pythonParses(text: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'loopwise-ast-'));
  const file = join(dir, 'check.py');
  try {
    writeFileSync(file, text, 'utf8');
    execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1], encoding="utf-8").read())', file], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: Buffer };
    throw new Error(`python3 cannot parse the text: ${e.stderr?.toString() ?? err}\n${text}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
