// The worker recommendation the panel and the status bar show: the advisor's recommend() on the
// latest scan, with inputs from (highest first) the panel, the settings, deployment files, defaults.
// The CLI's `recommend` goes through the same loadAdvisorContext/resolveInputs + recommend calls.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseLoadTest, readDeployment, readLoadTests, recommend, resolveInputs, deploymentLimits, type DeploymentInfo, type LoadTestRow, type Recommendation, type RecommendArgs } from '../advisor';
import { langOf } from '../core/i18n';
import type { ScanResult } from '../core/types';
import type { Settings } from './settings';

/** What the user typed in the panel; unset fields fall through to settings and deployment files. */
export interface PanelInputs {
  cores?: number;
  memoryMb?: number;
  rps?: number;
  ccu?: number;
  targetLatencyMs?: number;
  cannotRefactor?: boolean;
  /** A load-test file (table, wrk, k6 or Locust) and, for raw tool output, how many workers ran. */
  loadTestFile?: string;
  loadTestWorkers?: number;
  /** A pasted workers table (CSV or JSON). */
  loadTestText?: string;
}

export interface Advice {
  rec: Recommendation;
  deployments: DeploymentInfo[];
  /** Problems reading inputs (bad load-test file, unreadable deployment file). */
  notes: string[];
}

export class Advisor {
  inputs: PanelInputs = {};
  private deploy?: { deployments: DeploymentInfo[]; notes: string[] };

  constructor(private folder: () => vscode.WorkspaceFolder | undefined, private settings: () => Settings) {}

  /** Deployment files are read once and again after one of them changes. */
  invalidateDeployment(): void {
    this.deploy = undefined;
  }

  private deployment(): { deployments: DeploymentInfo[]; notes: string[] } {
    if (!this.deploy) {
      const f = this.folder();
      try {
        const d = f && f.uri.scheme === 'file' ? readDeployment([f.uri.fsPath]) : { deployments: [], notes: [] };
        // Shown as workspace-relative paths, as the CLI shows them when run from the project folder.
        for (const x of d.deployments) x.file = path.relative(f!.uri.fsPath, x.file) || x.file;
        this.deploy = d;
      } catch (err) {
        this.deploy = { deployments: [], notes: [(err as Error).message] };
      }
    }
    return this.deploy;
  }

  /** The arguments the CLI would get for these inputs (`loopwise recommend PATH --cores …`). */
  args(): RecommendArgs {
    const s = this.settings().advisor;
    const i = this.inputs;
    const args: RecommendArgs = { paths: [], format: 'text', cannotRefactor: i.cannotRefactor ?? false, loadTests: [] };
    const cores = i.cores ?? s.cores; if (cores) args.cores = cores;
    const mem = i.memoryMb ?? s.memoryMb; if (mem) args.memoryMb = mem;
    const rps = i.rps ?? s.rps; if (rps !== null && rps !== undefined) args.rps = rps;
    if (i.ccu) args.ccu = i.ccu;
    if (i.targetLatencyMs) args.targetLatencyMs = i.targetLatencyMs;
    if (i.loadTestFile) args.loadTests.push({ file: i.loadTestFile, workers: i.loadTestWorkers });
    return args;
  }

  compute(scan: ScanResult): Advice {
    const { deployments, notes: deployNotes } = this.deployment();
    const notes = [...deployNotes];
    const args = this.args();
    let rows: LoadTestRow[] = [];
    try {
      if (args.loadTests.length) { const r = readLoadTests(args.loadTests); rows.push(...r.rows); notes.push(...r.notes); }
      if (this.inputs.loadTestText?.trim()) {
        const p = parseLoadTest(this.inputs.loadTestText, 'pasted table', this.inputs.loadTestWorkers);
        rows.push(...p.rows);
        notes.push(...p.notes);
      }
    } catch (err) {
      notes.push((err as Error).message);
      rows = [];
    }
    const inputs = resolveInputs(args, deploymentLimits(deployments), rows);
    return { rec: recommend(relativeFiles(scan), inputs, deployments, { lang: langOf(vscode.env.language) }), deployments, notes };
  }
}

/** The scan with workspace-relative file names (the advisor quotes them in its actions). */
function relativeFiles(scan: ScanResult): ScanResult {
  const rel = (file: string) => vscode.workspace.asRelativePath(vscode.Uri.parse(file), false);
  return {
    ...scan,
    findings: scan.findings.map((f) => ({ ...f, file: rel(f.file), chain: f.chain.map((h) => ({ ...h, file: rel(h.file) })) })),
    handlers: scan.handlers.map((h) => ({ ...h, file: rel(h.file) })),
  };
}
