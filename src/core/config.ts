// User configuration from `[tool.loopwise]` in pyproject.toml (the extension layers its settings
// on top). Unknown keys are ignored; wrong types are reported, never thrown at the user's code.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { AnalyzeOptions } from './analyzer';
import type { CostOverrides } from './cost';
import type { ExtraCall } from './rules';
import type { CostKind } from './rules/table';
import type { Severity } from './types';

export interface LoopwiseConfig {
  select: string[];
  ignore: string[];
  exclude: string[];
  extra: ExtraCall[];
  cost: CostOverrides;
  severity: AnalyzeOptions['severity'];
  /** `test-code`: globs (paths inside the project) that replace the default test/script/example paths. */
  testCode?: string[];
  /** Where it came from, for messages. */
  source?: string;
  problems: string[];
}

export function emptyConfig(): LoopwiseConfig {
  return { select: [], ignore: [], exclude: [], extra: [], cost: {}, severity: {}, problems: [] };
}

/** The nearest pyproject.toml at or above `start`. */
export function findPyproject(start: string): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < 40; i++) {
    const p = join(dir, 'pyproject.toml');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

export function loadConfig(pyproject: string | undefined): LoopwiseConfig {
  const cfg = emptyConfig();
  if (!pyproject) return cfg;
  cfg.source = pyproject;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(readFileSync(pyproject, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    cfg.problems.push(`${pyproject}: cannot parse TOML: ${(err as Error).message.split('\n')[0]}`);
    return cfg;
  }
  const tool = (doc.tool as Record<string, unknown> | undefined)?.loopwise as Record<string, unknown> | undefined;
  return tool ? fromObject(tool, cfg, pyproject) : cfg;
}

/** Reads a `[tool.loopwise]`-shaped object (also used for the VS Code settings). */
export function fromObject(obj: Record<string, unknown>, cfg: LoopwiseConfig = emptyConfig(), where = 'config'): LoopwiseConfig {
  const strings = (key: string): string[] => {
    const v = obj[key];
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    cfg.problems.push(`${where}: ${key} must be a list of strings`);
    return [];
  };
  cfg.select.push(...strings('select'));
  cfg.ignore.push(...strings('ignore'));
  cfg.exclude.push(...strings('exclude'));
  if (obj['test-code'] !== undefined) cfg.testCode = [...(cfg.testCode ?? []), ...strings('test-code')];
  const blocking = obj['extra-blocking'] ?? obj.blocking;
  if (Array.isArray(blocking)) {
    for (const item of blocking) addExtra(cfg, item as Record<string, unknown>, undefined, where);
  } else if (blocking && typeof blocking === 'object') {
    for (const [call, v] of Object.entries(blocking as Record<string, unknown>)) addExtra(cfg, v as Record<string, unknown>, call, where);
  }
  const cost = obj.cost;
  if (cost && typeof cost === 'object') {
    for (const [k, v] of Object.entries(cost as Record<string, unknown>)) {
      if (typeof v === 'number' && v >= 0) (cfg.cost as Record<string, number>)[k] = v;
      else cfg.problems.push(`${where}: cost.${k} must be a number of milliseconds`);
    }
  }
  const sev = obj.severity;
  if (sev && typeof sev === 'object') {
    for (const [k, v] of Object.entries(sev as Record<string, unknown>)) {
      if (v === 'error' || v === 'warning' || v === 'info') (cfg.severity as Record<string, Severity>)[k] = v;
      else cfg.problems.push(`${where}: severity.${k} must be "error", "warning" or "info"`);
    }
  }
  return cfg;
}

function addExtra(cfg: LoopwiseConfig, v: Record<string, unknown> | undefined, call: string | undefined, where: string): void {
  const name = call ?? (typeof v?.call === 'string' ? v.call : undefined);
  const code = typeof v?.code === 'string' ? v.code : undefined;
  if (!name || !code || !/^LW[12]\d\d$/i.test(code)) {
    cfg.problems.push(`${where}: each extra blocking call needs a call name and a code LW1xx or LW2xx`);
    return;
  }
  cfg.extra.push({ call: name, code, hint: typeof v?.hint === 'string' ? v.hint : undefined, kind: typeof v?.kind === 'string' ? (v.kind as CostKind) : undefined });
}

/** Minimal glob: `**` any folders, `*` within a name, `?` one character. Matches relative paths. */
export function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
    else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})(?:/.*)?$`);
}

export function excluder(globs: string[]): ((rel: string) => boolean) | undefined {
  if (!globs.length) return undefined;
  const res = globs.map(globToRegex);
  return (rel) => { const p = rel.split('\\').join('/'); return res.some((r) => r.test(p)); };
}
