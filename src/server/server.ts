// `loopwise server`: the language server (LSP over stdio or Node IPC). Documents sync incrementally;
// analysis runs here, in its own process, never in an editor's UI or extension host. Features:
// diagnostics (code, docs link, the chain as related information), quick fixes and fix-all from the
// core, hover, code lens, a workspace scan with progress, settings through workspace/configuration,
// and `loopwise/advice` for clients that show the worker recommendation.
import { getHeapSpaceStatistics } from 'node:v8';
import {
  CodeActionKind, CodeLensRefreshRequest, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType, TextDocumentSyncKind,
  type CodeAction, type CodeLens, type Connection, type InitializeParams, type InitializeResult, type TextEdit as LspTextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentEdit } from '../core/analyzer';
import { differingSpan } from '../core/analyzer';
import { fixAllEdits } from '../core/fixes/pipeline';
import type { Finding, Fix, TextEdit } from '../core/types';
import { Advisor } from './advice';
import { contains, findingRange, hoverFor, intersects, LENS_KINDS, lensTitle, notAnalysedDiagnostic, setClientLocale, toDiagnostic } from './convert';
import { setLocale, t } from './l10n';
import { ADVICE_REQUEST, type AdviceParams, DID_ANALYZE_NOTIFICATION, FIX_ALL_COMMAND, FIX_ALL_KIND, type ServerStats, STATS_REQUEST } from './protocol';
import { canonicalUri, ServerWorkspace } from './workspace';

const DEPLOY_FILE = /(^|\/)(Dockerfile|Procfile|gunicorn\.conf\.py|[^/]*compose[^/]*\.ya?ml|[^/]*\.k8s\.yaml|deployment[^/]*\.ya?ml)$/;

interface ActionData { uri: string; version: number | null; finding: number; fix: number; kind: 'fix' | 'noqa' }

function isSuppression(fix: Fix): boolean {
  return fix.kind === 'noqa';
}

/** `# noqa: LW101` at the end of the finding's last line, or the code added to an existing list. */
function suppressionEdit(doc: TextDocument, f: Finding): TextEdit | undefined {
  const line = Math.min(f.endLine - 1, doc.lineCount - 1);
  const start = doc.offsetAt({ line, character: 0 });
  const next = line + 1 < doc.lineCount ? doc.offsetAt({ line: line + 1, character: 0 }) : doc.getText().length;
  const text = doc.getText().slice(start, next).replace(/\r?\n$/, '');
  const end = start + text.length;
  const m = /#\s*noqa(:\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?\s*$/i.exec(text);
  if (m && !m[1]) return undefined; // a bare `# noqa` already silences everything
  if (m) return { start: end, end, newText: `, ${f.code}` };
  return { start: end, end, newText: `  # noqa: ${f.code}` };
}

