// `scan --format json` writes its report in pieces (writeJson): the pieces must join to exactly the
// text JSON.stringify gives for the whole report, on real scans with findings, fixes and notes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonReport, writeJsonReport } from '../../src/cli/scan';
import { scanPaths } from '../../src/core/scan';

const RULES = join(__dirname, '..', 'fixtures', 'rules');

function pieces(result: Parameters<typeof writeJsonReport>[0], files: Parameters<typeof writeJsonReport>[1]): string[] {
  const out: string[] = [];
  writeJsonReport(result, files, (s) => out.push(s));
  return out;
}

describe('JSON report written in pieces', () => {
  it('joins to the same bytes as one JSON.stringify on the rule fixtures (findings, fixes, handlers), in several pieces', async () => {
    const { result, files } = await scanPaths([RULES], { noConfig: true, jobs: 1 });
    assert.ok(result.findings.length > 100 && result.findings.some((f) => f.fixes.length > 0));
    const parts = pieces(result, files);
    assert.ok(parts.length > 1, 'a report over 64 KB comes in more than one piece');
    assert.equal(parts.join(''), jsonReport(result, files));
  });

  it('is the same for a scan with no findings, and one with only notes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-json-'));
    try {
      writeFileSync(join(dir, 'ok.py'), 'import httpx\n\nasync def f():\n    async with httpx.AsyncClient() as c:\n        return await c.get("u\\n\\u2028")\n');
      const clean = await scanPaths([dir], { noConfig: true, jobs: 1 });
      assert.equal(clean.result.findings.length, 0);
      assert.equal(pieces(clean.result, clean.files).join(''), jsonReport(clean.result, clean.files));
      writeFileSync(join(dir, 'bad.py'), 'def f(:\n    pass\n');
      const noted = await scanPaths([dir], { noConfig: true, jobs: 1 });
      assert.ok(noted.result.notes.length > 0);
      assert.equal(pieces(noted.result, noted.files).join(''), jsonReport(noted.result, noted.files));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
