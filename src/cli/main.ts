// `loopwise scan | fix | recommend`: exit 0 clean, 1 findings, 2 usage, configuration or I/O error
// (one line on stderr per problem).
import { type CommandSpec, parseCommand, UsageError } from './args';
import { type Commands, runCommand, startCli, stdoutWriter } from './command';
import { runScan, SCAN_SPEC } from './scan';
import { VERSION } from './version';

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

/**
 * Each command is loaded when it runs: `scan` is bundled in, the others load their modules on first
 * use. From the command line a scan does not run this bundle at all but its own (scanMain.ts,
 * dist/scan.js), which holds none of the other commands' code.
 */
const COMMANDS: Commands = {
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

export async function main(argv: string[], out: (s: string) => void = stdoutWriter, err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  return runCommand(argv, COMMANDS, helpAll, out, err);
}

export { BATCH_V8_FLAGS } from './v8flags';

/** `loopwise ...` from the command line: dist/cli.js calls this once the bundle is loaded (bin.ts). */
export function cli(): void {
  startCli((argv) => main(argv));
}

if (require.main === module) cli();
