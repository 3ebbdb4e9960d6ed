// `node --expose-gc --import tsx bench/modelHeap.ts [DIR] [local|decode]`: the heap the models of
// every .py file of DIR hold (default .bench/project), in one process: heapUsed after a full GC with
// all models kept, minus before. `local`: built and compacted as the scan's main thread builds them;
// `decode`: as a worker thread ships them (built, encoded in batches of 20 files, decoded). Not a test.
import { join } from 'node:path';
import { Analyzer } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';
import { decode, encode } from '../src/core/modelCodec';

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  const dir = process.argv[2] ?? join(root, '.bench', 'project');
  const mode = process.argv[3] ?? 'local';
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const analyzer = await Analyzer.create(join(root, 'grammars'));
  const { files } = discover([dir]);
  const sources = files.flatMap((f) => {
    const d = readSource(f.abs, f.rel).decoded;
    const m = moduleName(f.abs, f.root);
    return d ? [{ path: f.rel, text: d.text, module: m.module, isPackage: m.isPackage }] : [];
  });
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  if (mode === 'decode') analyzer.compactModels = false;
  const c0 = process.cpuUsage();
  let batch: [string, unknown][] = [];
  for (const s of sources) {
    const model = analyzer.model(s);
    if (mode !== 'decode') { kept.push(model); continue; }
    batch.push([s.path, model]);
    analyzer.forget(s.path);
    if (batch.length >= 20) { kept.push(decode(encode(batch))); batch = []; }
  }
  if (batch.length) kept.push(decode(encode(batch)));
  const cpu = process.cpuUsage(c0);
  gc(); gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1048576;
  process.stdout.write(`${JSON.stringify({ dir, mode, files: sources.length, chars: sources.reduce((n, s) => n + s.text.length, 0), heapMb: Number(heapMb.toFixed(2)), cpuMs: Math.round((cpu.user + cpu.system) / 1000), models: kept.length })}\n`);
}

void main();
