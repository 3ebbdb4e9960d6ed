// `npm run bench:lsp`: the language server as an editor uses it, outside any editor. Spawns
// `node dist/cli.js server --stdio`, opens a 10k-line FastAPI module, then makes edits that each add a
// finding, one at a time at a typing pause, and times edit -> publishDiagnostics (the debounce, the
// incremental reparse, the analysis and the JSON-RPC round trip included). Also reports the server's
// own wall and CPU time per edit (from `loopwise/stats`) and the machine's load, since a shared
// machine stretches wall times. Prints one JSON report. Not a test: nothing here fails when slow.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pct, r1 } from './measure';
import { DEFAULT_DEBOUNCE_MS } from '../src/server/settings';

const EDITS = Number(process.env.EDITS ?? 40);
const DEBOUNCE = Number(process.env.DEBOUNCE ?? DEFAULT_DEBOUNCE_MS);

function bigModule(lines: number): string {
  const out = ['import time', 'import requests', 'from fastapi import FastAPI', '', 'app = FastAPI()', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`def helper_${i}(x):`, `    y = x + ${i}`, '    return y * 2', '');
    out.push(`@app.get("/r${i}")`, `async def route_${i}(q: int):`, `    z = helper_${i}(q)`, i % 10 === 0 ? '    time.sleep(0.1)' : '    w = z + 1', '    return {"z": z}', '');
  }
  return out.join('\n') + '\n';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const proc = spawn(process.execPath, [...(process.env.SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_PROF}`] : []), join(__dirname, '..', 'dist', 'cli.js'), 'server', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  let count = -1;
  let publishedAt = 0;
  c.onNotification('textDocument/publishDiagnostics', (p: { diagnostics: unknown[] }) => { count = p.diagnostics.length; publishedAt = performance.now(); });
  c.onNotification('window/logMessage', () => undefined);
  c.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({ run: { debounceMs: DEBOUNCE } })));
  c.listen();
  const uri = 'untitled:bench-10k.py';
  let doc = TextDocument.create(uri, 'python', 1, bigModule(10_000));
  await c.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  await c.sendNotification('initialized', {});
  const t0 = performance.now();
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: doc.getText() } });
  while (count !== 100) await sleep(2);
  const openMs = publishedAt - t0;
  const toDiagnostics: number[] = [];
  const lines = doc.getText().split('\n');
  const targets = lines.map((l, i) => (l === '    w = z + 1' ? i : -1)).filter((i) => i >= 0);
  for (let k = 0; k < EDITS; k++) {
    const line = targets[Math.floor((k * targets.length) / EDITS)];
    const range = { start: { line, character: 4 }, end: { line, character: 13 } };
    doc = TextDocument.update(doc, [{ range, text: 'time.sleep(1)' }], doc.version + 1);
    const expected = 101 + k;
    const t1 = performance.now();
    await c.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ range, text: 'time.sleep(1)' }] });
    while (count !== expected) await sleep(1);
    toDiagnostics.push(publishedAt - t1);
    await sleep(50);
  }
  const stats = await c.sendRequest<{ edits: { ms: number; cpuMs: number; parseMs: number; incremental: boolean }[] }>('loopwise/stats');
  const e = stats.edits.slice(-EDITS);
  await c.sendRequest('shutdown');
  await c.sendNotification('exit');
  console.log(JSON.stringify({
    node: process.version,
    loadAverage: loadavg().map(r1),
    file: { lines: doc.lineCount, chars: doc.getText().length },
    debounceMs: DEBOUNCE,
    openToDiagnosticsMs: r1(openMs),
    edits: EDITS,
    editToDiagnosticsMs: { median: r1(pct(toDiagnostics, 0.5)), p95: r1(pct(toDiagnostics, 0.95)), max: r1(Math.max(...toDiagnostics)) },
    serverPerEdit: {
      wallMedianMs: r1(pct(e.map((x) => x.ms), 0.5)), wallP95Ms: r1(pct(e.map((x) => x.ms), 0.95)),
      cpuMedianMs: r1(pct(e.map((x) => x.cpuMs), 0.5)), cpuP95Ms: r1(pct(e.map((x) => x.cpuMs), 0.95)),
      parseMedianMs: r1(pct(e.map((x) => x.parseMs), 0.5)), incremental: e.every((x) => x.incremental),
    },
  }, null, 2));
})();
