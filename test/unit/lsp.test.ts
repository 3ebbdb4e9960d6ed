// The language server as an editor meets it: `node dist/cli.js server --stdio` in a child process,
// driven by a scripted LSP client over JSON-RPC (initialize, didOpen, didChange, diagnostics,
// codeAction + resolve, executeCommand fix-all through workspace/applyEdit, hover, code lens, the
// worker advice request, the per-file budget, shutdown and exit) on a copy of a real project.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CodeAction, CodeLens, Diagnostic, Hover, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const PROJECT = join(__dirname, '..', 'integration', 'workspace');

/** A minimal LSP client: keeps the documents it opened and every diagnostics notification. */
class Client {
  conn: MessageConnection;
  diags = new Map<string, PublishDiagnosticsParams[]>();
  docs = new Map<string, TextDocument>();
  settings: Record<string, unknown> = {};
  progress: string[] = [];
  applied: WorkspaceEdit[] = [];
  log: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly proc: ChildProcess) {
    this.conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.diags.get(p.uri) ?? [];
      list.push(p);
      this.diags.set(p.uri, list);
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { value: { kind: string; message?: string } }) => { this.progress.push(p.value.kind); });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.log.push(p.message); if (process.env.LSP_DEBUG) console.error(p.message); });
    proc.stderr!.on('data', (b: Buffer) => { this.log.push(String(b)); if (process.env.LSP_DEBUG) console.error(String(b)); });
    this.conn.onNotification('loopwise/didAnalyze', () => this.wake());
    this.conn.onRequest('workspace/configuration', (p: { items: { scopeUri?: string; section?: string }[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onRequest('workspace/applyEdit', (p: { edit: WorkspaceEdit }) => {
      this.applied.push(p.edit);
      this.apply(p.edit);
      return { applied: true };
    });
    this.conn.listen();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `fn` holds, re-checked on every notification (never a fixed sleep). */
  async until<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; server log:\n${this.log.join('\n').slice(-2000)}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  latest(uri: string): Diagnostic[] | undefined {
    return this.diags.get(uri)?.at(-1)?.diagnostics;
  }

  summary(uri: string): string[] {
    return (this.latest(uri) ?? []).map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
  }

  open(uri: string, text: string): void {
    this.docs.set(uri, TextDocument.create(uri, 'python', 1, text));
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  }

  /** Replaces the first `find` with `replace`, sent as an incremental change. */
  change(uri: string, find: string, replace: string): void {
    const doc = this.docs.get(uri)!;
    const at = doc.getText().indexOf(find);
    assert.ok(at >= 0, `"${find}" in ${uri}`);
    this.edit(uri, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + find.length) }, newText: replace }]);
  }

  edit(uri: string, edits: TextEdit[]): void {
    const doc = this.docs.get(uri)!;
    // Sent back to front, each against the text the previous one left (as VS Code does).
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    const next = TextDocument.update(doc, sorted.map((e) => ({ range: e.range, text: e.newText })), doc.version + 1);
    this.docs.set(uri, next);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: next.version }, contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })) });
  }

  apply(we: WorkspaceEdit): void {
    for (const dc of we.documentChanges ?? []) {
      if (!('edits' in dc)) continue;
      assert.equal(dc.textDocument.version, this.docs.get(dc.textDocument.uri)?.version, 'edit made for the current version');
      this.edit(dc.textDocument.uri, dc.edits as TextEdit[]);
    }
    for (const [uri, edits] of Object.entries(we.changes ?? {})) this.edit(uri, edits);
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }
}

function start(): Client {
  const proc = spawn(process.execPath, [CLI, 'server', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Client(proc);
}

async function initialize(c: Client, root: string, caps: { resolve: boolean; locale?: string }): Promise<{ capabilities: Record<string, unknown> }> {
  const uri = pathToFileURL(root).href;
  const r = await c.conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
    processId: process.pid,
    locale: caps.locale,
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'ws' }],
    capabilities: {
      workspace: { configuration: true, workspaceEdit: { documentChanges: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
      window: { workDoneProgress: true },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        codeAction: caps.resolve ? { resolveSupport: { properties: ['edit'] }, dataSupport: true } : {},
      },
    },
  });
  await c.conn.sendNotification('initialized', {});
  return r;
}

