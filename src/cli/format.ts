// Output formats of `loopwise scan`: text for people, JSON (a stable contract), SARIF 2.1.0 for
// GitHub code scanning, GitHub workflow-command annotations and GitLab Code Quality JSON.
import type * as Crypto from 'node:crypto';
import { FAMILIES, OTHER_CODES } from '../core/rules';
import type { Finding, Fix, HandlerReport, ScanResult } from '../core/types';
import { positionAt } from '../core/python/model';

export const DOCS_URL = 'https://github.com/loopwise/loopwise#';

/** Control characters: C0 (line breaks and tabs included), DEL and C1. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** CONTROL but a line feed (printableLines keeps the line breaks of a text made of lines). */
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const NAMED_CONTROL: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeControl = (c: string): string => NAMED_CONTROL[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * Text for a terminal from a file name or from the code: control characters written as escapes
 * (`\n`, `\x1b`), so a file named `a\n::error ...` or holding ESC cannot break a line of the output
 * apart, forge one, or send the terminal an escape sequence (colours, title, clear screen).
 */
export function printable(s: string): string {
  return s.replace(CONTROL, escapeControl);
}

/** printable() on each line of a text made of lines (the line breaks stay). */
export function printableLines(s: string): string {
  return s.replace(CONTROL_BUT_LF, escapeControl);
}

export function formatText(r: ScanResult): string {
  const out: string[] = [];
  const p = printable;
  for (const f of r.findings) {
    out.push(`${p(f.file)}:${f.line}:${f.column}: ${f.code} ${p(f.message)}`);
    if (f.chain.length > 1) for (const h of f.chain.slice(1)) out.push(`    -> ${p(h.file)}:${h.line}: ${p(h.name)}`);
    for (const a of f.also ?? []) {
      out.push(`    also ${a.code}:`);
      for (const h of a.chain.slice(1)) out.push(`    -> ${p(h.file)}:${h.line}: ${p(h.name)}`);
    }
  }
  for (const n of r.notes) out.push(`${p(n.file)}: note: ${p(n.message)}`);
  const s = r.summary;
  const codes = Object.entries(s.byCode).sort().map(([c, n]) => `${c} x${n}`).join(', ');
  if (s.findings === 0) out.push(`No event-loop blockers found in ${s.files} file${s.files === 1 ? '' : 's'} (${s.asyncHandlers} async handlers checked).`);
  else out.push(`Found ${s.findings} issue${s.findings === 1 ? '' : 's'} (${codes}) in ${new Set(r.findings.map((f) => f.file)).size} file(s); ${s.blockedHandlers} of ${s.asyncHandlers} async handlers affected.`);
  if (s.skipped) out.push(`${s.skipped} file(s) skipped (see notes above).`);
  return out.join('\n') + '\n';
}

/** The JSON contract: 1-based positions; fixes as ranges with line/column. */
export function toJson(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined): unknown {
  return {
    version: 1,
    findings: r.findings.map((f) => jsonFinding(f, lineStartsOf(f.file))),
    // The per-handler cost breakdown is part of `recommend --format json`, not of the scan contract
    // (a scan's reports come without it: copied only when there is one to leave out).
    handlers: r.handlers.map((h) => (h.costs === undefined ? h : withoutCosts(h))),
    notes: r.notes,
    summary: r.summary,
  };
}

function withoutCosts({ costs: _costs, ...h }: HandlerReport): HandlerReport {
  return h;
}

/**
 * `JSON.stringify(toJson(r, lineStartsOf), null, 2) + '\n'`, byte for byte, handed to `out` in pieces
 * of about 64 KB: each finding is converted and written in turn, so a large report is never one
 * object tree and one string in memory (on the 500-file benchmark those were ~40 MB at the peak).
 */
export function writeJson(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined, out: (s: string) => void, fill?: (findings: Finding[]) => Fix[][]): void {
  for (const piece of jsonPieces(r, lineStartsOf, fill)) out(piece);
}

/**
 * writeJson's pieces, each made when it is asked for (a caller can wait for a slow reader between them).
 * `fill`: the fixes of the findings it is given (a result analysed with deferred fixes, see
 * fixesFiller), asked for each run of one file's findings before the first of them is written.
 */
export function* jsonPieces(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined, fill?: (findings: Finding[]) => Fix[][]): Generator<string> {
  // jsonChunks' bytes as text: one writer of the report (a chunk may end inside a character: the decoder keeps its first bytes).
  const decoder = new TextDecoder();
  for (const chunk of jsonChunks(r, lineStartsOf, fill)) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

/** About how long a chunk of the report is (bytes). */
const PIECE = 65536;

/**
 * The report as UTF-8 bytes (jsonPieces decodes them for writers of text), in chunks of about 64 KB (a chunk is never written to after it is
 * handed out), written by JsonSink straight into the chunks: no JSON.stringify per finding, whose
 * text V8 builds as a rope of parts that the encoding then flattened (two copies of the 11 MB report
 * of the 500-file benchmark, garbage at once), and no object per finding, fix and edit made only to be
 * stringified. The bytes are those of `JSON.stringify(toJson(r, lineStartsOf), null, 2) + '\n'`.
 */
export function* jsonChunks(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined, fill?: (findings: Finding[]) => Fix[][]): Generator<Uint8Array> {
  const sink = new JsonSink();
  const top = toJson({ ...r, findings: [] }, lineStartsOf) as Record<string, unknown>;
  sink.ascii('{');
  let first = true;
  for (const key of Object.keys(top)) {
    const value = top[key];
    if (!isJsonValue(value)) continue;
    sink.ascii(first ? '\n  ' : ',\n  ');
    first = false;
    sink.str(key);
    sink.ascii(': ');
    if (key !== 'findings' || !r.findings.length) { sink.value(value, 1); yield* sink.take(); continue; }
    sink.ascii('[');
    const fixesAt = fixCursor(r.findings, fill);
    for (let i = 0; i < r.findings.length; i++) {
      const f = r.findings[i];
      sink.ascii(i ? ',\n    ' : '\n    ');
      sink.finding(f, lineStartsOf(f.file), fixesAt(i));
      yield* sink.take();
    }
    sink.ascii('\n  ]');
  }
  sink.ascii(first ? '}\n' : '\n}\n');
  yield* sink.take();
  yield* sink.rest();
}

/** JSON.stringify's short escapes of control characters by code (`\\b`, `\\t`, `\\n`, `\\f`, `\\r`), 0 for `\\u00XX`. */
const SHORT_ESCAPES = (() => {
  const t = new Uint8Array(32);
  t[8] = 98; t[9] = 116; t[10] = 110; t[12] = 102; t[13] = 114;
  return t;
})();

/** Lowercase hex digits by value (JSON.stringify writes `\\u001b`). */
const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** A line break and the indentation of `depth`, as JSON.stringify(..., null, 2) writes them. */
function nl(depth: number): string {
  return `\n${'  '.repeat(depth)}`;
}

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** For each key of an object at `depth`, the bytes before its value as its first member and as a later one. */
function keyHeads(keys: readonly string[], depth: number): Uint8Array[] {
  return keys.flatMap((k) => [ascii(`{${nl(depth + 1)}${JSON.stringify(k)}: `), ascii(`,${nl(depth + 1)}${JSON.stringify(k)}: `)]);
}

/** jsonFinding's keys in its order, `fixes` last (a finding sits at depth 2 of the report). */
const FINDING_KEYS = keyHeads(['file', 'line', 'column', 'endLine', 'endColumn', 'code', 'severity', 'message', 'function', 'route', 'call', 'chain', 'also', 'testCode', 'fixes'], 2);

/** The keys of jsonFinding's fix object in its order, `edits` last (a fix sits at depth 4). */
const FIX_KEYS = keyHeads(['kind', 'title', 'isPreferred', 'note', 'edits'], 4);

/** The fixed runs of a finding's fixes and their edits (a fix at depth 4, an edit at 6, its range at 8). */
const SEG = {
  emptyArray: ascii('[]'),
  firstFix: ascii(`[${nl(4)}`),
  nextFix: ascii(`,${nl(4)}`),
  endFixes: ascii(`${nl(3)}]`),
  endFinding: ascii(`${nl(2)}}`),
  firstEdit: ascii(`[${nl(6)}{${nl(7)}"range": {`),
  nextEdit: ascii(`,${nl(6)}{${nl(7)}"range": {`),
  startLine: ascii(`${nl(8)}"start": {${nl(9)}"line": `),
  endLine: ascii(`${nl(8)}},${nl(8)}"end": {${nl(9)}"line": `),
  column: ascii(`,${nl(9)}"column": `),
  endRange: ascii(`${nl(8)}}${nl(7)}}`),
  newText: ascii(`,${nl(7)}"newText": `),
  endEdit: ascii(`${nl(6)}}`),
  endEdits: ascii(`${nl(5)}]`),
  endFix: ascii(`${nl(4)}}`),
};

/** Whether JSON.stringify writes a member with this value (it leaves out undefined, functions and symbols). */
function isJsonValue(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}

/**
 * Writes JSON as `JSON.stringify(value, null, 2)` does, as UTF-8 into 64 KB chunks. Plain data only
 * (what a report holds); any other object (one with a toJSON method, a boxed value) is written by
 * JSON.stringify and indented to its depth (a line break in JSON.stringify's text is always between
 * values: inside strings it is escaped). A string of printable ASCII without `"` or `\` is copied
 * byte by byte; any other is written as JSON.stringify quotes it.
 */
class JsonSink {
  private chunk = Buffer.allocUnsafeSlow(PIECE);
  private used = 0;
  private full: Uint8Array[] = [];

  /** The chunks filled so far (each handed out once). */
  take(): Uint8Array[] {
    const out = this.full;
    if (out.length) this.full = [];
    return out;
  }

  /** The last, partly filled chunk (anything written after it goes to a new chunk). */
  rest(): Uint8Array[] {
    if (!this.used) return [];
    const out = [this.chunk.subarray(0, this.used)];
    this.chunk = Buffer.allocUnsafeSlow(0);
    this.used = 0;
    return out;
  }

  /** Room for `n` more bytes in the current chunk (a new chunk of at least PIECE bytes otherwise). */
  private room(n: number): void {
    if (this.used + n <= this.chunk.length) return;
    if (this.used) this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafeSlow(Math.max(PIECE, n));
    this.used = 0;
  }

  /** Text known to be ASCII (the JSON punctuation, indentation and keys written here). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const c = this.chunk;
    let u = this.used;
    for (let i = 0; i < n; i++) c[u++] = s.charCodeAt(i);
    this.used = u;
  }

  /** A line break and the indentation of `depth` (two spaces per level). */
  newline(depth: number): void {
    const n = 1 + 2 * depth;
    this.room(n);
    const c = this.chunk;
    let u = this.used;
    c[u++] = 10;
    for (let i = 1; i < n; i++) c[u++] = 32;
    this.used = u;
  }

  /** A string value, quoted as JSON.stringify quotes it. */
  str(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const c = this.chunk;
    const start = this.used;
    let u = start;
    c[u++] = 34;
    for (let i = 0; i < n; i++) {
      const ch = s.charCodeAt(i);
      // Printable ASCII (DEL included, as JSON.stringify leaves it) without `"` and `\\`.
      if (ch < 32 || ch > 127 || ch === 34 || ch === 92) { this.used = start; this.escaped(s); return; }
      c[u++] = ch;
    }
    c[u++] = 34;
    this.used = u;
  }

  /**
   * str's string with a character to escape: `"`, `\\` and control characters as JSON.stringify
   * escapes them (`\\n`, `\\u001b`: short forms, else lowercase hex). A string with a non-ASCII
   * character is written as JSON.stringify quotes it (lone surrogates escaped, the rest UTF-8).
   */
  private escaped(s: string): void {
    const n = s.length;
    // At most 6 bytes per character (`\\u001b`).
    this.room(6 * n + 2);
    const c = this.chunk;
    const start = this.used;
    let u = start;
    c[u++] = 34;
    for (let i = 0; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch > 127) { this.used = start; this.encoded(JSON.stringify(s)); return; }
      if (ch >= 32 && ch !== 34 && ch !== 92) { c[u++] = ch; continue; }
      c[u++] = 92;
      const short = ch < 32 ? SHORT_ESCAPES[ch] : ch;
      if (short) { c[u++] = short; continue; }
      c[u++] = 117; // u00XX
      c[u++] = 48;
      c[u++] = 48;
      c[u++] = HEX[ch >> 4];
      c[u++] = HEX[ch & 15];
    }
    c[u++] = 34;
    this.used = u;
  }

  /** Any text, UTF-8 encoded (well-formed: JSON.stringify's output escapes lone surrogates). */
  private encoded(s: string): void {
    this.room(s.length * 3);
    this.used += this.chunk.write(s, this.used);
  }

  /** A finite number as JSON writes it (an integer digit by digit, any other by String). */
  num(v: number): void {
    if (!Number.isFinite(v)) { this.ascii('null'); return; }
    if (v !== Math.floor(v) || v > 0x7fffffff || v < -0x7fffffff) { this.ascii(String(v)); return; }
    this.room(11);
    const c = this.chunk;
    let x = v;
    if (x < 0) { c[this.used++] = 45; x = -x; }
    let digits = 1;
    for (let p = 10; p <= x; p *= 10) digits++;
    let u = this.used + digits;
    this.used = u;
    do { c[--u] = 48 + (x % 10); x = Math.floor(x / 10); } while (x > 0);
  }

  /** A value at `depth` (its first line already placed). */
  value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string': this.str(v); return;
      case 'number': this.num(v); return;
      case 'boolean': this.ascii(v ? 'true' : 'false'); return;
      case 'object':
        if (v === null) { this.ascii('null'); return; }
        if (Array.isArray(v)) { this.array(v, depth); return; }
        if (Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v)) { this.object(v as Record<string, unknown>, depth); return; }
        break;
      default:
        // undefined, a function or a symbol: null in an array (an object leaves its member out, see object).
        if (!isJsonValue(v)) { this.ascii('null'); return; }
    }
    const s = JSON.stringify(v, null, 2) as string | undefined;
    if (s === undefined) { this.ascii('null'); return; }
    this.encoded(depth ? s.replace(/\n/g, `\n${'  '.repeat(depth)}`) : s);
  }

  private array(a: readonly unknown[], depth: number): void {
    if (!a.length) { this.ascii('[]'); return; }
    this.ascii('[');
    for (let i = 0; i < a.length; i++) {
      if (i) this.ascii(',');
      this.newline(depth + 1);
      this.value(a[i], depth + 1);
    }
    this.newline(depth);
    this.ascii(']');
  }

  private object(o: Record<string, unknown>, depth: number): void {
    let first = true;
    // for-in: the own enumerable keys in Object.keys' order (a plain object's prototype has none), without a copy of them.
    for (const key in o) {
      const v = o[key];
      if (!isJsonValue(v)) continue;
      this.ascii(first ? '{' : ',');
      first = false;
      this.newline(depth + 1);
      this.str(key);
      this.ascii(': ');
      this.value(v, depth + 1);
    }
    if (first) { this.ascii('{}'); return; }
    this.newline(depth);
    this.ascii('}');
  }

  /** Bytes known to be ASCII, made once (see SEG). */
  private bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const c = this.chunk;
    let u = this.used;
    if (n > 24) { c.set(b, u); u += n; } else for (let i = 0; i < n; i++) c[u++] = b[i];
    this.used = u;
  }

  /**
   * A member of one of the objects jsonFinding makes, which sit at fixed depths (a finding at 2, a
   * fix at 4): its `{` or `,`, line break, indentation and key as one run of bytes (FINDING_KEYS,
   * FIX_KEYS), then its value. Returns whether it was written (JSON leaves out an undefined value).
   */
  private fixedMember(heads: readonly Uint8Array[], k: number, first: boolean, v: unknown, depth: number): boolean {
    if (!isJsonValue(v)) return false;
    this.bytes(heads[2 * k + (first ? 0 : 1)]);
    this.value(v, depth);
    return true;
  }

  /** jsonFinding(f, starts, fixes) at depth 2 (in the report's findings), written as the object would be. */
  finding(f: Finding, starts: ArrayLike<number> | undefined, fixes: Fix[] = f.fixes): void {
    const h = FINDING_KEYS;
    let first = !this.fixedMember(h, 0, true, f.file, 3);
    // Each member once, in jsonFinding's order; `first` only matters until one is written.
    first = !this.fixedMember(h, 1, first, f.line, 3) && first;
    first = !this.fixedMember(h, 2, first, f.column, 3) && first;
    first = !this.fixedMember(h, 3, first, f.endLine, 3) && first;
    first = !this.fixedMember(h, 4, first, f.endColumn, 3) && first;
    first = !this.fixedMember(h, 5, first, f.code, 3) && first;
    first = !this.fixedMember(h, 6, first, f.severity, 3) && first;
    first = !this.fixedMember(h, 7, first, f.message, 3) && first;
    first = !this.fixedMember(h, 8, first, f.function, 3) && first;
    first = !this.fixedMember(h, 9, first, f.route, 3) && first;
    first = !this.fixedMember(h, 10, first, f.call, 3) && first;
    first = !this.fixedMember(h, 11, first, f.chain, 3) && first;
    if (f.also) first = !this.fixedMember(h, 12, first, f.also, 3) && first;
    if (f.testCode) first = !this.fixedMember(h, 13, first, true, 3) && first;
    this.bytes(h[2 * 14 + (first ? 0 : 1)]);
    if (!fixes.length) this.bytes(SEG.emptyArray);
    else {
      for (let i = 0; i < fixes.length; i++) {
        this.bytes(i ? SEG.nextFix : SEG.firstFix);
        this.fix(fixes[i], starts);
      }
      this.bytes(SEG.endFixes);
    }
    this.bytes(SEG.endFinding);
  }

  /** jsonFinding's object of one fix, at depth 4. */
  private fix(x: Fix, starts: ArrayLike<number> | undefined): void {
    const h = FIX_KEYS;
    let first = !this.fixedMember(h, 0, true, x.kind, 5);
    first = !this.fixedMember(h, 1, first, x.title, 5) && first;
    first = !this.fixedMember(h, 2, first, x.isPreferred, 5) && first;
    first = !this.fixedMember(h, 3, first, x.note, 5) && first;
    this.bytes(h[2 * 4 + (first ? 0 : 1)]);
    const edits = x.edits;
    if (!edits.length) this.bytes(SEG.emptyArray);
    else {
      for (let i = 0; i < edits.length; i++) {
        const e = edits[i];
        this.bytes(i ? SEG.nextEdit : SEG.firstEdit);
        this.position(starts, e.start, SEG.startLine);
        this.position(starts, e.end, SEG.endLine);
        this.bytes(SEG.endRange);
        if (isJsonValue(e.newText)) { this.bytes(SEG.newText); this.value(e.newText, 7); }
        this.bytes(SEG.endEdit);
      }
      this.bytes(SEG.endEdits);
    }
    this.bytes(SEG.endFix);
  }

  /** An edit's start or end as jsonFinding's position(starts, offset) object at depth 8, after `head` (its key and `"line": `). */
  private position(starts: ArrayLike<number> | undefined, offset: number, head: Uint8Array): void {
    // What position(starts, offset) gives, without its object: the row by positionAt's search.
    let line = 1;
    let column = offset + 1;
    if (starts) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= offset) lo = mid; else hi = mid - 1; }
      line = lo + 1;
      column = offset - starts[lo] + 1;
    }
    this.bytes(head);
    this.num(line);
    this.bytes(SEG.column);
    this.num(column);
  }
}

