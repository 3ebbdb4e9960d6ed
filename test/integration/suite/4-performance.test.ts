// A 10k-line file: time from open to diagnostics, re-analysis per edit, and how long the extension
// host's event loop is held meanwhile. Figures go to the log and to LOOPWISE_TIMINGS when set.
import * as assert from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, loopwiseDiagnostics, waitFor } from '../helpers';

function bigModule(lines: number): string {
  const out = ['import time', 'import requests', 'from fastapi import FastAPI', '', 'app = FastAPI()', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`def helper_${i}(x):`, `    y = x + ${i}`, '    return y * 2', '');
    out.push(`@app.get("/r${i}")`, `async def route_${i}(q: int):`, `    z = helper_${i}(q)`, i % 10 === 0 ? '    time.sleep(0.1)' : '    w = z + 1', '    return {"z": z}', '');
  }
  return out.join('\n') + '\n';
}

/** Longest gap between 5 ms timer ticks while `fn` runs: how long the extension host was unresponsive. */
async function maxLag<T>(fn: () => Promise<T>): Promise<{ value: T; lagMs: number }> {
  let last = performance.now();
  let lagMs = 0;
  const timer = setInterval(() => { const now = performance.now(); lagMs = Math.max(lagMs, now - last - 5); last = now; }, 5);
  try {
    const value = await fn();
    return { value, lagMs };
  } finally {
    clearInterval(timer);
  }
}

describe('a 10k-line file', function () {
  this.timeout(120_000);

  it('gets diagnostics quickly and re-analyses each edit incrementally without freezing the host', async () => {
    const a = await api();
    await a.workspace.scanning;
    const text = bigModule(10_000);
    const t0 = performance.now();
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: text });
    const editor = await vscode.window.showTextDocument(doc);
    const first = await maxLag(() => waitFor('diagnostics on the big file', () => loopwiseDiagnostics(doc.uri).length === 100, 60_000));
    const openMs = performance.now() - t0;
    const edits: { ms: number; parseMs: number; incremental: boolean; toDiagnosticsMs: number; lagMs: number }[] = [];
    for (let k = 0; k < 6; k++) {
      const at = doc.getText().indexOf('    w = z + 1', 40_000 + k * 20_000);
      const before = a.workspace.timings.edits.length;
      const t1 = performance.now();
      const r = await maxLag(async () => {
        // A new blocking call: the diagnostics count tells when the re-analysis is published.
        await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 13)), '    time.sleep(1)'));
        await waitFor('edit re-analysed', () => loopwiseDiagnostics(doc.uri).length === 101 + k);
      });
      const t = a.workspace.timings.edits.slice(before).pop()!;
      edits.push({ ms: t.ms, parseMs: t.parseMs, incremental: t.incremental, toDiagnosticsMs: performance.now() - t1, lagMs: r.lagMs });
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const report = {
      activateMs: a.activateMs,
      workspaceScan: a.workspace.timings.scans,
      firstDiagnosticsMs: a.workspace.timings.firstDiagnosticsMs,
      bigFile: { lines: text.split('\n').length - 1, openToDiagnosticsMs: openMs, lagDuringOpenMs: first.lagMs },
      edits,
      editMedianMs: median(edits.map((e) => e.ms)),
      editParseMedianMs: median(edits.map((e) => e.parseMs)),
      editToDiagnosticsMedianMs: median(edits.map((e) => e.toDiagnosticsMs)),
    };
    console.log(`    timings: ${JSON.stringify(report, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);
    if (process.env.LOOPWISE_TIMINGS) writeFileSync(process.env.LOOPWISE_TIMINGS, JSON.stringify(report, null, 2));
    assert.ok(edits.every((e) => e.incremental), 'every edit reparsed incrementally');
    assert.ok(report.editMedianMs < 1000, `re-analysis per edit ${report.editMedianMs.toFixed(0)} ms`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
