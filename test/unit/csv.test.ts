// Load-test CSV through a real CSV parser: a valid quoted CSV is read (the old comma split rejected it),
// a quoted cell may hold commas, quotes and line breaks, and malformed CSV is a clear usage error.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, readLoadTests } from '../../src/advisor/loadtests';

describe('load-test CSV (csv-parse)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-csv-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reads a fully quoted workers table, with a BOM and CRLF', () => {
    const file = join(dir, 'quoted.csv');
    writeFileSync(file, '\uFEFF"workers","rps","p99_ms"\r\n"1","8500","800"\r\n\r\n"4","15000","250"\r\n');
    const rows = readLoadTests([{ file }]).rows;
    assert.deepEqual(rows.map((r) => [r.workers, r.rps, r.p99Ms]), [[1, 8500, 800], [4, 15000, 250]]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted cells, with the line of each record', () => {
    assert.deepEqual(readCsv('name,n\n"GET /a,b","1"\n"say ""hi""\nthere",2\n', 'x.csv'), [
      { cells: ['name', 'n'], line: 1 },
      { cells: ['GET /a,b', '1'], line: 2 },
      { cells: ['say "hi"\nthere', '2'], line: 4 },
    ]);
  });

  it('an unclosed quote is a usage error naming the file', () => {
    assert.throws(() => readCsv('workers,rps\n1,"8500\n', 'bad.csv'), /^UsageError: bad\.csv: not valid CSV \(Quote Not Closed/);
  });
});
