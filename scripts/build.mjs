// Copies the pinned grammars into grammars/ and bundles the CLI (and the extension when present) with esbuild.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'grammars'), { recursive: true });
copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(root, 'grammars/web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(root, 'grammars/tree-sitter-python.wasm'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
  // The ESM build of web-tree-sitter needs import.meta.url, which a CJS bundle lacks: use its CJS build.
  alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') },
  // `import()` becomes require(): code restored from a V8 code cache (src/cli/launch.ts) has no
  // dynamic-import host, and web-tree-sitter's Language.load imports fs/promises that way.
  supported: { 'dynamic-import': false },
};
const entries = [
  // The CLI and its scan worker each run their bundle through a small launcher that restores the
  // bundle's compiled code from a V8 code cache (src/cli/launch.ts).
  { entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/loopwise.js') },
  // `loopwise scan` runs a bundle of the scan alone (src/cli/scanMain.ts), half the size of the whole CLI's.
  { entryPoints: [join(root, 'src/cli/scanMain.ts')], outfile: join(root, 'dist/scan.js') },
  { entryPoints: [join(root, 'src/cli/bin.ts')], outfile: join(root, 'dist/cli.js'), banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: [join(root, 'src/core/workerThread.ts')], outfile: join(root, 'dist/scanWorkerMain.js') },
  { entryPoints: [join(root, 'src/cli/workerBin.ts')], outfile: join(root, 'dist/scanWorker.js') },
  { entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(root, 'dist/extension.js'), external: ['vscode'] },
];
for (const e of entries) {
  if (!existsSync(e.entryPoints[0])) continue;
  await build({ ...common, ...e });
  asciiOnly(e.outfile);
  bundleId(e.outfile);
}

/**
 * esbuild escapes non-ASCII characters in code but keeps comments as written (a few hold Vietnamese
 * text): one such character makes V8 hold the whole 1.7 MB bundle's source as a two-byte string
 * (3.4 MB, for the life of the process). Escaped, the source stays one byte per character.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return;
  writeFileSync(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * Appends the bundle's id, the SHA-1 of everything before it, as its last line: the launcher
 * (src/cli/launch.ts bundleId) stamps its code cache with it instead of hashing the bundle at
 * every start (node:crypto's load alone cost each thread ~6-20 ms). Its format is the launcher's BUNDLE_ID.
 */
function bundleId(file) {
  const text = readFileSync(file, 'latin1');
  writeFileSync(file, `${text}\n// loopwise-bundle-id ${createHash('sha1').update(text, 'latin1').digest('hex')}\n`, 'latin1');
}
