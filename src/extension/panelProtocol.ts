// Messages between the worker panel (media/panel.js) and the extension. Both sides switch on `type`.
import type { PanelInputs } from './advice';

export interface PanelHandler {
  label: string;
  uri: string;
  line: number;
  cpuMs: number;
  ioMs: number;
  blockingMs: number;
  findings: number;
  focused: boolean;
}

export interface PanelFinding { uri: string; file: string; line: number; column: number; code: string; message: string }

export interface PanelTraceStep { step: string; question: string; answer: string; why: string; estimated?: boolean; measured?: boolean }

export interface PanelState {
  strings: Record<string, string>;
  /** The workspace folder shown, and every folder (the picker shows when there are several). */
  folder: string;
  folders: { uri: string; name: string }[];
  workers: number;
  reason: string;
  fixFirst: boolean;
  afterFixWorkers: number;
  /** Pool processes now, and what the advisor says once the preferred fixes are applied. */
  processPool: number;
  afterFix: { workers: number; processPool: number; source: string };
  /** Which figures are estimates and how to replace them, in the panel's language. */
  estimate: string;
  workload: string;
  cpuRatio: number;
  inputs: {
    cores: number; memoryMb: number; rps: number; ccu: number | null; targetLatencyMs: number; cannotRefactor: boolean;
    loadTestFile: string; loadTestWorkers: number | null; loadTestText: string;
    /** Field -> where the value came from (`docker-compose.yml:12`, `settings`, `default`). */
    origin: Record<string, string>;
    /** Fields the user set in the panel. */
    overridden: string[];
  };
  handlers: PanelHandler[];
  trace: PanelTraceStep[];
  findings: PanelFinding[];
  snippets: { command: string; compose: string };
  warnings: string[];
  actions: string[];
}

export type ToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'focus'; uri: string; line: number };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'setInputs'; inputs: PanelInputs }
  | { type: 'reveal'; uri: string; line: number; column: number }
  | { type: 'pickLoadTest' }
  | { type: 'pickFolder'; folder: string }
  | { type: 'copy'; text: string };
