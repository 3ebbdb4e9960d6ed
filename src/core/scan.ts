// Scanning paths on disk: discovery, configuration per file, decoding and analysis in one call,
// shared by `loopwise scan`, `fix` and `recommend` (the extension feeds open documents to the Analyzer instead).
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { type AnalyzeOptions, Analyzer, type SourceFile } from './analyzer';
import { ConfigResolver, excluder, type LoopwiseConfig, type ProjectConfig, unknownCodes, unknownCodesMessage } from './config';
import { decode, type DecodedText, type DiscoveredFile, discover, GitIgnores, InputError, MAX_FILE_BYTES, moduleName, SKIP_DIRS, SourceBatches, type TextBatch } from './files';
import { compileGlobs, type GlobSet } from './globs';
import { LIFTOFF_MAX_BYTES, liftoffForSmallScan } from './batchHeap';
import { isTestCode, projectPath } from './python/sourceRoots';
import { discardEarlyWorkers, ModelBuilders, PARALLEL_DEFAULT_MIN_CHARS, PARALLEL_MIN_FILES } from './parallel';
import { dropEarlyListings } from './earlyWorkers';
import { isPlainSeed, reach } from './reach';
import { mark } from './timeline';
import type { FileNote, Finding, HandlerReport, ScanResult, Severity } from './types';

export interface ScanOptions {
  /**
   * Compute each finding's fixes (JSON output and `fix` need them; text and SARIF do not). Default true.
   * `'deferred'`: filled when fixesFiller(result) is asked (see AnalyzeOptions.fixes).
   */
  fixes?: boolean | 'deferred';
  /** Each handler report's `costs` list (`recommend` reads it; no `scan` output carries it). Default true. */
  costItems?: boolean;
  /** Replaces every configuration's `select` (as Ruff's --select does). */
  select?: string[];
  /** Added to every configuration's `ignore`. */
  ignore?: string[];
  /** More exclude globs, relative to the current folder. */
  exclude?: string[];
  /** Skip reading loopwise.toml / pyproject.toml. */
  noConfig?: boolean;
  /** Honour .gitignore files (default true; a configuration's `respect-gitignore = false` turns it off too). */
  respectGitignore?: boolean;
  /** Files larger than this many bytes are not read (default MAX_FILE_BYTES). */
  maxFileBytes?: number;
  analyzer?: Analyzer;
  /** Severity of findings in test code, scripts and examples (default `info`, or the config's). */
  testSeverity?: Severity;
  /** Threads for building file models (default: up to 4 cores); 1 keeps everything on this thread. */
  jobs?: number;
  /** Analyse these bytes (standard input) as the file at `path`, instead of walking `paths`. */
  stdin?: { path: string; bytes: Buffer };
  /**
   * Parse only the files the analysis can need (reach.ts); the others are read and counted. Default
   * true; false (or LOOPWISE_PARSE_ALL=1) parses every file.
   */
  reach?: boolean;
}

/** `root`: the folder it was found under (a file named on the command line: its folder). */
export interface ScannedFile { abs: string; rel: string; decoded: DecodedText; /** The configuration governing the file (set by scanPaths). */ config?: ProjectConfig; root?: string }

export interface ScanOutput {
  result: ScanResult;
  files: Map<string, ScannedFile>;
  /** The configuration of the first file (or the defaults); each file's own is in `files`. */
  config: LoopwiseConfig;
  /** Every configuration file that governs a scanned file. */
  configs: ProjectConfig[];
  analyzer: Analyzer;
  /** Files read but not parsed: the analysis cannot need them (see reach.ts). */
  unparsed: string[];
  /** Analyses again with the same files and options, some texts replaced (by path), e.g. after fixes. */
  reanalyze(texts: Map<string, string>): ScanResult;
}

/** Problems in the configuration files or CLI lists: the CLI refuses to run on them (exit 2). */
export class ConfigError extends InputError {}

