// Bundles the extension-host tests (test/integration) to out/test/integration with esbuild; `vscode`
// and `mocha` stay external (the host provides vscode, mocha loads from node_modules).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'test/integration');
const out = join(root, 'out/test/integration');
rmSync(out, { recursive: true, force: true });
const suites = readdirSync(join(src, 'suite')).filter((f) => f.endsWith('.test.ts')).map((f) => join(src, 'suite', f));
await build({
  entryPoints: [join(src, 'index.ts'), join(src, 'runTest.ts'), ...suites],
  outdir: out,
  outbase: src,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['vscode', 'mocha', '@vscode/test-electron'],
  alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') },
});
