// What every CLI bundle shares: running one command of a table (help, usage errors, exit codes) and
// the process around it (V8 flags, a closed pipe, the exit). The full CLI (main.ts, dist/loopwise.js)
// and the scan's own bundle (scanMain.ts, dist/scan.js) each pass their table. This file must not
// import a command: whatever it imports is in both bundles.
import { setFlagsFromString } from 'node:v8';
import { InputError } from '../core/files';
import { type CommandSpec, helpText, UsageError } from './args';
import type { ByteWriter } from './scan';
import { VERSION } from './version';
import { batchV8Flags, SERVER_V8_FLAGS } from './v8flags';

export type Command = (argv: string[], out: (s: string) => void, err: (s: string) => void) => Promise<number>;

/** Each command's code and spec, loaded when the command runs. */
export type Commands = Record<string, () => Promise<{ run: Command; spec: CommandSpec }>>;

/**
 * Runs `argv` (`COMMAND [ARGS...]`) with `commands`: exit 0 clean, 1 findings, 2 usage, configuration
 * or I/O error (one line on stderr per problem). `helpAll`: the text of `loopwise --help`.
 */
export async function runCommand(argv: string[], commands: Commands, helpAll: () => Promise<string>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    const sub = cmd === 'help' && Object.hasOwn(commands, rest[0]) ? await commands[rest[0]]() : undefined;
    out(sub ? helpText(sub.spec, VERSION) : await helpAll());
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') { out(`${VERSION}\n`); return 0; }
  try {
    if (!Object.hasOwn(commands, cmd)) throw new UsageError(`unknown command "${cmd}" (use ${Object.keys(commands).join(', ')})`);
    const command = await commands[cmd]();
    // --help anywhere before a "--" shows the command's help, even next to a bad option.
    const dd = rest.indexOf('--');
    if ((dd < 0 ? rest : rest.slice(0, dd)).some((a) => a === '-h' || a === '--help')) { out(helpText(command.spec, VERSION)); return 0; }
    return await command.run(rest, out, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError || (e as { name?: string }).name === 'UsageError') {
      err(`loopwise: ${(e as Error).message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) { err(`loopwise: ${(e as Error).message}\n`); return 2; }
    err(`loopwise: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

/** Standard output, as text and (for `scan --format json`, see ByteWriter) as UTF-8 bytes. */
export const stdoutWriter: ByteWriter = Object.assign((s: string) => { process.stdout.write(s); }, { bytes: (b: Uint8Array) => { process.stdout.write(b); } });

/** `loopwise ...` from the command line, once a bundle is loaded (bin.ts): `main` runs process.argv's command. */
export function startCli(main: (argv: string[]) => Promise<number>): void {
  const server = process.argv[2] === 'server';
  for (const flag of server ? SERVER_V8_FLAGS : batchV8Flags()) setFlagsFromString(flag);
  // `loopwise scan | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // The server's main resolves only when no server started (a usage error, --help): end as a batch
    // command does, also when a channel to a parent would keep the process alive (server/relaunch.ts).
    void exitWhenFlushed(code);
  });
}

/** What exitWhenFlushed needs of a standard stream: what it still queues, and a write whose callback comes after it. */
export interface Flushable { writableLength: number; destroyed?: boolean; write(chunk: string, cb: () => void): unknown }

/**
 * A batch command's end (a running language server never gets here): once standard output and error have
 * handed all they hold to the OS, the process exits at once. Left to end on its own, Node first runs
 * V8's pending background tasks to completion (TurboFan jobs for code that never runs again) and then
 * tears down the environment and the heap, page by page (after the 500-file scan ~160 MB, ~340
 * unmaps); the OS frees the same memory in one go when the process exits (docs/performance.md,
 * "Session 15: front15"). `process.exit` still runs the 'exit' listeners (the code cache, the
 * timeline). Only queued writes are waited for: on Linux, files and terminals are written
 * synchronously and a pipe with room takes a write at once; what a slow reader has not taken waits in
 * the stream's queue, and a write's callback comes after the writes before it.
 */
export async function exitWhenFlushed(code: number, streams: Flushable[] = [process.stdout, process.stderr], exit: (code: number) => void = process.exit): Promise<void> {
  for (const s of streams) {
    if (s.writableLength > 0 && !s.destroyed) await new Promise<void>((resolve) => { s.write('', () => resolve()); });
  }
  exit(code);
}
