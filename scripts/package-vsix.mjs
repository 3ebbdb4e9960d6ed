// Builds the VSIX from a staging folder that holds only what the extension runs: the client
// (dist/extension.js), the language server it starts (dist/cli.js and its bundle dist/loopwise.js), the grammars, the panel's media,
// translations, README, LICENSE, CHANGELOG. The repository's package.json keeps its npm `files` list
// for the CLI package; vsce refuses that list next to a .vscodeignore, so the staged manifest carries
// the VSIX's own list instead. usage: node scripts/package-vsix.mjs OUT.vsix (after the build)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'loopwise.vsix'));
const stage = join(root, '.vsix-stage');
const FILES = [
  'dist/extension.js', 'dist/cli.js', 'dist/loopwise.js', 'grammars/web-tree-sitter.wasm', 'grammars/tree-sitter-python.wasm',
  'media/icon.png', 'media/panel.js', 'media/panel.css', 'l10n', 'package.nls.json', 'package.nls.vi.json',
  'README.md', 'LICENSE', 'CHANGELOG.md',
];
rmSync(stage, { recursive: true, force: true });
for (const f of FILES) {
  const from = join(root, f);
  if (!existsSync(from)) { console.error(`package-vsix: ${f} is missing (run the build first)`); process.exit(1); }
  mkdirSync(dirname(join(stage, f)), { recursive: true });
  cpSync(from, join(stage, f), { recursive: true });
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
delete manifest.scripts;
delete manifest.devDependencies;
delete manifest.dependencies;
manifest.files = FILES;
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
try {
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', out], { cwd: stage, stdio: 'inherit' });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
