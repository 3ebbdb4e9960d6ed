// One string for equal short strings, for every model of the process: a file's identifiers repeat
// (`self`, `db`, `session`, ...) and so do those of all files, so models keep one copy of each.
// The builder looks a name up by its range of the source text (internRange), so a name met before
// costs no new string at all; compact.ts interns the strings the builder composes.
// A kept string is a flat copy: it never pins the text it was read from (an open document's old
// text after an edit). The table lives as long as the process (a language server too): it is
// cleared when it holds MAX_INTERNED strings (of at most MAX_INTERN_LENGTH characters each).

/** Strings up to this long are interned; longer ones (qualified names, literals) are rarely equal. */
export const MAX_INTERN_LENGTH = 40;
/** The table is cleared when it reaches this many strings, so a long-lived process never grows it without bound. */
const MAX_INTERNED = 1 << 17;

// Open addressing, linear probing; a slot holds its string and the string's hash.
let size = 1 << 12;
let keys: (string | undefined)[] = new Array<string | undefined>(size).fill(undefined);
let hashes = new Int32Array(size);
let count = 0;

/** Bytes ownRange copies a string's characters through (MAX_INTERN_LENGTH of them at most). */
const scratch = Buffer.allocUnsafe(64);

/**
 * The copy kept for `text.slice(start, end)`: flat, sharing no storage with the text (V8 copies slices
 * under 13 characters). A longer one is made from its characters by Buffer's latin1 decoding (a new
 * one-byte string, without a slice first), or, with a character beyond latin1, parsed back from its
 * JSON: a string of its own (`(' ' + s).slice(1)` left a 32-byte slice of a flat copy, 9k of them on
 * the 500-file benchmark; the JSON round trip took 2.5x the time of the decoding).
 */
function ownRange(text: string, start: number, end: number): string {
  const n = end - start;
  if (n < 13 || n > scratch.length) return n < 13 ? text.slice(start, end) : (JSON.parse(JSON.stringify(text.slice(start, end))) as string);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(start + i);
    if (c > 255) return JSON.parse(JSON.stringify(text.slice(start, end))) as string;
    scratch[i] = c;
  }
  return scratch.toString('latin1', 0, n);
}

function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

function sameRange(k: string, text: string, start: number, end: number): boolean {
  if (k.length !== end - start) return false;
  for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

function grow(): void {
  const oldKeys = keys;
  const oldHashes = hashes;
  size *= 2;
  keys = new Array<string | undefined>(size).fill(undefined);
  hashes = new Int32Array(size);
  const mask = size - 1;
  for (let i = 0; i < oldKeys.length; i++) {
    const k = oldKeys[i];
    if (k === undefined) continue;
    let j = oldHashes[i] & mask;
    while (keys[j] !== undefined) j = (j + 1) & mask;
    keys[j] = k;
    hashes[j] = oldHashes[i];
  }
}

function clear(): void {
  size = 1 << 12;
  keys = new Array<string | undefined>(size).fill(undefined);
  hashes = new Int32Array(size);
  count = 0;
}

/**
 * The interned string equal to `text.slice(start, end)` (at most MAX_INTERN_LENGTH characters; the
 * caller checks), made and kept when first met.
 */
export function internRange(text: string, start: number, end: number): string {
  const h = hashRange(text, start, end);
  lastHash = h;
  const mask = size - 1;
  let j = h & mask;
  for (let k = keys[j]; k !== undefined; k = keys[j]) {
    if (hashes[j] === h && sameRange(k, text, start, end)) return k;
    j = (j + 1) & mask;
  }
  const s = ownRange(text, start, end);
  if (count >= MAX_INTERNED) { clear(); return internRange(text, start, end); }
  keys[j] = s;
  hashes[j] = h;
  // At most half full, so probes stay short.
  if (++count * 2 > size) grow();
  return s;
}

/** The hash internRange computed last (FNV-1a of the string's characters, seeded with its length). */
let lastHash = 0;

/**
 * The hash of the string internRange returned last: python/compact.ts NameTable keys a name by the
 * same hash, so a name read from the source is hashed once (it was hashed twice: to intern, then to look up).
 */
export function internedHash(): number {
  return lastHash;
}

/** One string for equal short strings (see the file comment); a longer string is returned as it is. */
export function intern(s: string): string {
  return s.length > MAX_INTERN_LENGTH ? s : internRange(s, 0, s.length);
}

/** The shared empty list of names (frozen: nothing writes to a model's name lists). */
export const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];

/** One-name lists by their name (see nameList). */
const singles = new Map<string, string[]>();

/**
 * `[s]`, one frozen list per name for the process when `s` is interned (at most MAX_INTERN_LENGTH
 * characters): a loop's single target and the names of most '?' expressions (7k and 8k one-name
 * lists on the 500-file benchmark, 56 bytes each). Emptied when it holds MAX_INTERNED lists.
 */
export function nameList(s: string): string[] {
  if (s.length > MAX_INTERN_LENGTH) return [s];
  let l = singles.get(s);
  if (l === undefined) {
    if (singles.size >= MAX_INTERNED) singles.clear();
    singles.set(s, (l = Object.freeze([s]) as unknown as string[]));
  }
  return l;
}