/**
 * Which files a scan of `paths` covers and the configuration of each: the walk skips what the
 * governing configuration excludes (globs relative to that configuration's folder), what
 * .gitignore ignores, and the built-in folders (.venv, node_modules, ...). Paths named explicitly
 * are checked the same way, folders above them included, so the result does not depend on the
 * scan root or the order of the arguments.
 */
export function resolveFiles(paths: string[], opts: Pick<ScanOptions, 'exclude' | 'noConfig' | 'respectGitignore'> & { resolver?: ConfigResolver; /** Called with the count of `.py` files the walk has kept so far and the path of the one it just kept. */ onFile?: (n: number, abs: string) => void } = {}): { files: (DiscoveredFile & { config: ProjectConfig })[]; notes: FileNote[]; resolver: ConfigResolver } {
  const resolver = opts.resolver ?? new ConfigResolver({ noConfig: opts.noConfig });
  let cli: GlobSet;
  try { cli = compileGlobs(opts.exclude ?? [], '--exclude'); } catch (err) { throw new ConfigError((err as Error).message); }
  const cwd = process.cwd();
  const cliExcluded = (abs: string) => {
    if (!cli.patterns.length) return false;
    const rel = relative(cwd, abs);
    return cli.matches(rel.startsWith('..') || isAbsolute(rel) ? basename(abs) : rel);
  };
  const git = new GitIgnores();
  const useGit = (abs: string) => opts.respectGitignore !== false && resolver.forDir(dirname(abs)).respectGitignore;
  let kept = 0;
  const { files, notes } = discover(paths, {
    skip: (abs, isDir) => {
      const skip = resolver.excludedHere(abs) || cliExcluded(abs) || (useGit(abs) && git.ignored(abs, isDir));
      if (!skip && !isDir && opts.onFile) opts.onFile(++kept, abs);
      return skip;
    },
    skipNamed: (abs, isDir) => {
      // The built-in folders and --exclude apply to the folders above a named path only up to the
      // current folder: a checkout under /home/ci/build/ must not exclude itself.
      if (cliExcluded(abs)) return true;
      const rel = relative(cwd, abs);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
        for (let p = dirname(abs); p !== cwd && dirname(p) !== p; p = dirname(p)) {
          if (SKIP_DIRS.has(basename(p)) || basename(p).endsWith('.egg-info') || cliExcluded(p)) return true;
        }
      }
      return resolver.excludedWithParents(abs) || (useGit(abs) && git.ignoredWithParents(abs, isDir));
    },
  });
  const problems = resolver.consulted().flatMap((c) => c.problems);
  if (problems.length) throw new ConfigError([...new Set(problems)].join('\nloopwise: '));
  return { files: files.map((f) => ({ ...f, config: resolver.forFile(f.abs) })), notes: [...notes, ...git.notes], resolver };
}

/** The analysis options one configuration gives, with the CLI's select/ignore applied. */
export function optionsFor(config: LoopwiseConfig, opts: Pick<ScanOptions, 'select' | 'ignore' | 'testSeverity'>): Pick<AnalyzeOptions, 'rules' | 'cost' | 'severity'> {
  return {
    rules: { select: opts.select?.length ? opts.select : config.select, ignore: [...config.ignore, ...(opts.ignore ?? [])], extra: config.extra },
    cost: config.cost,
    severity: opts.testSeverity ? { ...config.severity, 'test-code': opts.testSeverity } : config.severity,
  };
}