export function startServer(connection: Connection, opts: { grammarDir?: string } = {}): void {
  const docs = new Map<string, TextDocument>();
  let canConfigure = false;
  let canWatch = false;
  let canProgress = false;
  let resolveEdits = false;
  let versionedEdits = false;
  let initSettings: unknown;
  let lensRefresh = false;
  let folderEvents = false;

  const ws = new ServerWorkspace({
    configuration: async (folder) => {
      if (!canConfigure) return initSettings;
      const [v] = await connection.workspace.getConfiguration([{ scopeUri: folder || undefined, section: 'loopwise' }]);
      return v ?? initSettings;
    },
    publish: (file, version, findings, over) => {
      const diagnostics = over ? [notAnalysedDiagnostic(over)] : findings.map(toDiagnostic);
      void connection.sendDiagnostics({ uri: file, version, diagnostics });
    },
    didAnalyze: (folder, findings) => {
      void connection.sendNotification(DID_ANALYZE_NOTIFICATION, { folder, findings });
      if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    },
    progress: async (title) => {
      if (!canProgress) return { report: () => undefined, done: () => undefined, cancelled: () => false };
      const p = await connection.window.createWorkDoneProgress();
      p.begin(title, 0, undefined, true);
      return { report: (m, pct) => p.report(pct ?? 0, m), done: () => p.done(), cancelled: () => p.token.isCancellationRequested };
    },
    log: (m) => connection.console.log(m),
  }, opts.grammarDir);
  const advisor = new Advisor();

  const docFor = (uri: string) => docs.get(canonicalUri(uri));

  /** Findings (with fixes) computed on exactly this document's current text, or undefined if it moved on. */
  async function fresh(uri: string, want?: (f: Finding, index: number) => boolean): Promise<{ doc: TextDocument; findings: Finding[] } | undefined> {
    const doc = docFor(uri);
    if (!doc) return undefined;
    await ws.flush(uri);
    const seen = ws.analyzed(uri);
    if (!seen || seen.text !== doc.getText()) return undefined;
    return { doc, findings: await ws.findingsWithFixes(uri, want) };
  }

  function lspEdits(doc: TextDocument, edits: TextEdit[]): LspTextEdit[] {
    return edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
  }

  function workspaceEdit(doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
    const te = lspEdits(doc, edits);
    return versionedEdits ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: te }] } : { changes: { [doc.uri]: te } };
  }


  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const c = params.capabilities;
    setLocale(params.locale);
    setClientLocale(params.locale);
    canConfigure = !!c.workspace?.configuration;
    canWatch = !!c.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canProgress = !!c.window?.workDoneProgress;
    resolveEdits = !!c.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
    versionedEdits = !!c.workspace?.workspaceEdit?.documentChanges;
    lensRefresh = !!c.workspace?.codeLens?.refreshSupport;
    folderEvents = !!c.workspace?.workspaceFolders;
    // Editors without workspace/configuration pass settings here: `{ settings: {...} }`, `{ loopwise: {...} }` or the section itself.
    const io = params.initializationOptions as { settings?: unknown; loopwise?: unknown; trusted?: boolean } | undefined;
    initSettings = io?.settings ?? io?.loopwise ?? io;
    // A client that says the workspace is untrusted: its configuration files are not read.
    ws.trusted = io?.trusted !== false;
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: params.rootUri.split('/').pop() ?? 'root' }] : []);
    ws.setFolders(folders);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'loopwise' },
    };
  });

  connection.onInitialized(() => {
    if (canConfigure) connection.client.register(DidChangeConfigurationNotification.type, { section: 'loopwise' }).catch(() => undefined);
    if (canWatch) {
      connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.py' }, { globPattern: '**/pyproject.toml' }, { globPattern: '**/{Dockerfile,Procfile,gunicorn.conf.py,*compose*.yml,*compose*.yaml,*.k8s.yaml,deployment*.yaml,deployment*.yml}' }],
      }).catch(() => undefined);
    }
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => canonicalUri(f.uri)));
        ws.setFolders([...ws.folders.filter((f) => !removed.has(f.uri)), ...e.added]);
        advisor.invalidateDeployment();
        void ws.scanWorkspace();
      });
    }
    // Open documents are analysed as they arrive; the whole-workspace scan starts now, in slices.
    void ws.scanWorkspace();
  });

  connection.onDidChangeConfiguration((p) => {
    if (!canConfigure) initSettings = (p.settings as { loopwise?: unknown } | undefined)?.loopwise ?? p.settings;
    void ws.reloadSettings();
  });

  connection.onDidChangeWatchedFiles((p) => {
    let reconfigure = false;
    for (const ch of p.changes) {
      if (ch.uri.endsWith('.py')) {
        if (ch.type === FileChangeType.Deleted) ws.fileDeleted(ch.uri);
        else void ws.fileChanged(ch.uri);
      }
      if (ch.uri.endsWith('/pyproject.toml')) reconfigure = true;
      if (DEPLOY_FILE.test(ch.uri)) advisor.invalidateDeployment();
      if (ch.type === FileChangeType.Deleted && !ch.uri.endsWith('.py')) ws.fileDeleted(ch.uri); // a deleted folder
    }
    if (reconfigure) void ws.reloadSettings();
  });

  connection.onDidOpenTextDocument((p) => {
    const d = p.textDocument;
    if (d.languageId !== 'python' && !d.uri.endsWith('.py')) return;
    const doc = TextDocument.create(d.uri, d.languageId, d.version, d.text);
    docs.set(canonicalUri(d.uri), doc);
    void ws.open(d.uri, d.text, d.version);
  });

  connection.onDidChangeTextDocument((p) => {
    const key = canonicalUri(p.textDocument.uri);
    let doc = docs.get(key);
    if (!doc) return;
    const edits: DocumentEdit[] = [];
    for (const ch of p.contentChanges) {
      if ('range' in ch) {
        const start = doc.offsetAt(ch.range.start);
        const end = doc.offsetAt(ch.range.end);
        edits.push({ start, end, text: ch.text });
      } else {
        edits.push(differingSpan(doc.getText(), ch.text));
      }
      doc = TextDocument.update(doc, [ch], p.textDocument.version);
    }
    docs.set(key, doc);
    void ws.change(key, edits, doc.getText(), doc.version);
  });

  connection.onDidSaveTextDocument((p) => ws.save(p.textDocument.uri));

  connection.onDidCloseTextDocument((p) => {
    const key = canonicalUri(p.textDocument.uri);
    docs.delete(key);
    void ws.close(key).then(() => {
      // An outside file leaves no diagnostics behind.
      if (!ws.analyzed(key)) void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    });
  });

  connection.onCodeAction(async (p, token) => {
    const only = p.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const fixAllWanted = !!only && wants(FIX_ALL_KIND);
    // Fixes only for the findings in the range, unless fix-all needs every one.
    const got = await fresh(p.textDocument.uri, fixAllWanted ? undefined : (f) => intersects(findingRange(f), p.range));
    if (!got || token.isCancellationRequested) return [];
    const { doc, findings } = got;
    const out: CodeAction[] = [];
    if (fixAllWanted) {
      // One round of the core's fix-all (as `loopwise fix`): preferred fixes only, never a suppression.
      const edits = fixAllEdits(doc.getText(), findings);
      if (edits.length) out.push({ title: t('Loopwise: fix all auto-fixable problems'), kind: FIX_ALL_KIND, edit: workspaceEdit(doc, edits) });
    }
    if (!wants(CodeActionKind.QuickFix)) return out;
    findings.forEach((f, i) => {
      const range = findingRange(f);
      if (!intersects(range, p.range)) return;
      const diag = p.context.diagnostics.find((d) => d.source === 'loopwise' && String(d.code) === f.code && d.range.start.line === range.start.line && d.range.start.character === range.start.character) ?? toDiagnostic(f);
      const action = (title: string, edits: TextEdit[], data: ActionData, preferred?: boolean): CodeAction => {
        const a: CodeAction = { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: preferred || undefined };
        if (resolveEdits) a.data = data;
        else a.edit = workspaceEdit(doc, edits);
        return a;
      };
      f.fixes.forEach((fix, j) => out.push(action(fix.note ? `${fix.title} (${fix.note})` : fix.title, fix.edits, { uri: doc.uri, version: doc.version, finding: i, fix: j, kind: 'fix' }, fix.isPreferred)));
      // The core's fixes may already include the suppression; otherwise offer ours.
      const sup = f.fixes.some(isSuppression) ? undefined : suppressionEdit(doc, f);
      if (sup) out.push(action(t('Ignore {0} on this line (# noqa)', f.code), [sup], { uri: doc.uri, version: doc.version, finding: i, fix: -1, kind: 'noqa' }));
    });
    return out;
  });

  // Builds the edit at apply time, only if the document is still the version the fix was computed on.
  connection.onCodeActionResolve(async (a) => {
    const data = a.data as ActionData | undefined;
    if (!data || a.edit) return a;
    const doc = docFor(data.uri);
    if (!doc || doc.version !== data.version) {
      a.disabled = { reason: t('The file changed since this fix was computed; try again.') };
      return a;
    }
    const got = await fresh(data.uri, (_f, i) => i === data.finding);
    const f = got?.findings[data.finding];
    if (!got || got.doc.version !== data.version || !f) {
      a.disabled = { reason: t('The file changed since this fix was computed; try again.') };
      return a;
    }
    const edits = data.kind === 'noqa' ? [suppressionEdit(got.doc, f)].filter((x): x is TextEdit => !!x) : f.fixes[data.fix]?.edits ?? [];
    a.edit = workspaceEdit(got.doc, edits);
    return a;
  });

  connection.onExecuteCommand(async (p) => {
    if (p.command !== FIX_ALL_COMMAND) return undefined;
    const uri = String(p.arguments?.[0] ?? '');
    const got = await fresh(uri);
    if (!got) return 0;
    const edits = fixAllEdits(got.doc.getText(), got.findings);
    if (!edits.length) return 0;
    const r = await connection.workspace.applyEdit({ label: 'Loopwise: fix all', edit: workspaceEdit(got.doc, edits) });
    return r.applied ? edits.length : 0;
  });

  connection.onHover(async (p) => {
    const doc = docFor(p.textDocument.uri);
    const seen = ws.analyzed(p.textDocument.uri);
    if (!doc || !seen || seen.text !== doc.getText()) return null;
    const under = (f: Finding) => contains(findingRange(f), p.position.line, p.position.character);
    const all = await ws.findingsWithFixes(p.textDocument.uri, under);
    return hoverFor(all.filter(under)) ?? null;
  });

  connection.onCodeLens(async (p): Promise<CodeLens[]> => {
    const uri = canonicalUri(p.textDocument.uri);
    const s = await ws.settingsFor(ws.folderOf(uri));
    if (!s.codeLens) return [];
    const doc = docFor(uri);
    const last = doc ? doc.lineCount - 1 : Number.MAX_SAFE_INTEGER;
    return ws.handlers(uri).filter((h) => LENS_KINDS.has(h.kind)).map((h) => {
      const line = Math.min(Math.max(0, h.line - 1), last);
      return {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: { title: lensTitle(h), command: 'loopwise.recommendWorkers', arguments: [{ file: h.file, line: h.line, name: h.name }] },
      };
    });
  });

  connection.onRequest(ADVICE_REQUEST, async (p: AdviceParams) => {
    await ws.scanning;
    const key = p?.folder ? canonicalUri(p.folder) : ws.folders[0]?.uri ?? '';
    const folder = ws.folders.find((f) => f.uri === key);
    const s = await ws.settingsFor(folder?.uri ?? '');
    return advisor.compute(folder, ws.folders, ws.result(folder?.uri ?? ''), sanitize((p?.inputs ?? {}) as Record<string, unknown>), s.advisor);
  });

  connection.onNotification('loopwise/didGrantTrust', () => { ws.trusted = true; void ws.reloadSettings(); });
  connection.onRequest(STATS_REQUEST, (): ServerStats => {
    const newSpace = getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')?.space_size ?? 0;
    return { ...ws.stats, process: { pid: process.pid, newSpaceMb: newSpace / 1048576 } };
  });
  connection.onRequest('loopwise/flush', async (p: { uri: string }) => { await ws.flush(String(p?.uri ?? '')); return true; });
  connection.onRequest('loopwise/scan', async () => { await ws.scanWorkspace(); return true; });
  connection.onRequest('loopwise/waitForScan', async () => { await ws.scanning; return true; });

  connection.onShutdown(() => ws.dispose());
  connection.listen();
}

/** Only known fields with sane values reach the advisor. */
export function sanitize(raw: Record<string, unknown>): import('./protocol').PanelInputs {
  const num = (v: unknown, min: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : undefined);
  const out: Record<string, unknown> = {
    cores: num(raw.cores, 0.1), memoryMb: num(raw.memoryMb, 64), rps: num(raw.rps, 0), ccu: num(raw.ccu, 1),
    targetLatencyMs: num(raw.targetLatencyMs, 1), cannotRefactor: raw.cannotRefactor === true ? true : undefined,
    loadTestWorkers: num(raw.loadTestWorkers, 1),
    loadTestFile: typeof raw.loadTestFile === 'string' && raw.loadTestFile ? raw.loadTestFile : undefined,
    loadTestText: typeof raw.loadTestText === 'string' && raw.loadTestText.trim() ? raw.loadTestText.slice(0, 100_000) : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
