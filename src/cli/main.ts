// `loopwise scan | fix | recommend`: exit 0 clean, 1 findings, 2 usage, configuration or I/O error
// (one line on stderr per problem).
import { setFlagsFromString } from 'node:v8';
import { InputError } from '../core/files';
import { type CommandSpec, helpText, parseCommand, UsageError } from './args';
import { type ByteWriter, runScan, SCAN_SPEC } from './scan';
import { VERSION } from './version';
import { BATCH_V8_FLAGS, SERVER_V8_FLAGS } from './v8flags';

const SERVER_SPEC: CommandSpec = {
  name: 'server',
  summary: 'the language server (LSP) for editors: diagnostics, quick fixes, hover, code lens',
  args: '',
  flags: {
    stdio: { type: 'boolean', help: 'talk LSP over standard input and output (the default)' },
    'node-ipc': { type: 'boolean', help: 'talk LSP over a Node IPC channel (VS Code)' },
    socket: { type: 'string', value: 'PORT', help: 'talk LSP over a TCP socket' },
    pipe: { type: 'string', value: 'NAME', help: 'talk LSP over a named pipe' },
    clientProcessId: { type: 'string', value: 'PID', help: 'exit when this process ends (set by LSP clients)' },
  },
};

type Command = (argv: string[], out: (s: string) => void, err: (s: string) => void) => Promise<number>;

/**
 * Each command is loaded when it runs: `scan` (the cold path) is bundled in, the others load their
 * modules on first use, so a scan does not pay for compiling the language server's and the advisor's
 * libraries at start-up (about half of the bundle's load time).
 */
const COMMANDS: Record<string, () => Promise<{ run: Command; spec: CommandSpec }>> = {
  scan: async () => ({ run: runScan, spec: SCAN_SPEC }),
  fix: async () => {
    const { FIX_SPEC, runFix } = await import('./fix');
    return { run: (argv, out) => runFix(argv, out), spec: FIX_SPEC };
  },
  recommend: async () => {
    const { RECOMMEND_SPEC, runRecommend } = await import('./recommend');
    return { run: (argv, out) => runRecommend(argv, out), spec: RECOMMEND_SPEC };
  },
  server: async () => ({
    // Checked here for the one error style; the server reads the same argv (LSP clients pass
    // `--node-ipc --clientProcessId=N`).
    run: async (argv) => {
      const { flags, positional } = parseCommand(argv, SERVER_SPEC);
      if (positional.length) throw new UsageError(`server: unexpected argument "${positional[0]}" (use --stdio, --node-ipc or --socket PORT)`);
      const { runServer } = await import('../server/main');
      return runServer(flags);
    },
    spec: SERVER_SPEC,
  }),
};

async function helpAll(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  return `loopwise ${VERSION}: find event-loop blockers in FastAPI code

Usage: loopwise COMMAND [PATH...] [OPTIONS]

Commands:
${specs.map((spec) => `  ${spec.name.padEnd(11)}${spec.summary}`).join('\n')}

Run "loopwise COMMAND --help" for a command's options. "loopwise --version" prints the version.
Exit codes: 0 nothing found, 1 findings (scan, fix) or deployment files that differ from the advice
(recommend), 2 usage, configuration or I/O error.
`;
}

/** Standard output, as text and (for `scan --format json`, see ByteWriter) as UTF-8 bytes. */
const stdoutWriter: ByteWriter = Object.assign((s: string) => { process.stdout.write(s); }, { bytes: (b: Uint8Array) => { process.stdout.write(b); } });

export async function main(argv: string[], out: (s: string) => void = stdoutWriter, err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    const sub = cmd === 'help' && Object.hasOwn(COMMANDS, rest[0]) ? await COMMANDS[rest[0]]() : undefined;
    out(sub ? helpText(sub.spec, VERSION) : await helpAll());
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') { out(`${VERSION}\n`); return 0; }
  try {
    if (!Object.hasOwn(COMMANDS, cmd)) throw new UsageError(`unknown command "${cmd}" (use ${Object.keys(COMMANDS).join(', ')})`);
    const command = await COMMANDS[cmd]();
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

export { BATCH_V8_FLAGS } from './v8flags';

/** `loopwise ...` from the command line: dist/cli.js calls this once the bundle is loaded (bin.ts). */
export function cli(): void {
  for (const flag of process.argv[2] === 'server' ? SERVER_V8_FLAGS : BATCH_V8_FLAGS) setFlagsFromString(flag);
  // `loopwise scan | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

if (require.main === module) cli();
