// Rule tables are data: qualified-name patterns -> code, cost kind and the async alternative.
// Patterns: `a.b.c` exact; `{x,y}` alternatives; `*` one or more segments; `()` marks an instance
// (`requests.Session().get` is `get` called on a `requests.Session(...)` object).

export type CostKind =
  | 'http' | 'db' | 'cache' | 'llm' | 'embed' | 'vector' | 'cloud' | 'mail' | 'file' | 'subprocess'
  | 'sleep' | 'wait' | 'ml' | 'chunk' | 'dataframe' | 'numeric' | 'crypto' | 'image' | 'io';

export interface RuleEntry {
  /** Patterns on canonical qualified names. */
  calls: string[];
  kind: CostKind;
  /** Last-segment method names that are cheap / local-only for a `*` pattern (e.g. generate_presigned_url). */
  except?: string[];
  /** Overrides the family's alternative for these calls. */
  alternative?: string;
  /** Overrides `testAlternative` for these calls. */
  testAlternative?: string;
  /** The call returns at once (is not a finding) when one of these arguments is False or 0. */
  nonBlockingWhen?: { arg: string; pos: number }[];
  /** On a receiver made by the call just before it in the same function (nothing ran in between), the call returns at once. */
  freshIsFree?: boolean;
}

export interface RuleFamily {
  code: string;
  /** kebab-case name shared by the rule file, its fixture and the README anchor. */
  name: string;
  title: string;
  /** Blocking I/O on the loop (LW1xx) or CPU work on the loop (LW2xx). */
  family: 'blocking' | 'cpu';
  /** What to do instead, shown in every message. */
  alternative: string;
  /**
   * What to do instead in test code, scripts and examples, when `alternative` names what only a served
   * app has (a `def` handler, a request, BackgroundTasks): a pytest coroutine is no handler.
   */
  testAlternative?: string;
  entries: RuleEntry[];
}

/** Expands `{a,b}` groups (nesting not needed) into every combination. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const out: string[] = [];
  for (const alt of pattern.slice(open + 1, close).split(',')) {
    for (const rest of expandBraces(tail)) out.push(head + alt.trim() + rest);
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `*` stands for one or more name segments (with their `()` / `[]` markers). After an instance
 * (`Client().*`) it does not reach past another call: `s3.head_object(...)` is a client call,
 * `.get` on the dict it returned is not.
 */
export function patternToRegex(pattern: string): RegExp {
  const parts = pattern.split('*');
  let re = '^' + escapeRegex(parts[0]);
  for (let i = 1; i < parts.length; i++) {
    re += parts[i - 1].endsWith('().') ? '[^\\s()]+?' : '[^\\s]+?';
    re += escapeRegex(parts[i]);
  }
  return new RegExp(re + '$');
}

export interface Match<T> { value: T; pattern: string }

/** A wildcard pattern: its regex, its literal text before the first `*` and after the last. */
interface Wild<T> { re: RegExp; head: string; tail: string; m: Match<T>; except?: Set<string> }

/**
 * Matches canonical names against many patterns: exact names through a Map, wildcard patterns
 * grouped by their literal first segment so a lookup only tries the few that can match.
 */
export class PatternTable<T> {
  private exact = new Map<string, Match<T>>();
  private wild = new Map<string, Wild<T>[]>();

  add(pattern: string, value: T, except?: string[]): void {
    this.memo.clear();
    for (const p of expandBraces(pattern)) {
      if (!p.includes('*')) {
        if (!this.exact.has(p)) this.exact.set(p, { value, pattern: p });
        continue;
      }
      const key = firstSegment(p).includes('*') ? '' : firstSegment(p);
      let list = this.wild.get(key);
      if (!list) this.wild.set(key, (list = []));
      list.push({ re: patternToRegex(p), head: p.slice(0, p.indexOf('*')), tail: p.slice(p.lastIndexOf('*') + 1), m: { value, pattern: p }, except: except ? new Set(except) : undefined });
    }
  }

  private memo = new Map<string, Match<T> | null>();

  get(name: string): Match<T> | undefined {
    const hit = this.exact.get(name);
    if (hit) return hit;
    const m = this.memo.get(name);
    if (m !== undefined) return m ?? undefined;
    const found = this.search(name);
    // Names repeat across files and edits; the memo is bounded so a huge workspace cannot grow it forever.
    if (this.memo.size > 50_000) this.memo.clear();
    this.memo.set(name, found ?? null);
    return found;
  }

  private search(name: string): Match<T> | undefined {
    // The name's first segment's patterns, then those starting with a wildcard (no array or iterator made per name).
    return this.searchIn(this.wild.get(firstSegment(name)), name) ?? this.searchIn(this.wild.get(''), name);
  }

  private searchIn(list: Wild<T>[] | undefined, name: string): Match<T> | undefined {
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      // The regex matches only names that start with the text before the pattern's first `*` and end
      // with the text after its last: most names fail that test, which needs no regex run.
      if (!name.endsWith(w.tail) || !name.startsWith(w.head) || !w.re.test(name)) continue;
      if (w.except && w.except.has(lastSegment(name))) continue;
      return w.m;
    }
    return undefined;
  }
}

export function firstSegment(name: string): string {
  // /^[^.(\[]+/ by hand (asked for every name a table has not seen): the name up to its first `.`, `(` or `[`; the whole name when it starts with one.
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c === 46 || c === 40 || c === 91) break;
    i++;
  }
  return i === 0 || i === name.length ? name : name.slice(0, i);
}

export function lastSegment(name: string): string {
  const trimmed = name.replace(/(\(\)|\[\])+$/, '');
  const i = trimmed.lastIndexOf('.');
  return i < 0 ? trimmed : trimmed.slice(i + 1);
}
