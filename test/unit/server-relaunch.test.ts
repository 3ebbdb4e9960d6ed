// `loopwise server` started the plain way (as Neovim, Helix or Zed start it: no Node options) runs
// the server with the young generation the VS Code client gives it (server/relaunch.ts): the server's
// own V8 reports its new space through `loopwise/stats`, over each transport, and the process that
// was started passes signals and the exit status through and leaves no orphan.
import { strict as assert } from 'node:assert';
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { SERVER_NODE_ARGS, SERVER_SEMI_SPACE_MB } from '../../src/core/batchHeap';
import type { ServerStats } from '../../src/server/protocol';
import { RELAUNCH_ENV, shouldRelaunch } from '../../src/server/relaunch';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const SERVER_NEW_SPACE_MB = 2 * SERVER_SEMI_SPACE_MB;
const APP = 'import time\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/")\nasync def a():\n    time.sleep(1)\n';

/** The environment without this test run's Node options (mocha's tsx hooks) unless given. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _o, [RELAUNCH_ENV]: _r, ...rest } = process.env;
  return { ...rest, ...extra };
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function gone(pid: number, ms = 10_000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) if (!alive(pid)) return true;
  return false;
}

function exited(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
}

/** initialize, open a file with a finding, type five keystrokes; the diagnostics of the last and the server's stats. */
async function drive(conn: MessageConnection): Promise<{ stats: ServerStats; codes: string[] }> {
  const diags: PublishDiagnosticsParams[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { diags.push(p); });
  conn.onNotification(() => undefined);
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest(() => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  const uri = 'file:///relaunch/app.py';
  // Enough text that the analyses churn the young generation past its first scavenges.
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: APP + 'x = [i for i in range(10)]\n'.repeat(3000) } });
  await conn.sendRequest('loopwise/flush', { uri });
  // Four keystrokes below the handler, then a second blocking call in it: its diagnostics are version 6's.
  for (let version = 2; version <= 6; version++) {
    const [line, text] = version < 6 ? [8, 'y'] : [7, '    time.sleep(2)\n'];
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }] });
    await conn.sendRequest('loopwise/flush', { uri });
  }
  const stats = await conn.sendRequest<ServerStats>('loopwise/stats');
  const last = diags.filter((d) => d.uri === uri && d.version === 6).at(-1);
  return { stats, codes: (last?.diagnostics ?? []).map((d) => `${d.range.start.line + 1}:${String(d.code)}`) };
}

async function shutdown(conn: MessageConnection): Promise<void> {
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
}

function stdioServer(nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): { proc: ChildProcess; conn: MessageConnection; stderr: string[] } {
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'server', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: env(extraEnv) });
  const stderr: string[] = [];
  proc.stderr!.on('data', (b: Buffer) => stderr.push(String(b)));
  return { proc, conn: createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!)), stderr };
}

