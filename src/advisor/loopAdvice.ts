// "What to do" for the findings that do not block the loop on their own but break it quietly:
// coroutines never awaited (LW302), dropped tasks (LW303), loops that never yield (LW304), and the
// founding guide's logging advice (LW501), which belongs with the CPU sizing: when --ccu is given or a
// load test shows CPU above the 30 % the guide allows for an idle-ish service, per-request logging
// is where the mem0 case found that CPU.
import type { Finding } from '../core/types';
import type { AdvisorInputs } from './inputs';

/** Share of CPU above which the guide looks for idle work (logging, background tasks). */
export const IDLE_CPU_TARGET = 30;

const ADVICE: Record<string, { what: string; how: string }> = {
  LW302: { what: 'coroutine call(s) never awaited (their body never runs)', how: 'add await, or asyncio.create_task with a kept reference' },
  LW303: { what: 'task(s) whose reference is dropped (can be garbage-collected mid-flight)', how: 'keep them in a module-level set with add_done_callback(set.discard), or use an asyncio.TaskGroup' },
  LW304: { what: 'loop(s) in coroutines that never yield to the event loop', how: 'await what the loop waits for (asyncio.Event, a queue), or await asyncio.sleep(...) in it' },
};

function files(group: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of group) counts.set(f.file, (counts.get(f.file) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return sorted.slice(0, 3).map(([file, n]) => `${file}: ${n}`).join(', ') + (sorted.length > 3 ? `, +${sorted.length - 3} more` : '');
}

/** Actions for LW302-LW304 (always) and LW501 (with --ccu, or a load test above 30 % CPU). */
export function loopActions(findings: Finding[], inputs: AdvisorInputs): string[] {
  const out: string[] = [];
  for (const code of Object.keys(ADVICE)) {
    const group = findings.filter((f) => f.code === code);
    if (group.length) out.push(`Fix ${group.length} ${code} ${ADVICE[code].what} (${files(group)}): ${ADVICE[code].how}`);
  }
  const logs = findings.filter((f) => f.code === 'LW501');
  const busy = inputs.loadTests.map((r) => r.cpuPercent).filter((c): c is number => c !== undefined && c > IDLE_CPU_TARGET);
  if (logs.length && (inputs.ccu !== null || busy.length)) {
    const why = inputs.ccu !== null ? `sizing for ${inputs.ccu} concurrent users` : `a load test at ${Math.max(...busy)} % CPU`;
    out.push(`Cut CPU spent on logging before adding CPU (${why}; the guide targets idle CPU < ${IDLE_CPU_TARGET} %): ${logs.length} LW501 finding(s) (${files(logs)}): log only requests slower than 0.5 s or with status >= 400, and move file/network log handlers behind a QueueHandler`);
  }
  return out;
}