async function shutdown(c: Client): Promise<number | null> {
  const exited = new Promise<number | null>((r) => c.proc.on('exit', (code) => r(code)));
  await c.conn.sendRequest('shutdown');
  await c.conn.sendNotification('exit');
  const code = await exited;
  c.conn.dispose();
  return code;
}

const parses = (text: string) => spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: text }).status === 0;

describe('language server (scripted LSP client over stdio)', function () {
  this.timeout(60_000);
  let dir: string;
  let c: Client;
  const uri = (rel: string) => pathToFileURL(join(dir, rel)).href;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-lsp-'));
    cpSync(PROJECT, dir, { recursive: true });
  });
  afterEach(() => {
    if (c && c.proc.exitCode === null) c.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes diagnostics with code, docs link and the chain, follows incremental edits, fixes, hovers, lenses and exits cleanly', async () => {
    c = start();
    const init = await initialize(c, dir, { resolve: false });
    assert.deepEqual(init.capabilities.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    const main = uri('app/main.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    await c.until('main.py diagnostics', () => c.summary(main).length === 3);
    assert.deepEqual(c.summary(main), ['14:LW101', '20:LW102', '26:LW101']);
    const ds = c.latest(main)!;
    for (const d of ds) {
      assert.equal(d.source, 'loopwise');
      assert.equal(d.severity, 2);
      assert.match(d.codeDescription!.href, /#blocking-(http|sleep)$/);
    }
    const chained = ds.find((d) => d.range.start.line === 13)!;
    assert.equal(chained.relatedInformation?.length, 1);
    assert.equal(chained.relatedInformation![0].location.uri, uri('app/helpers.py'));
    assert.equal(chained.relatedInformation![0].location.range.start.line, 4);
    assert.match(chained.relatedInformation![0].message, /blocking call requests\.get/);
    // The workspace scan ran with progress and excluded scripts/ (pyproject's [tool.loopwise] exclude).
    await c.conn.sendRequest('loopwise/waitForScan');
    assert.ok(c.progress.includes('begin') && c.progress.includes('end'), `progress: ${c.progress}`);
    assert.equal(c.latest(uri('scripts/oneoff.py')), undefined);
    assert.deepEqual(c.summary(uri('app/broken.py')), ['8:LW102']);

    // An incremental edit: a new blocking call appears, a fixed one goes.
    c.change(main, '    await asyncio.sleep(0.1)\n', '    await asyncio.sleep(0.1)\n    time.sleep(0.5)\n');
    await c.until('new LW102 in fine()', () => c.summary(main).includes('33:LW102'));
    c.change(main, '    time.sleep(1)\n', '    await asyncio.sleep(1)\n');
    await c.until('sleepy() fixed', () => !c.summary(main).includes('20:LW102'));
    assert.deepEqual(c.summary(main), ['14:LW101', '26:LW101', '33:LW102']);
    assert.equal(c.diags.get(main)!.at(-1)!.version, c.docs.get(main)!.version, 'diagnostics carry the document version');

    // Quick fixes at the new time.sleep: the preferred one is asyncio.sleep, and applying it clears the finding.
    const d33 = c.latest(main)!.find((d) => d.range.start.line === 32)!;
    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: main }, range: d33.range, context: { diagnostics: [d33] } });
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1, actions.map((a) => a.title).join(' | '));
    assert.match(preferred[0].title, /asyncio\.sleep/);
    assert.ok(actions.some((a) => /noqa/.test(a.title)), 'a suppression is offered');
    assert.ok(actions.every((a) => a.kind === 'quickfix' && a.edit));
    c.apply(preferred[0].edit!);
    assert.match(c.text(main), /\n    await asyncio\.sleep\(0\.5\)\n/);
    await c.until('fixed finding gone', () => !c.summary(main).includes('33:LW102'));

    // Hover on a finding explains it; code lenses sit on the routes.
    const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: main }, position: { line: 25, character: 10 } });
    const md = (hover?.contents as { value: string }).value;
    assert.match(md, /LW101/);
    assert.match(md, /Why it blocks/);
    assert.match(md, /Fix \(preferred\)/);
    const lenses = await c.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: main } });
    const titles = lenses.map((l) => l.command!.title);
    assert.ok(titles.some((t) => /^GET \/users · I\/O \d+ % · CPU \d+ % · blocking \d+ % · 1 blocker$/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /^GET \/fine · I\/O \d+ % · CPU \d+ % · 0 blockers$/.test(t)), titles.join(' | '));
    assert.equal(lenses[0].command!.command, 'loopwise.recommendWorkers');

    // Fix-all as a source action and as a command (through workspace/applyEdit).
    const src = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: main }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.loopwise'] } });
    assert.equal(src.length, 1);
    assert.equal(src[0].kind, 'source.fixAll.loopwise');
    const n = await c.conn.sendRequest<number>('workspace/executeCommand', { command: 'loopwise.applyFixAll', arguments: [main] });
    assert.ok(n >= 1, `fixes applied: ${n}`);
    assert.equal(c.applied.length, 1);
    const fixed = c.text(main);
    // Both routes await nothing: the preferred fix (issue 11) makes them plain defs, run in FastAPI's threadpool.
    assert.match(fixed, /\n@app\.get\("\/users"\)\ndef users\(\):\n    r = requests\.get\("https:\/\/example\.com\/users"\)\n/);
    assert.match(fixed, /\n@app\.get\("\/weather"\)\ndef weather\(city: str\):\n/);
    assert.ok(parses(fixed), `fixed text parses:\n${fixed}`);
    await c.until('fix-all cleared the direct findings', () => !c.summary(main).includes('26:LW101') && c.diags.get(main)!.at(-1)!.version === c.docs.get(main)!.version);
    assert.ok(n >= 2, `edits for users() and weather(): ${n}`);
    await c.until('no findings left', () => c.summary(main).length === 0);
    const again = await c.conn.sendRequest<number>('workspace/executeCommand', { command: 'loopwise.applyFixAll', arguments: [main] });
    assert.equal(again, 0, 'a second fix-all changes nothing');

    // The worker panel's data: the advisor on this folder, inputs from docker-compose.yml.
    const advice = await c.conn.sendRequest<{ rec: { workers: number; inputs: { source: Record<string, string> } }; folders: unknown[]; scan: { handlers: unknown[] } }>('loopwise/advice', { folder: uri(''), inputs: {} });
    assert.ok(advice.rec.workers >= 1);
    assert.match(advice.rec.inputs.source.cores ?? '', /docker-compose\.yml/);
    assert.equal(advice.folders.length, 1);
    assert.ok(advice.scan.handlers.length >= 4);

    assert.equal(await shutdown(c), 0, 'exit code after shutdown + exit');
  });

  it('refuses to resolve a quick fix for an older version, and resolves it for the current one', async () => {
    c = start();
    await initialize(c, dir, { resolve: true });
    const main = uri('app/main.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    const d = await c.until('LW102', () => c.latest(main)?.find((x) => x.range.start.line === 19));
    const list = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: main }, range: d.range, context: { diagnostics: [d] } });
    assert.ok(list.length > 1 && list.every((a) => !a.edit && a.data), 'edits are deferred to resolve');
    const fresh = await c.conn.sendRequest<CodeAction>('codeAction/resolve', list[0]);
    assert.ok(fresh.edit && !fresh.disabled);
    c.edit(main, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# moved\n' }]);
    const stale = await c.conn.sendRequest<CodeAction>('codeAction/resolve', list[0]);
    assert.equal(stale.edit, undefined, 'no edit for a stale action');
    assert.ok(stale.disabled, 'the stale action is disabled');
    assert.equal(await shutdown(c), 0);
  });

  it('gives a file over the time budget a note instead of findings, and honours settings', async () => {
    c = start();
    c.settings = { run: { fileBudgetMs: 0, debounceMs: 0 }, severity: { blocking: 'error' } };
    await initialize(c, dir, { resolve: false });
    const main = uri('app/main.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    const notes = await c.until('budget note', () => c.latest(main)?.length === 1 && c.latest(main));
    assert.equal(notes[0].code, undefined);
    assert.match(notes[0].message, /over the 0 ms budget/);
    // A normal budget again: findings come back, with the severity from the settings.
    c.settings = { run: { debounceMs: 0 }, severity: { blocking: 'error' }, rules: { disabled: ['LW102'] } };
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await c.until('findings after the budget is raised', () => c.summary(main).join() === '14:LW101,26:LW101');
    assert.ok(c.latest(main)!.every((d) => d.severity === 1), 'errors from severity.blocking');
    assert.equal(await shutdown(c), 0);
  });

  it('gives an open document over the size limit a note instead of analysing it, and analyses it again once it is short enough', async () => {
    c = start();
    c.settings = { run: { debounceMs: 0 } };
    await initialize(c, dir, { resolve: false });
    const big = uri('app/generated.py');
    // 2.2M characters: 36,000 coroutines with a blocking call each (the analysis of the start's build took tens of seconds and GBs).
    const one = 'async def h{i}():\n    time.sleep(1)\n    return {"i": {i}, "pad": "abcdefghijklmnop"}\n\n\n';
    const parts = ['import time\n\n\n'];
    for (let i = 0, n = 0; n < 2_200_000; i++) n += parts[parts.push(one.replaceAll('{i}', String(i))) - 1].length;
    const text = parts.join('');
    const t0 = Date.now();
    c.open(big, text);
    const notes = await c.until('size note', () => c.latest(big)?.length === 1 && c.latest(big), 30_000);
    assert.match(notes[0].message, /^Loopwise: this file has [\d,]+ characters, over the 2,097,152 the analysis reads/);
    assert.equal(notes[0].severity, 3);
    // The server answers at once (nothing was built): a request after the note, within a generous budget.
    await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: big }, position: { line: 3, character: 4 } });
    assert.ok(Date.now() - t0 < 20_000, `${Date.now() - t0} ms`);
    // Cut to its first coroutine: analysed again, with its finding.
    const doc = c.docs.get(big)!;
    c.edit(big, [{ range: { start: doc.positionAt(text.indexOf('async def h1(')), end: doc.positionAt(text.length) }, newText: '' }]);
    await c.until('findings once short enough', () => c.summary(big).join() === '5:LW102');
    assert.equal(await shutdown(c), 0);
  });

  it('a document that grew over the size limit and shrank again is analysed from its text (the edits do not apply to the last text analysed)', async () => {
    c = start();
    c.settings = { run: { debounceMs: 0 } };
    await initialize(c, dir, { resolve: false });
    const u = uri('app/grown.py');
    const small = 'import time\n\n\nasync def h0():\n    pass\n';
    c.open(u, small);
    await c.until('analysed', () => c.latest(u) !== undefined || c.summary(u).join() === '', 10_000);
    // `pass` becomes a blocking call followed by 2.2M characters of comment: over the limit, not analysed.
    const pad = '# ' + 'x'.repeat(98) + '\n';
    const grown = 'time.sleep(1)\n' + pad.repeat(22_000);
    let doc = c.docs.get(u)!;
    c.edit(u, [{ range: { start: doc.positionAt(small.indexOf('pass')), end: doc.positionAt(small.length) }, newText: grown }]);
    await c.until('size note', () => c.latest(u)?.length === 1 && /characters/.test(c.latest(u)![0].message), 30_000);
    // The comment cut: the blocking call is back under the limit and is found.
    doc = c.docs.get(u)!;
    const text = doc.getText();
    c.edit(u, [{ range: { start: doc.positionAt(text.indexOf('# x')), end: doc.positionAt(text.length) }, newText: '' }]);
    await c.until('the finding once short enough', () => c.summary(u).join() === '5:LW102', 20_000);
    assert.equal(await shutdown(c), 0);
  });

  it('publishes only the latest state after a burst of edits (older analyses are dropped)', async () => {
    c = start();
    c.settings = { run: { debounceMs: 20 } };
    await initialize(c, dir, { resolve: false });
    const file = uri('app/burst.py');
    const text = 'import time\n\n\nasync def job():\n    x = 1\n';
    writeFileSync(join(dir, 'app/burst.py'), text);
    c.open(file, text);
    await c.until('first analysis', () => c.diags.has(file) || c.latest(uri('app/main.py')));
    for (let i = 0; i < 30; i++) c.edit(file, [{ range: { start: { line: 4, character: 9 }, end: { line: 4, character: 9 } }, newText: ' ' }]);
    c.edit(file, [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, newText: 'time.sleep(1); ' }]);
    await c.until('diagnostics for the last version', () => c.summary(file).join() === '5:LW102');
    const stats = await c.conn.sendRequest<{ edits: { version: number }[] }>('loopwise/stats');
    const versions = stats.edits.filter((e) => (e as { file?: string }).file === file).map((e) => e.version);
    assert.ok(versions.length < 10, `analyses for ${versions.length} of 31 versions`);
    assert.equal(versions.at(-1), c.docs.get(file)!.version);
    assert.equal(await shutdown(c), 0);
  });

  it('re-analyses the files that import an edited module (cross-file chain)', async () => {
    c = start();
    c.settings = { run: { debounceMs: 0 } };
    await initialize(c, dir, { resolve: false });
    const main = uri('app/main.py');
    const helpers = uri('app/helpers.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    c.open(helpers, readFileSync(join(dir, 'app/helpers.py'), 'utf8'));
    await c.until('chained finding', () => c.summary(main).includes('14:LW101'));
    c.change(helpers, 'resp = requests.get(f"https://weather.example.com/{city}")', 'resp = {"city": city}');
    await c.until('chain gone from main.py', () => !c.summary(main).includes('14:LW101'));
    assert.deepEqual(c.summary(main), ['20:LW102', '26:LW101']);
    c.change(helpers, 'resp = {"city": city}', 'resp = requests.get(f"https://weather.example.com/{city}")');
    await c.until('chain back in main.py', () => c.summary(main).includes('14:LW101'));
    assert.equal(await shutdown(c), 0);
  });

  it('speaks the language of the client (initialize locale) in hovers, lenses and related information', async () => {
    c = start();
    await initialize(c, dir, { resolve: false, locale: 'vi' });
    const main = uri('app/main.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    await c.until('diagnostics', () => c.summary(main).length === 3);
    const vi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'l10n', 'bundle.l10n.vi.json'), 'utf8')) as Record<string, string>;
    const chained = c.latest(main)!.find((d) => d.range.start.line === 13)!;
    assert.equal(chained.relatedInformation![0].message, vi['blocking call {0}'].replace('{0}', 'requests.get'));
    const hover = await c.conn.sendRequest<Hover>('textDocument/hover', { textDocument: { uri: main }, position: { line: 19, character: 6 } });
    assert.ok((hover.contents as { value: string }).value.includes(vi['Why it blocks']), (hover.contents as { value: string }).value);
    const lenses = await c.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: main } });
    assert.ok(lenses.some((l) => l.command!.title.endsWith(vi['1 blocker'])), lenses.map((l) => l.command!.title).join(' | '));
    assert.equal(await shutdown(c), 0);
  });

  it('takes settings from initializationOptions when the client has no workspace/configuration (Helix, Zed style)', async () => {
    c = start();
    const root = pathToFileURL(dir).href;
    await c.conn.sendRequest('initialize', { processId: process.pid, rootUri: root, workspaceFolders: null, capabilities: {}, initializationOptions: { loopwise: { rules: { disabled: ['LW102'] } } } });
    await c.conn.sendNotification('initialized', {});
    const main = uri('app/main.py');
    c.open(main, readFileSync(join(dir, 'app/main.py'), 'utf8'));
    await c.until('diagnostics without LW102', () => c.summary(main).length === 2);
    assert.deepEqual(c.summary(main), ['14:LW101', '26:LW101']);
    assert.equal(await shutdown(c), 0);
  });

  it('reports test code at the test-code severity (info), scanned and opened alike', async () => {
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests', 'test_api.py'), 'import time\n\n\nasync def test_slow():\n    time.sleep(1)\n');
    c = start();
    await initialize(c, dir, { resolve: false });
    const test = uri('tests/test_api.py');
    await c.until('scanned test file', () => c.summary(test).length === 1);
    assert.equal(c.latest(test)![0].severity, 3, 'information');
    c.open(test, readFileSync(join(dir, 'tests', 'test_api.py'), 'utf8'));
    c.change(test, 'time.sleep(1)', 'time.sleep(1)\n    time.sleep(2)');
    await c.until('re-analysed after the edit', () => c.summary(test).length === 2);
    assert.deepEqual(c.latest(test)!.map((d) => [d.code, d.severity]), [['LW102', 3], ['LW102', 3]]);
    assert.equal(await shutdown(c), 0);
  });

  it('does not read the project\'s configuration files when the client says the workspace is untrusted', async () => {
    c = start();
    const root = pathToFileURL(dir).href;
    await c.conn.sendRequest('initialize', { processId: process.pid, rootUri: root, workspaceFolders: [{ uri: root, name: 'ws' }], capabilities: { workspace: { configuration: true } }, initializationOptions: { trusted: false } });
    await c.conn.sendNotification('initialized', {});
    await c.conn.sendRequest('loopwise/waitForScan');
    // pyproject.toml excludes scripts/**: untrusted, that exclude does not apply.
    await c.until('scripts/oneoff.py analysed', () => (c.latest(uri('scripts/oneoff.py'))?.length ?? 0) > 0);
    await c.conn.sendNotification('loopwise/didGrantTrust');
    await c.until('excluded once trusted', () => c.latest(uri('scripts/oneoff.py'))?.length === 0);
    assert.equal(await shutdown(c), 0);
  });

  it('keeps workspace folders apart: one analysis, advice and status per folder', async () => {
    c = start();
    const other = join(dir, 'other');
    cpSync(join(dir, 'app'), join(other, 'app'), { recursive: true });
    writeFileSync(join(other, 'app', 'main.py'), 'import asyncio\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/ok")\nasync def ok():\n    await asyncio.sleep(1)\n');
    rmSync(join(other, 'app', 'broken.py'));
    const a = pathToFileURL(join(dir, 'app')).href;
    const b = pathToFileURL(other).href;
    await c.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: [{ uri: a, name: 'first' }, { uri: b, name: 'second' }], capabilities: { workspace: { configuration: true, workspaceFolders: true } } });
    await c.conn.sendNotification('initialized', {});
    await c.conn.sendRequest('loopwise/waitForScan');
    type Advice = { folder: string; folders: { name: string }[]; scan: { findings: { file: string }[]; handlers: { route: string | null }[] } };
    const first = await c.conn.sendRequest<Advice>('loopwise/advice', { folder: a });
    const second = await c.conn.sendRequest<Advice>('loopwise/advice', { folder: b });
    assert.deepEqual(first.folders.map((f) => f.name), ['first', 'second']);
    assert.ok(first.scan.findings.length >= 3 && first.scan.findings.every((f) => f.file.startsWith(`${a}/`)), JSON.stringify(first.scan.findings.map((f) => f.file)));
    assert.equal(second.folder, b);
    assert.deepEqual(second.scan.findings, []);
    assert.ok(second.scan.handlers.some((h) => h.route === 'GET /ok'));
    assert.ok(!second.scan.handlers.some((h) => h.route === 'GET /weather'), 'no handlers from the other folder');
    assert.equal(await shutdown(c), 0);
  });

  for (const spelling of [['--socket', 'PORT'], ['--socket=PORT']]) {
    it(`talks LSP over a TCP socket with \`server ${spelling.join(' ')}\``, async () => {
      // The client listens; the server connects to the port it is given (vscode-languageserver's socket transport).
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const port = String((srv.address() as { port: number }).port);
      const connected = new Promise<import('node:net').Socket>((r) => srv.once('connection', r));
      const proc = spawn(process.execPath, [CLI, 'server', ...spelling.map((a) => a.replace('PORT', port))], { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: string[] = [];
      proc.stdout!.on('data', (b: Buffer) => stdout.push(String(b)));
      const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
      try {
        const socket = await connected;
        const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
        conn.listen();
        const init = await conn.sendRequest<{ capabilities: { codeActionProvider?: unknown } }>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
        assert.ok(init.capabilities.codeActionProvider, 'the server answered initialize over the socket');
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
        assert.equal(await exited, 0);
        conn.dispose();
        assert.equal(stdout.join(''), '', 'nothing on stdout when the protocol runs over a socket');
      } finally {
        proc.kill();
        srv.close();
      }
    });
  }

  it('`server --frob` is a usage error', () => {
    const r = spawnSync(process.execPath, [CLI, 'server', '--frob'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'loopwise: unknown option --frob\n', 'the one error style of every command');
  });
});
