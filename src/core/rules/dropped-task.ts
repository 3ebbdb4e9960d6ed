// LW303: `asyncio.create_task(...)` (or `loop.create_task`, `ensure_future`) as a bare statement. The
// event loop keeps only a weak reference to its tasks, so a task nobody holds can be garbage-collected
// mid-flight, and its exception is never retrieved.
import type { ModuleEntry } from '../symbols';
import { bareCalls, fnOf, type LoopCheckContext, isSuppressed } from './loop-checks';

export const droppedTask = { code: 'LW303', name: 'dropped-task', title: 'Task reference dropped' };

const LOOPS = ['asyncio.get_event_loop()', 'asyncio.get_running_loop()', 'asyncio.new_event_loop()', 'asyncio.AbstractEventLoop()', 'asyncio.BaseEventLoop()'];

/** Calls that schedule a task and return the only strong reference to it. */
export const TASK_CALLS = new Set<string>([
  'asyncio.create_task', 'asyncio.ensure_future', 'asyncio.tasks.create_task', 'asyncio.tasks.ensure_future',
  ...LOOPS.map((l) => `${l}.create_task`),
]);

export function checkDroppedTask(cx: LoopCheckContext, mod: ModuleEntry): void {
  const { code } = droppedTask;
  if (!cx.enabled(code)) return;
  // Bare, unawaited calls of the workspace (bareCalls): indexed (a for-of makes an iterator result per site in code not yet optimised).
  const calls = bareCalls(mod);
  for (let i = 0; i < calls.length; i++) {
    const site = calls[i];
    const canonical = cx.graph.calleeName(mod, site);
    if (!canonical || !TASK_CALLS.has(canonical) || isSuppressed(mod, site, code)) continue;
    const fn = fnOf(mod, site);
    if (fn?.isLambda) continue;
    const message = `the task from ${site.text}(...) is dropped in ${cx.where(mod, fn)}: the event loop keeps only a weak reference to tasks, so it can be garbage-collected before it finishes and its exception is never seen; keep a reference (a module-level set, with task.add_done_callback(set.discard)) or use an asyncio.TaskGroup`;
    cx.report(mod, fn, site, code, 'warning', message, canonical, { shape: 'dropped-task', call: site.text });
  }
}
