// A small expression IR: the parts of a Python expression that name resolution and the rules need,
// kept as plain data so a file's model outlives its syntax tree (trees are freed right after the walk).

/**
 * Where the top-level statement an expression came from sits now. A file's model is built per
 * top-level statement and reused across edits, so names keep the offset and scope id they had when
 * built, and this shared header (updated when the model is reassembled) says how to translate them.
 */
export interface SegmentHeader { delta: number; scopeBase: number }

export type Expr =
  | { k: 'name'; n: string; off: number; scope: number; seg?: SegmentHeader }
  | { k: 'attr'; o: Expr; a: string }
  | { k: 'call'; f: Expr; args: Expr[]; kw: Record<string, Expr> }
  | { k: 'sub'; o: Expr; i: Expr[] }
  | { k: 'op'; op: string; l: Expr; r: Expr }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'list'; items: Expr[] }
  | { k: 'lambda'; off: number; seg?: SegmentHeader }
  | { k: 'await'; e: Expr }
  | { k: 'none' }
  | { k: '?'; names?: string[] };

export const UNKNOWN: Expr = { k: '?' };

/** The file offset of a name or lambda, wherever its statement has moved since it was built. */
export function offsetOf(e: { off: number; seg?: SegmentHeader }): number {
  return e.off + (e.seg?.delta ?? 0);
}

/** The model-wide scope id of a name (0, the module scope, is shared by every statement). */
export function scopeOf(e: { scope: number; seg?: SegmentHeader }): number {
  return e.scope === 0 || !e.seg ? e.scope : e.seg.scopeBase + e.scope - 1;
}

/** Names an expression reads (identifiers at any depth), for data-dependency checks. */
export function namesIn(e: Expr, out: Set<string> = new Set()): Set<string> {
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    switch (x.k) {
      case 'name': out.add(x.n); break;
      case 'attr': stack.push(x.o); break;
      case 'call': stack.push(x.f, ...x.args, ...Object.values(x.kw)); break;
      case 'sub': stack.push(x.o, ...x.i); break;
      case 'op': stack.push(x.l, x.r); break;
      case 'list': stack.push(...x.items); break;
      case 'await': stack.push(x.e); break;
      case '?': for (const n of x.names ?? []) out.add(n); break;
      default: break;
    }
  }
  return out;
}
