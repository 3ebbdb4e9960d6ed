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
