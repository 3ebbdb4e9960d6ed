// Worker threads for large scans: the models built on workers give exactly the sequential result.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { buildModelsInParallel } from '../../src/core/parallel';
import { routerModule } from '../../bench/generate';

const SCRIPT = join(__dirname, '..', '..', 'dist', 'scanWorker.js');

describe('hardening: parallel model building', function () {
  this.timeout(60_000);
  it('models from 2 threads give the same ScanResult as one thread, and the main thread parses only its share', async function () {
    if (!existsSync(SCRIPT)) this.skip();
    const files: SourceFile[] = Array.from({ length: 80 }, (_, i) => ({ path: `app/m${i}.py`, text: routerModule(100 + i, { bytes: 14_000 }), module: `app.m${i}`, isPackage: false }));
    const seq = await Analyzer.create();
    const expected = seq.analyze(files);
    const par = await Analyzer.create();
    const adopted = await buildModelsInParallel(par, files, { jobs: 2, script: SCRIPT });
    // The worker's share (~46 % of 1.1 MB) comes in several batches: all of them are adopted.
    assert.ok(adopted > 30 && adopted < files.length, `worker built ${adopted} files`);
    assert.equal(par.parses, files.length - adopted);
    assert.deepEqual(par.analyze(files), expected);
    assert.equal(par.parses, files.length - adopted, 'analyze() used the adopted models');
    assert.equal(await buildModelsInParallel(par, files.slice(0, 3), { jobs: 2, script: SCRIPT }), 0, 'small scans stay on one thread');
    seq.dispose();
    par.dispose();
  });

  it('a worker that exits after a partial batch, without its last message: the batch is adopted, the rest built here, same result', async () => {
    const files: SourceFile[] = Array.from({ length: 40 }, (_, i) => ({ path: `app/m${i}.py`, text: routerModule(300 + i, { bytes: 30_000 }), module: `app.m${i}`, isPackage: false }));
    const seq = await Analyzer.create();
    const expected = seq.analyze(files);
    // Builds the first file of its share with a real model, posts it without `done`, and exits.
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-worker-'));
    const script = join(dir, 'partial.js');
    writeFileSync(script, `const { parentPort, workerData } = require('node:worker_threads');
const { Analyzer } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'analyzer.ts'))});
Analyzer.create().then((a) => { const f = workerData.files[0]; parentPort.postMessage({ models: [[f.path, a.model(f)]], failed: [] }); setTimeout(() => process.exit(0), 50); });
`);
    try {
      const par = await Analyzer.create();
      const adopted = await buildModelsInParallel(par, files, { jobs: 2, script });
      assert.equal(adopted, 1);
      assert.deepEqual(par.analyze(files), expected);
      assert.equal(par.parses, files.length - 1);
      par.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      seq.dispose();
    }
  });
});
