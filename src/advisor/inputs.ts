// Advisor inputs: the `recommend` flags, their documented defaults, and size/CPU parsers shared with deploy.ts.

/** A bad flag, file or value given by the user; the CLI maps it to exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One load-test result: requests per second and p99 latency measured at a given worker count. */
export interface LoadTestRow {
  workers: number;
  rps: number;
  p99Ms: number;
  cpuPercent?: number;
  memoryMb?: number;
  errors?: number;
  /** File the row came from (for messages). */
  source?: string;
}

export interface AdvisorInputs {
  cores: number;
  memoryMb: number;
  rps: number;
  /** Concurrent users; null unless given (the CPU-limit / replica advice only applies then). */
  ccu: number | null;
  concurrency: number;
  targetLatencyMs: number;
  cannotRefactor: boolean;
  /** Measured resident memory of one worker, when the user knows it. */
  perWorkerMemoryMb: number | null;
  loadTests: LoadTestRow[];
  /** Share of traffic per route, keyed `GET /path`. */
  routeTraffic?: Record<string, number>;
  /** Names of the fields that fell back to a default. */
  assumed: string[];
  /** Field name -> `file:line` of the deployment file it was read from. */
  source: Record<string, string>;
}

/**
 * Defaults when neither a flag nor a deployment file says otherwise. Chosen to be modest: 2 cores and 2 GB is a
 * common small container; 100 req/s and 100 concurrent requests are a typical internal API; 200 ms is the
 * guide's target response time.
 */
export const DEFAULTS = { cores: 2, memoryMb: 2048, rps: 100, concurrency: 100, targetLatencyMs: 200 } as const;

export interface LoadTestSpec { file: string; workers?: number }

/** What `parseRecommendArgs` read: only the values the user gave, plus paths and format. */
export interface RecommendArgs {
  paths: string[];
  format: 'text' | 'json';
  cores?: number;
  memoryMb?: number;
  rps?: number;
  ccu?: number;
  concurrency?: number;
  targetLatencyMs?: number;
  cannotRefactor: boolean;
  perWorkerMemoryMb?: number;
  loadTests: LoadTestSpec[];
  routeTraffic?: Record<string, number>;
  /** `--lang en|vi`; unset: the environment's locale. */
  lang?: 'en' | 'vi';
}

type NumericFlag = 'cores' | 'rps' | 'ccu' | 'concurrency' | 'targetLatencyMs' | 'perWorkerMemoryMb';
const NUMERIC_FLAGS: Record<string, { key: NumericFlag; integer: boolean; min: number }> = {
  '--cores': { key: 'cores', integer: false, min: 0.1 },
  '--rps': { key: 'rps', integer: false, min: 0 },
  '--ccu': { key: 'ccu', integer: true, min: 0 },
  '--concurrency': { key: 'concurrency', integer: true, min: 1 },
  '--target-latency': { key: 'targetLatencyMs', integer: false, min: 1 },
  '--per-worker-memory': { key: 'perWorkerMemoryMb', integer: false, min: 1 },
};

/** Parses `loopwise recommend` arguments; throws UsageError naming the bad flag or value. */
export function parseRecommendArgs(argv: string[]): RecommendArgs {
  const out: RecommendArgs = { paths: [], format: 'text', cannotRefactor: false, loadTests: [] };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    if (!raw.startsWith('--')) { out.paths.push(raw); continue; }
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    if (flag === '--cannot-refactor') { out.cannotRefactor = true; continue; }
    const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    applyFlag(out, flag, value);
  }
  return out;
}

function applyFlag(out: RecommendArgs, flag: string, value: string): void {
  const numeric = NUMERIC_FLAGS[flag];
  if (numeric) { out[numeric.key] = parseNumberFlag(flag, value, numeric.integer, numeric.min); return; }
  switch (flag) {
    case '--memory': out.memoryMb = parseMemory(value, 'cli', flag); return;
    case '--load-tests': out.loadTests.push(parseLoadTestSpec(value)); return;
    case '--traffic': out.routeTraffic = parseTraffic(value); return;
    case '--lang':
      if (value !== 'en' && value !== 'vi') throw new UsageError(`--lang must be en or vi, not "${value}"`);
      out.lang = value;
      return;
    case '--format':
      if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, not "${value}"`);
      out.format = value;
      return;
    default: throw new UsageError(`unknown flag ${flag}`);
  }
}

export function parseNumberFlag(flag: string, value: string, integer: boolean, min: number): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: "${value}" is not a number`);
  if (n < 0) throw new UsageError(`${flag}: ${value} is negative`);
  if (integer && !Number.isInteger(n)) throw new UsageError(`${flag}: ${value} is not a whole number`);
  if (n < min) throw new UsageError(`${flag}: ${value} is too small (minimum ${min})`);
  return n;
}

/** `FILE` or `N:FILE`; a Windows drive (`C:\x`) is not a tag because the tag must be all digits. */
export function parseLoadTestSpec(value: string): LoadTestSpec {
  const m = /^(\d+):(.+)$/.exec(value);
  if (!m) {
    if (/^[^:\\/]*:/.test(value) && !/^[A-Za-z]:[\\/]/.test(value)) {
      throw new UsageError(`--load-tests ${value}: the worker tag before ":" must be a whole number`);
    }
    return { file: value };
  }
  const workers = Number(m[1]);
  if (workers < 1) throw new UsageError(`--load-tests ${value}: the worker count must be at least 1`);
  return { file: m[2], workers };
}

