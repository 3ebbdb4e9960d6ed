// A cold Ruff-wasm process, the peer of `loopwise scan`: load the wasm build, check every *.py file
// under the given folder with the flake8-async (ASYNC) rules, print how many diagnostics, exit.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const ruff = require('@astral-sh/ruff-wasm-nodejs');

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

const ws = new ruff.Workspace({ lint: { select: ['ASYNC'] } }, ruff.PositionEncoding.Utf16);
let diagnostics = 0;
const files = walk(process.argv[2] ?? '.', []);
for (const f of files) diagnostics += ws.check(readFileSync(f, 'utf8')).length;
process.stdout.write(JSON.stringify({ files: files.length, diagnostics }) + '\n');
