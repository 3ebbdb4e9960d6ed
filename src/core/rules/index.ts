// The rule set: every family's table, plus the user's extra blocking calls, behind one matcher.
import { blockingDatabase } from './blocking-database';
import { blockingFile } from './blocking-file';
import { blockingHttp } from './blocking-http';
import { blockingSdk } from './blocking-sdk';
import { blockingSleep } from './blocking-sleep';
import { blockingSubprocess } from './blocking-subprocess';
import { cpuCrypto } from './cpu-crypto';
import { cpuDataframe } from './cpu-dataframe';
import { cpuInference } from './cpu-inference';
import { cpuMedia } from './cpu-media';
import type { Expr } from '../python/ir';
import { busyLoop } from './busy-loop';
import { droppedTask } from './dropped-task';
import { nPlusOne } from './n-plus-one';
import { neverAwaited } from './never-awaited';
import { perRequestLogging } from './per-request-logging';
import { type CostKind, PatternTable, type RuleFamily } from './table';

export { type CostKind, type RuleFamily } from './table';

export const FAMILIES: RuleFamily[] = [
  blockingHttp, blockingSleep, blockingSubprocess, blockingFile, blockingDatabase, blockingSdk,
  cpuInference, cpuDataframe, cpuCrypto, cpuMedia,
];

/** Codes that are not call tables: N+1 awaits, coroutine misuse (LW302-LW304), logging (LW501), and deployment findings from the advisor. */
export const OTHER_CODES: { code: string; name: string; title: string }[] = [
  nPlusOne, neverAwaited, droppedTask, busyLoop, perRequestLogging,
  { code: 'LW401', name: 'deploy-workers', title: 'Worker count differs from the recommendation' },
  { code: 'LW402', name: 'deploy-memory', title: 'Workers do not fit the memory limit' },
];

export interface ExtraCall { call: string; code: string; hint?: string; kind?: CostKind }

export interface RuleOptions {
  select?: string[];
  ignore?: string[];
  extra?: ExtraCall[];
}

export interface RuleHit {
  code: string;
  family: 'blocking' | 'cpu';
  kind: CostKind;
  alternative: string;
  /** The alternative in test code, scripts and examples (RuleFamily.testAlternative); absent: `alternative`. */
  testAlternative?: string;
  title: string;
  nonBlockingWhen?: { arg: string; pos: number }[];
  freshIsFree?: boolean;
}

export class RuleSet {
  private table = new PatternTable<RuleHit>();
  private select: string[];
  private ignore: string[];

  constructor(opts: RuleOptions = {}) {
    this.select = (opts.select ?? []).map((s) => s.toUpperCase());
    this.ignore = (opts.ignore ?? []).map((s) => s.toUpperCase());
    // User entries first so they win over the built-in tables.
    for (const x of opts.extra ?? []) {
      const fam = FAMILIES.find((f) => f.code === x.code.toUpperCase());
      const family = fam?.family ?? (x.code.toUpperCase().startsWith('LW2') ? 'cpu' : 'blocking');
      this.table.add(x.call, {
        code: x.code.toUpperCase(),
        family,
        kind: x.kind ?? (family === 'cpu' ? 'ml' : 'io'),
        alternative: x.hint ?? fam?.alternative ?? 'move it off the event loop (await asyncio.to_thread(...))',
        ...(!x.hint && fam?.testAlternative ? { testAlternative: fam.testAlternative } : {}),
        title: fam?.title ?? 'Blocking call',
      });
    }
    for (const fam of FAMILIES) {
      for (const entry of fam.entries) {
        const testAlternative = entry.testAlternative ?? (entry.alternative ? undefined : fam.testAlternative);
        const hit: RuleHit = { code: fam.code, family: fam.family, kind: entry.kind, alternative: entry.alternative ?? fam.alternative, ...(testAlternative ? { testAlternative } : {}), title: fam.title, ...(entry.nonBlockingWhen ? { nonBlockingWhen: entry.nonBlockingWhen } : {}), ...(entry.freshIsFree ? { freshIsFree: true } : {}) };
        for (const p of entry.calls) this.table.add(p, hit, entry.except);
      }
    }
  }

  /** The rule a canonical call name breaks, regardless of select/ignore. */
  match(canonical: string): RuleHit | undefined {
    return this.table.get(canonical)?.value;
  }

  /** select/ignore accept full codes or prefixes (`LW1`, `LW20`). */
  enabled(code: string): boolean {
    if (this.select.length && !this.select.some((s) => code.startsWith(s))) return false;
    return !this.ignore.some((s) => code.startsWith(s));
  }
}

/** `lock.acquire(blocking=False)`, `q.get(False)`, `acquire(timeout=0)`: forms that return at once. */
export function isNonBlockingForm(hit: RuleHit, args: Expr[], kw: Record<string, Expr>): boolean {
  return !!hit.nonBlockingWhen?.some((w) => {
    const v = kw[w.arg] ?? args[w.pos];
    return v?.k === 'num' && v.v === 0;
  });
}
