// `node --import tsx bench/heapSnapshots.ts A.heapsnapshot [B.heapsnapshot] [N]` (snapshots from
// `LW_BENCH_SNAP=DIR npm run bench -- --edit-repo PATH`, or any v8.writeHeapSnapshot of one process):
// with A alone, self size per (node type, constructor); with B too, how each changed from A to B, and
// the objects of B that A did not hold (node ids are stable within one process) grouped by who holds
// them: the first retainers up to the third object that A already held (`owner.edge <- ...`). Large
// snapshots need `--max-old-space-size=8000`. Not a test.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[]; edges: number[]; strings: string[];
}

const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Snapshot;
const mb = (x: number) => (x / 1048576).toFixed(2).padStart(8);

class Heap {
  readonly nl: number;
  readonly count: number;
  private readonly f: Record<string, number>;
  constructor(readonly s: Snapshot) {
    const nf = s.snapshot.meta.node_fields;
    this.nl = nf.length;
    this.count = s.nodes.length / this.nl;
    this.f = Object.fromEntries(nf.map((k, i) => [k, i]));
  }
  field(n: number, k: string): number { return this.s.nodes[n * this.nl + this.f[k]]; }
  type(n: number): string { return this.s.snapshot.meta.node_types[0][this.field(n, 'type')]; }
  /** Objects by constructor; strings, numbers and code by kind only. */
  label(n: number): string {
    const t = this.type(n);
    if (t.includes('string') || t === 'number' || t === 'code') return `(${t})`;
    return `${t}:${this.s.strings[this.field(n, 'name')].slice(0, 40)}`;
  }
  bySelf(): Map<string, { count: number; size: number }> {
    const out = new Map<string, { count: number; size: number }>();
    for (let n = 0; n < this.count; n++) {
      const k = this.label(n);
      const e = out.get(k) ?? { count: 0, size: 0 };
      e.count++; e.size += this.field(n, 'self_size');
      out.set(k, e);
    }
    return out;
  }
  ids(): Set<number> {
    const out = new Set<number>();
    for (let n = 0; n < this.count; n++) out.add(this.field(n, 'id'));
    return out;
  }
  /** The first strong retainer of every node and the edge's name. */
  retainers(): { by: Int32Array; edge: string[] } {
    const m = this.s.snapshot.meta;
    const el = m.edge_fields.length;
    const [ti, ni, toi] = ['type', 'name_or_index', 'to_node'].map((k) => m.edge_fields.indexOf(k));
    const by = new Int32Array(this.count).fill(-1);
    const edge: string[] = new Array(this.count);
    let e = 0;
    for (let n = 0; n < this.count; n++) {
      const ec = this.field(n, 'edge_count');
      for (let k = 0; k < ec; k++, e += el) {
        const et = m.edge_types[0][this.s.edges[e + ti]];
        if (et === 'weak' || et === 'shortcut') continue;
        const to = this.s.edges[e + toi] / this.nl;
        if (by[to] === -1 && to !== n) { by[to] = n; edge[to] = et === 'element' || et === 'hidden' ? `[${et}]` : String(this.s.strings[this.s.edges[e + ni]]).slice(0, 30); }
      }
    }
    return { by, edge };
  }
}

function main(): void {
  const [a, b, nArg] = process.argv.slice(2);
  if (!a) throw new Error('usage: heapSnapshots.ts A.heapsnapshot [B.heapsnapshot] [N]');
  const A = new Heap(load(a));
  const sa = A.bySelf();
  const total = (m: Map<string, { size: number }>) => [...m.values()].reduce((s, e) => s + e.size, 0);
  if (!b?.endsWith('.heapsnapshot')) {
    const n = Number(b ?? 40);
    console.log(`self size ${mb(total(sa))} MB; MB, count, node`);
    for (const [k, e] of [...sa].sort((x, y) => y[1].size - x[1].size).slice(0, n)) console.log(mb(e.size), String(e.count).padStart(9), k);
    return;
  }
  const n = Number(nArg ?? 30);
  const old = A.ids();
  const B = new Heap(load(b));
  const sb = B.bySelf();
  console.log(`self size ${mb(total(sa))} -> ${mb(total(sb))} MB; change MB, count, size in B, node`);
  const rows = [...new Set([...sa.keys(), ...sb.keys()])].map((k) => {
    const x = sa.get(k) ?? { count: 0, size: 0 };
    const y = sb.get(k) ?? { count: 0, size: 0 };
    return { k, d: y.size - x.size, c: y.count - x.count, s: y.size };
  });
  for (const r of rows.sort((x, y) => Math.abs(y.d) - Math.abs(x.d)).slice(0, n)) console.log(mb(r.d), String(r.c).padStart(9), mb(r.s), r.k);
  const { by, edge } = B.retainers();
  const groups = new Map<string, { size: number; count: number }>();
  let fresh = 0;
  for (let i = 0; i < B.count; i++) {
    if (old.has(B.field(i, 'id'))) continue;
    const size = B.field(i, 'self_size');
    fresh += size;
    const path: string[] = [];
    let oldHops = 0;
    for (let cur = i, h = 0; h < 8; h++) {
      const r = by[cur];
      if (r < 0) { path.push('(root)'); break; }
      path.push(`${B.label(r)}.${edge[cur]}`);
      cur = r;
      if (old.has(B.field(r, 'id')) && ++oldHops >= 3) break;
    }
    const k = `${B.label(i)} <- ${path.join(' <- ')}`;
    const g = groups.get(k) ?? { size: 0, count: 0 };
    g.size += size; g.count++;
    groups.set(k, g);
  }
  console.log(`\nobjects B holds that A did not: ${mb(fresh)} MB; MB, count, node <- retainers`);
  for (const [k, g] of [...groups].sort((x, y) => y[1].size - x[1].size).slice(0, n)) console.log(mb(g.size), String(g.count).padStart(7), k);
}

main();
