// A new user's path through the installed VSIX in code-server, in headless Chromium: open main.py,
// see the squiggles and the Problems row, apply a quick fix with Ctrl+., open the worker panel.
// Each check counts as a test; screenshots go to SHOTS. usage: node ui.js PORT FOLDER
const { chromium } = require('playwright-core');
const { launchOptions } = require('./browser');

const [port, folder] = process.argv.slice(2);
const shots = process.env.SHOTS || '.';
const t0 = Date.now();
const el = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
let passed = 0, failed = 0;

async function check(page, name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name} (${el()})`);
    return true;
  } catch (err) {
    failed++;
    console.log(`  ✖ ${name}: ${String(err.message).split('\n')[0]}`);
    await page.screenshot({ path: `${shots}/fail-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
    return false;
  }
}

async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(command);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: 20000 });
  await page.keyboard.press('Enter');
}

(async () => {
  const browser = await chromium.launch(launchOptions());
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('pageerror', (e) => console.log('[pageerror]', e.message.slice(0, 300)));
  console.log('UI check');
  let ok = await check(page, 'workbench loads the folder', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'app' }).first().waitFor({ timeout: 60000 });
  });
  ok = ok && await check(page, 'squiggles appear in main.py', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^app$/ }).first().click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'main.py' }).first().click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 60000 });
    await page.waitForTimeout(800); // let code lenses render for the screenshot
    await page.screenshot({ path: `${shots}/1-squiggles.png` });
  });
  if (ok) await check(page, 'hover explains the blocker', async () => {
    const box = await page.locator('.monaco-editor .squiggly-warning').nth(1).boundingBox();
    if (!box) throw new Error('no squiggle box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.monaco-hover', { hasText: 'Why it blocks' }).first().waitFor({ timeout: 20000 });
    await page.screenshot({ path: `${shots}/2-hover.png` });
    await page.keyboard.press('Escape');
  });
  if (ok) await check(page, 'Problems panel lists the findings', async () => {
    await palette(page, 'View: Focus Problems');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'time.sleep blocks the event loop' }).first().waitFor({ timeout: 20000 });
    await page.screenshot({ path: `${shots}/3-problems.png` });
  });
  if (ok) await check(page, 'a quick fix applies through Ctrl+.', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('20:6');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget .monaco-list-row.action, .action-widget .action-list-item, .context-view .monaco-list-row');
    await menu.first().waitFor({ timeout: 20000 });
    await page.screenshot({ path: `${shots}/4-quick-fix.png` });
    // The core's preferred fix when there is one, else the suppression; chosen with the keyboard.
    const rows = page.locator('.action-widget .monaco-list-row.action');
    const items = await rows.evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('aria-label') || '', focused: e.classList.contains('focused') })));
    let want = items.findIndex((x) => /asyncio\.sleep/.test(x.label));
    if (want < 0) want = items.findIndex((x) => /Ignore LW102 on this line/.test(x.label));
    if (want < 0) throw new Error(`no Loopwise fix in the menu: ${items.map((x) => x.label).join(' | ')}`);
    console.log(`    applying "${items[want].label}"`);
    const at = Math.max(0, items.findIndex((x) => x.focused));
    for (let i = at; i < want; i++) await page.keyboard.press('ArrowDown');
    for (let i = at; i > want; i--) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: /await\sasyncio\.sleep\(1\)|#\snoqa:\sLW102/ }).first().waitFor({ timeout: 20000 });
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'async handler sleepy' }).first().waitFor({ state: 'detached', timeout: 20000 });
    await page.screenshot({ path: `${shots}/5-fixed.png` });
  });
  if (ok) await check(page, 'the worker panel shows the recommendation', async () => {
    await palette(page, 'Loopwise: Recommend workers');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const workers = frame.locator('#workers');
    await workers.waitFor({ timeout: 30000 });
    const n = (await workers.innerText()).trim();
    if (!/^\d+$/.test(n)) throw new Error(`workers = "${n}"`);
    await frame.locator('#handlers svg .row').first().waitFor({ timeout: 10000 });
    console.log(`    panel: ${n} worker(s): ${(await frame.locator('#reason').innerText()).trim()}`);
    await page.screenshot({ path: `${shots}/6-panel.png` });
    // The chart and the decision trace, with the panel given the whole window.
    for (const cmd of ['View: Toggle Panel Visibility', 'View: Maximize Editor Group']) await palette(page, cmd).catch(() => page.keyboard.press('Escape'));
    await frame.locator('#handlers').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${shots}/7-panel-chart.png` });
  });
  if (ok) await check(page, 'the status bar shows blockers and workers', async () => {
    const item = page.locator('.statusbar-item', { hasText: /Loopwise: \d+ blockers? · \d+ workers?/ }).first();
    await item.waitFor({ timeout: 10000 });
    console.log(`    status bar: ${(await item.innerText()).trim()}`);
  });
  // Multi-root: the status bar follows the active editor's folder; the panel has a folder picker.
  if (process.env.MULTI_ROOT) {
    // A fresh page: the folder window above must not hand its state to the workspace window.
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const quickOpen = async (name) => {
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.keyboard.type(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
    };
    const status = (re) => page.locator('.statusbar-item', { hasText: re }).first().waitFor({ timeout: 30000 });
    ok = await check(page, 'multi-root: the status bar shows the active editor\'s folder', async () => {
      const url = `http://127.0.0.1:${port}/?workspace=${encodeURIComponent(process.env.MULTI_ROOT)}`;
      const folderRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'clean' }).first();
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      // code-server now and then shows a workspace window with no folders on first load: one reload.
      if (!(await folderRow.waitFor({ timeout: 30000 }).then(() => true, () => false))) {
        await page.reload();
        await folderRow.waitFor({ timeout: 60000 });
      }
      await quickOpen('clean.py');
      await status(/Loopwise: 0 blockers · \d+ workers?/);
      await quickOpen('main.py');
      await status(/Loopwise: [1-9]\d* blockers? · \d+ workers?/);
      console.log(`    status bar: ${(await page.locator('.statusbar-item', { hasText: /Loopwise:/ }).first().innerText()).trim()}`);
    });
    if (ok) await check(page, 'multi-root: the panel picks the folder it shows', async () => {
      await palette(page, 'Loopwise: Recommend workers');
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      const select = frame.locator('#folder');
      await select.waitFor({ timeout: 30000 });
      const names = await select.locator('option').allInnerTexts();
      if (names.join() !== 'shop,clean') throw new Error(`folders in the picker: ${names.join()}`);
      const before = (await frame.locator('#reason').innerText()).trim();
      await select.selectOption({ label: 'clean' });
      await frame.locator('#reason', { hasNotText: before }).waitFor({ timeout: 20000 });
      const after = (await frame.locator('#reason').innerText()).trim();
      console.log(`    shop: "${before}" -> clean: "${after}"`);
      await page.screenshot({ path: `${shots}/8-multi-root-panel.png` });
    });
  }
  await browser.close();
  console.log(`UI: ${passed} passed, ${failed} failed (${el()})`);
  process.exit(failed ? 1 : 0);
})().catch((err) => { console.error(err); console.log(`UI: ${passed} passed, ${failed + 1} failed`); process.exit(1); });
