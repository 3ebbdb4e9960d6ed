// "Loopwise: Recommend workers": a webview showing the advisor's answer for the current scan, with
// editable inputs, a per-handler CPU / I/O / blocking chart, the decision trace, findings and
// snippets. Locked down: CSP with a nonce, scripts and styles only from media/, theme colours only;
// media/panel.js builds the DOM with textContent, so user code never becomes markup.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Advice, AdviceSource } from './advice';
import { parseFromWebview, type PanelState, type ToWebview } from './panelProtocol';

export interface Focus { file: string; line: number }

export class WorkerPanel implements vscode.Disposable {
  static readonly viewType = 'loopwise.workers';
  private panel?: vscode.WebviewPanel;
  private focus?: Focus;
  private ready = false;
  private timer?: NodeJS.Timeout;
  private subs: vscode.Disposable[] = [];
  /** The workspace folder shown (a picker in the panel switches it). */
  folder = '';
  /** The state last posted, for tests. */
  lastState?: PanelState;
  /** Where each finding and handler of the last state is: the webview names them by index only. */
  private targets: { findings: { uri: string; line: number; column: number }[]; handlers: { uri: string; line: number; column: number }[] } = { findings: [], handlers: [] };

  constructor(private extensionUri: vscode.Uri, private advisor: AdviceSource, private onInputs: () => void) {}