export async function scanPaths(paths: string[], opts: ScanOptions = {}): Promise<ScanOutput> {
  for (const [flag, list] of [['--select', opts.select], ['--ignore', opts.ignore]] as const) {
    const bad = unknownCodes(list ?? []);
    if (bad.length) throw new ConfigError(unknownCodesMessage(flag, bad));
  }
  mark('scan start');
  // Worker threads start as soon as the walk has found enough files to share (their start-up, a
  // few hundred ms, then overlaps with the rest of the walk and with reading the files); so does
  // this thread's parser (its wasm compiles on V8's background threads while the files are read).
  let builders: ModelBuilders | undefined;
  let started = false;
  const startBuilders = (n: number) => { if (!started) { started = true; builders = ModelBuilders.start(n, { jobs: opts.jobs }); } };
  // With the default job count, workers are worth their start only for PARALLEL_DEFAULT_MIN_CHARS of
  // source (parallel.ts): the walk adds up the sizes of the files it keeps (one stat each, until
  // there is enough). Bytes are at least as many as characters; the check after reading settles it.
  // The count also tells a scan small enough to parse on Liftoff code only (batchHeap.ts).
  let walkedBytes = 0;
  const enoughSource = () => opts.jobs !== undefined || walkedBytes >= PARALLEL_DEFAULT_MIN_CHARS;
  // (Counted to the end below LIFTOFF_MAX_BYTES, workers or not: with --jobs the workers start at 32 files.)
  const onFile = (n: number, abs: string) => {
    if (walkedBytes < LIFTOFF_MAX_BYTES || (opts.jobs === undefined && !started)) { try { walkedBytes += statSync(abs).size; } catch { /* read later, with its note */ } }
    if (!started && n >= PARALLEL_MIN_FILES && enoughSource()) startBuilders(n);
  };
  let resolved: ReturnType<typeof resolveFiles>;
  try {
    resolved = opts.stdin ? stdinFile(opts.stdin.path, opts) : resolveFiles(paths, { ...opts, onFile });
  } catch (err) { builders?.close(); discardEarlyWorkers(); throw err; }
  dropEarlyListings();
  const { files, notes, resolver } = resolved;
  if (!opts.stdin && enoughSource()) startBuilders(files.length);
  // Workers the launcher started for a folder that holds too little source (earlyWorkers.ts).
  if (!builders) { const n = discardEarlyWorkers(); if (n) mark(`stopped ${n} early workers: one thread`); }
  // Before the parser's wasm is compiled (Analyzer.create); a scan with workers keeps V8's tiers
  // (the flags the worker's code cache is checked against stay as they were).
  if (!builders && liftoffForSmallScan(opts.stdin ? opts.stdin.bytes.length : walkedBytes)) mark('small scan: parses on Liftoff only');
  const analyzerReady = opts.analyzer ? Promise.resolve(opts.analyzer) : Analyzer.create();
  analyzerReady.catch(() => { /* awaited below, after the files are read */ });
  const allNotes: FileNote[] = [...notes];
  const sources: SourceFile[] = [];
  const testPatternsOf = new Map<ProjectConfig, ((rel: string) => boolean) | undefined>();
  const scanned = new Map<string, ScannedFile>();
  const chains = new Map<string, string[]>();
  // The parser's set-up (file reads, wasm compiles) advances only when this thread's event loop
  // turns: a turn now and then while reading, so it is ready by the time the files are.
  let parserSettled = false;
  analyzerReady.then(() => { parserSettled = true; }, () => { parserSettled = true; });
  let sinceTurn = 0;
  const useReach = opts.reach ?? process.env.LOOPWISE_PARSE_ALL !== '1';
  // With workers, each file every analysis needs (a plain seed word: reach.ts; all of them without
  // reach) goes to them as soon as it is read (ModelBuilders.offer), so they parse while this thread
  // reads the rest and works out which of the others are needed too.
  const plain: boolean[] | undefined = builders && useReach ? [] : undefined;
  const take = (f: (typeof files)[number], decoded: DecodedText | undefined, note: FileNote | undefined, batch?: TextBatch, at = -1) => {
    if (note) allNotes.push(note);
    if (!decoded) return;
    const { module, isPackage } = moduleName(f.abs, f.root, chains);
    const rel = toPosix(f.rel);
    if (!testPatternsOf.has(f.config)) testPatternsOf.set(f.config, f.config.testCode ? excluder(f.config.testCode) ?? (() => false) : undefined);
    const testCode = isTestCode(projectPath(f.abs, f.root), testPatternsOf.get(f.config));
    const source: SourceFile = { path: rel, text: decoded.text, module, isPackage, ...(testCode ? { testCode } : {}) };
    sources.push(source);
    scanned.set(rel, { abs: f.abs, rel, decoded, config: f.config, root: f.root });
    if (builders) {
      // A worker gets the batch's string once, for every file of it (parallel.ts ModelBuilders.place).
      if (batch) builders.place(source, batch, at);
      const seed = !plain || isPlainSeed(source.text);
      plain?.push(seed);
      if (seed) builders.offer(source);
    }
  };
  // The texts come a batch at a time, each a slice of one string (files.ts SourceBatches).
  const batches = new SourceBatches<(typeof files)[number]>(opts.maxFileBytes);
  for (const f of files) {
    if (!parserSettled && ++sinceTurn >= TURN_EVERY) { sinceTurn = 0; await new Promise<void>((resolve) => setImmediate(resolve)); }
    builders?.holdYoungSmall();
    if (opts.stdin) {
      const { decoded, note } = readStdin(opts.stdin.bytes, toPosix(f.rel), opts.maxFileBytes);
      take(f, decoded, note);
    } else {
      for (const r of batches.add(f, f.abs, toPosix(f.rel))) take(r.key, r.decoded, r.note, r.batch, r.at);
    }
  }
  for (const r of batches.end()) take(r.key, r.decoded, r.note, r.batch, r.at);
  mark(`read ${sources.length} files`);
  const chars = sources.reduce((n, s) => n + s.text.length, 0);
  // The walk counted bytes; a scan with fewer characters than that (multi-byte text) stops its
  // workers here (what they were given is dropped with them: this thread builds every model).
  if (builders && opts.jobs === undefined && chars < PARALLEL_DEFAULT_MIN_CHARS) {
    builders.close();
    builders = undefined;
    mark('too little source for workers: one thread');
  }
  builders?.endOffers();
  /** The files with those the analysis cannot need marked unparsed (see reach.ts). */
  const reached = (list: SourceFile[], plain?: boolean[]): SourceFile[] => {
    if (!useReach || list.length < 2) return list;
    const { needed } = reach(list, false, plain);
    return list.map((s, i) => (needed[i] ? (s.unparsed ? { ...s, unparsed: undefined } : s) : { ...s, unparsed: true }));
  };
  const reachable = reached(sources, plain);
  const parsed = reachable.filter((s) => !s.unparsed);
  mark(`reach: parsing ${parsed.length} of ${sources.length} files (${parsed.reduce((n, s) => n + s.text.length, 0)} of ${chars} chars)`);
  let analyzer: Analyzer;
  try { analyzer = await analyzerReady; } catch (err) { builders?.close(); throw err; }
  mark('parser ready');
  if (builders) await builders.build(analyzer, parsed);
  mark('models built');
  // One analysis per distinct set of analysis options (most scans have one), each reporting on its
  // own files; the call graph always spans every file, so a helper in another folder is still followed.
  // Configurations that differ only in what they exclude share one analysis.
  const groups = new Map<string, { options: ReturnType<typeof optionsFor>; files: Set<string> }>();
  const used = new Set<ProjectConfig>();
  for (const f of scanned.values()) {
    const c = f.config ?? resolver.defaults;
    used.add(c);
    const options = optionsFor(c, opts);
    const key = JSON.stringify(options);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { options, files: new Set() }));
    g.files.add(f.rel);
  }
  const parts = [...groups.values()];
  const run = (list: SourceFile[]): ScanResult => {
    if (parts.length <= 1) {
      return analyzer.analyze(list, { ...(parts[0]?.options ?? optionsFor(resolver.defaults, opts)), fixes: opts.fixes, costItems: opts.costItems, notes: allNotes });
    }
    // A merged result has no filler of its own: its parts' fixes are computed now.
    const fixes = opts.fixes === 'deferred' ? true : opts.fixes;
    return mergeResults(parts.map((g) => analyzer.analyze(list, { ...g.options, fixes, costItems: opts.costItems, notes: allNotes, only: g.files })), allNotes, list.length);
  };
  const result = run(reachable);
  mark('analysed');
  // Fixed texts can reach files the first analysis did not need (a helper made async): reached again.
  const reanalyze = (texts: Map<string, string>) => run(reached(sources.map((s) => (texts.has(s.path) ? { ...s, text: texts.get(s.path)! } : s))));
  const first = files.length ? files[0].config : resolver.defaults;
  const unparsed = reachable.filter((s) => s.unparsed).map((s) => s.path);
  return { result, files: scanned, config: first, configs: [...used].filter((c) => c.source), analyzer, unparsed, reanalyze };
}

