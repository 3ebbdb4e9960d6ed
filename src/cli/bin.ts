// `loopwise` (dist/cli.js): sets the batch V8 flags (the server's for `server`), then runs the CLI
// bundle (dist/loopwise.js; for `scan`, the scan's own, dist/scan.js) from its code cache (launch.ts). The language server reads no cache: it
// starts once and runs for hours. Only `scan` and `fix` write the cache, so it holds the functions a
// scan runs. A batch run's young generation stops growing once the bundle is loaded (v8flags.ts).
// `server` started without the server's Node options starts itself again with them (server/relaunch.ts).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { bundlePath, loadBundle } from './launch';
import { batchV8Flags, FREEZE_YOUNG, runsPreloads, SERVER_V8_FLAGS, THAW_YOUNG, BATCH_HEAP_ENV } from './v8flags';
import { LIFTOFF_ENV, WASM_TIER_UP } from '../core/batchHeap';
import { startEarlyWorkers } from '../core/earlyWorkers';
import { followParent, relaunchServer, shouldRelaunch } from '../server/relaunch';

const command = process.argv[2];
if (command === 'server' && shouldRelaunch()) relaunchServer(__filename, process.argv.slice(2), run);
else run();

function run(): void {
  if (command === 'server') followParent();
  const batch = command !== 'server';
  const preloaded = runsPreloads();
  for (const flag of batch ? batchV8Flags(preloaded) : SERVER_V8_FLAGS) setFlagsFromString(flag);
  // A scan of a folder starts its worker threads now (core/earlyWorkers.ts): their start overlaps
  // with loading the bundle and walking the tree. They load their own bundle once the scan knows it
  // uses them, long after the flags below are set.
  if (command === 'scan') startEarlyWorkers(process.argv.slice(3), __dirname);
  // A scan runs the scan's own bundle (cli/scanMain.ts), half the whole CLI's size, where it was built
  // (the VSIX ships the whole CLI only: its language server runs the scans).
  const scanBundle = command === 'scan' ? bundlePath('scan.js') : undefined;
  const bundle = loadBundle(scanBundle && existsSync(scanBundle) ? scanBundle : bundlePath('loopwise.js'), batch);
  if (batch && process.env[BATCH_HEAP_ENV] !== '0') {
    setFlagsFromString(FREEZE_YOUNG);
    process.env[BATCH_HEAP_ENV] = '1';
  }
  const { saveCache } = bundle;
  // The cache is made under the flags it was loaded with (V8 refuses a cache made under others).
  // A small scan parsed on Liftoff only (core/batchHeap.ts liftoffForSmallScan): set back too.
  // A run with a preload sets other flags (batchV8Flags): its cache would be refused by every plain run.
  if (saveCache && !preloaded && (command === 'scan' || command === 'fix')) {
    process.once('exit', () => {
      setFlagsFromString(THAW_YOUNG);
      if (process.env[LIFTOFF_ENV] === '1') setFlagsFromString(WASM_TIER_UP);
      saveCache();
    });
  }
  (bundle.exports.cli as () => void)();
}