  /** The server re-analysed a folder: refresh if it is the one shown. */
  analyzed(folder: string): void {
    // The server spells file URIs its own way (`@` unescaped): compare them as VS Code URIs.
    if (this.panel && (!this.folder || sameUri(folder, this.folder))) this.schedule();
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  async show(focus?: Focus): Promise<Advice> {
    if (focus) this.focus = focus;
    const focusFolder = focus && vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(focus.file));
    this.folder = focusFolder?.uri.toString() ?? (this.panel && this.folder ? this.folder : this.advisor.currentFolder());
    if (!this.panel) {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media');
      this.panel = vscode.window.createWebviewPanel(WorkerPanel.viewType, vscode.l10n.t('Loopwise: Workers'), vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [media],
        retainContextWhenHidden: true,
      });
      this.panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
      this.ready = false;
      this.panel.webview.html = this.html(this.panel.webview, media);
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), undefined, this.subs);
      this.panel.onDidDispose(() => { this.panel = undefined; this.ready = false; }, undefined, this.subs);
    } else {
      this.panel.reveal(undefined, true);
    }
    const advice = await this.advisor.get(this.folder);
    this.post(advice);
    return advice;
  }

  private schedule(): void {
    if (!this.panel) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  }

  private async refresh(): Promise<void> {
    try {
      this.post(await this.advisor.get(this.folder));
    } catch {
      // The server is restarting or gone; the next analysis refreshes the panel.
    }
  }

  private post(advice: Advice): void {
    const state = this.state(advice);
    this.lastState = state;
    if (this.panel && this.ready) void this.panel.webview.postMessage({ type: 'state', state } satisfies ToWebview);
  }

  private async receive(raw: unknown): Promise<void> {
    const m = parseFromWebview(raw, this.advisor.inputs(this.folder));
    if (!m) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        return;
      case 'setInputs':
        this.advisor.setInputs(this.folder, m.inputs);
        this.onInputs();
        await this.refresh();
        return;
      case 'pickFolder':
        const picked = typeof m.folder === 'string' ? vscode.workspace.workspaceFolders?.find((f) => sameUri(f.uri.toString(), m.folder)) : undefined;
        if (!picked) return;
        this.folder = picked.uri.toString();
        this.focus = undefined;
        await this.refresh();
        return;
      case 'reveal': {
        // Only a finding or handler the panel was shown, and only a file of this workspace.
        const target = (m.kind === 'finding' ? this.targets.findings : this.targets.handlers)[m.index];
        if (!target) return;
        const uri = vscode.Uri.parse(target.uri);
        if (!vscode.workspace.getWorkspaceFolder(uri)) return;
        const pos = new vscode.Position(Math.max(0, target.line - 1), Math.max(0, target.column - 1));
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'pickLoadTest': {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Use load test'), filters: { [vscode.l10n.t('Load tests')]: ['csv', 'json', 'txt', 'log'] } });
        if (!picked?.length) return;
        this.advisor.setInputs(this.folder, { ...this.advisor.inputs(this.folder), loadTestFile: picked[0].fsPath });
        this.onInputs();
        await this.refresh();
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(String(m.text));
        void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied'), 2000);
        return;
    }
  }

  private state(advice: Advice): PanelState {
    const { rec, scan } = advice;
    const i = rec.inputs;
    const pi = this.advisor.inputs(this.folder);
    const origin: Record<string, string> = {};
    for (const k of ['cores', 'memoryMb', 'rps', 'concurrency', 'targetLatencyMs']) {
      origin[k] = (pi as Record<string, unknown>)[k] !== undefined ? vscode.l10n.t('panel') : i.source[k] ? i.source[k] : i.assumed.includes(k) ? vscode.l10n.t('default') : vscode.l10n.t('settings');
    }
    const rel = (file: string) => advice.relative[file] ?? vscode.workspace.asRelativePath(vscode.Uri.parse(file), false);
    const impact = (h: { cpuMs: number; blockingMs: number; ioMs: number }) => h.blockingMs + h.cpuMs;
    const handlers = scan.handlers
      .filter((h) => h.kind === 'route' || h.kind === 'websocket' || h.kind === 'dependency' || h.kind === 'middleware')
      .sort((a, b) => impact(b) - impact(a) || (b.cpuMs + b.ioMs + b.blockingMs) - (a.cpuMs + a.ioMs + a.blockingMs) || (a.route ?? a.name).localeCompare(b.route ?? b.name));
    this.targets = {
      findings: scan.findings.map((f) => ({ uri: f.file, line: f.line, column: f.column })),
      handlers: handlers.map((h) => ({ uri: h.file, line: h.line, column: 1 })),
    };
    return {
      strings: strings(),
      folder: advice.folder,
      folders: advice.folders,
      workers: rec.workers,
      reason: rec.reason,
      fixFirst: rec.fixFirst,
      afterFixWorkers: rec.afterFixWorkers,
      processPool: rec.processPool,
      afterFix: { workers: rec.afterFix.workers, processPool: rec.afterFix.processPool, source: rec.afterFix.source },
      estimate: rec.estimates.estimated ? `${rec.estimates.basis}: ${rec.estimates.replaceWith.join('; ')}` : '',
      workload: rec.workload,
      cpuRatio: rec.cpuRatio,
      inputs: {
        cores: i.cores, memoryMb: i.memoryMb, rps: i.rps, ccu: i.ccu, targetLatencyMs: i.targetLatencyMs, cannotRefactor: i.cannotRefactor,
        loadTestFile: pi.loadTestFile ?? '', loadTestWorkers: pi.loadTestWorkers ?? null, loadTestText: pi.loadTestText ?? '', origin,
        overridden: Object.keys(pi).filter((k) => (pi as Record<string, unknown>)[k] !== undefined),
      },
      handlers: handlers.map((h) => ({
        label: h.route ?? `${h.kind} ${h.name}`, line: h.line, cpuMs: h.cpuMs, ioMs: h.ioMs, blockingMs: h.blockingMs, findings: h.findings,
        focused: !!this.focus && this.focus.file === h.file && this.focus.line === h.line,
      })),
      trace: rec.trace.map((t) => ({ step: t.step, question: t.question, answer: t.answer, why: t.why, estimated: t.estimated, measured: t.measured })),
      findings: scan.findings.map((f) => ({ file: rel(f.file), line: f.line, column: f.column, code: f.code, message: f.message })),
      snippets: { command: rec.command, compose: advice.composeYaml },
      warnings: [...rec.warnings, ...advice.notes],
      actions: rec.actions,
    };
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css'));
    const csp = `default-src 'none'; style-src ${webview.cspSource}; img-src ${webview.cspSource} data:; script-src 'nonce-${nonce}';`;
    return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(style.toString())}">
<title>${escapeHtml(vscode.l10n.t('Loopwise: Workers'))}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">${escapeHtml(vscode.l10n.t('Analysing…'))}</p></main>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(script.toString())}"></script>
</body>
</html>`;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.subs) d.dispose();
  }
}

function sameUri(a: string, b: string): boolean {
  try { return vscode.Uri.parse(a).toString() === vscode.Uri.parse(b).toString(); } catch { return false; }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function strings(): Record<string, string> {
  const t = vscode.l10n.t;
  return {
    recommended: t('Recommended Uvicorn workers'),
    folder: t('Workspace folder'),
    afterFix: t('after the blocking calls are fixed: {0}'),
    afterFixPool: t('after the fixes: {0} worker(s) + a process pool of {1}'),
    pool: t('+ a process pool of {0}'),
    estimated: t('estimated'),
    measured: t('measured'),
    'tree.pool': t('Process pool: how many processes?'),
    'tree.after-fix': t('After `loopwise fix`'),
    inputs: t('Inputs'),
    cores: t('CPU cores'),
    memoryMb: t('Memory (MB)'),
    rps: t('Requests per second'),
    ccu: t('Concurrent users'),
    targetLatencyMs: t('Target latency (ms)'),
    cannotRefactor: t('Cannot refactor the blocking code'),
    loadTest: t('Load test'),
    loadTestPick: t('Choose file…'),
    loadTestWorkers: t('Workers in that run (raw wrk/k6/Locust output)'),
    loadTestPaste: t('…or paste a workers table (CSV: workers,rps,p99_ms,cpu_percent,memory_mb)'),
    apply: t('Apply'),
    reset: t('Reset'),
    from: t('from'),
    handlers: t('Handlers by impact'),
    legendCpu: t('CPU'),
    legendIo: t('I/O (awaited)'),
    legendBlocking: t('Blocking'),
    noHandlers: t('No routes or dependencies found yet.'),
    trace: t('Decision trace'),
    findings: t('Findings'),
    noFindings: t('No event-loop blockers found.'),
    snippets: t('Snippets'),
    copy: t('Copy'),
    warnings: t('Warnings'),
    actions: t('What to do'),
    blockers: t('blockers'),
    'tree.start': t('Start: 1 worker'),
    'tree.1': t('[1] Is the code 100 % async/await?'),
    'tree.2': t('[2] Can the blocking code be refactored?'),
    'tree.3': t('[3] Workload type?'),
    'tree.4': t('[4] I/O-bound: traffic level?'),
    'tree.5': t('[5] Mixed: CPU ratio?'),
    'tree.cpu-formula': t('CPU-bound: min(cores, concurrency / (CPU ms / target ms))'),
    'tree.6': t('[6] Load-test results?'),
    'tree.cores': t('Cap: CPU cores'),
    'tree.memory': t('Cap: memory limit'),
    'tree.ccu': t('Concurrent users: CPU limit and replicas'),
  };
}
