// Load-test readers: a workers table (CSV/JSON) or raw wrk, k6 summary-export and Locust stats output.
import { readRegularFile } from '../core/files';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError, type LoadTestRow, type LoadTestSpec } from './inputs';

export type LoadTestFormat = 'table-csv' | 'table-json' | 'wrk' | 'k6' | 'locust';

export interface ParsedLoadTest { format: LoadTestFormat; rows: LoadTestRow[]; notes: string[] }

/** Reads every `--load-tests` file and merges the rows; two results for one worker count is an error. */
export function readLoadTests(specs: LoadTestSpec[]): { rows: LoadTestRow[]; notes: string[] } {
  const rows: LoadTestRow[] = [];
  const notes: string[] = [];
  for (const spec of specs) {
    // Through the scanner's reader: a regular file of at most 2 MB (a FIFO or device would hang the read).
    const read = readRegularFile(spec.file);
    if (read.error !== undefined) throw new UsageError(`${spec.file}: load-test file ${read.error.replace(/^cannot read: (\w+)$/, 'cannot be read ($1)')}`);
    const text = read.buf.toString('utf8');
    const parsed = parseLoadTest(text, spec.file, spec.workers);
    rows.push(...parsed.rows);
    notes.push(...parsed.notes);
  }
  return { rows: mergeRows(rows), notes };
}

export function mergeRows(rows: LoadTestRow[]): LoadTestRow[] {
  const seen = new Map<number, LoadTestRow>();
  for (const r of rows) {
    const prev = seen.get(r.workers);
    if (prev) throw new UsageError(`two load-test results for ${r.workers} worker(s) (${prev.source ?? '?'} and ${r.source ?? '?'})`);
    seen.set(r.workers, r);
  }
  return [...seen.values()].sort((a, b) => a.workers - b.workers);
}

/** Detects the format from the content and parses it. Raw tool output needs the worker tag (`N:FILE`). */
export function parseLoadTest(text: string, file: string, workers?: number): ParsedLoadTest {
  const format = detectFormat(text, file);
  const tagged = (): number => {
    if (workers === undefined) {
      throw new UsageError(`${file}: ${format} output does not say how many workers ran; tag it as N:${file} (e.g. --load-tests 2:${file})`);
    }
    return workers;
  };
  const notes: string[] = [];
  switch (format) {
    case 'table-csv': case 'table-json': {
      if (workers !== undefined) notes.push(`${file}: worker tag ${workers} ignored, the table has its own workers column`);
      const rows = format === 'table-csv' ? parseTableCsv(text, file) : parseTableJson(text, file);
      return { format, rows, notes };
    }
    case 'wrk': return { format, rows: [parseWrk(text, file, tagged())], notes };
    case 'k6': return { format, ...parseK6(text, file, tagged()) };
    case 'locust': return { format, rows: [parseLocust(text, file, tagged())], notes };
  }
}

