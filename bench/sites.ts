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

/**
 * Spans to retype, as a person writes code: `count` definitions (a method or a function, its def
 * line and body, 80-600 characters) spread evenly over the file, and the file's last top-level
 * import line. Each span starts at the start of its line and ends after its last line's newline.
 */
export function typingSpans(text: string, count: number): { start: number; end: number; kind: 'def' | 'import' }[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; i++) { starts.push(at); at += lines[i].length + 1; }
  const defs: { start: number; end: number; kind: 'def' }[] = [];
  let importLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^(import|from) [\w.]+( import [\w, ]+)?$/.test(l)) importLine = i;
    const m = /^(\s*)(async\s+)?def\s+\w+\(.*\).*:\s*$/.exec(l);
    if (!m) continue;
    const indent = m[1].length;
    let j = i + 1;
    while (j < lines.length && (lines[j].trim() === '' || lines[j].length - lines[j].trimStart().length > indent)) j++;
    while (j > i + 1 && lines[j - 1].trim() === '') j--;
    const start = starts[i];
    const end = j < lines.length ? starts[j] : text.length;
    if (end - start >= 80 && end - start <= 600 && !text.slice(start, end).includes('\t')) defs.push({ start, end, kind: 'def' });
  }
  const out: { start: number; end: number; kind: 'def' | 'import' }[] = [];
  for (let k = 0; k < count && defs.length; k++) out.push(defs[Math.floor(((k + 0.5) * defs.length) / count)]);
  if (importLine >= 0) out.push({ start: starts[importLine], end: starts[importLine] + lines[importLine].length + 1, kind: 'import' });
  return out;
}