/**
 * The fixes of each finding, asked for in order (jsonChunks). Deferred fixes (fixesFiller) are made
 * for each file's findings just before the first of them is written, and are garbage once they are
 * (never kept on the findings, so never promoted by the GC with them); otherwise a finding's own.
 */
function fixCursor(findings: Finding[], fill?: (findings: Finding[]) => Fix[][]): (i: number) => Fix[] {
  let runStart = 0;
  let runEnd = 0;
  let runFixes: Fix[][] | undefined;
  return (i) => {
    if (fill && i >= runEnd) {
      const file = findings[i].file;
      runStart = i;
      runEnd = i + 1;
      while (runEnd < findings.length && findings[runEnd].file === file) runEnd++;
      runFixes = fill(findings.slice(runStart, runEnd));
    }
    return runFixes ? runFixes[i - runStart] : findings[i].fixes;
  };
}

function jsonFinding(f: Finding, starts: ArrayLike<number> | undefined, fixes: Fix[] = f.fixes): unknown {
  return {
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    code: f.code,
    severity: f.severity,
    message: f.message,
    function: f.function,
    route: f.route,
    call: f.call,
    chain: f.chain,
    ...(f.also ? { also: f.also } : {}),
    ...(f.testCode ? { testCode: true } : {}),
    fixes: fixes.map((x) => ({
      kind: x.kind,
      title: x.title,
      isPreferred: x.isPreferred,
      note: x.note,
      edits: x.edits.map((e) => ({ range: { start: position(starts, e.start), end: position(starts, e.end) }, newText: e.newText })),
    })),
  };
}

