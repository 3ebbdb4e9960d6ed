// Scanning paths on disk: discovery, decoding, configuration and analysis in one call, shared by
// `loopwise scan`, `fix` and `recommend` (the extension feeds open documents to the Analyzer instead).
import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { Analyzer, type SourceFile } from './analyzer';
import { excluder, findPyproject, loadConfig, type LoopwiseConfig } from './config';
import { type DecodedText, discover, moduleName, readSource } from './files';
import { isTestCode, projectPath } from './python/sourceRoots';
import { buildModelsInParallel } from './parallel';
import type { FileNote, ScanResult, Severity } from './types';

export interface ScanOptions {
  /** Compute each finding's fixes (JSON output and `fix` need them; text and SARIF do not). Default true. */
  fixes?: boolean;
  select?: string[];
  ignore?: string[];
  exclude?: string[];
  /** Skip reading pyproject.toml. */
  noConfig?: boolean;
  analyzer?: Analyzer;
  /** Severity of findings in test code, scripts and examples (default `info`, or the config's). */
  testSeverity?: Severity;
  /** Threads for building file models (default: up to 4 cores); 1 keeps everything on this thread. */
  jobs?: number;
}

export interface ScannedFile { abs: string; rel: string; decoded: DecodedText }

export interface ScanOutput {
  result: ScanResult;
  files: Map<string, ScannedFile>;
  config: LoopwiseConfig;
  analyzer: Analyzer;
  /** Analyses again with the same files and options, some texts replaced (by path), e.g. after fixes. */
  reanalyze(texts: Map<string, string>): ScanResult;
}

export async function scanPaths(paths: string[], opts: ScanOptions = {}): Promise<ScanOutput> {
  const first = resolve(paths[0] ?? '.');
  let startDir = first;
  try { if (!statSync(first).isDirectory()) startDir = dirname(first); } catch { /* discover() reports it */ }
  const config = opts.noConfig ? loadConfig(undefined) : loadConfig(findPyproject(startDir));
  const exclude = [...config.exclude, ...(opts.exclude ?? [])];
  const { files, notes } = discover(paths, { exclude: excluder(exclude) });
  const allNotes: FileNote[] = [...notes, ...config.problems.map((p) => ({ file: config.source ?? 'pyproject.toml', kind: 'error' as const, message: p }))];
  const sources: SourceFile[] = [];
  const testPatterns = config.testCode ? excluder(config.testCode) ?? (() => false) : undefined;
  const scanned = new Map<string, ScannedFile>();
  for (const f of files) {
    const { decoded, note } = readSource(f.abs, toPosix(f.rel));
    if (note) allNotes.push(note);
    if (!decoded) continue;
    const { module, isPackage } = moduleName(f.abs, f.root);
    const rel = toPosix(f.rel);
    const testCode = isTestCode(projectPath(f.abs, f.root), testPatterns);
    sources.push({ path: rel, text: decoded.text, module, isPackage, ...(testCode ? { testCode } : {}) });
    scanned.set(rel, { abs: f.abs, rel, decoded });
  }
  const analyzer = opts.analyzer ?? (await Analyzer.create());
  await buildModelsInParallel(analyzer, sources, { jobs: opts.jobs });
  const analyzeOptions = {
    rules: { select: [...config.select, ...(opts.select ?? [])], ignore: [...config.ignore, ...(opts.ignore ?? [])], extra: config.extra },
    cost: config.cost,
    severity: opts.testSeverity ? { ...config.severity, 'test-code': opts.testSeverity } : config.severity,
    fixes: opts.fixes,
    notes: allNotes,
  };
  const result = analyzer.analyze(sources, analyzeOptions);
  const reanalyze = (texts: Map<string, string>) => analyzer.analyze(sources.map((s) => (texts.has(s.path) ? { ...s, text: texts.get(s.path)! } : s)), analyzeOptions);
  return { result, files: scanned, config, analyzer, reanalyze };
}

export function toPosix(p: string): string {
  return p.split('\\').join('/');
}