/** Files read between two turns of the event loop while the parser is being set up. */
const TURN_EVERY = 32;

/** `scan - --stdin-filename PATH`: one file, configured and excluded as the file at PATH would be. */
function stdinFile(path: string, opts: Pick<ScanOptions, 'exclude' | 'noConfig' | 'respectGitignore'>): ReturnType<typeof resolveFiles> {
  const resolver = new ConfigResolver({ noConfig: opts.noConfig });
  const abs = resolve(path);
  const config = resolver.forFile(abs);
  let cli: GlobSet;
  try { cli = compileGlobs(opts.exclude ?? [], '--exclude'); } catch (err) { throw new ConfigError((err as Error).message); }
  const problems = resolver.consulted().flatMap((c) => c.problems);
  if (problems.length) throw new ConfigError([...new Set(problems)].join('\nloopwise: '));
  const git = new GitIgnores();
  const rel = relative(process.cwd(), abs);
  const excluded = resolver.excludedWithParents(abs) || (!rel.startsWith('..') && cli.patterns.length > 0 && cli.matches(rel))
    || (opts.respectGitignore !== false && config.respectGitignore && git.ignoredWithParents(abs, false));
  const files = excluded ? [] : [{ abs, rel: rel.startsWith('..') || isAbsolute(rel) ? abs : rel, root: dirname(abs), config }];
  return { files, notes: [], resolver };
}

