// Transitive findings are one per call site and family: the nearest blocking call reached through the
// call is the finding, the other ones on the same path ride along in `also` (message, JSON, SARIF, LSP).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { localizeMessage } from '../../src/core/i18n/diagnostics';
import { toJson, toSarif } from '../../src/cli/format';
import { toDiagnostic } from '../../src/server/convert';
import type { Finding } from '../../src/core/types';
import { sections } from './expectations';
import { recommend } from '../../src/advisor/engine';
import { makeInputs } from '../../src/advisor/inputs';

const APP = `import subprocess
import time

import httpx
from fastapi import FastAPI

app = FastAPI()


def _wait_ready():
    with httpx.Client() as c:
        while c.get("http://127.0.0.1:4200/health").status_code != 200:
            time.sleep(0.1)


def _start():
    subprocess.Popen(["server"])
    _wait_ready()


def get_client():
    _start()
    return object()


@app.get("/flows")
async def flows():
    client = get_client()
    return {"ok": client is not None}
`;

describe('one finding per call site for transitive blocking calls', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  const scan = (opts = {}) => analyzer.analyze([{ path: 'app.py', text: APP, module: 'app', isPackage: false }], opts);

  it('reports the nearest blocking call and lists the others with their own codes and chains', () => {
    const r = scan();
    const blocking = r.findings.filter((f) => /^LW1/.test(f.code));
    assert.equal(blocking.length, 1, blocking.map((f) => f.message).join('\n'));
    const f = blocking[0];
    // Popen is one hop nearer (get_client -> _start) than the health poll (get_client -> _start -> _wait_ready).
    assert.equal(f.code, 'LW103');
    assert.equal(f.line, 28);
    assert.deepEqual(f.chain.map((h) => h.line), [28, 22, 17]);
    assert.deepEqual(f.also?.map((a) => [a.code, a.call, a.chain.map((h) => h.line)]), [
      ['LW101', 'c.get', [28, 22, 18, 12]],
      ['LW102', 'time.sleep', [28, 22, 18, 13]],
    ]);
    assert.match(f.message, /subprocess\.Popen \(via get_client\(\) -> _start\(\)\) blocks the event loop in async handler flows \(GET \/flows\); .*\. The same call also reaches c\.get \(LW101\), time\.sleep \(LW102\)$/);
    assert.match(localizeMessage(f, 'vi'), /Lệnh gọi này cũng dẫn tới c\.get \(LW101\), time\.sleep \(LW102\)$/);
    assert.equal(r.summary.byCode.LW101, undefined);
    assert.equal(r.summary.byCode.LW103, 1);
  });

  it('keeps codes selectable: an ignored code leaves the next one as the finding', () => {
    const r = scan({ rules: { ignore: ['LW103'] } });
    const f = r.findings.filter((x) => /^LW1/.test(x.code));
    assert.deepEqual(f.map((x) => x.code), ['LW101']);
    assert.deepEqual(f[0].also?.map((a) => a.code), ['LW102']);
    const only = scan({ rules: { select: ['LW102'] } }).findings.filter((x) => /^LW1/.test(x.code));
    assert.deepEqual(only.map((x) => [x.code, x.also]), [['LW102', undefined]]);
    assert.ok(!/also reaches/.test(only[0].message));
  });

  it('JSON, SARIF and the language server carry the other chains', () => {
    const r = scan({ fixes: false });
    const f = r.findings.find((x) => x.code === 'LW103') as Finding;
    const json = toJson({ ...r, findings: [f] }, () => undefined) as { findings: { also: unknown }[] };
    assert.deepEqual(json.findings[0].also, f.also);
    const sarif = toSarif({ ...r, findings: [f] }, '0.0.0') as { runs: { results: { relatedLocations: { message: { text: string }; physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    const rel = sarif.runs[0].results[0].relatedLocations.map((x) => `${x.physicalLocation.region.startLine}:${x.message.text}`);
    assert.deepEqual(rel, ['22:_start', '17:subprocess.Popen', '22:_start', '18:_wait_ready', '12:c.get (LW101)', '22:_start', '18:_wait_ready', '13:time.sleep (LW102)']);
    const d = toDiagnostic(f);
    const lines = (d.relatedInformation ?? []).map((x) => `${x.location.range.start.line + 1}:${x.message}`);
    assert.deepEqual(lines.slice(-2), ['12:blocking call c.get (LW101)', '13:blocking call time.sleep (LW102)']);
  });

  it('no rule fixture has two transitive findings of one family on the same call', () => {
    const dir = join(__dirname, '..', 'fixtures', 'rules');
    let transitive = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
      for (const s of sections(readFileSync(join(dir, file), 'utf8'))) {
        const r = analyzer.analyze([{ path: file, text: s.text, module: 'fixture', isPackage: false }], { fixes: false });
        const seen = new Set<string>();
        for (const f of r.findings.filter((x) => x.chain.length && /^LW[12]/.test(x.code))) {
          transitive++;
          const key = `${f.startOffset}:${f.code[2]}`;
          assert.ok(!seen.has(key), `${file} / ${s.title}: two ${f.code[2]}xx findings at line ${f.line}`);
          seen.add(key);
          for (const a of f.also ?? []) assert.equal(a.code[2], f.code[2], 'also holds the same family only');
        }
      }
    }
    assert.ok(transitive > 10, `only ${transitive} transitive findings checked`);
  });

  it('the advice still sees the merged finding as a root cause to fix first, and the fix offers one offload', () => {
    const r = scan();
    const rec = recommend(r, makeInputs());
    assert.equal(rec.fixFirst, true);
    assert.ok(rec.actions.some((a) => /^Fix 1 LW103 blocking subprocess calls \(app\.py: 1\)/.test(a)), rec.actions.join('\n'));
    const f = r.findings.find((x) => x.code === 'LW103')!;
    const threads = f.fixes.filter((x) => x.kind === 'thread');
    assert.equal(threads.length, 1);
    assert.ok(threads[0].edits.some((e) => e.newText === 'await asyncio.to_thread(get_client)'), JSON.stringify(threads[0].edits));
  });
});
