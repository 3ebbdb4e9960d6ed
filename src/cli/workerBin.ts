// A scan's worker thread (dist/scanWorker.js): runs the worker bundle (dist/scanWorkerMain.js, the
// loop of core/workerThread.ts) from its code cache (launch.ts), which the worker writes before its
// last message when the cache was missing or refused. Creating this thread's isolate let the young
// generation grow again, for every thread: when the process had stopped it (bin.ts), it stops it again.
import { setFlagsFromString } from 'node:v8';
import { bundlePath, loadBundle } from './launch';
import { FREEZE_YOUNG, THAW_YOUNG, BATCH_HEAP_ENV } from './v8flags';

const bundle = loadBundle(bundlePath('scanWorkerMain.js'), true);
const frozen = process.env[BATCH_HEAP_ENV] === '1';
if (frozen) setFlagsFromString(FREEZE_YOUNG);
const { saveCache } = bundle;
const beforeDone = saveCache && (() => {
  // Made under the flags it was loaded with (V8 refuses a cache made under others).
  if (frozen) setFlagsFromString(THAW_YOUNG);
  try { saveCache(); } finally { if (frozen) setFlagsFromString(FREEZE_YOUNG); }
});
(bundle.exports.runWorker as (beforeDone?: () => void) => void)(beforeDone);
