// Settings of one workspace folder: the client's `loopwise` section (workspace/configuration, or the
// initializationOptions of editors without it) layered over `[tool.loopwise]` in the nearest
// pyproject.toml. Settings win; list settings (disabled codes, excluded globs) add to the file's lists.
import type { AnalyzeOptions } from '../core/analyzer';
import { emptyConfig, findPyproject, fromObject, loadConfig, type LoopwiseConfig } from '../core/config';
import { optionsFor } from '../core/scan';

export type Trigger = 'onType' | 'onSave';

export interface AdvisorDefaults { cores: number | null; memoryMb: number | null; rps: number | null }

export interface Settings {
  enable: boolean;
  trigger: Trigger;
  debounceMs: number;
  /** A file whose parse or analysis takes longer than this gets a note instead of findings. */
  fileBudgetMs: number;
  codeLens: boolean;
  config: LoopwiseConfig;
  advisor: AdvisorDefaults;
}

/** Analysis runs in the server's process, so a short pause costs the editor nothing (measured: bench/lsp.ts). */
export const DEFAULT_DEBOUNCE_MS = 50;
export const DEFAULT_FILE_BUDGET_MS = 3000;
const SEVERITIES = new Set(['error', 'warning', 'info']);
const FAMILIES: [string, string][] = [['blocking', 'blocking'], ['cpu', 'cpu'], ['nPlusOne', 'n-plus-one'], ['lifespan', 'lifespan']];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});

/** Reads `a.b` from a nested object or from a flat `{ "a.b": ... }` one (both shapes occur in editors' configs). */
function get(o: Obj, key: string): unknown {
  if (key in o) return o[key];
  let cur: unknown = o;
  for (const part of key.split('.')) cur = obj(cur)[part];
  return cur;
}

/**
 * `raw` is the `loopwise` section as the client sends it; `folderPath` the folder on disk (for
 * pyproject.toml), if any. Severities apply only where present: the VS Code client sends only the
 * ones the user set, so pyproject.toml's still apply under the defaults.
 */
export function readSettings(raw: unknown, folderPath: string | undefined): Settings {
  const c = obj(raw);
  const base = folderPath ? loadConfig(findPyproject(folderPath)) : emptyConfig();
  const severity: Obj = {};
  const sev = obj(get(c, 'severity'));
  for (const [key, family] of FAMILIES) {
    const v = sev[key] ?? c[`severity.${key}`];
    if (typeof v === 'string' && SEVERITIES.has(v)) severity[family] = v;
  }
  const extra: Obj = {};
  for (const [call, v] of Object.entries(obj(get(c, 'rules.extraBlockingCalls')))) extra[call] = typeof v === 'string' ? { code: v } : v;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const config = fromObject({
    ignore: list(get(c, 'rules.disabled')),
    exclude: list(get(c, 'exclude')),
    'extra-blocking': extra,
    cost: obj(get(c, 'cost')),
    severity,
  }, base, 'settings');
  const num = (key: string): number | null => {
    const v = get(c, key);
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
  };
  const bool = (key: string, dflt: boolean) => { const v = get(c, key); return typeof v === 'boolean' ? v : dflt; };
  const debounce = get(c, 'run.debounceMs');
  const budget = get(c, 'run.fileBudgetMs');
  return {
    enable: bool('enable', true),
    trigger: get(c, 'run.trigger') === 'onSave' ? 'onSave' : 'onType',
    debounceMs: typeof debounce === 'number' && Number.isFinite(debounce) ? Math.min(5000, Math.max(0, debounce)) : DEFAULT_DEBOUNCE_MS,
    fileBudgetMs: typeof budget === 'number' && Number.isFinite(budget) && budget >= 0 ? budget : DEFAULT_FILE_BUDGET_MS,
    codeLens: bool('codeLens.enable', true),
    config,
    advisor: { cores: num('advisor.cores'), memoryMb: num('advisor.memoryMb'), rps: num('advisor.rps') },
  };
}

export function analyzeOptions(s: Settings): AnalyzeOptions {
  return { ...optionsFor(s.config, {}), fixes: false };
}
