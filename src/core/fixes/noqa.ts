// Suppression: `# noqa: LW101` on the call's line, or the code added to an existing `# noqa: ...` list;
// and for the whole file, `# loopwise: noqa: LW101` (Ruff's `# ruff: noqa: F401` shape).
import type { Fix } from '../types';
import type { FixContext, Target } from './context';
import { lex, lexFrom, lineEndAt, lineStartAt } from './pyText';

export function noqaFix(ctx: FixContext, t: Target): Fix | undefined {
  const { text, model } = ctx;
  const code = t.finding.code;
  const from = Math.max(0, lineStartAt(text, t.fn.start));
  // A line of the call whose end is code (not inside a string, not after a backslash continuation).
  for (let line = t.site.line; line <= t.site.endLine; line++) {
    const ls = model.lineStarts[line - 1];
    if (ls === undefined) break;
    const le = lineEndAt(text, ls);
    const st = ctx.lexCache ? lexFrom(text, from, le, 99, ctx.lexCache) : lex(text, from, le, 99);
    if (st.inString) continue;
    if (st.inComment) {
      const comment = text.slice(st.commentStart, le);
      const m = /#\s*noqa\s*:\s*[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*/i.exec(comment);
      if (!m) {
        if (/#\s*noqa\b/i.test(comment)) return undefined; // a bare noqa already covers every code
        return edit(code, le, `  # noqa: ${code}`);
      }
      let at = st.commentStart + m.index + m[0].length;
      while (/\s/.test(text[at - 1])) at--;
      return edit(code, at, `, ${code}`);
    }
    if (/\\[ \t]*$/.test(text.slice(ls, le))) continue;
    let end = le;
    while (end > ls && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    return edit(code, end, `  # noqa: ${code}`);
  }
  return undefined;
}

function edit(code: string, at: number, newText: string): Fix {
  return { kind: 'noqa', title: `Suppress ${code} on this line (# noqa)`, isPreferred: false, edits: [{ start: at, end: at, newText }] };
}

const FILE_DIRECTIVE = /^[ \t]*#[ \t]*loopwise[ \t]*:[ \t]*noqa[ \t]*:[ \t]*LW\d*(?:[ \t]*,[ \t]*LW\d*)*/im;

/**
 * Suppression for the whole file: `# loopwise: noqa: LW101` at the top (after a shebang and a coding
 * line, which must stay first), or the code added to the file's existing directive.
 */
export function fileNoqaFix(ctx: FixContext, t: Target): Fix | undefined {
  // The same for every finding of a code in the file: made once per code, a fresh copy handed out.
  const code = t.finding.code;
  const memo = (ctx.fileNoqa ??= new Map<string, Fix | null>());
  let fix = memo.get(code);
  if (fix === undefined) memo.set(code, (fix = fileNoqa(ctx, code) ?? null));
  return fix ? { ...fix, edits: fix.edits.map((e) => ({ ...e })) } : undefined;
}

function fileNoqa(ctx: FixContext, code: string): Fix | undefined {
  const { text, model } = ctx;
  if (model.fileNoqa) {
    if ([...model.fileNoqa].some((c) => code.startsWith(c))) return undefined;
    const m = FILE_DIRECTIVE.exec(text);
    if (m) return fileEdit(code, m.index + m[0].length, `, ${code}`);
  }
  const eol = /\r\n/.test(text) ? '\r\n' : /\r/.test(text) ? '\r' : '\n';
  let at = 0;
  for (let line = 0; line < 2; line++) {
    const ls = model.lineStarts[line];
    if (ls === undefined || ls !== at) break;
    const le = lineEndAt(text, ls);
    const head = text.slice(ls, le);
    const keep = (line === 0 && head.startsWith('#!')) || /^[ \t\f]*#.*?coding[:=]/.test(head);
    if (!keep) break;
    at = model.lineStarts[line + 1] ?? text.length;
    if (at === text.length && !/[\r\n]$/.test(text)) return fileEdit(code, at, `${eol}# loopwise: noqa: ${code}${eol}`);
  }
  return fileEdit(code, at, `# loopwise: noqa: ${code}${eol}`);
}

function fileEdit(code: string, at: number, newText: string): Fix {
  return { kind: 'noqa', title: `Ignore ${code} in this file (# loopwise: noqa: ${code})`, isPreferred: false, edits: [{ start: at, end: at, newText }] };
}
