// `loopwise` (dist/cli.js): sets the batch V8 flags, then runs the CLI bundle (dist/loopwise.js) from
// its code cache (launch.ts). The language server reads no cache: it starts once and runs for hours.
// Only `scan` and `fix` write the cache, so it holds the functions a scan runs.
import { setFlagsFromString } from 'node:v8';
import { bundlePath, loadBundle } from './launch';
import { BATCH_V8_FLAGS } from './v8flags';

const command = process.argv[2];
const batch = command !== 'server';
if (batch) for (const flag of BATCH_V8_FLAGS) setFlagsFromString(flag);
const bundle = loadBundle(bundlePath('loopwise.js'), batch);
if (bundle.saveCache && (command === 'scan' || command === 'fix')) process.once('exit', bundle.saveCache);
(bundle.exports.cli as () => void)();
