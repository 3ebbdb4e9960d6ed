// Output formats of `loopwise scan`: text for people, JSON (a stable contract), SARIF 2.1.0 for
// GitHub code scanning, GitHub workflow-command annotations and GitLab Code Quality JSON.
import type * as Crypto from 'node:crypto';
import { FAMILIES, OTHER_CODES } from '../core/rules';
import type { Finding, Fix, HandlerReport, ScanResult } from '../core/types';
import { positionAt } from '../core/python/model';

export const DOCS_URL = 'https://github.com/loopwise/loopwise#';

export function formatText(r: ScanResult): string {
  const out: string[] = [];
  for (const f of r.findings) {
    out.push(`${f.file}:${f.line}:${f.column}: ${f.code} ${f.message}`);
    if (f.chain.length > 1) for (const h of f.chain.slice(1)) out.push(`    -> ${h.file}:${h.line}: ${h.name}`);
    for (const a of f.also ?? []) {
      out.push(`    also ${a.code}:`);
      for (const h of a.chain.slice(1)) out.push(`    -> ${h.file}:${h.line}: ${h.name}`);
    }
  }
  for (const n of r.notes) out.push(`${n.file}: note: ${n.message}`);
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
  let buf = '';
  for (const part of jsonParts(r, lineStartsOf, fill)) {
    buf += part;
    if (buf.length >= PIECE) { yield buf; buf = ''; }
  }
  yield buf;
}

/** About how long a piece of the report is (characters; bytes for jsonChunks). */
const PIECE = 65536;

/**
 * jsonPieces' text as UTF-8 bytes, in chunks of about 64 KB: each part is encoded straight into its
 * chunk. A piece joined as a string was a rope of parts that Buffer.from (stdout's write) first
 * flattened: a copy of the whole report (11 MB on the 500-file benchmark), garbage at once, before
 * encoding it. A chunk is never written to after it is handed out.
 */
export function* jsonChunks(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined, fill?: (findings: Finding[]) => Fix[][]): Generator<Uint8Array> {
  let chunk = Buffer.allocUnsafeSlow(PIECE);
  let used = 0;
  for (const part of jsonParts(r, lineStartsOf, fill)) {
    // At most 3 bytes of UTF-8 per UTF-16 unit: a part that fits by that bound is written whole.
    if (used + part.length * 3 > chunk.length) {
      if (used) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafeSlow(Math.max(PIECE, part.length * 3));
      used = 0;
    }
    used += chunk.write(part, used);
  }
  if (used) yield chunk.subarray(0, used);
}

/**
 * The report's text in parts, in order: each finding stringified on its own (the separators apart, so
 * a part is the slice of the stringified text, not a new string joined to it).
 */
function* jsonParts(r: ScanResult, lineStartsOf: (file: string) => ArrayLike<number> | undefined, fill?: (findings: Finding[]) => Fix[][]): Generator<string> {
  // Top-level values are written with the indentation JSON.stringify gives them at depth 1: as the
  // member of `{"v": ...}`, sliced out, so no pass re-indents their text (the handlers: 1.5 MB on the 500-file benchmark).
  const nested = (value: unknown) => { const s = JSON.stringify({ v: value }, null, 2); return s.slice(NESTED_HEAD.length, s.length - NESTED_TAIL.length); };
  const top = toJson({ ...r, findings: [] }, lineStartsOf) as Record<string, unknown>;
  yield '{';
  let first = true;
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (key !== 'findings' || !r.findings.length) { yield nested(value); continue; }
    // Each finding is stringified where JSON.stringify puts it (`{"findings": [...]}` at the top), so it
    // comes out at its final indentation with no re-indenting pass over its text. One at a time:
    // batches of 64 cost 3-8 MB more peak RSS on the 500-file benchmark for no CPU gain.
    yield '[';
    // Deferred fixes (fixesFiller): made for each file's findings just before they are written, and
    // garbage once they are (never kept on the findings, so never promoted by the GC with them).
    let runStart = 0;
    let runEnd = 0;
    let runFixes: Fix[][] | undefined;
    for (let i = 0; i < r.findings.length; i++) {
      const f = r.findings[i];
      if (fill && i >= runEnd) {
        runStart = i;
        runEnd = i + 1;
        while (runEnd < r.findings.length && r.findings[runEnd].file === f.file) runEnd++;
        runFixes = fill(r.findings.slice(runStart, runEnd));
      }
      const s = JSON.stringify({ findings: [jsonFinding(f, lineStartsOf(f.file), runFixes ? runFixes[i - runStart] : f.fixes)] }, null, 2);
      if (i) yield ',';
      yield s.slice(PIECE_HEAD.length, s.length - PIECE_TAIL.length);
    }
    yield '\n  ]';
  }
  yield first ? '}\n' : '\n}\n';
}

/** What JSON.stringify writes around the value of `{"v": ...}`. */
const NESTED_HEAD = '{\n  "v": ';
const NESTED_TAIL = '\n}';

/** What JSON.stringify writes around the findings of `{"findings": [...]}` (writeJson keeps the rest). */
const PIECE_HEAD = '{\n  "findings": [';
const PIECE_TAIL = '\n  ]\n}';

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
