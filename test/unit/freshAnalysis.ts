// What the incremental tests compare with: a fresh Analyzer's analysis of the same texts, without
// fixes (as the editor's), disposed after.
import { type AnalyzeOptions, Analyzer, type SourceFile } from '../../src/core/analyzer';
import type { ScanResult } from '../../src/core/types';

export async function freshAnalysis(files: SourceFile[], opts: AnalyzeOptions = {}): Promise<ScanResult> {
  const a = await Analyzer.create();
  try {
    return a.analyze(files, { fixes: false, ...opts });
  } finally {
    a.dispose();
  }
}

const byPlace = <T extends { file: string; line: number }>(a: T, b: T) => a.file.localeCompare(b.file) || a.line - b.line;

/**
 * The result an editor assembles after a partial analysis: the analysed files' (`only`) findings and
 * handlers from `part`, every other file's kept from `result`, in a fresh analysis's order.
 */
export function assemblePartial(result: ScanResult, part: ScanResult, only: Set<string>): ScanResult {
  return {
    ...part,
    findings: [...result.findings.filter((f) => !only.has(f.file)), ...part.findings].sort((a, b) => byPlace(a, b) || a.column - b.column || a.code.localeCompare(b.code)),
    handlers: [...result.handlers.filter((h) => !only.has(h.file)), ...part.handlers].sort(byPlace),
  };
}
