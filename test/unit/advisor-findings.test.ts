// LW401 / LW402 findings on deployment files, with a fix that rewrites the worker number.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanResult } from '../../src/core/types';
import { readDeployment } from '../../src/advisor/deploy';
import { deploymentFindings, recommend } from '../../src/advisor/engine';
import { makeInputs } from '../../src/advisor/inputs';

const shop = join(__dirname, '..', 'fixtures', 'deploy', 'shop');
const ioScan: ScanResult = {
  version: 1, findings: [], notes: [],
  handlers: [{ file: 'shop/main.py', line: 5, name: 'users', kind: 'route', route: 'GET /users', async: true, cpuMs: 10, ioMs: 340, blockingMs: 0, cpuRatio: 0.03, workload: 'io-bound', findings: 0 }],
  summary: { files: 1, skipped: 0, findings: 0, byCode: {}, handlers: 1, asyncHandlers: 1, blockedHandlers: 0 },
};

describe('advisor deployment findings', () => {
  const deploy = readDeployment([shop]).deployments;
  const compose = deploy.filter((d) => d.file.endsWith('docker-compose.yml') && d.name === 'api');

  it('LW401 when the file runs another count, with a fix to the recommended count', () => {
    const rec = recommend(ioScan, makeInputs(), compose);
    const [lw402, lw401] = deploymentFindings(compose, rec);
    assert.equal(lw401.code, 'LW401');
    assert.equal(lw401.severity, 'warning');
    assert.match(lw401.message, /^runs 4 worker\(s\); Loopwise recommends 1: /);
    assert.deepEqual([lw401.line, lw401.column, lw401.endLine, lw401.endColumn], [4, 73, 4, 74]);
    const text = readFileSync(compose[0].file, 'utf8');
    const edit = lw401.fix!.edits[0];
    const fixed = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
    assert.match(fixed.split('\n')[3], /--workers 1 --loop uvloop$/);
    assert.deepEqual(lw401.fixes, [lw401.fix]);
    // The file's own 1G limit fits 3 workers by the guide's estimate (100 + 3 x 300 MB), not 4.
    assert.equal(lw402.code, 'LW402');
    assert.match(lw402.message, /^4 workers need ~1,300 MB but the 1,024 MB memory limit fits 3/);
  });

  it('LW402 alone when the count matches but the limit is too small', () => {
    const rec = recommend(ioScan, makeInputs({ rps: 25000, cores: 8, memoryMb: 4096 }), compose);
    assert.equal(rec.workers, 4);
    const found = deploymentFindings(compose, rec);
    assert.deepEqual(found.map((f) => f.code), ['LW402']);
    assert.equal(found[0].fix!.edits[0].newText, '3');
  });

  it('no finding when the count matches and fits', () => {
    const rec = recommend(ioScan, makeInputs({ rps: 12000, cores: 4 }), deploy);
    const dockerfile = deploy.filter((d) => d.kind === 'dockerfile');
    assert.equal(rec.workers, 2);
    assert.deepEqual(deploymentFindings(dockerfile, rec), []);
  });

  it('no fix when the count has no span (a computed gunicorn count is skipped entirely)', () => {
    const rec = recommend(ioScan, makeInputs());
    const noSpan = deploymentFindings([{ file: 'Procfile', line: 1, column: 1, kind: 'procfile', currentWorkers: 3 }], rec);
    assert.deepEqual(noSpan.map((f) => [f.code, f.fix, f.fixes.length]), [['LW401', null, 0]]);
    assert.deepEqual(deploymentFindings([{ file: 'g.py', line: 2, column: 11, kind: 'gunicorn-conf', commandText: 'workers = 2 * cpu_count()' }], rec), []);
  });
});