/** `"GET /a=0.8,GET /b=0.2"`: shares need not sum to 1 (they are weights); they must be numbers >= 0. */
export function parseTraffic(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    if (!part.trim()) continue;
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--traffic: "${part.trim()}" is not ROUTE=SHARE`);
    const share = Number(part.slice(eq + 1).trim());
    if (part.slice(eq + 1).trim() === '' || !Number.isFinite(share) || share < 0) {
      throw new UsageError(`--traffic: share "${part.slice(eq + 1).trim()}" of ${part.slice(0, eq).trim()} is not a number >= 0`);
    }
    out[normalizeRoute(part.slice(0, eq))] = share;
  }
  if (Object.keys(out).length === 0) throw new UsageError('--traffic: no ROUTE=SHARE pairs');
  return out;
}

/** `get  /a` and `GET /a` name the same route. */
export function normalizeRoute(route: string): string {
  const parts = route.trim().split(/\s+/);
  if (parts.length >= 2) return `${parts[0].toUpperCase()} ${parts.slice(1).join(' ')}`;
  return parts[0];
}

export type SizeDialect = 'cli' | 'docker' | 'k8s';

const MIB = 1024 * 1024;
/** Bytes per unit. `cli` and `docker` read K/M/G as binary (as Docker does); Kubernetes K/M/G are decimal. */
const UNITS: Record<SizeDialect, Record<string, number>> = {
  cli: { k: 1024, kb: 1024, ki: 1024, kib: 1024, m: MIB, mb: MIB, mi: MIB, mib: MIB, g: 1024 * MIB, gb: 1024 * MIB, gi: 1024 * MIB, gib: 1024 * MIB, t: MIB * MIB, tb: MIB * MIB, ti: MIB * MIB, tib: MIB * MIB },
  docker: { b: 1, k: 1024, kb: 1024, m: MIB, mb: MIB, g: 1024 * MIB, gb: 1024 * MIB },
  k8s: { k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: MIB, gi: 1024 * MIB, ti: MIB * MIB },
};

/**
 * Parses a memory size into MiB. A bare number means MiB on the command line but bytes in Docker and
 * Kubernetes files, as those tools read it.
 */
export function parseMemory(text: string, dialect: SizeDialect, what = '--memory'): number {
  // Trimmed first: `\s*` on both sides of the unit made a long run of spaces quadratic.
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)$/.exec(String(text).trim());
  if (!m) throw new UsageError(`${what}: "${text}" is not a size (e.g. 512M, 2G, 1Gi)`);
  const n = Number(m[1]);
  if (!m[2]) return dialect === 'cli' ? n : n / MIB;
  // Kubernetes: lowercase `m` is milli-bytes, uppercase `M` is mega; keep the case distinction there only.
  if (dialect === 'k8s' && m[2] === 'm') return n / 1000 / MIB;
  const unit = UNITS[dialect][m[2].toLowerCase()];
  if (unit === undefined) throw new UsageError(`${what}: unknown unit "${m[2]}" in "${text}" (use M, G, Mi or Gi)`);
  return (n * unit) / MIB;
}

/** Kubernetes CPU quantity (`2`, `1.5`, `500m`) or Compose `cpus` (`'6.0'`) into cores. */
export function parseCpus(text: string | number, what = 'cpus'): number {
  const s = String(text).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(s);
  if (!m) throw new UsageError(`${what}: "${s}" is not a CPU quantity (e.g. 2, 1.5, 500m)`);
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** Deployment-derived values (the first deployment file that states them wins). */
export interface DeploymentLimits { cores?: { value: number; at: string }; memoryMb?: { value: number; at: string } }

/** Merges flags over deployment limits over defaults, recording which fields were assumed or read from files. */
export function resolveInputs(args: RecommendArgs, limits: DeploymentLimits = {}, loadTests: LoadTestRow[] = []): AdvisorInputs {
  const assumed: string[] = [];
  const source: Record<string, string> = {};
  const pick = (key: 'cores' | 'memoryMb' | 'rps' | 'concurrency' | 'targetLatencyMs'): number => {
    const given = args[key];
    if (given !== undefined) return given;
    const fromFile = key === 'cores' || key === 'memoryMb' ? limits[key] : undefined;
    if (fromFile) { source[key] = fromFile.at; return fromFile.value; }
    assumed.push(key);
    return DEFAULTS[key];
  };
  const inputs: AdvisorInputs = {
    cores: pick('cores'),
    memoryMb: pick('memoryMb'),
    rps: pick('rps'),
    ccu: args.ccu ?? null,
    concurrency: pick('concurrency'),
    targetLatencyMs: pick('targetLatencyMs'),
    cannotRefactor: args.cannotRefactor,
    perWorkerMemoryMb: args.perWorkerMemoryMb ?? null,
    loadTests,
    assumed,
    source,
  };
  if (args.routeTraffic) inputs.routeTraffic = args.routeTraffic;
  return inputs;
}

/** Inputs for tests and API callers: defaults for everything not given, all marked assumed. */
export function makeInputs(partial: Partial<Omit<AdvisorInputs, 'assumed' | 'source'>> = {}): AdvisorInputs {
  const assumed = (Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]).filter((k) => partial[k] === undefined);
  return {
    ...DEFAULTS,
    ccu: null,
    cannotRefactor: false,
    perWorkerMemoryMb: null,
    loadTests: [],
    ...partial,
    assumed,
    source: {},
  };
}
