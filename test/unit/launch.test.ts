// The launcher's V8 code cache (src/cli/launch.ts): written when missing, used when it matches the
// bundle, ignored when the bundle changed or the cache is damaged, and never the reason a run fails.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/cli/launch';

const LAUNCH = join(__dirname, '..', '..', 'src', 'cli', 'launch.ts');
/**
 * loadBundle in a fresh process: within one process V8 serves a source it has compiled before from
 * its own in-memory cache and never looks at the cached data, so a second load here proves nothing.
 */
function loadInChild(file: string): { answer: number; stale: boolean } {
  const code = `const { loadBundle } = require(${JSON.stringify(LAUNCH)}); const b = loadBundle(${JSON.stringify(file)}, true);
process.stdout.write(JSON.stringify({ answer: b.exports.answer(), stale: !!b.saveCache }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { answer: number; stale: boolean };
}

describe('launcher code cache', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-launch-')); });
  afterEach(() => { chmodSync(dir, 0o755); rmSync(dir, { recursive: true, force: true }); });

  // A bundle as esbuild writes it: CommonJS, uses require, __dirname and module.exports.
  const bundle = (answer: number) => `"use strict";
const { basename } = require("node:path");
function answer() { return ${answer}; }
module.exports = { answer, folder: basename(__dirname), self: module.exports === exports };
`;

  it('writes the cache when it is missing and reads it on the next load', () => {
    const file = join(dir, 'b.js');
    writeFileSync(file, bundle(41));
    const first = loadBundle(file, true);
    assert.equal((first.exports.answer as () => number)(), 41);
    assert.equal(first.exports.folder, join(dir).split('/').pop());
    assert.equal(first.exports.self, true);
    assert.ok(first.saveCache, 'no cache yet: the loader offers to write one');
    first.saveCache();
    const raw = readFileSync(`${file}.cache`);
    assert.match(raw.toString('latin1', 0, 80), /^loopwise-code-cache 1\n[0-9a-f]{40}\n/);
    // V8's data starts 8-byte aligned after the stamp (V8 copies unaligned cached data).
    const stamp = /^loopwise-code-cache 1\n[0-9a-f]{40}\n[^\n]*\n */.exec(raw.toString('latin1', 0, 200))![0];
    assert.equal(stamp.length % 8, 0, JSON.stringify(stamp));
    assert.deepEqual(readdirSync(dir).sort(), ['b.js', 'b.js.cache'], 'no temporary file left behind');
    assert.deepEqual(loadInChild(file), { answer: 41, stale: false }, 'the cache was accepted');
  });

  it('ignores a cache made for another bundle of the same length, and runs the new code', () => {
    const file = join(dir, 'b.js');
    writeFileSync(file, bundle(41));
    loadBundle(file, true).saveCache!();
    writeFileSync(file, bundle(42)); // same length: V8's own check (the source length) would not see it
    assert.deepEqual(loadInChild(file), { answer: 42, stale: true }, 'the stale cache is to be replaced');
  });

  it('stamps the cache with the id the build wrote on the bundle\'s last line, and refuses it for a bundle with another id', () => {
    const file = join(dir, 'b.js');
    const id = (c: string) => c.repeat(40);
    writeFileSync(file, `${bundle(41)}\n// loopwise-bundle-id ${id('a')}\n`);
    loadBundle(file, true).saveCache!();
    assert.equal(readFileSync(`${file}.cache`).toString('latin1', 0, 80).split('\n')[1], id('a'), 'the build\'s id, not a hash of the bytes');
    assert.deepEqual(loadInChild(file), { answer: 41, stale: false });
    writeFileSync(file, `${bundle(42)}\n// loopwise-bundle-id ${id('b')}\n`); // same length, another build
    assert.deepEqual(loadInChild(file), { answer: 42, stale: true });
    // The same bundle edited after the build, its id line and length kept (V8 would accept the cache):
    // its modification time is in the stamp, so the cache is refused and the edited code runs.
    writeFileSync(file, `${bundle(41)}\n// loopwise-bundle-id ${id('c')}\n`);
    loadBundle(file, true).saveCache!();
    assert.deepEqual(loadInChild(file), { answer: 41, stale: false });
    writeFileSync(file, `${bundle(43)}\n// loopwise-bundle-id ${id('c')}\n`);
    utimesSync(file, new Date(Date.now() + 5000), new Date(Date.now() + 5000)); // a later time, even on a coarse clock
    assert.deepEqual(loadInChild(file), { answer: 43, stale: true });
    // Not the id's line as the build writes it (not the last line): the bytes are hashed.
    writeFileSync(file, `${bundle(43)}\n// loopwise-bundle-id ${id('a')}\n// more\n`);
    loadBundle(file, true).saveCache!();
    assert.notEqual(readFileSync(`${file}.cache`).toString('latin1', 0, 80).split('\n')[1], id('a'));
  });

  it('the built bundles end with their id: the SHA-1 of everything before that line', () => {
    const dist = join(__dirname, '..', '..', 'dist');
    for (const name of ['loopwise.js', 'scan.js', 'scanWorkerMain.js']) {
      const text = readFileSync(join(dist, name), 'latin1');
      const m = /\n\/\/ loopwise-bundle-id ([0-9a-f]{40})\n$/.exec(text);
      assert.ok(m, `${name} has no id line`);
      assert.equal(m[1], createHash('sha1').update(text.slice(0, m.index), 'latin1').digest('hex'), name);
    }
  });

  it('a scan by the built CLI does not load node:crypto (its load cost every start ~6-20 ms)', function () {
    this.timeout(60_000);
    const dist = join(__dirname, '..', '..', 'dist');
    const hook = join(dir, 'hook.js');
    // process.moduleLoadList: the built-in modules this thread loaded.
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded.txt'))}, process.moduleLoadList.join('\\n')));`);
    writeFileSync(join(dir, 'a.py'), 'async def f():\n    import time\n    time.sleep(1)\n');
    const run = (format: string) => {
      const r = spawnSync(process.execPath, ['-r', hook, join(dist, 'cli.js'), 'scan', join(dir, 'a.py'), '--format', format, '--exit-zero', '--no-config'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(join(dir, 'loaded.txt'), 'utf8').split('\n');
    };
    const json = run('json');
    assert.ok(json.includes('NativeModule fs'), 'the list is read');
    assert.ok(!json.some((m) => /^NativeModule crypto$/.test(m)), 'node:crypto was loaded');
    // The GitLab report's fingerprints do need it (loaded then).
    assert.ok(run('gitlab').includes('NativeModule crypto'));
  });

  it('runs the bundle when the cache is damaged, and replaces it', () => {
    const file = join(dir, 'b.js');
    writeFileSync(file, bundle(7));
    loadBundle(file, true).saveCache!();
    const raw = readFileSync(`${file}.cache`);
    const header = raw.indexOf('\n', raw.indexOf('\n', raw.indexOf('\n') + 1) + 1) + 1;
    writeFileSync(`${file}.cache`, Buffer.concat([raw.subarray(0, header), Buffer.alloc(raw.length - header, 0xab)]));
    assert.deepEqual(loadInChild(file), { answer: 7, stale: true }, 'V8 refused the damaged data');
  });

  it('reads no cache when told not to (the language server), and a read-only folder only means no cache', () => {
    const file = join(dir, 'b.js');
    writeFileSync(file, bundle(3));
    const plain = loadBundle(file, false);
    assert.equal((plain.exports.answer as () => number)(), 3);
    assert.equal(plain.saveCache, undefined);
    assert.ok(!existsSync(`${file}.cache`));
    if (process.getuid?.() === 0) return; // root writes anywhere
    chmodSync(dir, 0o555);
    const loaded = loadBundle(file, true);
    assert.doesNotThrow(() => loaded.saveCache!());
    assert.ok(!existsSync(`${file}.cache`));
  });

  it('the built CLI writes its caches on a scan and gives the same output from them', function () {
    this.timeout(60_000);
    const dist = join(__dirname, '..', '..', 'dist');
    const caches = ['scan.js.cache', 'scanWorkerMain.js.cache'].map((f) => join(dist, f));
    for (const c of caches) rmSync(c, { force: true });
    const app = join(__dirname, '..', '..', 'examples', 'shop-api');
    const scan = () => spawnSync(process.execPath, [join(dist, 'cli.js'), 'scan', app, '--format', 'json', '--exit-zero', '--no-config'], { encoding: 'utf8' });
    const cold = scan();
    assert.equal(cold.status, 0, cold.stderr);
    assert.ok(existsSync(caches[0]), 'the main thread wrote its cache');
    const warm = scan();
    assert.equal(warm.status, 0, warm.stderr);
    assert.equal(warm.stderr, '');
    assert.equal(warm.stdout, cold.stdout);
  });

  it('a threaded scan keeps the young generation small, collects the models before its output (but for JSON, whose fixes read them), and its caches stay valid under those flags', function () {
    this.timeout(120_000);
    const dist = join(__dirname, '..', '..', 'dist');
    const caches = ['scan.js.cache', 'scanWorkerMain.js.cache'].map((f) => join(dist, f));
    // Enough text for a worker thread (parallel.ts: 32 files, 1 MB): async handlers that keep their models busy
    // (each returns a call, which its model keeps; a dict literal is not kept: builder.ts resolvable).
    const app = join(dir, 'app');
    mkdirSync(app);
    for (let i = 0; i < 40; i++) {
      const body = Array.from({ length: 260 }, (_, j) => `async def handler_${j}(x: int) -> dict:\n    items = [str(v) for v in range(x)]\n    return dict(n=len(items), k=${i * 1000 + j})\n`).join('\n');
      writeFileSync(join(app, `m${i}.py`), `import asyncio\n\n${body}`);
    }
    const scan = (env: Record<string, string> = {}, format = 'json') => spawnSync(process.execPath, [join(dist, 'cli.js'), 'scan', app, '--format', format, '--exit-zero', '--no-config', '--jobs', '2'],
      { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOOPWISE_TIMELINE: '1', ...env } });
    /** The young generation's size (MB) at each timeline mark, by thread. */
    const young = (stderr: string) => {
      const out: Record<string, number[]> = {};
      for (const m of stderr.matchAll(/\[timeline\]\s+\d+ ms (\w+) .* young (\d+) MB\)$/gm)) (out[m[1]] ??= []).push(Number(m[2]));
      return out;
    };
    for (const c of caches) rmSync(c, { force: true });
    const cold = scan();
    assert.equal(cold.status, 0, cold.stderr);
    const warm = scan();
    assert.equal(warm.status, 0, warm.stderr);
    const written = caches.map((c) => readFileSync(c));
    const third = scan();
    assert.equal(third.status, 0, third.stderr);
    assert.deepEqual(caches.map((c) => readFileSync(c)), written, 'both caches were accepted: none was written again');
    assert.equal(third.stdout, cold.stdout);
    const sizes = young(third.stderr);
    assert.ok(sizes.main?.length && Object.keys(sizes).some((t) => t.startsWith('worker')), third.stderr);
    // The main thread may grow once or twice while the worker starts (its isolate lets it grow until its first line runs).
    for (const [thread, list] of Object.entries(sizes)) assert.ok(Math.max(...list) <= (thread === 'main' ? 16 : 4), `${thread}: ${list.join(' ')}`);
    // Text output: the models were collected before the output was made (collectBeforeOutput). JSON output
    // makes each file's fixes from its model just before writing its findings (deferred fixes): no collection,
    // and the models live through the output. (Not "heap at output written >= analysed": that held while the
    // JSON writer's garbage outlived scavenges; with the byte writer the phase allocates less than the young
    // generation holds, and one scavenge in it (no full GC) took the heap from 37.0 to 35.9 MB: 36 < 37.)
    const heapAt = (stderr: string, what: string) => Number(new RegExp(`ms main ${what} .* heap (\\d+)/`).exec(stderr)?.[1]);
    const collected = /ms main collected before the output /;
    const text = scan({}, 'text');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stderr, collected);
    assert.ok(heapAt(text.stderr, 'output written') * 2 < heapAt(text.stderr, 'analysed'), text.stderr);
    assert.doesNotMatch(third.stderr, collected);
    assert.ok(heapAt(third.stderr, 'output written') * 2 >= heapAt(third.stderr, 'analysed'), third.stderr);
    // Without the flag the same scan's main thread grows its young generation (so the check above can fail).
    const growing = scan({ LOOPWISE_BATCH_HEAP: '0' });
    assert.equal(growing.stdout, cold.stdout);
    assert.ok(Math.max(...young(growing.stderr).main) > 16, growing.stderr);
  });

  it('with the default job count, a scan of less than 4 MiB of source starts no worker (bytes while walking, characters once read); --jobs 2 still starts one; same output', function () {
    this.timeout(120_000);
    if (availableParallelism() < 2) this.skip(); // one core: no worker by default at any size
    const dist = join(__dirname, '..', '..', 'dist');
    // 40 files, ~1.3 MB: enough for a worker (32 files, 1 MB) when asked for, too little to gain from one by default.
    const app = join(dir, 'small-app');
    mkdirSync(app);
    for (let i = 0; i < 40; i++) {
      const body = Array.from({ length: 260 }, (_, j) => `async def handler_${j}(x: int) -> dict:\n    items = [str(v) for v in range(x)]\n    return {"n": len(items), "k": ${i * 1000 + j}}\n`).join('\n');
      writeFileSync(join(app, `m${i}.py`), `import asyncio\n\n${body}`);
    }
    const scan = (root: string, ...extra: string[]) => spawnSync(process.execPath, [join(dist, 'cli.js'), 'scan', root, '--format', 'json', '--exit-zero', '--no-config', ...extra],
      { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOOPWISE_TIMELINE: '1' } });
    const workerLines = (stderr: string) => [...stderr.matchAll(/\[timeline\]\s+\d+ ms worker\d+ /g)].length;
    const workWorkerLines = (stderr: string) => [...stderr.matchAll(/\[timeline\]\s+\d+ ms worker\d+ (?!worker (?:start|ready) )/g)].length;
    const byDefault = scan(app);
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.doesNotMatch(byDefault.stderr, /started \d+ workers/);
    assert.equal(workerLines(byDefault.stderr), 0, byDefault.stderr);
    const two = scan(app, '--jobs', '2');
    assert.equal(two.status, 0, two.stderr);
    assert.match(two.stderr, /(started|adopted) 1 workers/);
    assert.ok(workerLines(two.stderr) > 0, two.stderr);
    assert.equal(two.stdout, byDefault.stdout);
    // 4.4 MB on disk but 1.9 M characters (3-byte characters in comments): the walk's byte count starts
    // the worker, the character count once the files are read stops it before anything is shared.
    const wide = join(dir, 'wide-app');
    mkdirSync(wide);
    for (let i = 0; i < 40; i++) writeFileSync(join(wide, `w${i}.py`), `${'# 事件循环阻塞\n'.repeat(5200)}async def h_${i}():\n    return ${i}\n`);
    const multi = scan(wide);
    assert.equal(multi.status, 0, multi.stderr);
    assert.match(multi.stderr, /(started|adopted) 1 workers[\s\S]*too little source for workers: one thread/);
    // Stopped before any file was shared, the worker built nothing: on a loaded machine it may have
    // come far enough to mark its own start, never further.
    assert.doesNotMatch(multi.stderr, /shared \d+ files early|sharing \d+ more files/, multi.stderr);
    assert.equal(workWorkerLines(multi.stderr), 0, multi.stderr);
    assert.equal(scan(wide, '--jobs', '1').stdout, multi.stdout);
  });
});