describe('language server relaunch (young generation for every launch)', () => {
  it('relaunches only when no Node option sizes the young generation or attaches a debugger', () => {
    assert.equal(shouldRelaunch([], {}), true, 'plain `loopwise server`');
    assert.equal(shouldRelaunch(['--require', '/x/apm.js'], { NODE_OPTIONS: '--import tsx' }), true, 'a preload does not size it (it is passed on)');
    assert.equal(shouldRelaunch(SERVER_NODE_ARGS, {}), false, 'the VS Code client passes the options');
    assert.equal(shouldRelaunch([], { NODE_OPTIONS: '--max-old-space-size=4096 --max-semi-space-size=4' }), false, "the user's own size in NODE_OPTIONS");
    assert.equal(shouldRelaunch(['--min_semi_space_size=2'], {}), false, "V8's underscore spelling");
    assert.equal(shouldRelaunch(['--semi-space-growth-factor=4'], {}), false);
    assert.equal(shouldRelaunch(['--inspect=9230'], {}), false, 'a debugger attached to the process started');
    assert.equal(shouldRelaunch(['--max-semi-space-sizes=2'], {}), true, 'a longer name is not the option');
    assert.equal(shouldRelaunch([], { [RELAUNCH_ENV]: '0' }), false, 'turned off');
    assert.equal(shouldRelaunch([], { LOOPWISE_SERVER_CHILD: '1' }), false, 'never in the child');
  });

  it('a usage error ends both processes with its status, --node-ipc too (the child holds a channel to its parent)', () => {
    for (const args of [['--frob'], ['--frob', '--node-ipc']]) {
      const r = spawnSync(process.execPath, [CLI, 'server', ...args], { encoding: 'utf8', env: env(), timeout: 60_000 });
      assert.deepEqual([r.status, r.stderr], [2, 'loopwise: unknown option --frob\n'], args.join(' '));
    }
  });

  it('over stdio, started the plain way, the server runs with the young generation the VS Code client gives it', async () => {
    const { proc, conn, stderr } = stdioServer();
    const done = exited(proc);
    try {
      const { stats, codes } = await drive(conn);
      assert.deepEqual(codes, ['7:LW102', '8:LW102'], `diagnostics of the edit; stderr: ${stderr.join('')}`);
      assert.notEqual(stats.process.pid, proc.pid, 'the server is the child');
      assert.equal(stats.process.newSpaceMb, SERVER_NEW_SPACE_MB, `the server's new space; stderr: ${stderr.join('')}`);
      await shutdown(conn);
      assert.deepEqual(await done, { code: 0, signal: null }, 'exit status passed through');
      assert.ok(await gone(stats.process.pid), 'the child has exited');
      assert.equal(stderr.join(''), '');
    } finally {
      proc.kill('SIGKILL');
      conn.dispose();
    }
  });

  it('control: without the relaunch (LOOPWISE_SERVER_RELAUNCH=0) the plain launch keeps V8 start size', async () => {
    const { proc, conn } = stdioServer([], { [RELAUNCH_ENV]: '0' });
    const done = exited(proc);
    try {
      const { stats, codes } = await drive(conn);
      assert.deepEqual(codes, ['7:LW102', '8:LW102']);
      assert.equal(stats.process.pid, proc.pid);
      assert.ok(stats.process.newSpaceMb <= 2, `new space ${stats.process.newSpaceMb} MB`);
      await shutdown(conn);
      assert.equal((await done).code, 0);
    } finally {
      proc.kill('SIGKILL');
      conn.dispose();
    }
  });

  it("keeps the user's own young generation and runs in the process started", async () => {
    const { proc, conn } = stdioServer([], { NODE_OPTIONS: '--max-semi-space-size=4' });
    const done = exited(proc);
    try {
      const { stats } = await drive(conn);
      assert.equal(stats.process.pid, proc.pid, 'no relaunch');
      assert.ok(stats.process.newSpaceMb <= 8 && stats.process.newSpaceMb !== SERVER_NEW_SPACE_MB, `new space ${stats.process.newSpaceMb} MB`);
      await shutdown(conn);
      assert.equal((await done).code, 0);
    } finally {
      proc.kill('SIGKILL');
      conn.dispose();
    }
  });

  it('passes a preload on to the server (it runs in both processes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-relaunch-'));
    const log = join(dir, 'pids');
    const preload = join(dir, 'preload.cjs');
    writeFileSync(preload, `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');\n`);
    const { proc, conn } = stdioServer(['--require', preload]);
    const done = exited(proc);
    try {
      const { stats } = await drive(conn);
      assert.equal(stats.process.newSpaceMb, SERVER_NEW_SPACE_MB);
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').map(Number).sort(), [proc.pid!, stats.process.pid].sort());
      await shutdown(conn);
      assert.equal((await done).code, 0);
    } finally {
      proc.kill('SIGKILL');
      conn.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('over --node-ipc (messages relayed) and --socket=N (the child connects itself)', async () => {
    const ipc = fork(CLI, ['server', '--node-ipc'], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: env() });
    const ipcDone = exited(ipc);
    const ipcConn = createMessageConnection(new IPCMessageReader(ipc), new IPCMessageWriter(ipc));
    try {
      const { stats, codes } = await drive(ipcConn);
      assert.deepEqual(codes, ['7:LW102', '8:LW102']);
      assert.notEqual(stats.process.pid, ipc.pid);
      assert.equal(stats.process.newSpaceMb, SERVER_NEW_SPACE_MB);
      await shutdown(ipcConn);
      assert.equal((await ipcDone).code, 0);
    } finally {
      ipc.kill('SIGKILL');
      ipcConn.dispose();
    }

    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const connected = new Promise<Socket>((r) => srv.once('connection', r));
    const proc = spawn(process.execPath, [CLI, 'server', `--socket=${(srv.address() as { port: number }).port}`], { stdio: ['ignore', 'pipe', 'pipe'], env: env() });
    const done = exited(proc);
    const stdout: string[] = [];
    proc.stdout!.on('data', (b: Buffer) => stdout.push(String(b)));
    try {
      const socket = await connected;
      const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      const { stats, codes } = await drive(conn);
      assert.deepEqual(codes, ['7:LW102', '8:LW102']);
      assert.notEqual(stats.process.pid, proc.pid);
      assert.equal(stats.process.newSpaceMb, SERVER_NEW_SPACE_MB);
      await shutdown(conn);
      assert.equal((await done).code, 0);
      assert.equal(stdout.join(''), '', 'nothing on stdout');
      conn.dispose();
    } finally {
      proc.kill('SIGKILL');
      srv.close();
    }
  });

  it('passes SIGTERM to the server and ends with it; a parent killed outright leaves no orphan', async () => {
    const a = stdioServer();
    const { stats: sa } = await drive(a.conn);
    assert.notEqual(sa.process.pid, a.proc.pid);
    // The parent waits for the child: when it has exited, the server has too.
    const aDone = new Promise<[number | null, NodeJS.Signals | null, boolean]>((r) => a.proc.once('exit', (code, signal) => r([code, signal, alive(sa.process.pid)])));
    a.proc.kill('SIGTERM');
    assert.deepEqual(await aDone, [null, 'SIGTERM', false], 'the parent ends as the child did, after it');
    a.conn.dispose();

    // Over a socket the client's connection stays open (Node's ChildProcess closes a pipe to stdin when
    // its process exits, which would end the child anyway): only the parent's death tells the child.
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const connected = new Promise<Socket>((r) => srv.once('connection', r));
    const b = spawn(process.execPath, [CLI, 'server', `--socket=${(srv.address() as { port: number }).port}`], { stdio: 'ignore', env: env() });
    const socket = await connected;
    const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    let child = 0;
    try {
      const { stats: sb } = await drive(conn);
      child = sb.process.pid;
      assert.notEqual(child, b.pid);
      b.kill('SIGKILL');
      assert.ok(await gone(child), 'the child exits when its parent is killed');
    } finally {
      if (child && alive(child)) process.kill(child, 'SIGKILL');
      conn.dispose();
      socket.destroy();
      srv.close();
    }
  });
});
