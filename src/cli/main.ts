// `loopwise scan | fix | recommend`: exit 0 clean, 1 findings, 2 usage or I/O error (one line on stderr).
import { InputError } from '../core/files';
import { UsageError } from './args';
import { runFix } from './fix';
import { runRecommend } from './recommend';
import { runScan } from './scan';
import { runServer } from '../server/main';
import { VERSION } from './version';

type Command = (argv: string[], out: (s: string) => void) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  scan: runScan,
  fix: runFix,
  recommend: runRecommend,
  server: (argv) => runServer(argv),
};

const HELP = `loopwise ${VERSION}: find event-loop blockers in FastAPI code

Usage:
  loopwise scan [PATH...] [--format text|json|sarif] [--select LW1,LW203] [--ignore LW301] [--exclude GLOB] [--exit-zero] [--jobs N]
                [--test-severity error|warning|info]
  loopwise fix [PATH...] [--select LW1,LW203] [--ignore LW301] [--exclude GLOB] [--diff]
      applies each finding's preferred fix in place (or prints a unified diff with --diff)
  loopwise recommend [PATH...] [--cores N] [--memory 2G] [--rps N] [--ccu N] [--concurrency N]
                     [--target-latency MS] [--cannot-refactor] [--load-tests [N:]FILE] [--per-worker-memory MB]
                     [--traffic "GET /a=0.8,GET /b=0.2"] [--format text|json]
  loopwise server [--stdio | --node-ipc]
      the language server (LSP) for editors: diagnostics, quick fixes, hover, code lens

Exit codes: 0 no findings, 1 findings (scan) or deployment files that differ from the advice
(recommend: LW401/LW402), 2 usage or I/O error.
`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') { out(HELP); return cmd ? 0 : 2; }
  if (cmd === '--version' || cmd === '-V') { out(`${VERSION}\n`); return 0; }
  const run = COMMANDS[cmd];
  try {
    if (!run) throw new UsageError(`unknown command "${cmd}" (use ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('-h') || rest.includes('--help')) { out(HELP); return 0; }
    return await run(rest, out);
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

if (require.main === module) {
  // `loopwise scan | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
