// The wire contract between the language server and its clients beyond standard LSP: the worker
// panel's data request, the "analysed" notification and the fix-all command. Types only (the VS Code
// client imports them as types, so no server code reaches the extension bundle).
import type { DeploymentInfo, Recommendation } from '../advisor';
import type { ScanResult } from '../core/types';

/** What the user typed in the worker panel; unset fields fall through to settings and deployment files. */
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

/** `loopwise/advice`: the recommendation for one workspace folder (the first when `folder` is omitted). */
export const ADVICE_REQUEST = 'loopwise/advice';
export interface AdviceParams { folder?: string; inputs?: PanelInputs }
export interface AdviceResult {
  /** The folder this answer is for, and every folder the server knows (for the panel's picker). */
  folder: string;
  folders: { uri: string; name: string }[];
  rec: Recommendation;
  /** The recommendation as a compose snippet (`services: api: ...`). */
  composeYaml: string;
  deployments: DeploymentInfo[];
  /** Problems reading inputs (bad load-test file, unreadable deployment file). */
  notes: string[];
  /** The folder's latest analysis (findings without fixes), file names as URIs. */
  scan: ScanResult;
  /** The same files relative to the folder, by URI, for display. */
  relative: Record<string, string>;
}

/** `loopwise/didAnalyze` (server -> client): a folder's results changed. */
export const DID_ANALYZE_NOTIFICATION = 'loopwise/didAnalyze';
export interface DidAnalyzeParams { folder: string; findings: number }

/** `loopwise/stats` request: timings of the latest edits and scans (tests and measurements). */
export const STATS_REQUEST = 'loopwise/stats';
export interface EditTiming {
  file: string;
  version: number;
  /** Reparse + analysis + publish, in the server (wall time). */
  ms: number;
  /** CPU time the server process spent on it (wall time minus waiting for a loaded machine's cores). */
  cpuMs: number;
  parseMs: number;
  incremental: boolean;
  /** From the didChange that made this version to the diagnostics being sent (debounce included). */
  changeToPublishMs: number;
}
export interface ServerStats {
  edits: EditTiming[];
  scans: { folder: string; files: number; ms: number }[];
  /** Analyses dropped because a newer edit arrived first. */
  cancelled: number;
  /** Files currently over the per-file time budget. */
  overBudget: string[];
  scanning: boolean;
  /**
   * The server's process (the child when `loopwise server` started itself again, server/relaunch.ts):
   * its id, for a bench's peak RSS, and the size of V8's new space (the young generation, MB) now.
   */
  process: { pid: number; newSpaceMb: number };
}

/** Workspace command: apply every preferred fix to a document (arguments: [uri]); returns how many edits were applied. */
export const FIX_ALL_COMMAND = 'loopwise.applyFixAll';
/** Code action kind of the fix-all source action. */
export const FIX_ALL_KIND = 'source.fixAll.loopwise';
