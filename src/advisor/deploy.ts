// Deployment-file readers: worker counts, CPU/memory limits and server commands from Compose, Dockerfile,
// Procfile, gunicorn.conf.py and Kubernetes manifests, with file offsets so a fix can rewrite the count.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readRegularFile } from '../core/files';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';
import { parseCpus, parseMemory, type DeploymentLimits } from './inputs';

export type DeploymentKind = 'compose' | 'dockerfile' | 'procfile' | 'gunicorn-conf' | 'kubernetes';

export interface DeploymentInfo {
  file: string;
  /** 1-based position of the worker number when there is one, else of the command or service. */
  line: number;
  column: number;
  kind: DeploymentKind;
  /** Compose service, Kubernetes container or Procfile process name. */
  name?: string;
  currentWorkers?: number;
  /** Where the count came from: a `--workers`/`-w` flag, `WEB_CONCURRENCY`, or a config assignment. */
  workersFrom?: 'flag' | 'env' | 'config';
  cpus?: number;
  memoryMb?: number;
  loop?: string;
  commandText?: string;
  /** `main:app` as the server command names it. */
  appModule?: string;
  /** 0-based UTF-16 offsets of the worker number in the file text. */
  workerSpan?: { start: number; end: number };
}

export interface DeploymentScan { deployments: DeploymentInfo[]; notes: string[] }

/** A word of a command line, with the offsets of its (unquoted) text in the file. */
export interface Token { text: string; start: number; end: number }

const SKIP_DIRS = new Set(['node_modules', '.venv', 'venv', '.git', '__pycache__', '.tox', '.mypy_cache', 'site-packages']);
const SERVERS = /^(uvicorn|gunicorn|hypercorn|fastapi)$/;

// ---- discovery --------------------------------------------------------------------------------------

/**
 * Finds and reads deployment files under the given paths (files or folders), `maxDepth` folder levels
 * deep, through the scanner's reader: regular files of at most 2 MB only, and inside a folder only files
 * whose real path stays in it. A FIFO or device named `Dockerfile`, or a symlink out of the project,
 * gets a note instead of a read that could hang or leave the project.
 */
export function readDeployment(paths: string[], maxDepth = 3): DeploymentScan {
  const out: DeploymentScan = { deployments: [], notes: [] };
  for (const { file, root } of findWithRoots(paths, maxDepth)) {
    const read = readRegularFile(file, { root });
    if (read.error !== undefined) { out.notes.push(`${file}: ${read.error}`); continue; }
    const text = read.buf.toString('utf8');
    const r = parseDeploymentText(text, file);
    out.deployments.push(...r.deployments);
    out.notes.push(...r.notes);
  }
  return out;
}

export function findDeploymentFiles(paths: string[], maxDepth = 3): string[] {
  return findWithRoots(paths, maxDepth).map((f) => f.file);
}

/** Deployment files with the folder they were found under (none for a file named directly). */
function findWithRoots(paths: string[], maxDepth: number): { file: string; root?: string }[] {
  const found: { file: string; root?: string }[] = [];
  let root: string | undefined;
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch { return; }
    for (const name of names) {
      const full = join(dir, name);
      let isDir: boolean;
      try { isDir = statSync(full).isDirectory(); } catch { continue; }
      if (isDir) { if (depth < maxDepth && !SKIP_DIRS.has(name) && !name.startsWith('.')) walk(full, depth + 1); }
      else if (deploymentKindOf(name)) found.push({ file: full, root });
    }
  };
  for (const p of paths) {
    let isDir = false;
    try { isDir = statSync(p).isDirectory(); } catch { continue; }
    root = isDir ? p : undefined;
    if (isDir) walk(p, 1);
    else if (deploymentKindOf(basename(p))) found.push({ file: p });
  }
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.file) && seen.add(f.file));
}

/** The reader for a file name; other YAML files are candidates for Kubernetes manifests. */
export function deploymentKindOf(name: string): DeploymentKind | 'yaml' | undefined {
  if (/^(docker-compose|compose)[\w.-]*\.ya?ml$/i.test(name)) return 'compose';
  if (/^Dockerfile([.-][\w.-]+)?$/.test(name) || /\.Dockerfile$/i.test(name)) return 'dockerfile';
  if (name === 'Procfile') return 'procfile';
  if (name === 'gunicorn.conf.py' || name === 'gunicorn_conf.py') return 'gunicorn-conf';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  return undefined;
}

