// Messages between the worker panel (media/panel.js) and the extension. Both sides switch on `type`.
// What comes from the webview is untrusted (a compromised or buggy page can post anything): it is
// checked at run time by parseFromWebview, names a finding or handler by its index in the state the
// extension last posted (never a URI), and can only keep or clear the load-test file chosen on the
// extension side (never name a path itself).
import type { PanelInputs } from './advice';

export interface PanelHandler {
  label: string;
  line: number;
  cpuMs: number;
  ioMs: number;
  blockingMs: number;
  findings: number;
  focused: boolean;
}

export interface PanelFinding { file: string; line: number; column: number; code: string; message: string }

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
  | { type: 'state'; state: PanelState };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'setInputs'; inputs: PanelInputs }
  | { type: 'reveal'; kind: 'finding' | 'handler'; index: number }
  | { type: 'pickLoadTest' }
  | { type: 'pickFolder'; folder: string }
  | { type: 'copy'; text: string };

/** Longest text the panel may copy or paste (a workers table is a few lines). */
export const MAX_PANEL_TEXT = 100_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A message from the webview checked field by field, or undefined when it is not one the panel
 * sends. `current` is the inputs in force: a load-test file is kept only if it is the one already
 * chosen (through the extension's file dialog); any other path from the page is dropped.
 */
export function parseFromWebview(raw: unknown, current: PanelInputs): FromWebview | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': return { type: 'ready' };
    case 'pickLoadTest': return { type: 'pickLoadTest' };
    case 'copy':
      return typeof raw.text === 'string' && raw.text.length <= MAX_PANEL_TEXT ? { type: 'copy', text: raw.text } : undefined;
    case 'reveal':
      if ((raw.kind !== 'finding' && raw.kind !== 'handler') || !Number.isSafeInteger(raw.index) || (raw.index as number) < 0) return undefined;
      return { type: 'reveal', kind: raw.kind, index: raw.index as number };
    case 'setInputs':
      return isObject(raw.inputs) ? { type: 'setInputs', inputs: sanitizeInputs(raw.inputs, current) } : undefined;
    case 'pickFolder':
      // Checked again against the workspace's folders by the panel.
      return typeof raw.folder === 'string' && raw.folder.length <= 4096 ? { type: 'pickFolder', folder: raw.folder } : undefined;
    default: return undefined;
  }
}

/** Only known fields with sane values reach the advisor. */
export function sanitizeInputs(raw: Record<string, unknown>, current: PanelInputs): PanelInputs {
  const num = (v: unknown, min: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : undefined);
  const out: PanelInputs = {
    cores: num(raw.cores, 0.1), memoryMb: num(raw.memoryMb, 64), rps: num(raw.rps, 0), ccu: num(raw.ccu, 1),
    targetLatencyMs: num(raw.targetLatencyMs, 1), cannotRefactor: raw.cannotRefactor === true,
    loadTestWorkers: num(raw.loadTestWorkers, 1),
    loadTestFile: typeof raw.loadTestFile === 'string' && raw.loadTestFile && raw.loadTestFile === current.loadTestFile ? current.loadTestFile : undefined,
    loadTestText: typeof raw.loadTestText === 'string' && raw.loadTestText.trim() ? raw.loadTestText.slice(0, MAX_PANEL_TEXT) : undefined,
  };
  for (const k of Object.keys(out) as (keyof PanelInputs)[]) if (out[k] === undefined) delete out[k];
  return out;
}
