// The one fix-all: `loopwise fix`, the language server and the extension all call it. A round applies
// the preferred fix of every finding (in the findings' order, skipping a fix whose edits overlap one
// already taken); rounds repeat on a fresh analysis of the fixed text until nothing changes, so a
// second run changes nothing. A round that would leave a file unparseable is undone for that file.
import type { Finding, ScanResult, TextEdit } from '../types';
import { fixAll } from './applyEdits';

export const MAX_ROUNDS = 4;

/** The edits one fix-all round makes to one file (what an editor applies as one workspace edit). */
export function fixAllEdits(text: string, findings: Finding[], select?: string[]): TextEdit[] {
  return fixAll(text, findings, select).edits;
}

export interface PipelineFile {
  text: string;
  /** Set when the file must not be rewritten (for example an encoding that cannot be written back). */
  skipReason?: string;
}

export interface PipelineInput {
  result: ScanResult;
  /** The scanned texts by file. */
  files: Map<string, PipelineFile>;
  /** A fresh analysis with the given files' texts replaced. */
  reanalyze(texts: Map<string, string>): ScanResult;
  select?: string[];
  maxRounds?: number;
}

export interface PipelineOutcome {
  /** New text by file, only for files that change. */
  texts: Map<string, string>;
  applied: number;
  /** The analysis of the final texts. */
  result: ScanResult;
  skipped: { file: string; reason: string }[];
}

export function runFixPipeline(input: PipelineInput): PipelineOutcome {
  const texts = new Map<string, string>();
  const skipped: PipelineOutcome['skipped'] = [];
  const broken = new Set<string>();
  const hadErrors = new Set(input.result.notes.filter((n) => n.kind === 'syntax-error').map((n) => n.file));
  let result = input.result;
  let applied = 0;
  for (let round = 0; round < (input.maxRounds ?? MAX_ROUNDS); round++) {
    const before = new Map(texts);
    let roundApplied = 0;
    for (const [file, findings] of findingsByFile(result.findings)) {
      const src = input.files.get(file);
      if (!src || broken.has(file)) continue;
      if (src.skipReason) { if (round === 0) skipped.push({ file, reason: src.skipReason }); continue; }
      const current = texts.get(file) ?? src.text;
      const r = fixAll(current, findings, input.select);
      if (r.text !== current) { texts.set(file, r.text); roundApplied += r.applied.length; }
    }
    if (!roundApplied) break;
    result = input.reanalyze(texts);
    // A fix must never leave a file that no longer parses: undo that file's round and keep it out.
    const nowBroken = result.notes.filter((n) => n.kind === 'syntax-error' && texts.has(n.file) && !hadErrors.has(n.file)).map((n) => n.file);
    if (nowBroken.length) {
      for (const f of nowBroken) {
        broken.add(f);
        skipped.push({ file: f, reason: 'a fix would leave a syntax error; the file was left as it is after the previous round' });
        if (before.has(f)) texts.set(f, before.get(f)!); else texts.delete(f);
      }
      result = input.reanalyze(texts);
    }
    applied += roundApplied;
  }
  for (const [file, text] of [...texts]) if (text === input.files.get(file)?.text) texts.delete(file);
  return { texts, applied, result, skipped };
}

/** Findings grouped by file, in their order. */
export function findingsByFile(findings: Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = m.get(f.file);
    if (!list) m.set(f.file, (list = []));
    list.push(f);
  }
  return m;
}
