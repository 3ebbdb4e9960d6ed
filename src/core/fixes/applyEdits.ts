// Applying edits: sorted, identical edits merged (two fixes adding the same import), overlaps refused.
// Fix-all takes fixes in order and keeps each one whose edits do not overlap those already taken, so
// the outcome is deterministic; a second run finds nothing left to change.
import type { Finding, Fix, TextEdit } from '../types';

const IMPORT_LINE = /^(\r?\n)*(import|from) /;

/** One key per distinct edit (same start, end and text). */
function editKey(e: TextEdit): string {
  return `${e.start}:${e.end}:${e.newText}`;
}

/**
 * The order of edits: by start; at one offset insertions first, and added imports before other
 * inserted lines (ties: the order given, as a stable sort keeps it).
 */
function compareEdits(x: TextEdit, y: TextEdit): number {
  return x.start - y.start
    || Number(x.end > x.start) - Number(y.end > y.start)
    || Number(!IMPORT_LINE.test(x.newText)) - Number(!IMPORT_LINE.test(y.newText));
}

/** Sorted, de-duplicated edits, or undefined when two of them overlap. */
export function normalizeEdits(edits: TextEdit[]): TextEdit[] | undefined {
  // De-duplicated by key (a scan of the kept ones per edit was quadratic: 10,000 edits in one file).
  const seen = new Set<string>();
  const unique: TextEdit[] = [];
  for (const e of edits) {
    const key = editKey(e);
    if (!seen.has(key)) { seen.add(key); unique.push(e); }
  }
  const keyed = unique.map((e, i) => ({ e, i }));
  keyed.sort((x, y) => compareEdits(x.e, y.e) || x.i - y.i);
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

/** The first index of `sorted` whose edit comes after `e` (compareEdits; at a tie the edit already there stays first). */
function insertionPoint(sorted: TextEdit[], e: TextEdit): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEdits(sorted[mid], e) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Applies the given fixes in order, each only if it does not overlap the fixes already taken.
 * What normalizeEdits([...taken, ...fix.edits]) would decide, told from the fix's own edits and their
 * neighbours among those taken (sorted edits overlap somewhere exactly when two neighbours do): normalizing
 * every taken edit again for each fix was cubic, 4,000 fixes in one file 20 s.
 */
export function applyFixes(text: string, fixes: Fix[]): FixAllResult {
  const taken: TextEdit[] = [];
  const takenKeys = new Set<string>();
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  for (const fix of fixes) {
    if (!fix.edits.length) continue;
    const keys = fix.edits.map(editKey);
    if (keys.every((k) => takenKeys.has(k))) continue; // the same fix from another finding
    // The fix's edits not taken already, sorted; overlapping one another or outside the text: skipped.
    const own = normalizeEdits(fix.edits.filter((_, i) => !takenKeys.has(keys[i])));
    if (!own || own.some((e) => e.end > text.length)) { skipped.push(fix); continue; }
    const at = own.map((e) => insertionPoint(taken, e));
    const overlaps = own.some((e, i) => {
      const before = at[i] > 0 ? taken[at[i] - 1] : undefined;
      const after = at[i] < taken.length ? taken[at[i]] : undefined;
      return (before !== undefined && e.start < before.end) || (after !== undefined && after.start < e.end);
    });
    if (overlaps) { skipped.push(fix); continue; }
    // Inserted from the last, so the earlier points stay right; at one point the fix's edits keep their order.
    for (let i = own.length - 1; i >= 0; i--) taken.splice(at[i], 0, own[i]);
    for (const e of own) takenKeys.add(editKey(e));
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
