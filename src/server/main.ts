// Process entry of the language server: `loopwise server [--stdio | --node-ipc | --socket[=]N | --pipe[=]NAME]`
// (stdio when no transport is named). Nothing but the protocol may reach stdout.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

/** Options whose value may follow as the next argument (vscode-languageserver reads both spellings). */
const VALUED = new Set(['--socket', '--pipe', '--clientProcessId']);
/** The transports vscode-languageserver reads from the command line. */
const isTransport = (a: string) => a === '--node-ipc' || a === '--stdio' || VALUED.has(a.split('=')[0]);

/** The first argument that is neither a transport option nor the value of one. */
function unknownArgument(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (VALUED.has(argv[i])) i++;
    else if (!isTransport(argv[i])) return argv[i];
  }
  return undefined;
}

export function runServer(argv: string[]): Promise<number> {
  const named = argv.some(isTransport);
  const unknown = unknownArgument(argv);
  if (unknown) return Promise.reject(Object.assign(new Error(`server: unknown option "${unknown}" (use --stdio, --node-ipc or --socket PORT)`), { name: 'UsageError' }));
  // Anything printed by accident goes to stderr, never into the protocol stream.
  console.log = console.error;
  console.info = console.error;
  const connection = named && !argv.includes('--stdio') ? createConnection(ProposedFeatures.all) : createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  // A failed request to the client (a capability it lacks) is logged, never fatal.
  process.on('unhandledRejection', (err) => connection.console.error(`unhandled: ${(err as Error)?.message ?? err}`));
  startServer(connection);
  // The connection exits the process on the `exit` notification; until then this never resolves.
  return new Promise<number>(() => undefined);
}
