// Globs for `exclude` / `extend-exclude` / `--exclude` and .gitignore lines, matched by picomatch
// (braces, classes, `**`), behind limits: picomatch compiles to a backtracking RegExp, so a pattern
// with many wildcards in one path segment (`**a**a**a**a**b`) costs polynomial time per path and a
// brace product (`{a,b}{a,b}...`) can describe a million alternatives. Such patterns are refused
// with a clear error before they are compiled.
import picomatch from 'picomatch';

/** At most this many `*` runs in one path segment of a pattern (2 keeps a 255-character name well under 1 ms; 3 took 17 ms). */
export const MAX_STARS_PER_SEGMENT = 2;
/** At most this many `**` segments in one pattern. */
export const MAX_GLOBSTARS = 4;
/** At most this many alternatives once braces and ranges are multiplied out. */
export const MAX_BRACE_ALTERNATIVES = 1000;
export const MAX_PATTERN_LENGTH = 1024;

export class GlobError extends Error {}

/** Why a pattern is refused, or undefined when it is fine. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  const alternatives = braceAlternatives(pattern);
  if (alternatives === undefined) return 'unbalanced braces';
  if (alternatives > MAX_BRACE_ALTERNATIVES) return `braces expand to more than ${MAX_BRACE_ALTERNATIVES} alternatives`;
  let globstars = 0;
  for (const seg of pattern.split('/')) {
    if (seg === '**') { globstars++; continue; }
    const runs = seg.replace(/\\./g, '').match(/\*+/g)?.length ?? 0;
    if (runs > MAX_STARS_PER_SEGMENT) return `more than ${MAX_STARS_PER_SEGMENT} wildcards in one path segment ("${seg.slice(0, 40)}")`;
  }
  if (globstars > MAX_GLOBSTARS) return `more than ${MAX_GLOBSTARS} "**" segments`;
  return undefined;
}

/**
 * How many alternatives the braces of a pattern describe (`{a,b}{c,d}` -> 4, `{1..20}` -> 20,
 * nested groups counted inside), capped just above the limit; undefined when the braces do not balance.
 */
export function braceAlternatives(pattern: string): number | undefined {
  let i = 0;
  const cap = MAX_BRACE_ALTERNATIVES + 1;
  // sequence := (literal | group)*, its count is the product; group := '{' sequence (',' sequence)* '}'.
  const sequence = (depth: number): number | undefined => {
    let product = 1;
    while (i < pattern.length) {
      const ch = pattern[i];
      if (ch === '\\') { i += 2; continue; }
      if (ch === '}' || ch === ',') { if (depth > 0) return product; i++; continue; }
      if (ch === '{') {
        const start = i;
        i++;
        const range = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?\}/.exec(pattern.slice(i, i + 64));
        let count: number;
        if (range) {
          const a = /\d/.test(range[1]) ? Number(range[1]) : range[1].charCodeAt(0);
          const b = /\d/.test(range[2]) ? Number(range[2]) : range[2].charCodeAt(0);
          const step = Math.max(1, Math.abs(Number(range[3] ?? 1)) || 1);
          count = Math.floor(Math.abs(b - a) / step) + 1;
          i += range[0].length;
        } else {
          count = 0;
          for (;;) {
            const n = sequence(depth + 1);
            if (n === undefined) return undefined;
            count = Math.min(cap, count + n);
            if (i >= pattern.length) { i = start + 1; count = 1; break; } // a lone '{' is a literal
            if (pattern[i] === ',') { i++; continue; }
            i++; // '}'
            break;
          }
        }
        product = Math.min(cap, product * count);
        continue;
      }
      i++;
    }
    return product;
  };
  return sequence(0);
}

export interface GlobSet {
  patterns: string[];
  /** True when the path (relative, `/`-separated) or its basename (for patterns without `/`) matches. */
  matches(rel: string): boolean;
}

/**
 * Compiles patterns Ruff's way: a pattern without `/` matches a file or folder name anywhere
 * (`legacy`, `*_pb2.py`), one with `/` matches the path relative to its base (`app/legacy/**`);
 * a folder pattern also covers what is inside (`app/legacy` excludes `app/legacy/x.py`).
 * Throws GlobError naming the pattern when one is refused.
 */
export function compileGlobs(patterns: string[], where = 'exclude'): GlobSet {
  const matchers: ((p: string) => boolean)[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/^\.\//, '').replace(/\/+$/, '');
    if (!pattern) continue;
    const problem = globProblem(pattern);
    if (problem) throw new GlobError(`${where}: pattern "${raw.slice(0, 80)}${raw.length > 80 ? '...' : ''}" refused: ${problem}`);
    matchers.push(picomatch(pattern, { dot: true, basename: !pattern.includes('/') }));
  }
  return {
    patterns,
    matches(rel: string): boolean {
      if (!matchers.length) return false;
      // The path itself, then each folder above it, so a folder's pattern covers its contents.
      const segs = rel.split('\\').join('/').split('/').filter((x) => x && x !== '.');
      for (let n = segs.length; n > 0; n--) {
        const p = segs.slice(0, n).join('/');
        if (matchers.some((m) => m(p))) return true;
      }
      return false;
    },
  };
}
