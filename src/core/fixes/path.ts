// LW104 `with open(p) as f:` around one read or write: the reads and writes block as much as the
// open, so the whole block moves to a thread as one pathlib call, which opens, reads or writes,
// and closes exactly as the block did (same default encoding, universal newlines):
//   with open(p) as f:          ->  x = await asyncio.to_thread(Path(p).read_text)
//       x = f.read()
//   with open(p, "wb") as f:    ->  await asyncio.to_thread(Path(p).write_bytes, data)
//       f.write(data)
//   with open(p) as f:          ->  x = json.loads(await asyncio.to_thread(Path(p).read_text))
//       x = json.load(f)
// Any other block keeps its finding: offloading only `open` would leave the reads on the loop.
import type { Fix } from '../types';
import { canAwaitAt, type FixContext, Imports, type Target } from './context';
import { NEED } from './imports';
import { indentAt, lex, lineEndAt, lineStartAt, nextLineStart, splitArgs } from './pyText';
import { codeOnly } from './safety';

const MODES: Record<string, 'read_text' | 'read_bytes' | 'write_text' | 'write_bytes'> = {
  '': 'read_text', r: 'read_text', rt: 'read_text', tr: 'read_text', rb: 'read_bytes', br: 'read_bytes',
  w: 'write_text', wt: 'write_text', tw: 'write_text', wb: 'write_bytes', bw: 'write_bytes',
};

/** Whether the call is the context expression of a `with` item (`with open(...) as f:`). */
export function inWithHeader(ctx: FixContext, t: Target): boolean {
  const before = ctx.text.slice(lineStartAt(ctx.text, t.site.start), t.site.start);
  const after = ctx.text.slice(t.site.end, lineEndAt(ctx.text, t.site.end));
  // Each pattern holds its keyword (asked for every thread fix: most lines have neither).
  return (before.includes('with') && /(^|[\s,(])with\s+(\(\s*)?$/.test(before)) || (after.includes('as') && /^\s+as\s+[A-Za-z_]\w*\s*[:,)]/.test(after));
}

export function pathFix(ctx: FixContext, t: Target): Fix | undefined {
  const { text } = ctx;
  if (t.finding.call !== 'builtins.open' || t.finding.chain.length || !canAwaitAt(ctx, t)) return undefined;
  const ls = lineStartAt(text, t.site.start);
  const head = /^([ \t]*)with[ \t]+$/.exec(text.slice(ls, t.site.start));
  const tail = /^[ \t]+as[ \t]+([A-Za-z_]\w*)[ \t]*:[ \t]*$/.exec(text.slice(t.site.end, lineEndAt(text, t.site.end)));
  if (!head || !tail) return undefined;
  const indent = head[1];
  const name = tail[1];
  // The body: exactly one simple line, indented deeper; then a line back at the header's level or less.
  const bodyStart = nextLineStart(text, t.site.end);
  const bodyEnd = lineEndAt(text, bodyStart);
  const body = text.slice(bodyStart, bodyEnd);
  const bodyIndent = indentAt(text, bodyStart);
  if (bodyIndent.length <= indent.length || lex(text, bodyStart, bodyEnd, 99).comments || lex(text, bodyStart, bodyEnd, 99).depth !== 0) return undefined;
  for (let p = nextLineStart(text, bodyEnd); p < text.length; p = nextLineStart(text, p)) {
    const line = text.slice(p, lineEndAt(text, p));
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (indentAt(text, p).length > indent.length) return undefined;
    break;
  }
  // The file object is not used after the block (a later `with ... as f` or `f = ...` rebinds it).
  const rest = codeOnly(text, nextLineStart(text, bodyEnd), t.fn.end);
  const use = new RegExp(`(?<![\\w.])${name}(?!\\w)`).exec(rest);
  if (use && !/\bas\s+$/.test(rest.slice(Math.max(0, use.index - 10), use.index)) && !/^\s*=(?!=)/.test(rest.slice(use.index + name.length))) return undefined;
  const args = splitArgs(text, t.site.argsStart, t.site.end);
  if (!args || !args.length || args[0].kw) return undefined;
  let mode = '';
  const extra: string[] = [];
  for (const [i, a] of args.entries()) {
    if (i === 0) continue;
    const value = text.slice(a.valueStart, a.end);
    if ((i === 1 && !a.kw) || a.kw === 'mode') {
      const m = /^(['"])([rwtb]{0,2})\1$/.exec(value);
      if (!m) return undefined;
      mode = m[2];
    } else if (a.kw === 'encoding' || a.kw === 'errors') extra.push(a.text);
    else return undefined;
  }
  const method = MODES[mode];
  if (!method || (method.endsWith('bytes') && extra.length)) return undefined;
  const imports = new Imports(ctx, t.fn);
  const asyncio = imports.need(NEED.asyncio);
  const Path = imports.need(NEED.pathlibPath);
  if (!asyncio || !Path) return undefined;
  const target = `${Path}(${args[0].text}).${method}`;
  const b = body.trim();
  let stmt: string | undefined;
  if (method.startsWith('read')) {
    const read = new RegExp(`^((?:return[ \\t]+|[A-Za-z_][\\w.]*[ \\t]*=[ \\t]*)?)${name}\\.read\\(\\)$`).exec(b);
    const load = new RegExp(`^((?:return[ \\t]+|[A-Za-z_][\\w.]*[ \\t]*=[ \\t]*)?)(json)\\.load\\(${name}\\)$`).exec(b);
    const call = `await ${asyncio}.to_thread(${[target, ...extra].join(', ')})`;
    if (read) stmt = `${read[1]}${call}`;
    else if (load && ctx.resolver.resolveName('json', t.fn.scope, t.site.start) === 'json') stmt = `${load[1]}json.loads(${call})`;
  } else {
    const write = new RegExp(`^${name}\\.write\\(`).exec(b);
    if (write) {
      const open = bodyStart + bodyIndent.length + name.length + '.write'.length;
      const wargs = splitArgs(text, open, bodyEnd - (body.length - body.trimEnd().length));
      if (wargs && wargs.length === 1 && !wargs[0].kw) stmt = `await ${asyncio}.to_thread(${[target, wargs[0].text, ...extra].join(', ')})`;
    }
  }
  if (!stmt) return undefined;
  return {
    kind: 'path-io',
    title: `Move the with-open block to a thread: await asyncio.to_thread(Path(...).${method}${method.startsWith('read') ? '' : ', ...'})`,
    isPreferred: true,
    edits: [...imports.edits, { start: ls + indent.length, end: bodyEnd, newText: stmt }],
    note: 'Path.read_text / write_text open, read or write, and close the file exactly like the with block, with the same default encoding and newline handling.',
  };
}
