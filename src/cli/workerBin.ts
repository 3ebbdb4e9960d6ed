// A scan's worker thread (dist/scanWorker.js): runs the worker bundle (dist/scanWorkerMain.js, the
// loop of core/workerThread.ts) from its code cache (launch.ts), which the worker writes before its
// last message when the cache was missing or refused. Creating this thread's isolate let the young
// generation grow again, for every thread: when the process had stopped it (bin.ts), this thread
// stops it again first thing, before its bundle loads, so the cache is read and made under the same
// flags (the main thread does it too once its parser is ready: core/parser.ts).
import { workerData } from 'node:worker_threads';
import { keepYoungSmall } from '../core/batchHeap';
import { waitAtGate, type WorkerRequest } from '../core/earlyWorkers';
import { bundlePath, loadBundle } from './launch';
import { runsPreloads } from './v8flags';

// A worker the launcher started before the main thread's bundle was loaded waits for it (earlyWorkers.ts).
waitAtGate(workerData as WorkerRequest | undefined);
keepYoungSmall();
const bundle = loadBundle(bundlePath('scanWorkerMain.js'), true);
// A run with a preload runs under other V8 flags (v8flags.ts batchV8Flags): its cache would be refused by
// every plain run, so it writes none (the main thread's either: bin.ts).
(bundle.exports.runWorker as (beforeDone?: () => void) => void)(runsPreloads() ? undefined : bundle.saveCache);
