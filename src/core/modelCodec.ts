// A compact encoding for the plain data a worker thread ships to the main thread (file models):
// one Int32Array of tags and small integers, one Float64Array for other numbers, one table of
// distinct strings and one of object shapes (key lists). Structured clone writes every object's
// property names and every string again and rebuilds each object a property at a time; here a
// shape's keys are written once and its objects are rebuilt by one object literal per shape (so
// they get the same hidden classes as the builder's own literals), equal strings arrive as one
// string, and the typed arrays are transferred without a copy.
// Handles undefined, null, booleans, numbers, strings, arrays, plain objects, Maps and Sets, and
// keeps shared references shared; anything else (a function, a class instance, a `__proto__` key)
// makes encode() throw, and a cycle makes decode() throw.

import { intern } from './python/intern';

/** What a worker posts: transfer `ints.buffer` and `nums.buffer`. */
export interface Encoded { ints: Int32Array; nums: Float64Array; strings: string[]; shapes: string[][] }

const UNDEF = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const NUM = 5;
const STR = 6;
const ARR = 7;
const OBJ = 8;
const MAP = 9;
const SET = 10;
const REF = 11;
/** Integers from -1 to SMALL_MAX are written as one value, SMALL + 1 + v (so -1, "none", is SMALL). */
const SMALL = 12;
const SMALL_MAX = 0x3fff_ffff;

/** Shapes by their keys, one key at a time (no key string is built per object). */
interface ShapeNode { id: number; keys: string[]; next: Map<string, ShapeNode> | undefined }

class Writer {
  ints = new Int32Array(1 << 12);
  n = 0;
  nums = new Float64Array(64);
  nn = 0;
  strings: string[] = [];
  private stringIds = new Map<string, number>();
  shapes: string[][] = [];
  private shapeRoot: ShapeNode = { id: -1, keys: [], next: undefined };
  /** Objects, arrays, Maps and Sets already written, by their index in writing order. */
  private seen = new Map<object, number>();
  private objects = 0;

  private int(v: number): void {
    if (this.n === this.ints.length) { const g = new Int32Array(this.ints.length * 2); g.set(this.ints); this.ints = g; }
    this.ints[this.n++] = v;
  }

  private shapeOf(o: object): ShapeNode {
    let node = this.shapeRoot;
    for (const k in o) {
      let next = node.next?.get(k);
      if (!next) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) throw new Error('cannot encode an inherited key');
        if (k === '__proto__') throw new Error('cannot encode this key');
        next = { id: -1, keys: [...node.keys, k], next: undefined };
        (node.next ??= new Map()).set(k, next);
      }
      node = next;
    }
    if (node.id < 0) { node.id = this.shapes.length; this.shapes.push(node.keys); }
    return node;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'undefined': this.int(UNDEF); return;
      case 'boolean': this.int(v ? TRUE : FALSE); return;
      case 'number':
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          if (v >= -1 && v <= SMALL_MAX) this.int(SMALL + 1 + v);
          else { this.int(INT); this.int(v); }
        } else {
          this.int(NUM);
          if (this.nn === this.nums.length) { const g = new Float64Array(this.nums.length * 2); g.set(this.nums); this.nums = g; }
          this.nums[this.nn++] = v;
        }
        return;
      case 'string': {
        let id = this.stringIds.get(v);
        if (id === undefined) { id = this.strings.length; this.strings.push(v); this.stringIds.set(v, id); }
        this.int(STR); this.int(id);
        return;
      }
      case 'object': break;
      default: throw new Error(`cannot encode a ${typeof v}`);
    }
    if (v === null) { this.int(NULL); return; }
    const o = v as object;
    const at = this.seen.get(o);
    if (at !== undefined) { this.int(REF); this.int(at); return; }
    // A cycle would refer to an object still being read: decode() throws on it.
    this.seen.set(o, this.objects++);
    if (Array.isArray(o)) {
      this.int(ARR); this.int(o.length);
      for (let i = 0; i < o.length; i++) this.value(o[i]);
    } else if (o instanceof Map) {
      this.int(MAP); this.int(o.size);
      for (const [k, x] of o) { this.value(k); this.value(x); }
    } else if (o instanceof Set) {
      this.int(SET); this.int(o.size);
      for (const x of o) this.value(x);
    } else {
      if (Object.getPrototypeOf(o) !== Object.prototype) throw new Error('cannot encode a class instance');
      const shape = this.shapeOf(o);
      this.int(OBJ); this.int(shape.id);
      const rec = o as Record<string, unknown>;
      const keys = shape.keys;
      for (let i = 0; i < keys.length; i++) this.value(rec[keys[i]]);
    }
  }
}