/** Reads one file's text with the reader its name calls for; never throws. */
export function parseDeploymentText(text: string, file: string): DeploymentScan {
  try {
    switch (deploymentKindOf(basename(file))) {
      case 'compose': return parseCompose(text, file);
      case 'dockerfile': return { deployments: parseDockerfile(text, file), notes: [] };
      case 'procfile': return { deployments: parseProcfile(text, file), notes: [] };
      case 'gunicorn-conf': return { deployments: parseGunicornConf(text, file), notes: [] };
      case 'yaml': return /^kind:\s*(Deployment|StatefulSet)\b/m.test(text) ? parseKubernetes(text, file) : { deployments: [], notes: [] };
      default: return { deployments: [], notes: [] };
    }
  } catch (e) {
    return { deployments: [], notes: [`${file}: could not read deployment settings (${(e as Error).message})`] };
  }
}

// ---- command lines ----------------------------------------------------------------------------------

/** Splits shell text on whitespace, keeping offsets; quotes at a word's edges are dropped (`"uvicorn` -> uvicorn). */
export function tokenizeShell(raw: string, base: number): Token[] {
  const tokens: Token[] = [];
  for (const m of raw.matchAll(/\S+/g)) {
    let start = m.index;
    let end = start + m[0].length;
    while (start < end && /["'[,]/.test(raw[start])) start++;
    while (end > start && /["',\]]/.test(raw[end - 1])) end--;
    const text = raw.slice(start, end);
    if (!text || text === '\\' || text === '&&' || text === ';') continue;
    tokens.push({ text, start: base + start, end: base + end });
  }
  return tokens;
}

export interface CommandInfo {
  server: string;
  workers?: number;
  workersFrom?: 'flag' | 'env';
  workerSpan?: { start: number; end: number };
  loop?: string;
  appModule?: string;
  commandText: string;
}

/** Reads a uvicorn/gunicorn/hypercorn/fastapi command; undefined when the tokens run none of them. */
export function analyzeCommand(tokens: Token[]): CommandInfo | undefined {
  const at = tokens.findIndex((t) => SERVERS.test(basename(t.text)));
  if (at < 0) return undefined;
  const info: CommandInfo = { server: basename(tokens[at].text), commandText: tokens.slice(at).map((t) => t.text).join(' ') };
  for (const t of tokens.slice(0, at)) readEnvAssignment(t, info);
  for (let i = at + 1; i < tokens.length; i++) i = readOption(tokens, i, info);
  return info;
}

function readEnvAssignment(t: Token, info: CommandInfo): void {
  const m = /^WEB_CONCURRENCY=(\d+)$/.exec(t.text);
  if (m && info.workersFrom !== 'flag') setWorkers(info, Number(m[1]), 'env', t.end - m[1].length, t.end);
}

/** Reads the option at tokens[i]; returns the index of the last token it consumed. */
function readOption(tokens: Token[], i: number, info: CommandInfo): number {
  const t = tokens[i];
  const next = tokens[i + 1];
  const inline = /^(--workers=|-w)(\d+)$/.exec(t.text);
  if (inline) { setWorkers(info, Number(inline[2]), 'flag', t.start + inline[1].length, t.end); return i; }
  if ((t.text === '--workers' || t.text === '-w') && next) {
    if (/^\d+$/.test(next.text)) setWorkers(info, Number(next.text), 'flag', next.start, next.end);
    return i + 1;
  }
  if (t.text.startsWith('--loop=')) { info.loop = t.text.slice(7); return i; }
  if (t.text === '--loop' && next) { info.loop = next.text; return i + 1; }
  if (!info.appModule && /^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(\))?$/.test(t.text)) info.appModule = t.text;
  return i;
}

function setWorkers(info: CommandInfo, n: number, from: 'flag' | 'env', start: number, end: number): void {
  info.workers = n;
  info.workersFrom = from;
  info.workerSpan = { start, end };
}

/** 1-based line and column of an offset in text. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Builds the record for one service/container/process from its command and environment. */
function toInfo(
  text: string, file: string, kind: DeploymentKind, anchor: number,
  parts: { name?: string; cmd?: CommandInfo; env?: EnvWorkers; cpus?: number; memoryMb?: number },
): DeploymentInfo {
  const info: DeploymentInfo = { file, line: 0, column: 0, kind };
  if (parts.name !== undefined) info.name = parts.name;
  const cmd = parts.cmd;
  if (cmd) {
    info.commandText = cmd.commandText;
    if (cmd.loop) info.loop = cmd.loop;
    if (cmd.appModule) info.appModule = cmd.appModule;
  }
  // An explicit flag beats WEB_CONCURRENCY, as in uvicorn and gunicorn themselves.
  const fromCmd = cmd?.workers !== undefined && cmd.workerSpan;
  const w = fromCmd ? { n: cmd.workers!, from: cmd.workersFrom!, span: cmd.workerSpan! } : parts.env ? { n: parts.env.n, from: 'env' as const, span: parts.env.span } : undefined;
  if (w) { info.currentWorkers = w.n; info.workersFrom = w.from; info.workerSpan = w.span; }
  if (parts.cpus !== undefined) info.cpus = parts.cpus;
  if (parts.memoryMb !== undefined) info.memoryMb = parts.memoryMb;
  Object.assign(info, lineCol(text, w ? w.span.start : anchor));
  return info;
}

interface EnvWorkers { n: number; span: { start: number; end: number } }

// ---- YAML helpers -----------------------------------------------------------------------------------

function yamlDocs(text: string, file: string, notes: string[]): Document.Parsed[] {
  const docs = parseAllDocuments(text, { lineCounter: new LineCounter() });
  if (!Array.isArray(docs)) return [];
  return docs.filter((d) => {
    if (d.errors.length === 0) return true;
    notes.push(`${file}: malformed YAML (${d.errors[0].message.split('\n')[0]})`);
    return false;
  });
}

/** Command tokens of a scalar or a sequence of scalars, with file offsets. */
function nodeTokens(text: string, node: unknown): Token[] {
  if (isScalar(node) && node.range) {
    // A block scalar's first line is its header (`>`, `|-`): the command starts on the next line.
    const block = node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL';
    const start = block ? text.indexOf('\n', node.range[0]) + 1 || node.range[0] : node.range[0];
    return tokenizeShell(text.slice(start, node.range[1]), start);
  }
  if (isSeq(node)) return node.items.flatMap((item) => nodeTokens(text, item));
  return [];
}

function getNode(map: unknown, path: string[]): unknown {
  let cur: unknown = map;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = (cur as YAMLMap).get(key, true);
  }
  return cur;
}

function scalarValue(node: unknown): string | number | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

/** WEB_CONCURRENCY from a Compose/K8s env value scalar: offsets of its digits. */
function envScalar(text: string, node: unknown): EnvWorkers | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const raw = text.slice(node.range[0], node.range[1]);
  const m = /(\d+)/.exec(raw);
  if (!m || String(node.value).trim() !== m[1]) return undefined;
  return { n: Number(m[1]), span: { start: node.range[0] + m.index, end: node.range[0] + m.index + m[1].length } };
}

function offsetOf(node: unknown): number {
  return (node as Node | undefined)?.range?.[0] ?? 0;
}

// ---- Docker Compose ---------------------------------------------------------------------------------

export function parseCompose(text: string, file: string): DeploymentScan {
  const notes: string[] = [];
  const deployments: DeploymentInfo[] = [];
  for (const doc of yamlDocs(text, file, notes)) {
    const services = getNode(doc.contents, ['services']);
    if (!isMap(services)) continue;
    for (const pair of services.items) {
      const svc = pair.value;
      if (!isMap(svc)) continue;
      const name = String(scalarValue(pair.key) ?? '');
      const info = composeService(text, file, name, svc, offsetOf(pair.key), notes);
      if (info) deployments.push(info);
    }
  }
  return { deployments, notes };
}

function composeService(text: string, file: string, name: string, svc: YAMLMap, anchor: number, notes: string[]): DeploymentInfo | undefined {
  const tokens = [...nodeTokens(text, svc.get('entrypoint', true)), ...nodeTokens(text, svc.get('command', true))];
  const cmd = analyzeCommand(tokens);
  const env = composeEnv(text, svc.get('environment', true));
  // Limits of a database or cache service say nothing about the app: keep services that run the server,
  // set WEB_CONCURRENCY, or are built from this repository.
  if (!cmd && !env && !svc.has('build')) return undefined;
  const where = `${file} (service ${name})`;
  const cpus = limitValue(getNode(svc, ['deploy', 'resources', 'limits', 'cpus']) ?? svc.get('cpus', true), (v) => parseCpus(v, `${where} cpus`), notes);
  const memoryMb = limitValue(getNode(svc, ['deploy', 'resources', 'limits', 'memory']) ?? svc.get('mem_limit', true), (v) => parseMemory(String(v), 'docker', `${where} memory`), notes);
  return toInfo(text, file, 'compose', offsetOf(svc.get('command', true)) || anchor, { name, cmd, env, cpus, memoryMb });
}

function limitValue(node: unknown, parse: (v: string | number) => number, notes: string[]): number | undefined {
  const v = scalarValue(node);
  if (v === undefined) return undefined;
  try { return parse(v); } catch (e) { notes.push((e as Error).message); return undefined; }
}

/** `environment:` as a map (`WEB_CONCURRENCY: 4`) or a list (`- WEB_CONCURRENCY=4`). */
function composeEnv(text: string, node: unknown): EnvWorkers | undefined {
  if (isMap(node)) return envScalar(text, node.get('WEB_CONCURRENCY', true));
  if (!isSeq(node)) return undefined;
  for (const item of node.items) {
    if (!isScalar(item) || !item.range) continue;
    const raw = text.slice(item.range[0], item.range[1]);
    const m = /WEB_CONCURRENCY=(\d+)/.exec(raw);
    if (m) {
      const start = item.range[0] + m.index + 'WEB_CONCURRENCY='.length;
      return { n: Number(m[1]), span: { start, end: start + m[1].length } };
    }
  }
  return undefined;
}

// ---- Kubernetes -------------------------------------------------------------------------------------

export function parseKubernetes(text: string, file: string): DeploymentScan {
  const notes: string[] = [];
  const deployments: DeploymentInfo[] = [];
  for (const doc of yamlDocs(text, file, notes)) {
    const kind = scalarValue(getNode(doc.contents, ['kind']));
    if (kind !== 'Deployment' && kind !== 'StatefulSet') continue;
    const containers = getNode(doc.contents, ['spec', 'template', 'spec', 'containers']);
    if (!isSeq(containers)) continue;
    for (const c of containers.items) if (isMap(c)) deployments.push(k8sContainer(text, file, c, notes));
  }
  return { deployments, notes };
}

function k8sContainer(text: string, file: string, c: YAMLMap, notes: string[]): DeploymentInfo {
  const name = String(scalarValue(c.get('name', true)) ?? '');
  const cmd = analyzeCommand([...nodeTokens(text, c.get('command', true)), ...nodeTokens(text, c.get('args', true))]);
  const where = `${file} (container ${name})`;
  const cpus = limitValue(getNode(c, ['resources', 'limits', 'cpu']), (v) => parseCpus(v, `${where} cpu`), notes);
  const memoryMb = limitValue(getNode(c, ['resources', 'limits', 'memory']), (v) => parseMemory(String(v), 'k8s', `${where} memory`), notes);
  return toInfo(text, file, 'kubernetes', offsetOf(c.get('command', true) ?? c.get('args', true) ?? c), { name, cmd, env: k8sEnv(text, c.get('env', true)), cpus, memoryMb });
}

function k8sEnv(text: string, node: unknown): EnvWorkers | undefined {
  if (!isSeq(node)) return undefined;
  for (const item of node.items) {
    if (isMap(item) && scalarValue(item.get('name', true)) === 'WEB_CONCURRENCY') return envScalar(text, item.get('value', true));
  }
  return undefined;
}

// ---- Dockerfile -------------------------------------------------------------------------------------

interface Instruction { keyword: string; args: string; argsStart: number }

/** Logical instructions, joining `\` continuations; comment lines are dropped. */
function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let offset = 0;
  let current: Instruction | undefined;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    if (!current) {
      const m = /^\s*([A-Za-z]+)\s+/.exec(line);
      if (!m || line.trimStart().startsWith('#')) continue;
      current = { keyword: m[1].toUpperCase(), args: line.slice(m[0].length), argsStart: lineStart + m[0].length };
    } else if (!line.trimStart().startsWith('#')) {
      // Keep offsets right by padding the joined text with the newline it replaced.
      current.args += '\n' + line;
    }
    if (/\\\s*$/.test(line)) continue;
    out.push(current);
    current = undefined;
  }
  if (current) out.push(current);
  return out;
}

