// Load-test readers on hand-written fixtures of each tool's real output layout.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { UsageError } from '../../src/advisor/inputs';
import { parseDuration, readLoadTests } from '../../src/advisor/loadtests';

const dir = join(__dirname, '..', 'fixtures', 'loadtests');
const f = (name: string): string => join(dir, name);

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test((e as Error).message));
}

describe('advisor load tests: tables', () => {
  it('reads the workers CSV table', () => {
    const { rows } = readLoadTests([{ file: f('guide-table.csv') }]);
    assert.deepEqual(rows.map((r) => [r.workers, r.rps, r.p99Ms, r.cpuPercent, r.memoryMb]), [
      [1, 8500, 800, 95, 400], [2, 12000, 500, 85, 700], [4, 15000, 250, 80, 1300],
    ]);
  });

  it('reads optional columns as absent when the header lacks them, and the errors column when present', () => {
    const flat = readLoadTests([{ file: f('flat-table.csv') }]).rows;
    assert.equal(flat[0].cpuPercent, undefined);
    const errs = readLoadTests([{ file: f('with-errors.csv') }]).rows;
    assert.deepEqual(errs.map((r) => r.errors), [312, 0]);
  });

  it('reads the JSON table the same as the CSV', () => {
    const json = readLoadTests([{ file: f('guide-table.json') }]).rows.map(({ source: _s, ...r }) => r);
    const csv = readLoadTests([{ file: f('guide-table.csv') }]).rows.map(({ source: _s, ...r }) => r);
    assert.deepEqual(json, csv);
  });

  it('names the file, line and column of a malformed cell', () => {
    usage(() => readLoadTests([{ file: f('malformed.csv') }]), /malformed\.csv:2: p99_ms "fast" is not a number/);
    usage(() => readLoadTests([{ file: f('bad-columns.csv') }]), /bad-columns\.csv: unknown column "throughput"/);
  });

  it('rejects an unreadable or unrecognised file', () => {
    usage(() => readLoadTests([{ file: f('missing.csv') }]), /missing\.csv: load-test file cannot be read \(ENOENT\)/);
    usage(() => readLoadTests([{ file: f('unknown.txt') }]), /unknown\.txt: unrecognised load-test format/);
  });
});

describe('advisor load tests: raw tool output', () => {
  it('parses wrk --latency with ms units, counting socket errors and non-2xx', () => {
    const [row] = readLoadTests([{ file: f('wrk-1-worker.txt'), workers: 1 }]).rows;
    assert.deepEqual({ ...row, source: undefined }, { workers: 1, rps: 8499.27, p99Ms: 800.12, errors: 14 + 35 + 21, source: undefined });
  });

  it('parses wrk microsecond and second latencies', () => {
    assert.equal(readLoadTests([{ file: f('wrk-fast-us.txt'), workers: 4 }]).rows[0].p99Ms, 0.95);
    const slow = readLoadTests([{ file: f('wrk-slow-s.txt'), workers: 2 }]).rows[0];
    assert.equal(slow.p99Ms, 1200);
    assert.equal(slow.errors, 212);
    assert.equal(slow.rps, 627.44);
  });

  it('converts each wrk time unit', () => {
    assert.equal(parseDuration('950.00us'), 0.95);
    assert.equal(parseDuration('12.5ms'), 12.5);
    assert.equal(parseDuration('1.20s'), 1200);
    assert.equal(parseDuration('1.00m'), 60000);
    assert.equal(parseDuration('fast'), undefined);
  });

  it('needs the Latency Distribution (wrk --latency)', () => {
    usage(() => readLoadTests([{ file: f('wrk-no-latency.txt'), workers: 1 }]), /wrk-no-latency\.txt: no 99% line.*--latency/);
  });

  it('parses a k6 summary-export: rate, p(99), failures', () => {
    const { rows, notes } = readLoadTests([{ file: f('k6-summary.json'), workers: 2 }]);
    assert.deepEqual([rows[0].workers, rows[0].rps, rows[0].p99Ms, rows[0].errors], [2, 11998.07, 498.62, 120]);
    assert.deepEqual(notes, []);
  });

  it('falls back to k6 p(95) with a note when p(99) was not exported', () => {
    const { rows, notes } = readLoadTests([{ file: f('k6-summary-p95.json'), workers: 1 }]);
    assert.equal(rows[0].p99Ms, 171.6);
    assert.equal(rows[0].errors, 0);
    assert.match(notes[0], /no p\(99\).*used p\(95\)/);
  });

  it('parses the Aggregated row of a Locust stats CSV (quoted names with commas included)', () => {
    const [row] = readLoadTests([{ file: f('locust_stats.csv'), workers: 4 }]).rows;
    assert.deepEqual([row.workers, row.rps, row.p99Ms, row.errors], [4, 4010.87, 510, 15]);
    usage(() => readLoadTests([{ file: f('locust_no_aggregated.csv'), workers: 1 }]), /no "Aggregated" row/);
  });

  it('requires the worker tag on raw output', () => {
    usage(() => readLoadTests([{ file: f('wrk-1-worker.txt') }]), /wrk-1-worker\.txt: wrk output does not say how many workers.*N:/);
    usage(() => readLoadTests([{ file: f('k6-summary.json') }]), /k6 output does not say how many workers/);
    usage(() => readLoadTests([{ file: f('locust_stats.csv') }]), /locust output does not say how many workers/);
  });

  it('merges several tagged runs into one sorted table and refuses two runs for one count', () => {
    const { rows } = readLoadTests([
      { file: f('locust_stats.csv'), workers: 4 }, { file: f('wrk-1-worker.txt'), workers: 1 }, { file: f('k6-summary.json'), workers: 2 },
    ]);
    assert.deepEqual(rows.map((r) => r.workers), [1, 2, 4]);
    usage(() => readLoadTests([{ file: f('wrk-1-worker.txt'), workers: 1 }, { file: f('guide-table.csv') }]), /two load-test results for 1 worker/);
  });
});
