// The pieces of the fix engine on small inputs: edit merging, import placement, argument handling,
// which fix is preferred, and the notes that explain a choice.
import assert from 'node:assert/strict';
import { applyEdits, applyFixes } from '../../src/core/fixes';
import { unifiedDiff } from '../../src/cli/diff';
import type { Finding, Fix } from '../../src/core/types';
import { analyzeText, analyzer } from './fixHelpers';

async function findings(text: string): Promise<Finding[]> {
  return analyzeText(await analyzer(), 'app.py', text).findings;
}

const HEAD = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n';

describe('fix engine', () => {
  it('merges identical edits and refuses overlapping ones', () => {
    assert.equal(applyEdits('abc', [{ start: 0, end: 0, newText: 'x' }, { start: 0, end: 0, newText: 'x' }]), 'xabc');
    assert.equal(applyEdits('abcdef', [{ start: 1, end: 4, newText: '' }, { start: 2, end: 5, newText: 'z' }]), undefined);
    assert.equal(applyEdits('abc', [{ start: 1, end: 1, newText: 'y' }, { start: 0, end: 1, newText: 'X' }]), 'Xybc');
    const a: Fix = { kind: 'thread', title: 'a', isPreferred: true, edits: [{ start: 0, end: 2, newText: 'A' }] };
    const b: Fix = { kind: 'thread', title: 'b', isPreferred: true, edits: [{ start: 1, end: 3, newText: 'B' }] };
    const r = applyFixes('abcd', [a, b]);
    assert.equal(r.text, 'Acd');
    assert.deepEqual(r.skipped, [b]);
  });

  it('reuses `import asyncio as aio` and never adds asyncio twice', async () => {
    const text = `import asyncio as aio\nimport time\n${HEAD}async def a():\n    time.sleep(1)\n    time.sleep(2)\n`;
    const fs = await findings(text);
    assert.equal(fs.length, 2);
    const r = applyFixes(text, fs.map((f) => f.fixes.find((x) => x.isPreferred)!));
    assert.equal((r.text.match(/import asyncio/g) ?? []).length, 1);
    assert.match(r.text, /await aio\.sleep\(1\)\n {4}await aio\.sleep\(2\)/);
  });

  it('adds one import for several fixes needing it, in the standard-library group', async () => {
    const text = `import os\nimport time\n\nimport requests\n${HEAD}async def a():\n    time.sleep(1)\n    os.listdir("/")\n`;
    const fs = await findings(text);
    const r = applyFixes(text, fs.map((f) => f.fixes.find((x) => x.isPreferred)!));
    assert.ok(r.text.startsWith('import asyncio\nimport os\nimport time\n\nimport requests\n'), r.text);
  });

  it('wraps a bare generator argument and parenthesises a call followed by a trailer', async () => {
    const text = `import requests\n${HEAD}@app.get("/")\nasync def a(urls: list[str]):\n    n = requests.post("u", json=list(u for u in urls)).status_code\n    return n\n`;
    const [f] = await findings(text);
    const thread = f.fixes.find((x) => x.title.includes('asyncio.to_thread'))!;
    assert.match(applyEdits(text, thread.edits)!, /n = \(await asyncio\.to_thread\(requests\.post, "u", json=list\(u for u in urls\)\)\)\.status_code/);
  });

  it('parenthesises the await when the trailer is on the next line, and keeps comments among the arguments', async () => {
    const text = `import subprocess\n${HEAD}async def a():\n    code = (subprocess.run(\n        ["ls"],  # list\n    )\n        .returncode)\n    return code\n`;
    const [f] = await findings(text);
    const out = applyEdits(text, f.fixes.find((x) => x.isPreferred)!.edits)!;
    assert.match(out, /code = \(\(await asyncio\.to_thread\(subprocess\.run,\n {8}\["ls"\], {2}# list\n {4}\)\)\n {8}\.returncode\)/);
  });

  it('offers no await-based fix inside a generator expression', async () => {
    const text = `import time\n${HEAD}@app.get("/")\nasync def a(xs: list[int]):\n    return sum(time.sleep(x) or x for x in xs)\n`;
    const [f] = await findings(text);
    assert.deepEqual(f.fixes.filter((x) => x.edits.some((e) => e.newText.includes('await'))), []);
    assert.ok(f.fixes.some((x) => x.title.includes('noqa')));
  });

  it('prefers the thread offload for requests inside a loop (an awaited client call there would be an N+1)', async () => {
    const text = `import requests\n${HEAD}async def a(urls: list[str]):\n    for u in urls:\n        r = requests.get(u)\n`;
    const [f] = await findings(text);
    assert.match(f.fixes.find((x) => x.isPreferred)!.title, /asyncio\.to_thread/);
    assert.ok(f.fixes.some((x) => x.title.includes('httpx.AsyncClient') && !x.isPreferred));
  });

  it('declines the httpx rewrite when requests-only options or response members are used', async () => {
    const text = `import requests\n${HEAD}@app.get("/a")\nasync def a(u: str):\n    r = requests.get(u, stream=True)\n    return r.raw\n\n@app.get("/b")\nasync def b(u: str):\n    r = requests.get(u)\n    return r.ok\n`;
    for (const f of await findings(text)) assert.ok(!f.fixes.some((x) => x.title.includes('httpx')), `line ${f.line}`);
  });

  it('moves verify= to the new client and keeps the no-timeout and redirect defaults of requests', async () => {
    const text = `import requests\n${HEAD}async def a(u: str):\n    r = requests.get(u, verify=False)\n    return r.text\n`;
    const [f] = await findings(text);
    const fix = f.fixes.find((x) => x.isPreferred)!;
    assert.match(applyEdits(text, fix.edits)!, /async with httpx\.AsyncClient\(verify=False\) as client:\n {8}r = await client\.get\(u, follow_redirects=True, timeout=None\)/);
    assert.match(fix.note!, /no timeout unless one was given/);
  });

  it('adds a note about the module-level requests.Session', async () => {
    const text = `import requests\n${HEAD}s = requests.Session()\n\nasync def a(u: str):\n    return s.get(u).json()\n`;
    const [f] = await findings(text);
    const fix = f.fixes.find((x) => x.isPreferred)!;
    assert.match(fix.title, /asyncio\.to_thread/);
    assert.match(fix.note!, /requests\.Session.*httpx\.AsyncClient.*lifespan/);
  });

  it('gives a non-picklable model method the thread variant with a GIL note, and a module function the process pool the file has', async () => {
    const text = `import joblib\nimport hashlib\nfrom concurrent.futures import ProcessPoolExecutor\n${HEAD}model = joblib.load("m")\nprocess_pool = ProcessPoolExecutor()\n\nasync def a(x: list[float]):\n    y = model.predict([x])\n    h = hashlib.scrypt(b"p", salt=b"s", n=2, r=8, p=1)\n    return y, h\n`;
    const [m, h] = await findings(text);
    assert.equal(m.code, 'LW201');
    assert.ok(!m.fixes.some((x) => x.title.includes('process pool')));
    assert.match(m.fixes.find((x) => x.isPreferred)!.note!, /GIL/);
    assert.match(h.fixes.find((x) => x.isPreferred)!.title, /process pool/);
    assert.match(applyEdits(text, h.fixes.find((x) => x.isPreferred)!.edits)!, /run_in_executor\(process_pool, functools\.partial\(hashlib\.scrypt, b"p", salt=b"s", n=2, r=8, p=1\)\)/);
  });

  it('never prefers a new process pool: the thread is preferred and the pool says what to check', async () => {
    const text = `import hashlib\n${HEAD}async def a(p: bytes):\n    return hashlib.scrypt(p, salt=b"s", n=2, r=8, p=1)\n`;
    const [h] = await findings(text);
    assert.equal(h.fixes.find((x) => x.isPreferred)!.kind, 'thread');
    assert.match(h.fixes.find((x) => x.kind === 'process-pool')!.title, /check: one pool per application/);
  });

  it('prefers plain def for a route or dependency that awaits nothing, for I/O and CPU work alike', async () => {
    const io = `import requests\n${HEAD}@app.get("/")\nasync def a(u: str):\n    return requests.get(u).text\n`;
    assert.equal((await findings(io))[0].fixes.find((x) => x.isPreferred)?.kind, 'plain-def');
    const awaiting = `import asyncio\nimport requests\n${HEAD}@app.get("/")\nasync def a(u: str):\n    await asyncio.sleep(0)\n    return requests.get(u).text\n`;
    assert.ok(!(await findings(awaiting))[0].fixes.some((x) => x.title.includes('plain def')));
    const cpu = `import hashlib\n${HEAD}@app.get("/")\nasync def a():\n    return hashlib.pbkdf2_hmac("sha256", b"p", b"s", 10)\n`;
    assert.equal((await findings(cpu))[0].fixes.find((x) => x.isPreferred)?.kind, 'plain-def');
    const helper = `import requests\n${HEAD}async def a(u: str):\n    return requests.get(u).text\n`;
    assert.ok(!(await findings(helper))[0].fixes.some((x) => x.kind === 'plain-def'), 'not a route or dependency');
  });

  it('puts noqa on a line whose end is code, not inside a multi-line string', async () => {
    const text = `import requests\n${HEAD}@app.get("/")\nasync def a():\n    return requests.post("u", data="""x\ny""", timeout=1)\n`;
    const [f] = await findings(text);
    const out = applyEdits(text, f.fixes.find((x) => x.title.includes('noqa'))!.edits)!;
    assert.match(out, /y""", timeout=1\)  # noqa: LW101\n/);
    assert.equal((await findings(out)).length, 0);
  });

  it('prints a unified diff with hunk headers and the missing-newline marker', () => {
    const d = unifiedDiff('f.py', 'a\nb\nc', 'a\nB\nc');
    assert.equal(d, '--- a/f.py\n+++ b/f.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n');
    assert.equal(unifiedDiff('f.py', 'x\n', 'x\n'), '');
  });
});
