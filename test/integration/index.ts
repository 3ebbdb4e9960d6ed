// Mocha entry point loaded by the extension host (extensionTestsPath): runs every suite file and
// prints a closing `N passed, N failed` line for CI.
import * as path from 'node:path';
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep: process.env.MOCHA_GREP || undefined });
  const dir = path.join(__dirname, 'suite');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats;
      console.log(`${s?.passes ?? 0} passed, ${failures} failed${s?.pending ? `, ${s.pending} pending` : ''}`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
