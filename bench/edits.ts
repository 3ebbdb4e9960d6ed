// Child process of bench/run.ts: N edit/analyse cycles on an open document (a ~250-line router of the
// generated project), reporting RSS and the wasm heap after warm-up and at the end. It runs under the
// language server's V8 flags (the editor's analysis runs there), or LW_BENCH_V8_FLAGS (bench/measure.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../src/core/analyzer';
import { wasmMemoryBytes } from '../src/core/parser';
import { rerunAsServer, serverV8Flags } from './measure';

async function main(): Promise<void> {
  if (rerunAsServer()) return;
  serverV8Flags();
  const cycles = Number(process.argv[2] ?? 10_000);
  const rel = 'project/app/routers/r_010.py';
  const text = readFileSync(join(__dirname, '..', '.bench', rel), 'utf8');
  const a = await Analyzer.create();
  const at = text.indexOf('log.info("') + 10;
  const variants = [text.slice(0, at) + 'x' + text.slice(at), text];
  const edits = [{ start: at, end: at, text: 'x' }, { start: at, end: at + 1, text: '' }];
  const file = { path: rel, text, module: 'app.routers.r_010', isPackage: false };
  a.updateDocument(file, []);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const mem = () => { gc(); const m = process.memoryUsage(); return { rss: m.rss / 1048576, wasm: wasmMemoryBytes() / 1048576, heap: m.heapUsed / 1048576 }; };
  const warmN = Math.min(500, cycles / 10);
  let warm = mem();
  const start = performance.now();
  for (let i = 0; i < cycles; i++) {
    if (i === warmN) warm = mem();
    const doc = { ...file, text: variants[i % 2] };
    a.updateDocument(doc, [edits[i % 2]]);
    a.analyze([doc]);
  }
  const msPerCycle = (performance.now() - start) / cycles;
  const end = mem();
  a.dispose();
  const r1 = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({ cycles, file: rel, lines: text.split('\n').length, msPerCycle: Math.round(msPerCycle * 100) / 100, rssWarmMb: r1(warm.rss), rssEndMb: r1(end.rss), wasmWarmMb: r1(warm.wasm), wasmEndMb: r1(end.wasm), heapWarmMb: r1(warm.heap), heapEndMb: r1(end.heap) }));
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
