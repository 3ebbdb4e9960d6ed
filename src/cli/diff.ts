// A unified diff of two texts, line by line (no dependency): the common head and tail are cut first,
// so a fix's few changed lines cost little; the middle is an LCS table, or one replaced block when
// it is too large for the table.
type Op = { t: ' ' | '-' | '+'; line: string };

const MAX_CELLS = 4_000_000;

function splitLines(text: string): { lines: string[]; finalEol: boolean } {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const finalEol = text.length === 0 || text.endsWith('\n');
  if (finalEol) lines.pop();
  return { lines, finalEol };
}

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ t: ' ', line }));
  if ((am.length + 1) * (bm.length + 1) > MAX_CELLS) {
    for (const line of am) ops.push({ t: '-', line });
    for (const line of bm) ops.push({ t: '+', line });
  } else {
    const n = am.length;
    const m = bm.length;
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) { ops.push({ t: ' ', line: am[i] }); i++; j++; }
      else if (j < m && (i === n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) { ops.push({ t: '+', line: bm[j] }); j++; }
      else { ops.push({ t: '-', line: am[i] }); i++; }
    }
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
  const out: string[] = [`--- a/${name}`, `+++ b/${name}`];
  // A missing final newline is marked after the last line of the side that lacks it.
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
    let aSeen = aLine - 1;
    let bSeen = bLine - 1;
    for (const o of hunk) {
      out.push(o.t + o.line);
      if (o.t !== '+') aSeen++;
      if (o.t !== '-') bSeen++;
      const aLast = o.t !== '+' && aSeen === A.lines.length && !A.finalEol;
      const bLast = o.t !== '-' && bSeen === B.lines.length && !B.finalEol;
      if (o.t === ' ' ? aLast && bLast : aLast || bLast) out.push('\\ No newline at end of file');
    }
    k = end;
  }
  return out.join('\n') + '\n';
}
