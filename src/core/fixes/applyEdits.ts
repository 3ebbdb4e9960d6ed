// Applying edits: sorted, identical edits merged (two fixes adding the same import), overlaps refused.
// Fix-all takes fixes in order and keeps each one whose edits do not overlap those already taken, so
// the outcome is deterministic; a second run finds nothing left to change.
import type { Finding, Fix, TextEdit } from '../types';

const IMPORT_LINE = /^(\r?\n)*(import|from) /;

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start && a.end === b.end && a.newText === b.newText;
}

/** Sorted, de-duplicated edits, or undefined when two of them overlap. */
export function normalizeEdits(edits: TextEdit[]): TextEdit[] | undefined {
  const unique: TextEdit[] = [];
  for (const e of edits) if (!unique.some((u) => sameEdit(u, e))) unique.push(e);
  // Stable: by start; at one offset insertions first, and added imports before other inserted lines.
  const keyed = unique.map((e, i) => ({ e, i }));
  keyed.sort((x, y) => x.e.start - y.e.start
    || Number(x.e.end > x.e.start) - Number(y.e.end > y.e.start)
    || Number(!IMPORT_LINE.test(x.e.newText)) - Number(!IMPORT_LINE.test(y.e.newText))
    || x.i - y.i);
  const out = keyed.map((k) => k.e);
  for (let k = 1; k < out.length; k++) {
    const a = out[k - 1];
    const b = out[k];
    if (b.start < a.end) return undefined;
    if (b.start === a.start && a.end > a.start && b.end > b.start) return undefined;
  }
  for (const e of out) if (e.start < 0 || e.end < e.start) return undefined;
  return out;
}

/** The text with the edits applied, or undefined when they overlap or fall outside the text. */
export function applyEdits(text: string, edits: TextEdit[]): string | undefined {
  const sorted = normalizeEdits(edits);
  if (!sorted) return undefined;
  if (sorted.some((e) => e.end > text.length)) return undefined;
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

export interface FixAllResult { text: string; applied: Fix[]; skipped: Fix[]; /** The applied edits, sorted and de-duplicated. */ edits: TextEdit[] }

/** Applies the given fixes in order, each only if it does not overlap the fixes already taken. */
export function applyFixes(text: string, fixes: Fix[]): FixAllResult {
  let taken: TextEdit[] = [];
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  for (const fix of fixes) {
    if (!fix.edits.length) continue;
    if (fix.edits.every((e) => taken.some((t) => sameEdit(t, e)))) continue; // the same fix from another finding
    const merged = normalizeEdits([...taken, ...fix.edits]);
    if (!merged || merged.some((e) => e.end > text.length)) { skipped.push(fix); continue; }
    taken = merged;
    applied.push(fix);
  }
  return { text: applyEdits(text, taken) ?? text, applied, skipped, edits: taken };
}

/** Whether a finding's code is chosen by `--select` style prefixes (all when none are given). */
export function selected(code: string, select: string[] | undefined): boolean {
  return !select || select.length === 0 || select.some((s) => code.startsWith(s.toUpperCase()));
}

/** The preferred fix of each finding (in the findings' order), for fix-all. */
export function preferredFixes(findings: Finding[], select?: string[]): Fix[] {
  const out: Fix[] = [];
  for (const f of findings) {
    if (!selected(f.code, select)) continue;
    // Fix-all applies promises only: a preferred fix, never a suppression.
    const p = f.fixes.find((x) => x.isPreferred && x.kind !== 'noqa');
    if (p) out.push(p);
  }
  return out;
}

/** One fix-all pass over one file's findings. */
export function fixAll(text: string, findings: Finding[], select?: string[]): FixAllResult {
  return applyFixes(text, preferredFixes(findings, select));
}