/** Tokens of CMD/ENTRYPOINT arguments: exec form (JSON array) or shell form. */
function instructionTokens(ins: Instruction): Token[] {
  if (!ins.args.trimStart().startsWith('[')) return tokenizeShell(ins.args, ins.argsStart);
  const tokens: Token[] = [];
  // A scan for "..." items with backslash escapes, not a regex: an unterminated item made of \" pairs
  // had the pattern retry from every quote (quadratic).
  const args = ins.args;
  for (let i = args.indexOf('"'); i >= 0; i = args.indexOf('"', i)) {
    let j = i + 1;
    while (j < args.length && args[j] !== '"') j += args[j] === '\\' ? 2 : 1;
    if (j >= args.length) break;
    // An exec-form item may itself be a shell script (`["sh", "-c", "uvicorn main:app --workers 4"]`).
    tokens.push(...tokenizeShell(args.slice(i + 1, j), ins.argsStart + i + 1));
    i = j + 1;
  }
  return tokens;
}

export function parseDockerfile(text: string, file: string): DeploymentInfo[] {
  const instructions = dockerInstructions(text);
  // The last ENTRYPOINT and CMD win; Docker appends CMD to an exec-form ENTRYPOINT.
  const last = (kw: string): Instruction | undefined => instructions.filter((i) => i.keyword === kw).pop();
  const entry = last('ENTRYPOINT');
  const cmdIns = last('CMD');
  const tokens = [...(entry ? instructionTokens(entry) : []), ...(cmdIns ? instructionTokens(cmdIns) : [])];
  const cmd = analyzeCommand(tokens);
  const env = dockerEnv(instructions);
  if (!cmd && !env) return [];
  return [toInfo(text, file, 'dockerfile', (cmdIns ?? entry)?.argsStart ?? 0, { cmd, env })];
}

