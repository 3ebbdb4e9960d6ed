// Runs the Mocha suite (out/test/integration) inside code-server's real extension host: the workbench
// is opened with a dev-extension payload, and the exit code comes back through
// window.codeAutomationExit (the hook @vscode/test-web uses). Prints the host's console output.
// usage: node run-ext-tests.js PORT EXT_DIR TESTS_ENTRY FOLDER
const { chromium } = require('playwright-core');
const util = require('node:util');
const { launchOptions } = require('./browser');

const [port, extDir, testsEntry, folder] = process.argv.slice(2);
const t0 = Date.now();
(async () => {
  const browser = await chromium.launch(launchOptions());
  const page = await browser.newPage();
  const authority = `127.0.0.1:${port}`;
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(args || []));
    if (!/Creating a socket|connection token/.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extDir}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsEntry}`],
  ]);
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
  const limit = Number(process.env.EXT_TESTS_TIMEOUT_MS || 240000);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), limit))]);
  console.log(`extension tests exit code: ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  await browser.close();
  process.exit(code === 0 ? 0 : 1);
})().catch((err) => { console.error(err); process.exit(1); });
