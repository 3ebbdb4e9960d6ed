// A scan's worker thread (dist/scanWorker.js): runs the worker bundle (dist/scanWorkerMain.js, the
// loop of core/workerThread.ts) from its code cache (launch.ts), which the worker writes before its
// last message when the cache was missing or refused.
import { bundlePath, loadBundle } from './launch';

const bundle = loadBundle(bundlePath('scanWorkerMain.js'), true);
(bundle.exports.runWorker as (beforeDone?: () => void) => void)(bundle.saveCache);