/** `ENV WEB_CONCURRENCY=4` or the legacy `ENV WEB_CONCURRENCY 4`. */
function dockerEnv(instructions: Instruction[]): EnvWorkers | undefined {
  let found: EnvWorkers | undefined;
  for (const ins of instructions.filter((i) => i.keyword === 'ENV')) {
    const m = /\bWEB_CONCURRENCY(=|\s+)["']?(\d+)/.exec(ins.args);
    if (!m) continue;
    const start = ins.argsStart + m.index + m[0].length - m[2].length;
    found = { n: Number(m[2]), span: { start, end: start + m[2].length } };
  }
  return found;
}

// ---- Procfile and gunicorn.conf.py -----------------------------------------------------------------

export function parseProcfile(text: string, file: string): DeploymentInfo[] {
  const out: DeploymentInfo[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const m = /^([\w-]+):[ \t]*/.exec(line);
    if (m) {
      const cmd = analyzeCommand(tokenizeShell(line.slice(m[0].length), offset + m[0].length));
      if (cmd) out.push(toInfo(text, file, 'procfile', offset, { name: m[1], cmd }));
    }
    offset += line.length + 1;
  }
  return out;
}

export function parseGunicornConf(text: string, file: string): DeploymentInfo[] {
  const info: DeploymentInfo = { file, line: 1, column: 1, kind: 'gunicorn-conf' };
  const workers = topLevelAssignment(text, 'workers');
  if (workers) {
    const valueStart = workers.start;
    Object.assign(info, lineCol(text, valueStart));
    if (/^\d+$/.test(workers.value)) {
      info.currentWorkers = Number(workers.value);
      info.workersFrom = 'config';
      info.workerSpan = { start: valueStart, end: valueStart + workers.value.length };
    } else {
      // Computed at start-up (often cpu_count() * 2 + 1, a rule for sync WSGI workers): show it, count unknown.
      info.commandText = `workers = ${workers.value}`;
    }
  }
  const app = /^wsgi_app\s*=\s*["']([\w.]+:\w+)["']/m.exec(text);
  if (app) info.appModule = app[1];
  return workers || app ? [info] : [];
}

/**
 * `name = value  # comment` at the start of a line: the value (up to a `#`, trimmed) and its offset.
 * Plain string work, not a regex: a lazy value before `\s*(#.*)?$` was quadratic in a long run of spaces.
 */
function topLevelAssignment(text: string, name: string): { value: string; start: number } | undefined {
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    if (!line.startsWith(name)) continue;
    let i = name.length;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== '=' || line[i + 1] === '=') continue;
    i++;
    const hash = line.indexOf('#', i);
    const raw = (hash < 0 ? line.slice(i) : line.slice(i, hash)).replace(/\r$/, '');
    const value = raw.trim();
    if (!value) continue;
    return { value, start: lineStart + i + (raw.length - raw.trimStart().length) };
  }
  return undefined;
}

// ---- limits for the inputs ----------------------------------------------------------------------

/** The first CPU and memory limits the deployment files state, for `resolveInputs`. */
export function deploymentLimits(deployments: DeploymentInfo[]): DeploymentLimits {
  const limits: DeploymentLimits = {};
  for (const d of deployments) {
    if (d.cpus !== undefined && !limits.cores) limits.cores = { value: d.cpus, at: `${d.file}:${d.line}` };
    if (d.memoryMb !== undefined && !limits.memoryMb) limits.memoryMb = { value: Math.round(d.memoryMb), at: `${d.file}:${d.line}` };
  }
  return limits;
}
