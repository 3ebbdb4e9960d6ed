// The standard runner for machines that can download VS Code: @vscode/test-electron starts a real
// VS Code on a fresh copy of the fixture workspace and runs the same Mocha suite as the code-server
// harness (scripts/test-vscode.sh). Usage: node out/test/integration/runTest.js
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const ws = mkdtempSync(path.join(tmpdir(), 'loopwise-ws-'));
  cpSync(path.join(root, 'test/integration/workspace'), ws, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust'],
      version: process.env.VSCODE_VERSION ?? 'stable',
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
