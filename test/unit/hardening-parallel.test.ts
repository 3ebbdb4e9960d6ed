// Worker threads for large scans: the models built on workers give exactly the sequential result.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
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
    assert.ok(adopted > 10 && adopted < files.length, `worker built ${adopted} files`);
    assert.equal(par.parses, files.length - adopted);
    assert.deepEqual(par.analyze(files), expected);
    assert.equal(par.parses, files.length - adopted, 'analyze() used the adopted models');
    assert.equal(await buildModelsInParallel(par, files.slice(0, 3), { jobs: 2, script: SCRIPT }), 0, 'small scans stay on one thread');
    seq.dispose();
    par.dispose();
  });
});
