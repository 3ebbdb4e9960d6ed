// `npm run bench:lsp-repo -- --repo PATH [--edits N]`: the language server on a real workspace, as an editor
// uses it. Spawns `node dist/cli.js server --stdio` with PATH as the workspace folder, waits for the
// folder scan, opens the folder's largest Python file and types in it (the body, comment and surface
// keystrokes of bench/editRepo.ts; LW_BENCH_KINDS=body,comment picks kinds), one keystroke per typing pause. Reports, from the server's own
// `loopwise/stats`, wall and CPU time per edit (reparse + analysis + publish) and didChange ->
// diagnostics sent (debounce included), and the server process's peak RSS (VmHWM). Fetches nothing.
// The server starts with the Node options the extension gives it (SERVER_NODE_ARGS); LW_BENCH_PLAIN=1 starts it the
// plain way, as other editors do (`node cli.js server --stdio`: since session 18 it starts itself again with them, server/relaunch.ts).
// SERVER_PROF=dir writes the server's CPU profile there; LW_BENCH_SERVER=path/to/cli.js runs another build's server.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_DEBOUNCE_MS } from '../src/server/settings';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { discover, readSource } from '../src/core/files';
import { pct, r1 } from './measure';
import { lineAt, sitesOf } from './sites';
import { SERVER_NODE_ARGS } from '../src/core/batchHeap';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const arg = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };

interface EditTiming { version: number; ms: number; cpuMs: number; changeToPublishMs: number }

(async () => {
  const root = resolve(arg('--repo') ?? '');
  const count = Number(arg('--edits') ?? 60);
  const debounceMs = Number(process.env.DEBOUNCE ?? DEFAULT_DEBOUNCE_MS);
  const { files } = discover([root]);
  let big = { abs: '', text: '' };
  for (const f of files) { const t = readSource(f.abs, f.rel).decoded?.text ?? ''; if (t.length > big.text.length) big = { abs: f.abs, text: t }; }
  const plain = process.env.LW_BENCH_PLAIN === '1';
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(plain ? [] : SERVER_NODE_ARGS), ...(process.env.SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_PROF}`] : []), process.env.LW_BENCH_SERVER ?? join(__dirname, '..', 'dist', 'cli.js'), 'server', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  c.onNotification('textDocument/publishDiagnostics', () => undefined);
  c.onNotification('window/logMessage', () => undefined);
  c.onNotification('$/progress', () => undefined);
  c.onRequest('window/workDoneProgress/create', () => null);
  c.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({ run: { debounceMs } })));
  c.listen();
  const rootUri = pathToFileURL(root).href;
  await c.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'repo' }], capabilities: { workspace: { configuration: true, workspaceFolders: true } } });
  const initializeMs = performance.now() - t0;
  await c.sendNotification('initialized', {});
  await c.sendRequest('loopwise/waitForScan');
  const scanMs = performance.now() - t0;
  const stats = () => c.sendRequest<{ edits: EditTiming[]; process?: { pid: number; newSpaceMb: number } }>('loopwise/stats');
  const uri = pathToFileURL(big.abs).href;
  let text = big.text;
  let version = 1;
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  const settle = async (v: number): Promise<EditTiming | undefined> => {
    for (let i = 0; i < 3000; i++) {
      const e = (await stats()).edits.find((x) => x.version === v);
      if (e) return e;
      await sleep(10);
    }
    return undefined;
  };
  await settle(version);
  const sites = sitesOf(text, count);
  const kinds = (process.env.LW_BENCH_KINDS ?? 'body,comment,surface').split(',').filter((k): k is 'body' | 'comment' | 'surface' => ['body', 'comment', 'surface'].includes(k));
  const out: Record<string, EditTiming[]> = Object.fromEntries(kinds.map((k) => [k, []]));
  for (const kind of kinds) {
    for (const line of kind === 'surface' ? sites.surface : sites.body) {
      const at = kind === 'comment' ? lineAt(text, line).end : lineAt(text, line).first;
      const ins = kind === 'comment' ? '#' : 'x';
      const character = at - (text.lastIndexOf('\n', at - 1) + 1);
      text = text.slice(0, at) + ins + text.slice(at);
      version++;
      await c.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ins }] });
      const e = await settle(version);
      if (e) out[kind].push(e);
      await sleep(20);
    }
  }
  // The server's process (a build before session 18 does not say: the process started); the one started, if another.
  const server = (await stats()).process;
  const serverPid = server?.pid ?? proc.pid!;
  const hwm = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const peakRssMb = hwm(serverPid);
  const launcherPeakRssMb = serverPid !== proc.pid ? hwm(proc.pid!) : undefined;
  // What the launcher costs beyond what it shares with the server (Node's code pages): its private memory.
  const privateMb = (pid: number) => [...readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^Private_(?:Clean|Dirty):\s+(\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0) / 1024;
  const launcherPrivateMb = serverPid !== proc.pid ? privateMb(proc.pid!) : undefined;
  await c.sendRequest('shutdown');
  await c.sendNotification('exit');
  const stat = (xs: number[]) => ({ median: r1(pct(xs, 0.5)), p95: r1(pct(xs, 0.95)) });
  console.log(JSON.stringify({
    loadAverage: loadavg().map(r1),
    launch: { plain, relaunched: serverPid !== proc.pid, newSpaceMb: server?.newSpaceMb, initializeMs: Math.round(initializeMs) },
    workspace: { path: root, files: files.length, scanMs: Math.round(scanMs) },
    edited: { path: big.abs, lines: big.text.split('\n').length },
    debounceMs,
    all: ((es: EditTiming[]) => ({ edits: es.length, serverWallMs: stat(es.map((e) => e.ms)), serverCpuMs: stat(es.map((e) => e.cpuMs)), changeToPublishMs: stat(es.map((e) => e.changeToPublishMs)) }))(Object.values(out).flat()),
    byKind: Object.fromEntries(Object.entries(out).map(([k, es]) => [k, {
      edits: es.length, serverWallMs: stat(es.map((e) => e.ms)), serverCpuMs: stat(es.map((e) => e.cpuMs)), changeToPublishMs: stat(es.map((e) => e.changeToPublishMs)),
    }])),
    serverPeakRssMb: r1(peakRssMb),
    ...(launcherPeakRssMb === undefined ? {} : { launcherPeakRssMb: r1(launcherPeakRssMb), launcherPrivateMb: r1(launcherPrivateMb!) }),
  }, null, 2));
})().catch((e) => { console.error(e); process.exitCode = 1; });
