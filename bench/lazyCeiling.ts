// The ceiling of lazy function bodies (issue 13, item 2): how much of a cold scan's CPU goes into
// building the bodies of functions the analysis never reads. Run on a tree (.py files):
//   node --expose-gc --import tsx bench/lazyCeiling.ts /tmp/rr/gradio [rounds]
// 1. Scans the tree on one thread and records every function whose call sites the call graph asks for
//    (CallGraph.callsOf, the walk from coroutines, handlers, dependencies...). Other readers (LW103/LW104
//    read every statement call of every file; the FastAPI model every include_router / add_api_route /
//    decorator call) are not counted, so "read" is a lower bound and the savings below an upper bound.
// 2. Per file, a stub text replaces the body of every outermost function that holds no read function with
//    `...`: A = only in files without an `async` token (the eager test a lazy scan could use), B = in
//    every file. Building a stub's model costs what a surface build would cost if it did not walk bodies
//    at all (a real surface still walks them for returns, yields, `self.x = ...`, nested defs, noqa).
// 3. Builds every file's model, full / A / B, `rounds` times interleaved (median), and the live heap
//    the models hold. Parsing is timed apart (parseMs: the mean over the full rounds) and not counted
//    in the savings: a lazy scan still parses every file for its syntax-error note.
import type { Node } from 'web-tree-sitter';
import { CallGraph } from '../src/core/callgraph';
import { parsePython } from '../src/core/parser';
import { buildModel, type FileModel } from '../src/core/python/model';
import { scanPaths } from '../src/core/scan';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const rounds = Number(process.argv[3] ?? 7);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!dir || !gc) throw new Error('usage: node --expose-gc --import tsx bench/lazyCeiling.ts TREE [rounds]');
  process.chdir(dir);
  const read = new Map<string, Set<number>>();
  const callsOf = CallGraph.prototype.callsOf;
  CallGraph.prototype.callsOf = function (this: CallGraph, ref) {
    let s = read.get(ref.mod.file);
    if (!s) read.set(ref.mod.file, (s = new Set()));
    s.add(ref.fn.start);
    return callsOf.call(this, ref);
  };
  const t0 = process.cpuUsage();
  const out = await scanPaths(['.'], { jobs: 1, noConfig: true, respectGitignore: false });
  const cpu = process.cpuUsage(t0);
  const scanMs = (cpu.user + cpu.system) / 1000;
  CallGraph.prototype.callsOf = callsOf;

  const full: string[] = [], stubA: string[] = [], stubB: string[] = [];
  let bytes = 0, cutA = 0, cutB = 0, asyncFiles = 0, readFiles = 0, fns = 0, fnsRead = 0;
  for (const [rel, f] of out.files) {
    const text = f.decoded.text;
    const offsets = read.get(rel) ?? new Set<number>();
    const hasAsync = /\basync\b/.test(text);
    bytes += text.length;
    if (hasAsync) asyncFiles++;
    if (offsets.size) readFiles++;
    const holdsRead = (n: Node) => { for (const o of offsets) if (o >= n.startIndex && o < n.endIndex) return true; return false; };
    const cuts: [number, number][] = [];
    const tree = parsePython(text);
    const walk = (n: Node) => {
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'function_definition') {
          fns++;
          if (offsets.has(c.startIndex)) fnsRead++;
          if (!holdsRead(c)) { const body = c.childForFieldName('body')!; cuts.push([body.startIndex, body.endIndex]); countFns(body); continue; }
        }
        walk(c);
      }
    };
    const countFns = (n: Node) => { for (const c of n.namedChildren) if (c) { if (c.type === 'function_definition') fns++; countFns(c); } };
    walk(tree.rootNode);
    tree.delete();
    let s = '', at = 0;
    for (const [a, b] of cuts) { s += `${text.slice(at, a)}...`; at = b; }
    s += text.slice(at);
    const cut = cuts.reduce((n, [a, b]) => n + b - a, 0);
    full.push(text);
    stubB.push(s);
    cutB += cut;
    stubA.push(hasAsync ? text : s);
    if (!hasAsync) cutA += cut;
  }

  let parseMs = 0;
  const buildAll = (texts: string[], keep?: FileModel[]) => {
    let ms = 0;
    for (const t of texts) {
      const p = performance.now();
      const tree = parsePython(t);
      if (texts === full && !keep) parseMs += performance.now() - p;
      const c = performance.now();
      const m = buildModel(tree, t, { module: 'm', isPackage: false });
      ms += performance.now() - c;
      tree.delete();
      keep?.push(m);
    }
    return ms;
  };
  const heap = (texts: string[]) => {
    gc(); gc();
    const h0 = process.memoryUsage().heapUsed;
    const keep: FileModel[] = [];
    buildAll(texts, keep);
    gc(); gc();
    const mb = (process.memoryUsage().heapUsed - h0) / 1048576;
    return keep.length ? mb : 0;
  };
  const times: Record<'full' | 'A' | 'B', number[]> = { full: [], A: [], B: [] };
  for (let i = 0; i < rounds; i++) { times.full.push(buildAll(full)); times.A.push(buildAll(stubA)); times.B.push(buildAll(stubB)); }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const [bf, ba, bb] = [med(times.full), med(times.A), med(times.B)];
  parseMs /= rounds;
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(JSON.stringify({
    tree: dir, files: full.length, asyncFiles, filesWithReadFunctions: readFiles, functions: fns, functionsRead: fnsRead,
    scanCpuMs: Math.round(scanMs), parseMs: Math.round(parseMs), buildMs: Math.round(bf),
    A: { cutText: pct(cutA / bytes), buildMs: Math.round(ba), savedMs: Math.round(bf - ba), ofScanCpu: pct((bf - ba) / scanMs) },
    B: { cutText: pct(cutB / bytes), buildMs: Math.round(bb), savedMs: Math.round(bf - bb), ofScanCpu: pct((bf - bb) / scanMs) },
    heapMB: { full: heap(full).toFixed(1), A: heap(stubA).toFixed(1), B: heap(stubB).toFixed(1) },
  }));
}

void main();
