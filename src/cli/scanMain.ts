// `loopwise scan` from the command line (dist/scan.js): the launcher (bin.ts) runs this bundle instead
// of the whole CLI's (main.ts, dist/loopwise.js) for a scan. It holds the scan and nothing else: not
// the language server, the advisor (`recommend`), `fix`, or their libraries (vscode-languageserver,
// yaml, csv-parse), about half of the whole CLI's 1.9 MB that every scan used to read, turn into a
// string and restore from the code cache. Help, errors and exit codes are the whole CLI's (command.ts).
import { helpText } from './args';
import { type Commands, runCommand, startCli, stdoutWriter } from './command';
import { runScan, SCAN_SPEC } from './scan';
import { VERSION } from './version';

const SCAN_ONLY: Commands = { scan: async () => ({ run: runScan, spec: SCAN_SPEC }) };

/** The whole CLI's main() for a scan: the launcher runs this bundle only when the command is `scan`. */
export function main(argv: string[], out: (s: string) => void = stdoutWriter, err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  return runCommand(argv, SCAN_ONLY, async () => helpText(SCAN_SPEC, VERSION), out, err);
}

export function cli(): void {
  startCli((argv) => main(argv));
}
