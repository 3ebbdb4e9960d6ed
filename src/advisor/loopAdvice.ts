// "What to do" for the findings that do not block the loop on their own but break it quietly:
// coroutines never awaited (LW302), dropped tasks (LW303), loops that never yield (LW304), and the
// founding guide's logging advice (LW501), which belongs with the CPU sizing: when --ccu is given or a
// load test shows CPU above the 30 % the guide allows for an idle-ish service, per-request logging
// is where the mem0 case found that CPU.
import { type Translate, translator } from '../core/i18n';
import type { Finding } from '../core/types';
import type { AdvisorInputs } from './inputs';

/** Share of CPU above which the guide looks for idle work (logging, background tasks). */
export const IDLE_CPU_TARGET = 30;

const CODES = ['LW302', 'LW303', 'LW304'];

function files(group: Finding[], t: Translate): string {
  const counts = new Map<string, number>();
  for (const f of group) counts.set(f.file, (counts.get(f.file) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return sorted.slice(0, 3).map(([file, n]) => `${file}: ${n}`).join(', ') + (sorted.length > 3 ? t('loop.more', { n: sorted.length - 3 }) : '');
}

/** Actions for LW302-LW304 (always) and LW501 (with --ccu, or a load test above 30 % CPU). */
export function loopActions(findings: Finding[], inputs: AdvisorInputs, t: Translate = translator('en')): string[] {
  const out: string[] = [];
  for (const code of CODES) {
    const group = findings.filter((f) => f.code === code);
    if (group.length) out.push(t(`loop.${code}`, { n: group.length, files: files(group, t) }));
  }
  const logs = findings.filter((f) => f.code === 'LW501');
  const busy = inputs.loadTests.map((r) => r.cpuPercent).filter((c): c is number => c !== undefined && c > IDLE_CPU_TARGET);
  if (logs.length && (inputs.ccu !== null || busy.length)) {
    const why = inputs.ccu !== null ? t('loop.LW501.ccu', { ccu: inputs.ccu }) : t('loop.LW501.load', { cpu: Math.max(...busy) });
    out.push(t('loop.LW501', { why, target: IDLE_CPU_TARGET, n: logs.length, files: files(logs, t) }));
  }
  return out;
}