function detectFormat(text: string, file: string): LoadTestFormat {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    let data: unknown;
    try { data = JSON.parse(t); } catch (e) { throw new UsageError(`${file}: invalid JSON (${(e as Error).message})`); }
    if (Array.isArray(data)) return 'table-json';
    if (isObject(data) && isObject(data.metrics)) return 'k6';
    throw new UsageError(`${file}: JSON is neither a k6 --summary-export (no "metrics") nor an array of {workers, rps, p99_ms} rows`);
  }
  const firstLine = t.split(/\r?\n/, 1)[0].toLowerCase();
  if (firstLine.replace(/"/g, '').startsWith('type,name,request count')) return 'locust';
  if (/^"?workers"?\s*,/.test(firstLine)) return 'table-csv';
  if (/requests\/sec:/i.test(t)) return 'wrk';
  throw new UsageError(`${file}: unrecognised load-test format (expected a workers,rps,p99_ms CSV, JSON rows, wrk, k6 summary-export or Locust stats CSV)`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- the workers table -------------------------------------------------------------------------------

const TABLE_COLUMNS: Record<string, keyof LoadTestRow> = {
  workers: 'workers', rps: 'rps', p99_ms: 'p99Ms', p99ms: 'p99Ms', cpu_percent: 'cpuPercent', cpupercent: 'cpuPercent',
  memory_mb: 'memoryMb', memorymb: 'memoryMb', errors: 'errors',
};
const REQUIRED: (keyof LoadTestRow)[] = ['workers', 'rps', 'p99Ms'];

export function parseTableCsv(text: string, file: string): LoadTestRow[] {
  const records = readCsv(text, file);
  const header = (records[0]?.cells ?? []).map((h) => h.trim().toLowerCase());
  const keys = header.map((h) => {
    const key = TABLE_COLUMNS[h];
    if (!key) throw new UsageError(`${file}: unknown column "${h}" (expected workers,rps,p99_ms,cpu_percent,memory_mb,errors)`);
    return key;
  });
  for (const req of REQUIRED) if (!keys.includes(req)) throw new UsageError(`${file}: missing column ${columnName(req)}`);
  const rows: LoadTestRow[] = [];
  for (const { cells, line } of records.slice(1)) {
    if (cells.every((c) => !c.trim())) continue;
    if (cells.length !== keys.length) throw new UsageError(`${file}:${line}: ${cells.length} cells, the header has ${keys.length}`);
    const row: Record<string, number> = {};
    cells.forEach((cell, c) => {
      if (cell.trim() === '') return;
      row[keys[c]] = tableNumber(cell, `${file}:${line}`, columnName(keys[c]));
    });
    rows.push(checkRow(row, `${file}:${line}`, file));
  }
  if (rows.length === 0) throw new UsageError(`${file}: no data rows`);
  return mergeRows(rows);
}

export function parseTableJson(text: string, file: string): LoadTestRow[] {
  const data = JSON.parse(text) as unknown[];
  if (data.length === 0) throw new UsageError(`${file}: no data rows`);
  return mergeRows(data.map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isObject(item)) throw new UsageError(`${where}: not an object`);
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(item)) {
      const key = TABLE_COLUMNS[k.toLowerCase()];
      if (!key || v === null || v === undefined) continue;
      row[key] = tableNumber(String(v), where, k);
    }
    return checkRow(row, where, file);
  }));
}

function columnName(key: keyof LoadTestRow): string {
  return ({ p99Ms: 'p99_ms', cpuPercent: 'cpu_percent', memoryMb: 'memory_mb' } as Record<string, string>)[key] ?? key;
}

function tableNumber(cell: string, where: string, column: string): number {
  const n = Number(cell.trim());
  if (!Number.isFinite(n) || cell.trim() === '') throw new UsageError(`${where}: ${column} "${cell.trim()}" is not a number`);
  if (n < 0) throw new UsageError(`${where}: ${column} ${n} is negative`);
  return n;
}

function checkRow(row: Record<string, number>, where: string, file: string): LoadTestRow {
  for (const req of REQUIRED) if (row[req] === undefined) throw new UsageError(`${where}: missing ${columnName(req)}`);
  if (!Number.isInteger(row.workers) || row.workers < 1) throw new UsageError(`${where}: workers ${row.workers} is not a whole number >= 1`);
  return { ...(row as unknown as LoadTestRow), source: file };
}

// ---- wrk --latency ---------------------------------------------------------------------------------

const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `800.12ms`, `1.20s`, `950.00us` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  // Divide for microseconds so 950us is exactly 0.95 ms, not 0.9500000000000001.
  return m[2] === 'us' ? Number(m[1]) / 1000 : Number(m[1]) * TIME_UNITS_MS[m[2]];
}

