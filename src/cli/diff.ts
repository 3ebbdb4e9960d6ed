// A unified diff of two texts, line by line (no dependency): the common head and tail are cut first,
// and the middle is Myers' O((N+M)D) shortest edit script, so two fixes far apart in a 2,400-line
// file print as two small hunks. Only when the texts differ in more than MAX_D lines is the middle
// printed as one replaced block.
import { printable } from './format';
type Op = { t: ' ' | '-' | '+'; line: string };

const MAX_D = 2_000;
const NO_EOL = '\u0000';

function splitLines(text: string): { lines: string[]; finalEol: boolean } {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const finalEol = text.length === 0 || text.endsWith('\n');
  if (finalEol) lines.pop();
  // A last line without its newline differs from the same line with one (diff(1) prints a marker).
  else lines[lines.length - 1] += NO_EOL;
  return { lines, finalEol };
}

/** Myers' greedy shortest edit script (deletions first within a run), or undefined past MAX_D edits. */
function myers(a: string[], b: string[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_D);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    // Only diagonals -d-1..d+1 are read back at step d: keep that window (memory grows with D², not D·N).
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) { found = d; break; }
    }
  }
  if (found < 0) return undefined;
  const rev: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const pv = trace[d];
    const at = (kk: number) => pv[kk + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const px = at(prevK);
    const py = px - prevK;
    while (x > px && y > py) { rev.push({ t: ' ', line: a[x - 1] }); x--; y--; }
    if (x === px) { rev.push({ t: '+', line: b[y - 1] }); y--; } else { rev.push({ t: '-', line: a[x - 1] }); x--; }
  }
  while (x > 0 && y > 0) { rev.push({ t: ' ', line: a[x - 1] }); x--; y--; }
  return rev.reverse();
}

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ t: ' ', line }));
  const script = myers(am, bm);
  if (!script) {
    for (const line of am) ops.push({ t: '-', line });
    for (const line of bm) ops.push({ t: '+', line });
  } else {
    for (const o of script) ops.push(o);
    // Deletions before insertions within a changed run, as diff(1) prints them.
    for (let k = 0; k < ops.length;) {
      if (ops[k].t === ' ') { k++; continue; }
      let e = k;
      while (e < ops.length && ops[e].t !== ' ') e++;
      const run = ops.slice(k, e);
      ops.splice(k, e - k, ...run.filter((o) => o.t === '-'), ...run.filter((o) => o.t === '+'));
      k = e;
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ t: ' ', line });
  return ops;
}

/** `--- a/<name>` / `+++ b/<name>` and hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const A = splitLines(before);
  const B = splitLines(after);
  const ops = diffLines(A.lines, B.lines);
  const out: string[] = [`--- a/${printable(name)}`, `+++ b/${printable(name)}`];
  const changed = ops.map((o) => o.t !== ' ');
  let k = 0;
  while (k < ops.length) {
    if (!changed[k]) { k++; continue; }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend while the next change is within 2 * context lines.
    for (;;) {
      while (end < ops.length && changed[end]) end++;
      let next = end;
      while (next < ops.length && !changed[next]) next++;
      if (next < ops.length && next - end <= 2 * context) { end = next; continue; }
      end = Math.min(ops.length, end + context);
      break;
    }
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) { if (ops[x].t !== '+') aLine++; if (ops[x].t !== '-') bLine++; }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.t !== '+').length;
    const bCount = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`);
    for (const o of hunk) {
      if (o.line.endsWith(NO_EOL)) out.push(o.t + o.line.slice(0, -1), '\\ No newline at end of file');
      else out.push(o.t + o.line);
    }
    k = end;
  }
  return out.join('\n') + '\n';
}
