// User configuration from `[tool.loopwise]` in pyproject.toml or a loopwise.toml, resolved per file
// like Ruff (the nearest one governs; the extension layers its settings on top). Unknown keys are ignored; wrong types are reported, never thrown at the user's code.
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { AnalyzeOptions } from './analyzer';
import type { CostOverrides } from './cost';
import { compileGlobs, type GlobSet, globProblem } from './globs';
import { type ExtraCall, FAMILIES, OTHER_CODES } from './rules';
import type { CostKind } from './rules/table';
import type { Severity } from './types';
import { readRegularFile } from './files';

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

/**
 * The configuration file governing the folder `start`: the nearest loopwise.toml, or pyproject.toml
 * with [tool.loopwise], at or above it (a pyproject.toml without that table does not stop the search).
 * The extension and the language server read their folder's configuration through this.
 */
export function findPyproject(start: string): string | undefined {
  return new ConfigResolver().forDir(resolve(start)).source;
}

/** The configuration in `file` (loopwise.toml or pyproject.toml); the defaults when there is none. */
export function loadConfig(file: string | undefined): LoopwiseConfig {
  if (!file) return emptyConfig();
  const cfg = readConfigFile(file);
  if (!cfg) return { ...emptyConfig(), source: file };
  const { dir: _dir, excludeSet: _set, respectGitignore: _rg, ...plain } = cfg;
  return plain;
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

/** A non-throwing matcher for the extension's settings: refused patterns are dropped (readSettings reports them). */
export function excluder(globs: string[]): ((rel: string) => boolean) | undefined {
  const ok = globs.filter((g) => !globProblem(g));
  if (!ok.length) return undefined;
  const set = compileGlobs(ok);
  return (rel) => set.matches(rel);
}

// ---- resolution per file, as Ruff does it ---------------------------------------------------

/** Checked in this order in each folder; a pyproject.toml counts only when it has [tool.loopwise]. */
export const CONFIG_FILES = ['loopwise.toml', 'pyproject.toml'] as const;

/** Every rule code a user may name (prefixes of them are accepted too: `LW1`, `LW20`). */
export function knownCodes(): string[] {
  return [...FAMILIES.map((f) => f.code), ...OTHER_CODES.map((o) => o.code)].sort();
}

/** Codes that are neither a known code nor a prefix of one. */
export function unknownCodes(codes: string[]): string[] {
  const known = knownCodes();
  return codes.filter((c) => !known.some((k) => k.startsWith(c.trim().toUpperCase())) || !/^LW\d*$/i.test(c.trim()));
}

export function unknownCodesMessage(where: string, bad: string[]): string {
  return `${where}: unknown rule code${bad.length === 1 ? '' : 's'} ${bad.map((b) => `"${b}"`).join(', ')} (valid: ${knownCodes().join(', ')}, or a prefix such as LW1)`;
}

/** One configuration file's settings, with the folder its relative globs start from. */
export interface ProjectConfig extends LoopwiseConfig {
  /** The folder holding the config file (the filesystem root for the defaults). */
  dir: string;
  excludeSet: GlobSet;
  respectGitignore: boolean;
}

/** Reads one loopwise.toml (top-level keys) or pyproject.toml; undefined for a pyproject without [tool.loopwise]. */
export function readConfigFile(file: string): ProjectConfig | undefined {
  const cfg = emptyConfig();
  cfg.source = file;
  const isPyproject = basename(file) === 'pyproject.toml';
  let section: Record<string, unknown> | undefined;
  // The scanner's reader: a FIFO or device named pyproject.toml gets a problem note, not a hung read.
  const read = readRegularFile(file);
  if (read.error !== undefined) {
    cfg.problems.push(`${file}: ${read.error}`);
    return project(cfg, dirname(file), true);
  }
  const text = read.buf.toString('utf8');
  try {
    const doc = parseToml(text) as Record<string, unknown>;
    section = isPyproject ? (doc.tool as Record<string, unknown> | undefined)?.loopwise as Record<string, unknown> | undefined : doc;
  } catch (err) {
    if (isPyproject && !/\[\s*tool\s*\.\s*loopwise\b|\btool\s*\.\s*loopwise\b/.test(text)) return undefined;
    cfg.problems.push(`${file}: cannot parse TOML: ${(err as Error).message.split('\n')[0]}`);
    return project(cfg, dirname(file), true);
  }
  if (!section) return undefined;
  fromObject(section, cfg, file);
  const extend = section['extend-exclude'];
  if (extend !== undefined) {
    if (Array.isArray(extend) && extend.every((x) => typeof x === 'string')) cfg.exclude.push(...extend);
    else cfg.problems.push(`${file}: extend-exclude must be a list of strings`);
  }
  let respect = true;
  const rg = section['respect-gitignore'];
  if (typeof rg === 'boolean') respect = rg;
  else if (rg !== undefined) cfg.problems.push(`${file}: respect-gitignore must be true or false`);
  for (const key of ['select', 'ignore'] as const) {
    const bad = unknownCodes(cfg[key]);
    if (bad.length) cfg.problems.push(unknownCodesMessage(`${file}: ${key}`, bad));
  }
  return project(cfg, dirname(file), respect);
}

function project(cfg: LoopwiseConfig, dir: string, respectGitignore: boolean): ProjectConfig {
  let excludeSet: GlobSet;
  try { excludeSet = compileGlobs(cfg.exclude, `${cfg.source ?? 'config'}: exclude`); } catch (err) {
    cfg.problems.push((err as Error).message);
    excludeSet = compileGlobs([]);
  }
  return { ...cfg, dir, excludeSet, respectGitignore };
}

export interface ResolverOptions {
  /** Read no configuration file: every file gets the defaults. */
  noConfig?: boolean;
}

/**
 * For each file, the nearest loopwise.toml or pyproject.toml with [tool.loopwise] at or above its
 * folder (no merging across files, as in Ruff). The CLI, the language server and the extension all
 * resolve through this class, so a file gets the same settings whichever root or order it is reached from.
 */
export class ConfigResolver {
  private nearest = new Map<string, ProjectConfig>();
  readonly defaults: ProjectConfig;

  constructor(private opts: ResolverOptions = {}) {
    this.defaults = project(emptyConfig(), parse(process.cwd()).root, true);
  }

  /** The configuration governing files in `dir` (an absolute folder). */
  forDir(dir: string): ProjectConfig {
    // A folder already resolved is its own key (keys are resolved paths): no resolve() per file of a walk.
    const known = this.nearest.get(dir);
    if (known) return known;
    const start = resolve(dir);
    const hit = this.nearest.get(start);
    if (hit) return hit;
    const visited: string[] = [];
    let found: ProjectConfig | undefined;
    for (let d = start; ; d = dirname(d)) {
      const cached = this.nearest.get(d);
      if (cached) { found = cached; break; }
      visited.push(d);
      if (!this.opts.noConfig) {
        for (const name of CONFIG_FILES) {
          const file = join(d, name);
          if (!isRegularFile(file)) continue;
          found = readConfigFile(file);
          if (found) break;
        }
      }
      if (found || dirname(d) === d) break;
    }
    const cfg = found ?? this.defaults;
    for (const d of visited) this.nearest.set(d, cfg);
    return cfg;
  }

  forFile(abs: string): ProjectConfig {
    // The folder of a path that ends in a name (not `.` or `..`) is known without resolve() when it is a key.
    if (!/(?:^|[\\/])\.\.?[\\/]*$/.test(abs)) { const known = this.nearest.get(dirname(abs)); if (known) return known; }
    return this.forDir(dirname(resolve(abs)));
  }

  /** Every configuration consulted so far (for their problems). */
  consulted(): ProjectConfig[] {
    return [...new Set(this.nearest.values())];
  }

  /** Whether `abs` itself matches the exclude globs of the configuration governing its folder. */
  excludedHere(abs: string): boolean {
    const cfg = this.forDir(dirname(abs));
    if (!cfg.exclude.length) return false;
    const rel = relative(cfg.dir, abs);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return false;
    return cfg.excludeSet.matches(rel);
  }

  /** Whether `abs` or any folder above it is excluded (for paths named on the command line). */
  excludedWithParents(abs: string): boolean {
    for (let p = resolve(abs); dirname(p) !== p; p = dirname(p)) if (this.excludedHere(p)) return true;
    return false;
  }
}

function isRegularFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}
