// Process entry of the language server: `loopwise server [--stdio | --node-ipc | --socket[=]N | --pipe[=]NAME]`
// (stdio when no transport is named). Nothing but the protocol may reach stdout.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

/**
 * `flags` are the command line parsed by the CLI (cli/main.ts); vscode-languageserver reads the same
 * transport options from process.argv in either spelling (`--socket=N`, `--socket N`).
 */
export function runServer(flags: Record<string, unknown>): Promise<number> {
  const stdio = !flags['node-ipc'] && flags.socket === undefined && flags.pipe === undefined;
  // Anything printed by accident goes to stderr, never into the protocol stream.
  console.log = console.error;
  console.info = console.error;
  const connection = stdio ? createConnection(ProposedFeatures.all, process.stdin, process.stdout) : createConnection(ProposedFeatures.all);
  // A failed request to the client (a capability it lacks) is logged, never fatal.
  process.on('unhandledRejection', (err) => connection.console.error(`unhandled: ${(err as Error)?.message ?? err}`));
  startServer(connection);
  // The connection exits the process on the `exit` notification; until then this never resolves.
  return new Promise<number>(() => undefined);
}