export function position(starts: ArrayLike<number> | undefined, offset: number): { line: number; column: number } {
  return starts ? positionAt(starts, offset) : { line: 1, column: offset + 1 };
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(r: ScanResult, version: string): unknown {
  const rules = [
    ...FAMILIES.map((f) => ({ id: f.code, name: f.name, title: f.title, help: f.alternative })),
    ...OTHER_CODES.map((o) => ({ id: o.code, name: o.name, title: o.title, help: '' })),
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'loopwise',
          version,
          informationUri: 'https://github.com/loopwise/loopwise',
          rules: rules.map((x) => ({
            id: x.id,
            name: x.name,
            shortDescription: { text: x.title },
            help: { text: x.help || x.title },
            helpUri: DOCS_URL + x.name,
            defaultConfiguration: { level: 'warning' },
          })),
        },
      },
      results: r.findings.map((f) => ({
        ruleId: f.code,
        ruleIndex: rules.findIndex((x) => x.id === f.code),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [location(f.file, f.line, f.column, f.endLine, f.endColumn)],
        relatedLocations: relatedHops(f).map((h, i) => ({ id: i + 1, message: { text: h.text }, ...location(h.file, h.line) })),
        partialFingerprints: { loopwiseCall: `${f.code}:${f.function}:${f.call}` },
      })),
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: r.notes.map((n) => ({ level: 'note', message: { text: `${n.file}: ${n.message}` } })) }],
    }],
  };
}

