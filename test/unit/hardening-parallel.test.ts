// Worker threads for large scans: the models built on workers give exactly the sequential result.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { Analyzer, type SourceFile } from '../../src/core/analyzer';
import { buildModelsInParallel, HOLD_CHARS, inParts, ModelBuilders, PARALLEL_MIN_BYTES, PARALLEL_MIN_FILES, WORKER_PART_CHARS } from '../../src/core/parallel';
import { compileGrammars } from '../../src/core/parser';
import type { WorkerReply, WorkerRequest } from '../../src/core/workerThread';
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
    // Both threads take files from one queue (how many each gets depends on the machine's load); the
    // worker's come in batches of ~64k characters, and every one of them is adopted.
    assert.ok(adopted > 0 && adopted < files.length, `worker built ${adopted} files`);
    assert.equal(par.parses, files.length - adopted);
    assert.deepEqual(par.analyze(files), expected);
    assert.equal(par.parses, files.length - adopted, 'analyze() used the adopted models');
    assert.equal(await buildModelsInParallel(par, files.slice(0, 3), { jobs: 2, script: SCRIPT }), 0, 'small scans stay on one thread');
    seq.dispose();
    par.dispose();
  });

  it('a list goes to the workers in parts of about WORKER_PART_CHARS of text, in order, the last one carrying the list\'s slot and flags', () => {
    const file = (i: number, chars: number): SourceFile => ({ path: `m${i}.py`, text: 'x'.repeat(chars), module: `m${i}`, isPackage: false });
    const files = [file(0, 20_000), file(1, 12_000), file(2, 70_000), file(3, 10), file(4, 20_000), file(5, 1)];
    const parts = inParts({ files, slot: 3, more: true }, 32_000);
    assert.deepEqual(parts.map((p) => p.files.map((f) => f.path)), [['m0.py', 'm1.py'], ['m2.py'], ['m3.py', 'm4.py', 'm5.py']]);
    assert.deepEqual(parts.map((p) => [p.part, p.slot, p.more]), [[true, 3, undefined], [true, 3, undefined], [undefined, 3, true]], 'every part has the slot: a worker takes files from the first part on');
    assert.deepEqual(parts.flatMap((p) => p.files), files);
    // A small list (or the last file alone above the limit) is one message: the list itself.
    const one = { files: files.slice(0, 1), slot: 0 };
    assert.deepEqual(inParts(one, 32_000), [one]);
    assert.deepEqual(inParts({ files: [file(9, 100_000)] }), [{ files: [file(9, 100_000)] }]);
    assert.ok(WORKER_PART_CHARS * 2 < 120 * 1024, 'a part (V8 writes a character in one or two bytes) stays under malloc\'s first mmap threshold (128 KiB)');
  });

  it('files shared early (before the rest are known) and the rest: every file built once, on one thread or the other, same result', async function () {
    if (!existsSync(SCRIPT)) this.skip();
    const files: SourceFile[] = Array.from({ length: 90 }, (_, i) => ({ path: `app/m${i}.py`, text: routerModule(500 + i, { bytes: 14_000 }), module: `app.m${i}`, isPackage: false }));
    const seq = await Analyzer.create();
    const expected = seq.analyze(files);
    const par = await Analyzer.create();
    const builders = ModelBuilders.start(files.length, { jobs: 2, script: SCRIPT });
    assert.ok(builders);
    // The first list alone: the worker starts on it while nothing else is known.
    for (const f of files.slice(0, 80)) builders.offer(f);
    builders.endOffers();
    const queue = (builders as unknown as { queue: Int32Array }).queue;
    for (const until = Date.now() + 30_000; Atomics.load(queue, 0) < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
    assert.ok(Atomics.load(queue, 0) >= 2, 'the worker took files of the early list before build()');
    // One file of the early list is not built after all: it is not adopted (nor built here).
    const final = files.filter((_, i) => i !== 3);
    const adopted = await builders.build(par, final);
    assert.ok(adopted > 0 && adopted <= final.length, `worker built ${adopted} files`);
    assert.equal(par.parses, final.length - adopted, 'every other file of the final list was built here, once');
    assert.equal(Atomics.load(queue, queue.length - 1) >= 10, true, 'the second list was taken to its end');
    assert.deepEqual(par.analyze(files), expected);
    seq.dispose();
    par.dispose();
  });

  it('files offered as they are read: the worker starts on them before the last is offered; small ones end the list; same result', async function () {
    if (!existsSync(SCRIPT)) this.skip();
    // 90 files of ~14k characters and 10 small ones, in read order.
    const files: SourceFile[] = Array.from({ length: 100 }, (_, i) => ({ path: `app/m${i}.py`, text: i % 10 === 5 ? `x${i} = 1\n` : routerModule(700 + i, { bytes: 14_000 }), module: `app.m${i}`, isPackage: false }));
    const small = files.filter((f) => f.text.length < HOLD_CHARS);
    assert.equal(small.length, 10);
    const seq = await Analyzer.create();
    const expected = seq.analyze(files);
    const par = await Analyzer.create();
    const builders = ModelBuilders.start(files.length, { jobs: 2, script: SCRIPT });
    assert.ok(builders);
    const queue = (builders as unknown as { queue: Int32Array }).queue;
    // Offered up to the point the worker has enough to start on: nothing goes before (a job too small to share).
    let offered = 0;
    let chars = 0;
    while (offered < PARALLEL_MIN_FILES || chars < PARALLEL_MIN_BYTES) { chars += files[offered].text.length; builders.offer(files[offered++]); }
    for (let i = 0; i < 3; i++) builders.offer(files[offered++]); // past the next part's size
    for (const until = Date.now() + 30_000; Atomics.load(queue, 0) < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
    assert.ok(Atomics.load(queue, 0) >= 2, 'the worker took offered files while the rest were still to come');
    while (offered < files.length) builders.offer(files[offered++]);
    builders.endOffers();
    const early = (builders as unknown as { early: SourceFile[] }).early;
    assert.deepEqual([...early].sort((a, b) => a.path.localeCompare(b.path)), [...files].sort((a, b) => a.path.localeCompare(b.path)), 'every file offered is in the list once');
    assert.deepEqual(early.slice(-small.length).map((f) => f.path).sort(), small.map((f) => f.path).sort(), 'the small files end it');
    const adopted = await builders.build(par, files);
    assert.ok(adopted > 0 && adopted <= files.length, `worker built ${adopted} files`);
    assert.equal(par.parses, files.length - adopted, 'every other file was built here, once');
    assert.deepEqual(par.analyze(files), expected);
    seq.dispose();
    par.dispose();
  });

  it('files offered that never make a job worth sharing are not shared (build() decides)', () => {
    if (!existsSync(SCRIPT)) return;
    const builders = ModelBuilders.start(40, { jobs: 2, script: SCRIPT });
    assert.ok(builders);
    for (let i = 0; i < 40; i++) builders.offer({ path: `m${i}.py`, text: `x = ${i}\n`, module: `m${i}`, isPackage: false });
    builders.endOffers();
    assert.equal((builders as unknown as { early?: SourceFile[] }).early, undefined);
    builders.close();
  });

  it('a worker that exits after a partial batch, without its last message: the batch is adopted, the rest built here, same result', async () => {
    const files: SourceFile[] = Array.from({ length: 40 }, (_, i) => ({ path: `app/m${i}.py`, text: routerModule(300 + i, { bytes: 30_000 }), module: `app.m${i}`, isPackage: false }));
    const seq = await Analyzer.create();
    const expected = seq.analyze(files);
    // Takes two files from the shared queue as soon as it starts (the test waits for that, so the main
    // thread cannot take them first on a loaded machine), posts the first's flat tree (as a worker does) without `done`,
    // and exits while marked busy: the second file it took is built by analyze() on the main thread.
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-worker-'));
    const script = join(dir, 'partial.js');
    writeFileSync(script, `const { workerData } = require('node:worker_threads');
const { queue, busy, port } = workerData;
Atomics.store(queue, busy, 1);
const first = Atomics.add(queue, 0, 1);
Atomics.add(queue, 0, 1);
const { initParser, parsePython } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'parser.ts'))});
const { flattenFile } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'python', 'model.ts'))});
const { packFlat } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'workerThread.ts'))});
port.once('message', ({ files }) => initParser().then(() => {
  const f = files[first];
  const { file, buffer } = packFlat(flattenFile(parsePython(f.text), f.text));
  port.postMessage({ flats: [[f.path, file]], failed: [] }, [buffer]);
  setTimeout(() => process.exit(0), 50);
}));
`);
    try {
      const par = await Analyzer.create();
      const builders = ModelBuilders.start(files.length, { jobs: 2, script });
      assert.ok(builders);
      const queue = (builders as unknown as { queue: Int32Array }).queue;
      for (const until = Date.now() + 30_000; Atomics.load(queue, 0) < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
      const adopted = await builders.build(par, files);
      assert.equal(adopted, 1);
      assert.deepEqual(par.analyze(files), expected);
      assert.equal(par.parses, files.length - 1, 'every file but the adopted one was built here (the one the worker took and dropped by analyze())');
      par.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      seq.dispose();
    }
  });

  /** The built worker on its own, its grammars/ folder missing: it parses only with the modules posted on `grammars`. */
  function bareWorker(): { worker: Worker; queue: Int32Array; port: MessagePort; grammars: MessagePort; replies: WorkerReply[]; next: () => Promise<WorkerReply> } {
    const queue = new Int32Array(new SharedArrayBuffer(8));
    const files = new MessageChannel();
    const back = new MessageChannel();
    const wasm = new MessageChannel();
    const req: WorkerRequest = { grammarDir: join(tmpdir(), 'loopwise-no-grammars-here'), queue, busy: 1, port: files.port2, back: back.port2, grammars: wasm.port2 };
    const worker = new Worker(SCRIPT, { workerData: req, transferList: [files.port2, back.port2, wasm.port2] });
    const replies: WorkerReply[] = [];
    let wake: (() => void) | undefined;
    files.port1.on('message', (m: WorkerReply) => { replies.push(m); wake?.(); });
    const gone = once(worker, 'exit');
    const next = async () => {
      const until = Date.now() + 30_000;
      while (!replies.length) {
        if (Date.now() > until) throw new Error('no reply from the worker');
        await Promise.race([new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); }), gone]);
      }
      return replies.shift()!;
    };
    return { worker, queue, port: files.port1, grammars: wasm.port1, replies, next };
  }

  it('a worker parses with the wasm modules the main thread posts (its own grammars folder is missing), and takes a list\'s files part by part as they come', async function () {
    if (!existsSync(SCRIPT)) this.skip();
    const files: SourceFile[] = Array.from({ length: 5 }, (_, i) => ({ path: `app/p${i}.py`, text: routerModule(700 + i, { bytes: 40_000 }), module: `app.p${i}`, isPackage: false }));
    const parts = inParts({ files, slot: 0 });
    assert.equal(parts.length, files.length, 'one file a part (each is above WORKER_PART_CHARS)');
    const w = bareWorker();
    try {
      w.grammars.postMessage(await compileGrammars());
      w.port.postMessage(parts[0]);
      // Only the first part has been sent: its file comes back parsed while the rest of the list is unknown.
      const first = await w.next();
      assert.deepEqual(first.flats.map(([path]) => path), ['app/p0.py']);
      assert.deepEqual(first.failed, []);
      assert.ok(first.flats[0][1].flat.n > 1000, 'a whole tree');
      // It posts the reply before it takes the next index: wait for the take, which must come without the part.
      for (const until = Date.now() + 10_000; Atomics.load(w.queue, 0) < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
      assert.equal(Atomics.load(w.queue, 0), 2, 'the worker took the next index and waits for its part');
      assert.equal(w.replies.length, 0, 'and has parsed nothing else');
      for (const part of parts.slice(1)) w.port.postMessage(part);
      const got = [first];
      while (!got[got.length - 1].done) got.push(await w.next());
      assert.deepEqual(got.flatMap((r) => r.flats.map(([path]) => path)), files.map((f) => f.path), 'every file once, in the queue\'s order');
      assert.deepEqual(got.flatMap((r) => r.failed), []);
      // The done reply goes before the busy flag is cleared.
      for (const until = Date.now() + 10_000; Atomics.load(w.queue, 1) !== 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
      assert.equal(Atomics.load(w.queue, 1), 0, 'no longer busy');
    } finally {
      w.port.close();
      await w.worker.terminate();
    }
  });

  it('a worker given no modules loads its own from its grammars folder: a missing folder is an error, not a scan without parses', async function () {
    if (!existsSync(SCRIPT)) this.skip();
    const w = bareWorker();
    const error = once(w.worker, 'error');
    w.grammars.postMessage(undefined); // what the main thread posts when its compile failed: the worker compiles its own
    w.port.postMessage({ files: [{ path: 'a.py', text: 'x = 1\n', module: 'a', isPackage: false }], slot: 0 });
    try {
      const [err] = await error;
      assert.match(String((err as Error).message), /no-grammars-here/);
      assert.deepEqual(w.replies, [], 'nothing was parsed');
    } finally {
      w.port.close();
      await w.worker.terminate();
    }
  });
});
