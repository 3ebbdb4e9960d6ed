// The cost model: an estimated time and type for each kind of call, so each coroutine gets a CPU /
// I/O / blocking split. The figures and the tables of awaited and CPU-only calls are rule knowledge
// (rules/costs.ts); users override any figure (`[tool.loopwise.cost]`, or the `loopwise.cost` setting).
import { type CostEntry, DEFAULT_COSTS } from './rules/costs';

export { asyncIoKind, cpuOnlyKind } from './rules/costs';

export type CostOverrides = Partial<Record<keyof typeof DEFAULT_COSTS, number>>;

export class CostModel {
  readonly costs: Record<string, CostEntry>;
  /** Keys the user set (`[tool.loopwise.cost]` or the `loopwise.cost` setting). */
  readonly configured = new Set<string>();
  constructor(overrides: CostOverrides = {}) {
    this.costs = { ...DEFAULT_COSTS };
    for (const [k, v] of Object.entries(overrides)) {
      const base = this.costs[k];
      if (base && typeof v === 'number' && Number.isFinite(v) && v >= 0) { this.costs[k] = { ...base, ms: v }; this.configured.add(k); }
    }
  }
  of(kind: string): CostEntry {
    return this.costs[kind] ?? this.costs.await;
  }
  /** The table key a kind is priced by (unknown kinds fall back to `await`). */
  keyOf(kind: string): string {
    return this.costs[kind] ? kind : 'await';
  }
  sourceOf(kind: string): 'default' | 'configured' {
    return this.configured.has(this.keyOf(kind)) ? 'configured' : 'default';
  }
}

/** Per-kind time of a piece of code, so a handler's figures can name the cost-table entries behind them. */
export type KindTimes = Record<string, { ms: number; calls: number }>;

export function addKind(into: KindTimes, kind: string, ms: number, calls = 1): void {
  const k = (into[kind] ??= { ms: 0, calls: 0 });
  k.ms += ms; k.calls += calls;
}

export function mergeKinds(into: KindTimes, from: KindTimes): void {
  // for-in, not Object.entries: the same keys in the same order, without an array of pairs per merge.
  for (const k in from) { const v = from[k]; addKind(into, k, v.ms, v.calls); }
}