function readStdin(bytes: Buffer, display: string, maxBytes = MAX_FILE_BYTES): { decoded?: DecodedText; note?: FileNote } {
  if (bytes.length > maxBytes) return { note: { file: display, kind: 'skipped', message: `standard input is over the ${maxBytes} byte limit (--max-file-size)`, failed: true } };
  const decoded = decode(bytes);
  if (!decoded) return { note: { file: display, kind: 'skipped', message: 'binary input (contains NUL bytes)' } };
  return { decoded, note: decoded.note ? { file: display, kind: 'encoding', message: decoded.note } : undefined };
}

function mergeResults(parts: ScanResult[], notes: FileNote[], fileCount: number): ScanResult {
  return summarize(parts[0]?.summary.files ?? fileCount, parts.flatMap((p) => p.findings), parts.flatMap((p) => p.handlers), parts[0]?.notes ?? notes, parts[0]?.summary.skipped ?? 0);
}

/** A ScanResult from parts, in the core's order (file, line, column, code); sorts the arrays it is given. */
export function summarize(files: number, findings: Finding[], handlers: HandlerReport[], notes: ScanResult['notes'], skipped = notes.filter((n) => n.kind === 'skipped').length): ScanResult {
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
  handlers.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const byCode: Record<string, number> = {};
  for (const f of findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  return {
    version: 1,
    findings,
    handlers,
    notes,
    summary: {
      files,
      skipped,
      findings: findings.length,
      byCode,
      handlers: handlers.length,
      asyncHandlers: handlers.filter((h) => h.async).length,
      blockedHandlers: handlers.filter((h) => h.async && h.findings > 0).length,
    },
  };
}

export function toPosix(p: string): string {
  return p.split('\\').join('/');
}
