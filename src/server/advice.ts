// The worker recommendation for one workspace folder, for the client's panel and status bar
// (`loopwise/advice`): the advisor's recommend() on the folder's latest analysis, with inputs from
// (highest first) the panel, the settings, deployment files, defaults. The CLI's `recommend` goes
// through the same resolveInputs + recommend calls. Deployment files are read here, in the server.
import * as path from 'node:path';
import { deploymentLimits, parseLoadTest, readDeployment, readLoadTests, recommend, resolveInputs, type DeploymentInfo, type LoadTestRow, type RecommendArgs } from '../advisor';
import { stringify } from 'yaml';
import type { ScanResult } from '../core/types';
import { clientLanguage } from './convert';
import type { AdviceResult, PanelInputs } from './protocol';
import type { AdvisorDefaults } from './settings';
import { fsPathOf, type Folder } from './workspace';

export class Advisor {
  private deploy = new Map<string, { deployments: DeploymentInfo[]; notes: string[] }>();

  /** Deployment files are read once per folder and again after one of them changes. */
  invalidateDeployment(): void {
    this.deploy.clear();
  }

  private deployment(folder: Folder | undefined): { deployments: DeploymentInfo[]; notes: string[] } {
    const key = folder?.uri ?? '';
    let d = this.deploy.get(key);
    if (!d) {
      try {
        d = folder?.fsPath ? readDeployment([folder.fsPath]) : { deployments: [], notes: [] };
        // Shown as folder-relative paths, as the CLI shows them when run from the project folder.
        for (const x of d.deployments) x.file = path.relative(folder!.fsPath!, x.file) || x.file;
      } catch (err) {
        d = { deployments: [], notes: [(err as Error).message] };
      }
      this.deploy.set(key, d);
    }
    return d;
  }

  /** The arguments the CLI would get for these inputs (`loopwise recommend PATH --cores …`). */
  static args(inputs: PanelInputs, s: AdvisorDefaults): RecommendArgs {
    const args: RecommendArgs = { paths: [], format: 'text', cannotRefactor: inputs.cannotRefactor ?? false, loadTests: [] };
    const cores = inputs.cores ?? s.cores; if (cores) args.cores = cores;
    const mem = inputs.memoryMb ?? s.memoryMb; if (mem) args.memoryMb = mem;
    const rps = inputs.rps ?? s.rps; if (rps !== null && rps !== undefined) args.rps = rps;
    if (inputs.ccu) args.ccu = inputs.ccu;
    if (inputs.targetLatencyMs) args.targetLatencyMs = inputs.targetLatencyMs;
    if (inputs.loadTestFile) args.loadTests.push({ file: inputs.loadTestFile, workers: inputs.loadTestWorkers });
    return args;
  }

  compute(folder: Folder | undefined, folders: Folder[], scan: ScanResult, inputs: PanelInputs, defaults: AdvisorDefaults): AdviceResult {
    const { deployments, notes: deployNotes } = this.deployment(folder);
    const notes = [...deployNotes];
    const args = Advisor.args(inputs, defaults);
    let rows: LoadTestRow[] = [];
    try {
      if (args.loadTests.length) { const r = readLoadTests(args.loadTests); rows.push(...r.rows); notes.push(...r.notes); }
      if (inputs.loadTestText?.trim()) {
        const p = parseLoadTest(inputs.loadTestText, 'pasted table', inputs.loadTestWorkers);
        rows.push(...p.rows);
        notes.push(...p.notes);
      }
    } catch (err) {
      notes.push((err as Error).message);
      rows = [];
    }
    const resolved = resolveInputs(args, deploymentLimits(deployments), rows);
    const relative: Record<string, string> = {};
    const rel = (file: string) => {
      let r = relative[file];
      if (r === undefined) {
        const p = fsPathOf(file);
        r = p && folder?.fsPath ? path.relative(folder.fsPath, p).split(path.sep).join('/') : p ?? file;
        relative[file] = r;
      }
      return r;
    };
    // The advisor quotes file names in its actions: folder-relative, as the CLI does.
    const relScan: ScanResult = {
      ...scan,
      findings: scan.findings.map((f) => ({ ...f, file: rel(f.file), chain: f.chain.map((h) => ({ ...h, file: rel(h.file) })) })),
      handlers: scan.handlers.map((h) => ({ ...h, file: rel(h.file) })),
    };
    const rec = recommend(relScan, resolved, deployments, { lang: clientLanguage() });
    return {
      folder: folder?.uri ?? '',
      folders: folders.map((f) => ({ uri: f.uri, name: f.name })),
      rec,
      composeYaml: stringify({ services: { api: rec.compose } }).trimEnd(),
      deployments,
      notes,
      scan,
      relative,
    };
  }
}