export function parseWrk(text: string, file: string, workers: number): LoadTestRow {
  const rps = /^Requests\/sec:\s*([\d.]+)/m.exec(text);
  if (!rps) throw new UsageError(`${file}: no "Requests/sec:" line in wrk output`);
  // Line by line: with the m flag a leading `\s*` runs across blank lines from every line start (quadratic).
  const p99 = firstLineMatch(text, /^[ \t]*99(?:\.0+)?%[ \t]+(\S+)/);
  if (!p99) throw new UsageError(`${file}: no 99% line in the wrk Latency Distribution (run wrk with --latency)`);
  const p99Ms = parseDuration(p99[1]);
  if (p99Ms === undefined) throw new UsageError(`${file}: cannot read the 99% latency "${p99[1]}"`);
  const socket = /Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s*(\d+)/.exec(text);
  const errors = (socket ? socket.slice(1, 5).reduce((s, n) => s + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { workers, rps: Number(rps[1]), p99Ms: round(p99Ms), errors, source: file };
}

/** The first line (without its line break) that `re` matches; `re` should be anchored with `^`. */
function firstLineMatch(text: string, re: RegExp): RegExpExecArray | null {
  for (const line of text.split(/\r?\n/)) {
    const m = re.exec(line);
    if (m) return m;
  }
  return null;
}

// ---- k6 --summary-export --------------------------------------------------------------------------

export function parseK6(text: string, file: string, workers: number): { rows: LoadTestRow[]; notes: string[] } {
  const metrics = (JSON.parse(text) as { metrics: Record<string, Record<string, unknown>> }).metrics;
  const notes: string[] = [];
  const rate = metrics.http_reqs?.rate;
  if (typeof rate !== 'number') throw new UsageError(`${file}: k6 summary has no metrics.http_reqs.rate`);
  const duration = metrics.http_req_duration ?? {};
  let p99 = duration['p(99)'];
  if (typeof p99 !== 'number') {
    p99 = duration['p(95)'];
    if (typeof p99 !== 'number') throw new UsageError(`${file}: k6 summary has neither p(99) nor p(95) in metrics.http_req_duration`);
    notes.push(`${file}: k6 summary has no p(99) (add "p(99)" to summaryTrendStats); used p(95) instead`);
  }
  const row: LoadTestRow = { workers, rps: round(rate), p99Ms: round(p99 as number), source: file };
  const failed = metrics.http_req_failed;
  // In k6's Rate export, "passes" counts requests for which http_req_failed was true, i.e. failures.
  if (failed && typeof failed.passes === 'number') row.errors = failed.passes;
  else if (failed && typeof failed.value === 'number' && typeof metrics.http_reqs.count === 'number') {
    row.errors = Math.round(failed.value * metrics.http_reqs.count);
  }
  return { rows: [row], notes };
}

// ---- Locust *_stats.csv --------------------------------------------------------------------------

export function parseLocust(text: string, file: string, workers: number): LoadTestRow {
  const records = readCsv(text, file).map((r) => r.cells);
  const header = records[0] ?? [];
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new UsageError(`${file}: Locust stats CSV has no "${name}" column`);
    return i;
  };
  const line = records.slice(1).find((cells) => cells[col('Name')] === 'Aggregated');
  if (!line) throw new UsageError(`${file}: Locust stats CSV has no "Aggregated" row`);
  const num = (name: string): number => {
    const v = Number(line[col(name)]);
    if (!Number.isFinite(v) || line[col(name)].trim() === '') throw new UsageError(`${file}: Aggregated ${name} "${line[col(name)]}" is not a number`);
    return v;
  };
  return { workers, rps: round(num('Requests/s')), p99Ms: num('99%'), errors: num('Failure Count'), source: file };
}

/**
 * CSV records through csv-parse (RFC 4180: quoted cells with commas, doubled quotes and line breaks,
 * a BOM), each with the line it ends on; blank lines are skipped. Malformed CSV is a UsageError.
 */
export function readCsv(text: string, file: string): { cells: string[]; line: number }[] {
  try {
    const out = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    // info.lines: the line the record ends on (its only line unless a quoted cell spans lines).
    return out.map(({ record, info }) => ({ cells: record, line: info.lines }));
  } catch (e) {
    throw new UsageError(`${file}: not valid CSV (${(e as Error).message.split('\n')[0]})`);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
