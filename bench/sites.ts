// Keystroke sites in a real module, shared by the editing benches (bench/editRepo.ts, bench/lspRepo.ts).

/**
 * Edit sites, `count` of each kind spread evenly over the file, on lines that start a statement
 * (outside any bracket) and end it:
 *   body:    the first plain statement of a function (a name assigned or called), one per function;
 *   surface: a class-level attribute (`name = ...`, `name: T = ...`), what other files see.
 */
export function sitesOf(text: string, count: number): { body: number[]; surface: number[] } {
  const lines = text.split('\n');
  const body: number[] = [];
  const surface: number[] = [];
  let depth = 0;
  let defIndent = -1;
  let classIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const indent = l.length - l.trimStart().length;
    const starts = depth === 0 && l.trim() !== '';
    const plain = !/[#'"\\]/.test(l) && balanced(l) && /[\w)\]]$/.test(l);
    if (starts) {
      if (/^\s*class\s/.test(l)) { classIndent = indent; defIndent = -1; }
      else if (/^\s*(async\s+)?def\s/.test(l)) defIndent = indent;
      else if (defIndent >= 0 && indent > defIndent) {
        if (plain && /^\s+[A-Za-z_][\w.]*\s*(=|\()/.test(l)) { body.push(i); defIndent = -1; }
      } else if (classIndent >= 0 && indent === classIndent + 4 && plain && /^\s+[A-Za-z_]\w*\s*(:[^=]*)?=[^=]/.test(l)) surface.push(i);
      if (indent <= classIndent && !/^\s*class\s/.test(l)) classIndent = -1;
    }
    depth = Math.max(0, depth + netBrackets(l));
  }
  const spread = (xs: number[]) => { const out: number[] = []; for (let k = 0; k < count && xs.length; k++) out.push(xs[Math.floor((k * xs.length) / count)]); return out; };
  return { body: spread(body), surface: spread(surface) };
}

function netBrackets(l: string): number {
  let d = 0;
  let quote = '';
  for (let i = 0; i < l.length; i++) {
    const ch = l[i];
    if (quote) { if (ch === '\\') i++; else if (ch === quote) quote = ''; continue; }
    if (ch === '#') break;
    if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) d++;
    else if (')]}'.includes(ch)) d--;
  }
  return d;
}

function balanced(l: string): boolean {
  return netBrackets(l) === 0;
}

/** Offsets of a line's first non-blank character and of its end. */
export function lineAt(text: string, line: number): { first: number; end: number } {
  let start = 0;
  for (let i = 0; i < line; i++) start = text.indexOf('\n', start) + 1;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  let first = start;
  while (text[first] === ' ' || text[first] === '\t') first++;
  return { first, end };
}
