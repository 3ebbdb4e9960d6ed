// The 10k-line edit of `npm run bench` (a character typed into a string mid-file, then removed) in a loop,
// with CPU time per keystroke (process.cpuUsage, user +
// system, all threads) beside wall time: on a loaded machine CPU time is the steadier figure.
// `--check`: every 50th keystroke, compares the findings and handlers with a fresh Analyzer's.
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
  const check = process.argv.includes('--check');
  const N = Number(process.argv.find((x) => /^\d+$/.test(x)) ?? 300);
  const wall: number[] = []; const cpu: number[] = []; const cpuUpdate: number[] = [];
  let k = 0;
  for (let r = 0; r < N; r++) {
    const i = k++ % 2; const doc = { ...big, text: variants[i] };
    const c0 = process.cpuUsage(); const s = performance.now();
    a.updateDocument(doc, [edits[i]]);
    const c1 = process.cpuUsage();
    const res = a.analyze([doc], { fixes: false });
    const e = performance.now(); const c2 = process.cpuUsage();
    if (r >= 40) {
      wall.push(e - s);
      cpu.push((c2.user - c0.user + c2.system - c0.system) / 1000);
      cpuUpdate.push((c1.user - c0.user + c1.system - c0.system) / 1000);
    }
    if (check && r % 50 === 49) {
      const f = await Analyzer.create();
      const fresh = f.analyze([doc], { fixes: false });
      const same = JSON.stringify([res.findings, res.handlers]) === JSON.stringify([fresh.findings, fresh.handlers]);
      if (!same) { console.error(`differs at keystroke ${r}`); process.exitCode = 1; }
    }
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
  const q = (x: number[], f: number) => [...x].sort((p, q) => p - q)[Math.floor(x.length * f)];
  console.log(JSON.stringify({ wallMedianMs: +med(wall).toFixed(2), cpuMedianMs: +med(cpu).toFixed(2), cpuP25: +q(cpu, 0.25).toFixed(2), cpuP75: +q(cpu, 0.75).toFixed(2), cpuUpdateMs: +med(cpuUpdate).toFixed(2), findings: a.analyze([{ ...big, text: variants[k % 2] }], { fixes: false }).findings.length }));
}
void main();
