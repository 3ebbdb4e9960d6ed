// Loads a Loopwise bundle with a V8 code cache: the CLI's (dist/loopwise.js, for the `loopwise`
// command, dist/cli.js) and the scan worker's (dist/scanWorkerMain.js, for dist/scanWorker.js).
// Compiling the 1.7 MB bundle and the functions a scan runs costs each thread tens of milliseconds
// at every start; with the cache V8 restores their bytecode instead. This file is bundled on its own and stays small: it must not
// import the analyzer.
//
// The cache sits beside the bundle (`loopwise.js.cache`, as trusted as the bundle itself; never in a
// shared folder) and starts with the SHA-1 of the bundle it was made from (written on the bundle's
// last line by the build, see bundleStamp), the Node version and the architecture: any other bundle
// or runtime ignores it. V8 refuses it too when its own version or
// flags differ. A thread whose cache was missing or refused writes it once its work is done, so it
// holds the functions a scan runs (a temporary file, then a rename: concurrent runs never read half
// a file); a folder that is not writable just means no cache.
import type * as Crypto from 'node:crypto';
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFileUntracked } from '../core/batchHeap';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const MAGIC = 'loopwise-code-cache 1';

/** A loaded bundle: its exports, and `saveCache` when its code cache was missing or refused. */
export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Writes the cache from the code compiled so far (call it once the thread has done its work). */
  saveCache?: () => void;
}

/** Runs `file` (a CommonJS bundle) as a module; `cache`: read its code cache (false: compile as Node would). */
export function loadBundle(file: string, cache: boolean): LoadedBundle {
  // Read so that freeing it leaves malloc's thresholds alone (core/batchHeap.ts), even the scan's
  // 0.9 MB bundle: read the ordinary way, the 500-file scan's peak RSS was 1.5-3 MB higher (4 of 4 runs).
  const bytes = readFileUntracked(file, 128 * 1024);
  const source = bytes.toString('utf8');
  const cacheFile = `${file}.cache`;
  const stamp = cache ? alignStamp(`${MAGIC}\n${bundleStamp(file, bytes)}\n`) : '';
  let cachedData: Buffer | undefined;
  if (cache) {
    try {
      const raw = readFileUntracked(cacheFile);
      if (raw.length > stamp.length && raw.toString('latin1', 0, stamp.length) === stamp) cachedData = raw.subarray(stamp.length);
    } catch { /* no cache yet */ }
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, require.main);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  req.resolve = ((id: string) => (Module as unknown as { _resolveFilename(id: string, parent: Module): string })._resolveFilename(id, mod)) as NodeJS.RequireResolve;
  req.main = require.main;
  req.cache = require.cache;
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, req, mod, file, dirname(file));
  mod.loaded = true;
  const stale = cache && (!cachedData || script.cachedDataRejected === true);
  return { exports: mod.exports as Record<string, unknown>, saveCache: stale ? () => saveCache(script, cacheFile, stamp) : undefined };
}

/** The last line scripts/build.mjs appends to a bundle: the SHA-1 of everything before it. */
const BUNDLE_ID = /\n\/\/ loopwise-bundle-id ([0-9a-f]{40})\n$/;

/**
 * What identifies a bundle in its cache's stamp, on two lines: its content, then the Node version and
 * architecture. The content is the SHA-1 that the build wrote on the bundle's last line (BUNDLE_ID),
 * else (a bundle not made by the build) the SHA-1 of its bytes, with node:crypto loaded only then:
 * loading it cost each thread ~6-20 ms of its start. The build's id is not checked against the bytes
 * above it (that hash is the cost it saves), and V8 compares only the source's length with the
 * cache's, so a bundle edited after the build (a hotfix, patch-package) that kept its id line and its
 * length would run the cached code of the old text: such a bundle's size and modification time
 * (nanoseconds) go on the second line, and any edit changes the time.
 */
function bundleStamp(file: string, bytes: Buffer): string {
  const platform = `${process.version} ${process.arch}`;
  const built = BUNDLE_ID.exec(bytes.toString('latin1', Math.max(0, bytes.length - 80)));
  if (!built) return `${sha1(bytes)}\n${platform}`;
  let mtime: string;
  try { mtime = String(statSync(file, { bigint: true }).mtimeNs); } catch { mtime = `unstated ${process.hrtime.bigint()}`; } // read a moment ago: a stamp no other run has
  return `${built[1]}\n${platform} ${bytes.length} ${mtime}`;
}

function sha1(bytes: Buffer): string {
  const { createHash } = require('node:crypto') as typeof Crypto;
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * The stamp padded to a multiple of 8 bytes, so the code cache after it starts 8-byte aligned: V8
 * copies cached data that is not (an 850 KB copy, freed at once, which raised malloc's thresholds:
 * core/batchHeap.ts).
 */
function alignStamp(stamp: string): string {
  return stamp.padEnd(Math.ceil(stamp.length / 8) * 8, ' ');
}

function saveCache(script: Script, cacheFile: string, stamp: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  let fd: number;
  // The file first: in a folder this user cannot write (a global install), no run pays for the data.
  try { fd = openSync(tmp, 'wx', 0o644); } catch { return; }
  try {
    writeFileSync(fd, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
    closeSync(fd);
    renameSync(tmp, cacheFile);
  } catch {
    try { closeSync(fd); } catch { /* closed */ }
    try { unlinkSync(tmp); } catch { /* nothing written */ }
  }
}

/** A bundle next to this launcher. */
export function bundlePath(name: string): string {
  return join(__dirname, name);
}