/** The hops after the coroutine's call, of the finding's chain and then of each other blocking call it reaches. */
function relatedHops(f: Finding): { file: string; line: number; text: string }[] {
  const out = f.chain.slice(1).map((h) => ({ file: h.file, line: h.line, text: h.name }));
  for (const a of f.also ?? []) out.push(...a.chain.slice(1).map((h, i, hops) => ({ file: h.file, line: h.line, text: i === hops.length - 1 ? `${h.name} (${a.code})` : h.name })));
  return out;
}

function location(file: string, line: number, column?: number, endLine?: number, endColumn?: number): { physicalLocation: unknown } {
  const region: Record<string, number> = { startLine: line };
  if (column) region.startColumn = column;
  if (endLine) region.endLine = endLine;
  if (endColumn) region.endColumn = endColumn;
  return { physicalLocation: { artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' }, region } };
}

// ---- GitHub workflow commands and GitLab Code Quality ------------------------------------------

const RULE_NAMES = new Map<string, string>([...FAMILIES.map((f) => [f.code, f.name] as const), ...OTHER_CODES.map((o) => [o.code, o.name] as const)]);

/** A workflow command's message: `%`, CR and LF escaped (GitHub's `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as data, plus `:` and `,` (GitHub's `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

/**
 * One annotation per finding: `::warning file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`,
 * then notes as `::notice` (or `::error` for a file that could not be analysed).
 */
export function formatGithub(r: ScanResult): string {
  const out: string[] = [];
  for (const f of r.findings) {
    const via = f.chain.length > 1 ? `\n${f.chain.slice(1).map((h) => `  -> ${h.file}:${h.line}: ${h.name}`).join('\n')}` : '';
    const also = (f.also ?? []).map((a) => `\n  also ${a.code}:${a.chain.slice(1).map((h) => `\n  -> ${h.file}:${h.line}: ${h.name}`).join('')}`).join('');
    const props = `file=${escapeProperty(f.file)},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${escapeProperty(`Loopwise ${f.code} (${RULE_NAMES.get(f.code) ?? f.code})`)}`;
    out.push(`::${GITHUB_LEVEL[f.severity]} ${props}::${escapeData(`${f.code} ${f.message}${via}${also}`)}`);
  }
  for (const n of r.notes) out.push(`::${n.failed ? 'error' : 'notice'} file=${escapeProperty(n.file)},title=${escapeProperty('Loopwise')}::${escapeData(n.message)}`);
  return out.length ? out.join('\n') + '\n' : '';
}

const GITLAB_SEVERITY = { error: 'critical', warning: 'major', info: 'minor' } as const;

/**
 * GitLab Code Quality report (a JSON array): description, check_name, fingerprint, severity and
 * location.path / lines.begin / lines.end. The fingerprint hashes the code, file, function and call
 * (not the line), numbered when one function holds the same call twice, so it survives edits above.
 */
export function toGitlab(r: ScanResult): unknown[] {
  // Loaded here, not with the CLI: loading node:crypto cost every run ~6-20 ms of start-up.
  const { createHash } = require('node:crypto') as typeof Crypto;
  const seen = new Map<string, number>();
  return r.findings.map((f) => {
    const key = `${f.code}\0${f.file}\0${f.function}\0${f.call}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return {
      description: `${f.code} ${f.message}`,
      check_name: f.code,
      fingerprint: createHash('sha256').update(`${key}\0${n}`).digest('hex'),
      severity: GITLAB_SEVERITY[f.severity],
      location: { path: f.file, lines: { begin: f.line, end: f.endLine } },
    };
  });
}
