// Route attribution on the real corpus (issue 10, call edges): how many route-shaped declarations in the
// code (`@x.get(...)`-style decorators, `add_api_route`, `add_api_websocket_route` calls) end up as route or
// websocket handlers in the analysis. Reads the trees `npm run accuracy:real` exported.
// Usage: node --import tsx scripts/route-attribution.ts [--repo NAME[,NAME]] [--missed N]
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scanPaths, toPosix } from '../src/core/scan';
import type { Repo } from './accuracy-real';

const root = resolve(__dirname, '..');
const work = process.env.LOOPWISE_REAL_WORK ?? join(tmpdir(), 'loopwise-real');
const args = process.argv.slice(2);
const only = args.includes('--repo') ? args[args.indexOf('--repo') + 1].split(',') : undefined;
const missedN = args.includes('--missed') ? Number(args[args.indexOf('--missed') + 1]) : 0;
const repos = (JSON.parse(readFileSync(join(root, 'test/real/corpus.json'), 'utf8')) as { repos: Repo[] }).repos;

const DECORATOR = /^\s*@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|api_route|websocket|websocket_route)\(/;
const CALL = /\.(?:add_api_route|add_api_websocket_route)\(/;
const DEF = /^\s*(?:async\s+)?def\s/;

async function main(): Promise<void> {
  let tot = 0;
  let hit = 0;
  for (const repo of repos) {
    if (only && !only.includes(repo.name)) continue;
    const dir = join(work, `${repo.name}-${repo.commit.slice(0, 12)}`);
    const scanDir = join(dir, repo.scanRoot);
    if (!existsSync(scanDir)) { console.log(`${repo.name.padEnd(14)} not exported (run npm run accuracy:real first): ${scanDir}`); continue; }
    const out = await scanPaths([scanDir], { noConfig: true });
    const handlers = new Set(out.result.handlers.filter((h) => h.kind === 'route' || h.kind === 'websocket').map((h) => `${h.file}:${h.line}`));
    let declared = 0;
    let found = 0;
    let calls = 0;
    const missed: string[] = [];
    for (const [rel, f] of out.files) {
      const lines = f.decoded.text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (CALL.test(lines[i]) && !/^\s*#/.test(lines[i])) calls++;
        if (!DECORATOR.test(lines[i])) continue;
        let j = i + 1;
        while (j < lines.length && !DEF.test(lines[j])) j++;
        if (j >= lines.length) continue;
        declared++;
        if (handlers.has(`${toPosix(rel)}:${j + 1}`)) found++;
        else missed.push(`${toPosix(rel)}:${i + 1}: ${lines[i].trim().slice(0, 70)}`);
        i = j;
      }
    }
    tot += declared;
    hit += found;
    console.log(`${repo.name.padEnd(14)} route decorators ${String(declared).padStart(4)}  attributed ${String(found).padStart(4)} (${declared ? ((100 * found) / declared).toFixed(1) : '-'} %)  add_api_(websocket_)route calls ${calls}  route+websocket handlers ${handlers.size}`);
    for (const m of missed.slice(0, missedN)) console.log(`   missed ${m}`);
    out.analyzer.dispose();
  }
  console.log(`all            route decorators ${tot}  attributed ${hit} (${tot ? ((100 * hit) / tot).toFixed(1) : '-'} %)`);
}

void main();
