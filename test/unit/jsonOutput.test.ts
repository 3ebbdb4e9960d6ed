// `scan --format json` writes its report in pieces (writeJson): the pieces must join to exactly the
// text JSON.stringify gives for the whole report, on real scans with findings, fixes and notes.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonChunks, jsonPieces, toJson } from '../../src/cli/format';
import { jsonReport, writeJsonReport } from '../../src/cli/scan';
import { lineStarts } from '../../src/core/python/model';
import { scanPaths } from '../../src/core/scan';
import { fixesFiller, modelLineStarts } from '../../src/core/fixes';
import type { Finding, ScanResult } from '../../src/core/types';

const RULES = join(__dirname, '..', 'fixtures', 'rules');
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

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

  it('with deferred fixes (the CLI\'s JSON), fills each file\'s fixes as its findings are written: the same bytes as fixes made up front', async () => {
    const eager = await scanPaths([RULES], { noConfig: true, jobs: 1 });
    assert.equal(fixesFiller(eager.result), undefined, 'a result analysed with fixes carries them: no filler');
    const deferred = await scanPaths([RULES], { noConfig: true, jobs: 1, fixes: 'deferred' });
    const fill = fixesFiller(deferred.result);
    assert.ok(fill, 'a deferred result has a filler');
    assert.ok(deferred.result.findings.length > 100 && deferred.result.findings.every((f) => f.fixes.length === 0), 'no fixes before they are asked for');
    // Made file by file while the pieces are made (each file's findings asked once, together), and not kept on the findings.
    const asked: string[][] = [];
    const it = jsonPieces(deferred.result, (file) => { const f = deferred.files.get(file); return f ? lineStarts(f.decoded.text) : undefined; }, (list) => { asked.push([...new Set(list.map((f) => f.file))]); return fill(list); });
    const first = it.next().value as string;
    const files = [...new Set(deferred.result.findings.map((f) => f.file))];
    assert.ok(files.length > 2 && asked.length > 0 && asked.length < files.length, `after the first piece ${asked.length} of ${files.length} files' fixes made`);
    const rest = [...it];
    assert.deepEqual(asked, files.map((f) => [f]));
    assert.equal([first, ...rest].join(''), jsonReport(eager.result, eager.files));
    assert.ok(deferred.result.findings.every((f) => f.fixes.length === 0), 'the fixes written are not kept on the findings');
    // writeJsonReport and jsonReport fill them too.
    const again = await scanPaths([RULES], { noConfig: true, jobs: 1, fixes: 'deferred' });
    assert.equal(pieces(again.result, again.files).join(''), jsonReport(eager.result, eager.files));
    const whole = await scanPaths([RULES], { noConfig: true, jobs: 1, fixes: 'deferred' });
    assert.equal(jsonReport(whole.result, whole.files), jsonReport(eager.result, eager.files));
  });

  it('is the same for a scan with no findings, and one with only notes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-json-'));
    try {
      writeFileSync(join(dir, 'ok.py'), 'import httpx\n\nasync def f():\n    async with httpx.AsyncClient() as c:\n        return await c.get("u\\n\\u2028")\n');
      const clean = await scanPaths([dir], { noConfig: true, jobs: 1 });
      assert.equal(clean.result.findings.length, 0);
      assert.equal(pieces(clean.result, clean.files).join(''), jsonReport(clean.result, clean.files));
      writeFileSync(join(dir, 'bad.py'), 'async def f(:\n    pass\n');
      const noted = await scanPaths([dir], { noConfig: true, jobs: 1 });
      assert.ok(noted.result.notes.length > 0);
      assert.equal(pieces(noted.result, noted.files).join(''), jsonReport(noted.result, noted.files));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same report as UTF-8 chunks (the CLI\'s standard output), non-ASCII text and deferred fixes included; no chunk changes once handed out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwise-json-'));
    try {
      // Non-ASCII in names, strings, comments and the fixes' new text (one-byte, two-byte and astral characters).
      writeFileSync(join(dir, 'app.py'), 'import time\nimport requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n# café ☕\n@app.get("/ünï")\nasync def grüße():\n    time.sleep(1)  # naïve 😀\n    requests.get("https://ex.com/ü?q=😀")\n    return {"msg": "héllo ☃ 😀"}\n');
      // Line ends of every kind: `\r\n`, and a lone `\r` (a line end for positions, not for tree-sitter's rows).
      writeFileSync(join(dir, 'crlf.py'), 'import time\r\nfrom fastapi import FastAPI\r\napp = FastAPI()\r\n\r\n@app.get("/")\r\nasync def f():\r\n    x = 1\r    time.sleep(1)\r\n    return x\r\n');
      for (const root of [RULES, dir]) {
        const eager = await scanPaths([root], { noConfig: true, jobs: 1 });
        const deferred = await scanPaths([root], { noConfig: true, jobs: 1, fixes: 'deferred' });
        const starts = (file: string) => { const f = deferred.files.get(file); return f ? lineStarts(f.decoded.text) : undefined; };
        const chunks = [...jsonChunks(deferred.result, starts, fixesFiller(deferred.result))];
        const want = jsonReport(eager.result, eager.files);
        // The models' line starts (what the CLI writes positions with) are those of the texts.
        const modelStarts = modelLineStarts(deferred.result);
        assert.ok(modelStarts && modelLineStarts(eager.result) === undefined);
        for (const [file, f] of deferred.files) assert.deepEqual(Array.from(modelStarts(file) ?? []), lineStarts(f.decoded.text), file);
        assert.equal(Buffer.concat([...jsonChunks(deferred.result, modelStarts, fixesFiller(deferred.result))]).toString('utf8'), want);
        assert.ok(eager.result.findings.some((f) => f.fixes.length > 0));
        assert.equal(Buffer.concat(chunks).toString('utf8'), want);
        assert.equal(Buffer.concat(chunks).length, Buffer.byteLength(want));
        if (root === RULES) assert.ok(chunks.length > 1 && chunks.every((c) => c.length <= 3 * 65536), `${chunks.length} chunks`);
        else assert.ok(/😀/.test(want) && /grüße/.test(want) && /ü\?q=/.test(want) && /crlf\.py/.test(want), 'the report holds the non-ASCII text and the CRLF file');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the chunks as JSON.stringify writes the report: escapes, non-ASCII, numbers, left-out members, empty and odd values', () => {
    // Every character a string can hold that JSON.stringify escapes or keeps: quotes, backslashes, each
    // control character, DEL, non-ASCII, an astral pair and lone surrogates.
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    // ASCII only (escaped byte by byte), and with non-ASCII text (as JSON.stringify quotes it).
    const ascii = `say "hi" \\ ${controls}\x7f end`;
    const odd = `${ascii} café ☃ 😀 \ud800 x \udfff end`;
    const text = 'line one\nline two\r\nthird\n';
    const starts = [0, 9, 19, 25];
    const finding = (extra: Partial<Finding>): Finding => ({
      file: 'a.py', line: 2, column: 1, endLine: 2, endColumn: 5, code: 'LW101', severity: 'warning', message: ascii,
      function: 'f', route: null, chain: [], fixes: [], call: 'requests.get', startOffset: 9, endOffset: 12, ...extra,
    });
    const result = {
      version: 1,
      findings: [
        finding({ chain: [{ file: 'a.py', line: 1, name: 'g' }, { file: 'b.py', line: 3, name: 'h "q"', event: 'after_insert', property: true }] }),
        finding({
          file: 'b.py', route: 'GET /ü', testCode: true, also: [{ code: 'LW102', call: 'time.sleep', chain: [] }],
          fixes: [
            { kind: 'thread', title: 'Run "x" in a thread', isPreferred: true, edits: [{ start: 0, end: 9, newText: ascii }, { start: 24, end: 25, newText: '' }], note: odd },
            { kind: 'noqa', title: 'noqa', isPreferred: false, edits: [], note: undefined },
          ],
        }),
        // A file without line starts: positions are offsets + 1.
        finding({ file: 'nowhere.py', fixes: [{ kind: 'noqa', title: 't', isPreferred: false, edits: [{ start: 3, end: 7, newText: 'x'.repeat(70000) }] }] }),
      ],
      handlers: [
        { file: 'a.py', line: 1, name: 'f', kind: 'route', route: null, async: true, cpuMs: 0.1 + 0.2, ioMs: -0, blockingMs: 1e21, cpuRatio: NaN, workload: 'mixed', findings: 2 ** 31 },
        { file: 'a.py', line: -3, name: 'g', kind: 'route', route: 'GET /', async: false, cpuMs: -12, ioMs: Infinity, blockingMs: 1e-7, cpuRatio: 123456789, workload: 'io-bound', findings: 0, testCode: true, costs: [] },
      ],
      notes: [{ file: 'c.py', message: odd, kind: 'error', failed: true }],
      summary: { files: 3, skipped: 0, findings: 3, byCode: {}, handlers: 2, asyncHandlers: 1, blockedHandlers: 1, extra: [[], {}, [undefined, null, () => 1], { u: undefined, d: new Date(0), n: Object.create(null) }] },
    } as unknown as ScanResult;
    const startsOf = (file: string) => (file === 'nowhere.py' ? undefined : starts);
    const want = JSON.stringify(toJson(result, startsOf), null, 2) + '\n';
    assert.ok(want.includes(JSON.stringify(ascii)) && want.includes('\\u001f') && want.includes('\\ud800') && want.includes('😀') && want.includes('"testCode": true') && !want.includes('"note": null'));
    const chunks = [...jsonChunks(result, startsOf)];
    assert.ok(chunks.length > 1, 'a string longer than a chunk gets a chunk of its own');
    assert.equal(Buffer.concat(chunks).toString('utf8'), want);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(want, 'utf8'));
    // No findings, no handlers.
    const empty = { ...result, findings: [], handlers: [], notes: [] } as ScanResult;
    assert.equal(Buffer.concat([...jsonChunks(empty, startsOf)]).toString('utf8'), JSON.stringify(toJson(empty, startsOf), null, 2) + '\n');
  });

  it('writes the same bytes as JSON.stringify on 200 seeded random reports (surrogates, U+2028, control characters, odd numbers, strings across chunk ends, deferred fixes)', () => {
    // mulberry32: the same reports on every run (a failure names its seed).
    let seed = 0x5eed17;
    const rand = () => { seed = (seed + 0x6d2b79f5) | 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    // Characters JSON.stringify escapes, keeps as they are, or escapes only when alone (lone surrogates).
    const units = ['a', 'Z', '0', ' ', '"', '\\', '/', '\x7f', '\u0080', '\u00e9', '\u2028', '\u2029', '\u20ac', '\ufeff', '\uffff', '\ud83d\ude00', '\ud800', '\udfff', '\udbff\udfff'];
    const str = (max = 12): string => {
      let out = '';
      const n = rand() < 0.03 ? 10000 + Math.floor(rand() * 30000) : Math.floor(rand() * max);
      const plain = rand() < 0.5; // printable ASCII only: the byte-by-byte path
      for (let i = 0; i < n; i++) {
        const r = rand();
        if (plain) out += String.fromCharCode(32 + Math.floor(r * 95));
        else if (r < 0.15) out += String.fromCharCode(Math.floor(rand() * 32));
        else if (r < 0.5) out += pick(units);
        else out += String.fromCharCode(32 + Math.floor(rand() * 95));
      }
      return out;
    };
    const num = (): number => pick([0, -0, 1, -1, 7, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) + 1, -(2 ** 31), 2 ** 53, 1e21, 1e-7, 5e-324, 0.1 + 0.2, -12.5, NaN, Infinity, -Infinity, Math.floor(rand() * 1e6), rand() * 1000 - 500]);
    const maybe = <T>(v: () => T): T | undefined => (rand() < 0.5 ? v() : undefined);
    const hop = () => ({ file: str(), line: num(), name: str(), ...(rand() < 0.2 ? { event: str(), property: rand() < 0.5 } : {}) });
    const edit = (len: number) => ({ start: Math.floor(rand() * (len + 20)), end: Math.floor(rand() * (len + 20)), newText: str(40) });
    const fix = (len: number) => ({ kind: str(6), title: str(), isPreferred: rand() < 0.5, edits: Array.from({ length: Math.floor(rand() * 3) }, () => edit(len)), note: maybe(() => str()) });
    for (let round = 0; round < 200; round++) {
      const at = seed;
      const texts = new Map<string, number[]>();
      const files = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) => `f${i}${str(3)}.py`);
      for (const f of files) { const starts = [0]; for (let l = 1, n = Math.floor(rand() * 6); l < n; l++) starts.push(starts[l - 1] + 1 + Math.floor(rand() * 30)); if (rand() < 0.8) texts.set(f, starts); }
      const findings = Array.from({ length: Math.floor(rand() * 8) }, () => ({
        file: pick(files), line: num(), column: num(), endLine: num(), endColumn: num(), code: str(5), severity: pick(['info', 'warning', 'error']), message: str(30),
        function: str(), route: rand() < 0.5 ? null : str(), chain: Array.from({ length: Math.floor(rand() * 3) }, hop), call: str(), startOffset: 0, endOffset: 0,
        fixes: Array.from({ length: Math.floor(rand() * 3) }, () => fix(200)),
        ...(rand() < 0.2 ? { testCode: true } : {}), ...(rand() < 0.2 ? { also: [{ code: str(5), call: str(), chain: [hop()] }] } : {}),
      })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) as Finding[];
      const result = {
        version: 1, findings,
        handlers: Array.from({ length: Math.floor(rand() * 3) }, () => ({ file: pick(files), line: num(), name: str(), kind: 'route', route: maybe(() => str()) ?? null, async: rand() < 0.5, cpuMs: num(), ioMs: num(), blockingMs: num(), cpuRatio: num(), workload: 'mixed', findings: num() })),
        notes: Array.from({ length: Math.floor(rand() * 3) }, () => ({ file: str(), message: str(20), kind: 'error', failed: maybe(() => rand() < 0.5) })),
        summary: { files: num(), skipped: num(), findings: findings.length, byCode: Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [str(4), num()])), handlers: num(), asyncHandlers: num(), blockedHandlers: num() },
      } as unknown as ScanResult;
      const startsOf = (file: string) => texts.get(file);
      const want = JSON.stringify(toJson(result, startsOf), null, 2) + '\n';
      // A chunk is never written to once handed out: copies taken as they come equal the chunks at the end.
      const chunks = [...jsonChunks(result, startsOf)];
      const copies: Buffer[] = [];
      for (const c of jsonChunks(result, startsOf)) copies.push(Buffer.from(c));
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(want, 'utf8'), `round ${round} (seed ${at})`);
      assert.deepEqual(Buffer.concat(copies), Buffer.concat(chunks), `round ${round} (seed ${at})`);
      // Deferred fixes (the CLI's JSON): each file's run of findings asks for its fixes just before it is written.
      const kept = findings.map((f) => f.fixes);
      const bare = { ...result, findings: findings.map((f) => ({ ...f, fixes: [] })) } as ScanResult;
      const fill = (list: Finding[]) => list.map((f) => kept[bare.findings.indexOf(f)]);
      assert.deepEqual(Buffer.concat([...jsonChunks(bare, startsOf, fill)]), Buffer.from(want, 'utf8'), `round ${round} (seed ${at}), deferred`);
    }
  });

  it('makes each piece only when it is asked for (the CLI waits for a slow reader between pieces)', async () => {
    const { result, files } = await scanPaths([RULES], { noConfig: true, jobs: 1 });
    let converted = 0;
    const starts = (file: string) => { converted++; const f = files.get(file); return f ? lineStarts(f.decoded.text) : undefined; };
    const it = jsonPieces(result, starts);
    const first = it.next();
    assert.equal(first.done, false);
    // The first piece holds some findings; the rest are not converted until the next piece is asked for.
    assert.ok(converted > 0 && converted < result.findings.length, `${converted} of ${result.findings.length} findings converted`);
    const rest = [...it];
    assert.equal(converted, result.findings.length);
    assert.equal([first.value as string, ...rest].join(''), jsonReport(result, files));
  });

  it('reaches a reader that stops reading for a while complete and unchanged (dist/cli.js, through a pipe)', async () => {
    const { result, files } = await scanPaths([RULES], { noConfig: true, jobs: 1 });
    const child = spawn(process.execPath, [CLI, 'scan', RULES, '--format', 'json', '--no-config', '--exit-zero', '--jobs', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let paused = false;
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      // Stop reading once, so the pipe fills and the CLI has to wait for it to drain.
      if (!paused) { paused = true; child.stdout.pause(); setTimeout(() => child.stdout.resume(), 400); }
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.ok(text.length > 256 * 1024, 'the report is larger than a pipe holds');
    // Paths are relative to the folder the scan ran in: the in-process report was made with the same cwd.
    assert.equal(text, jsonReport(result, files));
  });
});
