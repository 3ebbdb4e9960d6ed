// `npm run demo`: scan the bundled example app, then recommend a worker count for it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const app = join('examples', 'shop-api');
for (const args of [['scan', app], ['recommend', app]]) {
  console.log(`\n$ loopwise ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status === 2) process.exit(2);
}
