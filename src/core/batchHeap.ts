// A batch run's young generation (cli/v8flags.ts explains why it is kept small): the launcher
// freezes it and says so in the environment; creating any isolate (a scan's worker thread) resets
// the flag for the whole process, so the threads set it again (workerBin.ts first thing, the main
// thread once its parser is ready: parser.ts).
import { setFlagsFromString } from 'node:v8';

/** "1" once the launcher froze the young generation; "0" turns the freeze off. */
export const BATCH_HEAP_ENV = 'LOOPWISE_BATCH_HEAP';
/** V8 reads the growth factor at every young-generation GC, so it can be set at run time. */
export const FREEZE_YOUNG = '--semi-space-growth-factor=1';

/** Freezes the young generation again when this is a batch run that froze it. */
export function keepYoungSmall(): void {
  if (process.env[BATCH_HEAP_ENV] === '1') setFlagsFromString(FREEZE_YOUNG);
}
