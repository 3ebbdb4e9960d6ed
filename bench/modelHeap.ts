// `node --expose-gc --import tsx bench/modelHeap.ts [DIR]`: the heap the models of every .py file of
// DIR hold (default .bench/project), in one process: heapUsed after a full GC with all models kept,
// minus before; built and compacted as a scan builds them. `arrayBuffersMb`: what they hold off the
// JS heap (the call sites' numbers, python/modelTypes.ts SiteBlock), which no scavenge copies. Not a test.
import { join } from 'node:path';
import { Analyzer } from '../src/core/analyzer';
import { discover, moduleName, readSource } from '../src/core/files';

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  const dir = process.argv[2] ?? join(root, '.bench', 'project');
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
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const kept: unknown[] = [];
  const c0 = process.cpuUsage();
  for (const s of sources) kept.push(analyzer.model(s));
  const cpu = process.cpuUsage(c0);
  gc(); gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1048576;
  const arrayBuffersMb = (process.memoryUsage().arrayBuffers - buffersBefore) / 1048576;
  process.stdout.write(`${JSON.stringify({ dir, files: sources.length, chars: sources.reduce((n, s) => n + s.text.length, 0), heapMb: Number(heapMb.toFixed(2)), arrayBuffersMb: Number(arrayBuffersMb.toFixed(2)), cpuMs: Math.round((cpu.user + cpu.system) / 1000), models: kept.length })}\n`);
}

void main();