/**
 * The growth buffers of the last encode() on this thread, reused by the next: a worker encodes a
 * batch every ~64k characters of source, and each batch grew its buffers from 16 KB by doubling
 * again (five or six allocations, copies and zero-fills per batch, all garbage once it is posted).
 */
let scratch: { ints: Int32Array<ArrayBuffer>; nums: Float64Array<ArrayBuffer> } | undefined;

/** Encodes `v` (see the file comment); throws on what it cannot encode. */
export function encode(v: unknown): Encoded {
  const w = new Writer();
  if (scratch) { w.ints = scratch.ints; w.nums = scratch.nums; }
  w.value(v);
  scratch = { ints: w.ints, nums: w.nums };
  return { ints: w.ints.slice(0, w.n), nums: w.nums.slice(0, w.nn), strings: w.strings, shapes: w.shapes };
}

/** Lets the buffers encode() keeps go (a worker calls it after its last batch). */
export function releaseEncodeBuffers(): void {
  scratch = undefined;
}

/** Object makers by their shape's keys (as JSON: unambiguous whatever a key holds), for the life of the thread. */
const makers = new Map<string, (r: Reader) => unknown>();
/** Bounds the table on hostile input (a model cannot have this many shapes). */
const MAX_MAKERS = 4096;

function makerOf(keys: string[]): (r: Reader) => unknown {
  const key = JSON.stringify(keys);
  let make = makers.get(key);
  if (!make) {
    make = new Function('r', `return {${keys.map((k) => `${JSON.stringify(k)}: r.value()`).join(', ')}};`) as (r: Reader) => unknown;
    if (makers.size >= MAX_MAKERS) makers.clear();
    makers.set(key, make);
  }
  return make;
}

/** The slot of an object whose values are still being read. */
const READING = Symbol('reading');

class Reader {
  i = 0;
  j = 0;
  objects: unknown[] = [];
  private makers: ((r: Reader) => unknown)[];

  private strings: string[];

  constructor(private ints: Int32Array, private nums: Float64Array, strings: string[], shapes: string[][]) {
    // Short strings join this thread's table (python/intern.ts), so a name the worker read is the
    // same string as one this thread's models hold, not a copy per batch.
    this.strings = strings.map(intern);
    // One object literal per shape: its properties are read in order, as they were written. Each
    // shape's function is made once per thread and reused by every later batch (a new one per batch
    // would be compiled again and run cold).
    this.makers = shapes.map(makerOf);
  }

  value(): unknown {
    const t = this.ints[this.i++];
    if (t >= SMALL) return t - SMALL - 1;
    switch (t) {
      case UNDEF: return undefined;
      case NULL: return null;
      case FALSE: return false;
      case TRUE: return true;
      case INT: return this.ints[this.i++];
      case NUM: return this.nums[this.j++];
      case STR: return this.strings[this.ints[this.i++]];
      case REF: {
        const o = this.objects[this.ints[this.i++]];
        if (o === READING) throw new Error('cannot decode a cycle');
        return o;
      }
      case ARR: {
        const n = this.ints[this.i++];
        const a: unknown[] = new Array(n);
        this.objects.push(a);
        for (let k = 0; k < n; k++) a[k] = this.value();
        return a;
      }
      case MAP: {
        const n = this.ints[this.i++];
        const m = new Map<unknown, unknown>();
        this.objects.push(m);
        for (let k = 0; k < n; k++) { const key = this.value(); m.set(key, this.value()); }
        return m;
      }
      case SET: {
        const n = this.ints[this.i++];
        const s = new Set<unknown>();
        this.objects.push(s);
        for (let k = 0; k < n; k++) s.add(this.value());
        return s;
      }
      case OBJ: {
        const shape = this.ints[this.i++];
        // The object's index is taken before its values are read (writing order), filled after.
        const at = this.objects.length;
        this.objects.push(READING);
        const o = this.makers[shape](this);
        this.objects[at] = o;
        return o;
      }
      default: throw new Error(`bad tag ${t}`);
    }
  }
}

/** The value encode() was given (a deep copy with the same sharing). */
export function decode(e: Encoded): unknown {
  return new Reader(e.ints, e.nums, e.strings, e.shapes).value();
}
