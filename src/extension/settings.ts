// `loopwise.*` settings layered over `[tool.loopwise]` in the nearest pyproject.toml: settings win,
// list settings (disabled codes, excluded globs) add to the file's lists.
import * as vscode from 'vscode';
import type { AnalyzeOptions } from '../core/analyzer';
import { emptyConfig, findPyproject, fromObject, loadConfig, type LoopwiseConfig } from '../core/config';
import type { Severity } from '../core/types';

export type Trigger = 'onType' | 'onSave';

export interface AdvisorDefaults { cores: number | null; memoryMb: number | null; rps: number | null }

export interface Settings {
  enable: boolean;
  trigger: Trigger;
  debounceMs: number;
  codeLens: boolean;
  config: LoopwiseConfig;
  advisor: AdvisorDefaults;
}

const SEVERITIES = new Set(['error', 'warning', 'info']);

/** The effective settings for one workspace folder (or the window when there is none). */
export function readSettings(folder: vscode.WorkspaceFolder | undefined): Settings {
  const c = vscode.workspace.getConfiguration('loopwise', folder?.uri);
  // An untrusted workspace's pyproject.toml is not read (it could hide findings or add costly
  // patterns); its workspace settings that change analysis are ignored by VS Code itself
  // (package.json capabilities.untrustedWorkspaces.restrictedConfigurations).
  const base = vscode.workspace.isTrusted && folder && folder.uri.scheme === 'file' ? loadConfig(findPyproject(folder.uri.fsPath)) : emptyConfig();
  // Only severities the user set explicitly, so pyproject.toml's still apply under the defaults.
  const severity: Record<string, unknown> = {};
  for (const [key, family] of [['blocking', 'blocking'], ['cpu', 'cpu'], ['nPlusOne', 'n-plus-one'], ['lifespan', 'lifespan']]) {
    const i = c.inspect<string>(`severity.${key}`);
    const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (v && SEVERITIES.has(v)) severity[family] = v as Severity;
  }
  const extra: Record<string, unknown> = {};
  for (const [call, v] of Object.entries(c.get<Record<string, unknown>>('rules.extraBlockingCalls') ?? {})) {
    extra[call] = typeof v === 'string' ? { code: v } : v;
  }
  const config = fromObject({
    ignore: c.get<string[]>('rules.disabled') ?? [],
    exclude: c.get<string[]>('exclude') ?? [],
    'extra-blocking': extra,
    cost: c.get<Record<string, number>>('cost') ?? {},
    severity,
  }, base, 'settings');
  const num = (key: string): number | null => {
    const v = c.get<number | null>(key);
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
  };
  return {
    enable: c.get<boolean>('enable', true),
    trigger: c.get<Trigger>('run.trigger', 'onType') === 'onSave' ? 'onSave' : 'onType',
    debounceMs: Math.max(0, c.get<number>('run.debounceMs', 150)),
    codeLens: c.get<boolean>('codeLens.enable', true),
    config,
    advisor: { cores: num('advisor.cores'), memoryMb: num('advisor.memoryMb'), rps: num('advisor.rps') },
  };
}

export function analyzeOptions(s: Settings): AnalyzeOptions {
  return {
    rules: { select: s.config.select, ignore: s.config.ignore, extra: s.config.extra },
    cost: s.config.cost,
    severity: s.config.severity,
  };
}
