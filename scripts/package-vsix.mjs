// Builds the VSIX from a staging folder that holds only what the extension runs: the client
// (dist/extension.js), the language server it starts (dist/cli.js and its bundle dist/loopwise.js), the grammars, the panel's media,
// translations, README, LICENSE, CHANGELOG: the `!` lines of .vscodeignore, the one list of what the VSIX
// holds. The repository's package.json keeps its npm `files` list for the CLI package; vsce refuses that
// list next to a .vscodeignore, so the staged manifest drops it and vsce reads the staged .vscodeignore.
// usage: node scripts/package-vsix.mjs OUT.vsix (after the build)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'loopwise.vsix'));
const stage = join(root, '.vsix-stage');
const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
// `!path` or `!folder/**` (copied whole); no other patterns are used there.
const FILES = ignore.split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim().replace(/\/\*\*$/, ''));
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
delete manifest.files;
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
writeFileSync(join(stage, '.vscodeignore'), ignore);
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
try {
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', out], { cwd: stage, stdio: 'inherit' });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
