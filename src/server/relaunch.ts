// The language server's young generation for every way it is started. V8 sizes the young generation's
// semi-spaces only when a process starts (core/batchHeap.ts SERVER_NODE_ARGS; checked again in
// session 18: `setFlagsFromString` of `--min/--max-semi-space-size` after start changes nothing, and a
// run-time growth factor grows it past the size in jumps and cannot stop V8 shrinking it back to its
// start size when allocation slows). The VS Code client passes the options; an editor that runs
// `loopwise server --stdio` itself does not, so `loopwise server` started without them starts the
// server again as a child process with them and stays as a thin parent: the child inherits the
// standard streams (stdio, --socket and --pipe transports never pass through the parent), messages are
// relayed for --node-ipc, signals are passed on, and the parent exits as the child did. The child
// exits when the parent's channel closes (the parent killed with SIGKILL): no orphan.
// This file is bundled into the launcher (dist/cli.js): Node's modules only.
import { spawn } from 'node:child_process';
import { hasNodeOption, SERVER_NODE_ARGS } from '../core/batchHeap';

/** "0": `loopwise server` runs in the process it was started in, whatever its young generation. */
export const RELAUNCH_ENV = 'LOOPWISE_SERVER_RELAUNCH';
/** Set in the child's environment: it is the server, never started again. */
const CHILD_ENV = 'LOOPWISE_SERVER_CHILD';

/** A Node option that sizes the young generation (any V8 spelling), or attaches a debugger to this process. */
const OWN_CHOICE = /^--(?:(?:min|max)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor|inspect(?:-brk|-wait)?)(?:=|$)/;

/**
 * Whether the server should start again with SERVER_NODE_ARGS: not when the Node options on the
 * command line or in NODE_OPTIONS size the young generation (ours, as the VS Code client passes them,
 * or the user's own choice, which is kept) or attach a debugger (the inspector's port belongs to the
 * process the user started), not in the child itself, and not with LOOPWISE_SERVER_RELAUNCH=0.
 */
export function shouldRelaunch(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[RELAUNCH_ENV] === '0' || env[CHILD_ENV] === '1') return false;
  return !hasNodeOption(OWN_CHOICE, execArgv, env.NODE_OPTIONS ?? '');
}

/**
 * Starts the server as a child process with the server's Node options (this process's own options
 * and arguments follow them) and passes the transport, signals and exit status through. Calls
 * `inProcess` instead if the child cannot be started.
 */
export function relaunchServer(script: string, args: readonly string[], inProcess: () => void): void {
  // The child's channel is to this process (Node sets these two for it; an editor's value must not reach it).
  const { NODE_CHANNEL_FD: _fd, NODE_CHANNEL_SERIALIZATION_MODE: _mode, ...env } = process.env;
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...process.execArgv, script, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...env, [CHILD_ENV]: '1' },
    windowsHide: true,
  });
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const pass = (signal: NodeJS.Signals) => { child.kill(signal); };
  for (const s of signals) process.on(s, pass);
  let started = false;
  child.once('spawn', () => { started = true; });
  child.once('error', (err) => {
    if (started) return;
    for (const s of signals) process.off(s, pass);
    process.stderr.write(`loopwise server: could not start with ${SERVER_NODE_ARGS.join(' ')} (${err.message}); running as started\n`);
    inProcess();
  });
  // --node-ipc: the editor's channel is this process's; its messages go to the child's and back
  // (a send on a closed channel would throw here, hence the checks).
  if (process.send) {
    process.on('message', (m) => { if (child.connected) child.send(m as object); });
    child.on('message', (m) => { if (process.connected) process.send?.(m); });
    process.on('disconnect', () => { if (child.connected) child.disconnect(); });
  }
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, pass);
    if (!signal) process.exit(code ?? 1);
    // Ends as the child did, so the editor sees the same signal (the timer: should it be ignored here).
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(1), 1000);
  });
}

/** In the child: exit when the parent has gone (its channel closed) before the server exited. */
export function followParent(): void {
  if (process.env[CHILD_ENV] !== '1' || !process.channel) return;
  process.on('disconnect', () => process.exit(1));
  // The listener refs the channel: it must not keep alive a child that ends by itself (a usage error).
  // With --node-ipc the channel is the transport, which keeps the server alive (an explicit unref
  // would stop the transport's listener from counting).
  if (!process.argv.includes('--node-ipc')) process.channel.unref();
}
