// A scan's worker thread (dist/scanWorker.js): runs the worker bundle (dist/scanWorkerMain.js, the
// loop of core/workerThread.ts) from its code cache (launch.ts), which the worker writes before its
// last message when the cache was missing or refused. Creating this thread's isolate let the young
// generation grow again, for every thread: when the process had stopped it (bin.ts), this thread
// stops it again first thing, before its bundle loads, so the cache is read and made under the same
// flags (the main thread does it too once its parser is ready: core/parser.ts).
import { setFlagsFromString } from 'node:v8';
import { bundlePath, loadBundle } from './launch';
import { BATCH_HEAP_ENV, FREEZE_YOUNG } from './v8flags';

if (process.env[BATCH_HEAP_ENV] === '1') setFlagsFromString(FREEZE_YOUNG);
const bundle = loadBundle(bundlePath('scanWorkerMain.js'), true);
(bundle.exports.runWorker as (beforeDone?: () => void) => void)(bundle.saveCache);
