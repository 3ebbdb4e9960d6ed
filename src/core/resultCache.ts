// Per-file results kept between analyses of an editing session, so an edit re-analyses only the
// files whose findings it can change. Everything here is bookkeeping; the decision that a kept
// result is still right (the edited files' export keys are unchanged) is taken in analyzer.ts.
import type { ChainHop, Finding, HandlerReport } from './types';

/**
 * A change of an open document's lines, in 1-based line numbers: rows [start, oldEnd] of the
 * previous text became rows [start, newEnd]. An edit within one line keeps every line number.
 */
export interface RowEdit { start: number; oldEnd: number; newEnd: number }

/** The document was replaced as a whole (opened, or changed with no edit list): no line maps. */
export const WHOLE: RowEdit = { start: 1, oldEnd: Infinity, newEnd: Infinity };

/** A line of the current text in the coordinates before `edits` (NaN when it lies in an edited span). */
export function lineBack(edits: readonly RowEdit[] | undefined, line: number): number {
  if (!edits) return line;
  for (let i = edits.length - 1; i >= 0 && !Number.isNaN(line); i--) line = back(edits[i], line);
  return line;
}

/** A line of the text before `edits` in the current coordinates (NaN when it lies in an edited span). */
export function lineForward(edits: readonly RowEdit[] | undefined, line: number): number {
  if (!edits) return line;
  for (let i = 0; i < edits.length && !Number.isNaN(line); i++) line = forward(edits[i], line);
  return line;
}

function back(e: RowEdit, line: number): number {
  if (line < e.start || (e.start === e.oldEnd && e.start === e.newEnd)) return line;
  return line > e.newEnd ? line - (e.newEnd - e.oldEnd) : NaN;
}

function forward(e: RowEdit, line: number): number {
  if (line < e.start || (e.start === e.oldEnd && e.start === e.newEnd)) return line;
  return line > e.oldEnd ? line + (e.newEnd - e.oldEnd) : NaN;
}

/** One file's part of a result (shared between results: never changed in place). */
export interface FileResult { findings: Finding[]; handlers: HandlerReport[] }

/**
 * A file's result moved through the line edits of other files (the hops of its chains that sit in an
 * edited document), or undefined when a hop lies in an edited span. `dir` maps base -> now or back.
 */
export function remapResult(r: FileResult, editsOf: (file: string) => readonly RowEdit[] | undefined, dir: 'forward' | 'back'): FileResult | undefined {
  const map = dir === 'forward' ? lineForward : lineBack;
  /** The chain moved (a copy), the same array when nothing moved, null when a hop lies in an edited span. */
  const move = (hops: ChainHop[]): ChainHop[] | null => {
    let chain: ChainHop[] | undefined;
    for (let i = 0; i < hops.length; i++) {
      const h = hops[i];
      const edits = editsOf(h.file);
      if (!edits || !edits.length) continue;
      const line = map(edits, h.line);
      if (Number.isNaN(line)) return null;
      if (line === h.line) continue;
      chain ??= hops.slice();
      chain[i] = { ...h, line };
    }
    return chain ?? hops;
  };
  let findings: Finding[] | undefined;
  for (let j = 0; j < r.findings.length; j++) {
    const f = r.findings[j];
    const chain = move(f.chain);
    if (!chain) return undefined;
    // The other blocking calls the same call reaches (one finding per call site) carry chains too.
    let also = f.also;
    if (also) {
      const moved = also.map((a) => { const c = move(a.chain); return c === a.chain ? a : c && { ...a, chain: c }; });
      if (moved.some((a) => !a)) return undefined;
      if (moved.some((a, i) => a !== also![i])) also = moved as typeof also;
    }
    if (chain !== f.chain || also !== f.also) (findings ??= r.findings.slice())[j] = { ...f, chain, ...(also ? { also } : {}) };
  }
  // Nothing moved: the same objects (results are never changed once made).
  return findings ? { findings, handlers: r.handlers } : r;
}
