import { join } from 'node:path';
import { Analyzer, type SourceFile } from '../src/core/analyzer';
import { generate } from './generate';
async function main() {
  const g = generate(join(__dirname, '..', '.bench'));
  const big: SourceFile = { path: 'big.py', text: g.bigText, module: 'big', isPackage: false };
  const lines = g.bigText.split('\n');
  const midLine = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('log.info("'));
  const at = lines.slice(0, midLine).join('\n').length + 1 + lines[midLine].indexOf('log.info("') + 10;
  const variants = [g.bigText.slice(0, at) + 'x' + g.bigText.slice(at), g.bigText];
  const edits = [{ start: at, end: at, text: 'x' }, { start: at, end: at + 1, text: '' }];
  const a = await Analyzer.create();
  a.updateDocument(big, []); a.analyze([big]);
  let k = 0; const t: number[] = []; const tu: number[] = [];
  const N = Number(process.argv[2] ?? 300);
  for (let r = 0; r < N; r++) {
    const i = k++ % 2; const doc = { ...big, text: variants[i] };
    const s = performance.now(); a.updateDocument(doc, [edits[i]]); const m = performance.now();
    a.analyze([doc], { fixes: false }); const e = performance.now();
    if (r >= 40) { t.push(e - s); tu.push(m - s); }
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
  console.log(JSON.stringify({ medianMs: med(t), updateMs: med(tu) }));
}
void main();
