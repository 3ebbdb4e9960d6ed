// Runs the checks that are not call tables over the modules being reported.
import type { ModuleEntry } from '../symbols';
import { checkBusyLoop } from './busy-loop';
import { checkDroppedTask } from './dropped-task';
import type { LoopCheckContext } from './loop-checks';
import { checkNeverAwaited } from './never-awaited';
import { checkPerRequestLogging, checkSyncHandlers, handlerCalls, logCallKind, perRequestLogging } from './per-request-logging';

/** `report` modules get findings; `all` is the whole workspace (what coroutines log, for LW501's handlers). */
export function runLoopChecks(cx: LoopCheckContext, report: ModuleEntry[], all: ModuleEntry[]): void {
  for (const mod of report) {
    // Read while the module's call sites are at hand (checkSyncHandlers asks for them after every module).
    if (cx.enabled(perRequestLogging.code)) handlerCalls(mod);
    checkNeverAwaited(cx, mod);
    checkDroppedTask(cx, mod);
    checkBusyLoop(cx, mod);
    checkPerRequestLogging(cx, mod);
  }
  checkSyncHandlers(cx, report, all, () => {
    let n = 0;
    for (const mod of all) {
      if (mod.testCode) continue; // test coroutines log on pytest's loop, not the app's
      const count = () => {
        let k = 0;
        for (const fn of mod.model.functions) {
          if (!fn.isAsync || fn.isLambda) continue;
          if (cx.graph.callsOf({ mod, fn }).some((c) => logCallKind(c.canonical, c.site) === 'logging')) k++;
        }
        return k;
      };
      n += cx.loggingCoroutines ? cx.loggingCoroutines(mod, count) : count();
    }
    return n;
  });
}
