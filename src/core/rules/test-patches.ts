// Test code: `@patch("pkg.mod.name")` / `@patch.object(Cls, "name")` on a test replaces that attribute
// with a mock while the test runs, so a blocking call the test reaches only through it never runs.
import type { Expr } from '../python/ir';
import type { FunctionInfo } from '../python/modelTypes';

const PATCH = new Set(['unittest.mock.patch', 'mock.patch']);
const PATCH_OBJECT = new Set(['unittest.mock.patch.object', 'mock.patch.object']);
/** A target string as Python imports it (`pkg.mod.name`), bounded; anything else is not followed. */
const DOTTED = /^[A-Za-z_]\w{0,99}(?:\.[A-Za-z_]\w{0,99}){1,20}$/;
const NAME = /^[A-Za-z_]\w{0,99}$/;

/** One patched attribute: `owner.name` as written, and what the name refers to. */
export interface PatchTarget { owner: string; canonical: string }

/**
 * The attributes a test's own `@patch(...)` decorators replace: `@patch("a.b.f")` and
 * `@patch.object(C, "f")`. A patch that `wraps=` the real callable still runs it and replaces nothing.
 */
export function patchedBy(fn: FunctionInfo, canonical: (e: Expr) => string | undefined, canonicalize: (q: string) => string): PatchTarget[] | undefined {
  let out: PatchTarget[] | undefined;
  for (const d of fn.decorators) {
    if (d.k !== 'call' || d.kw.wraps) continue;
    const f = canonical(d.f);
    if (!f) continue;
    const [a, b] = d.args;
    if (PATCH.has(f) && a?.k === 'str' && DOTTED.test(a.v)) {
      (out ??= []).push({ owner: a.v.slice(0, a.v.lastIndexOf('.')), canonical: canonicalize(a.v) });
    } else if (PATCH_OBJECT.has(f) && a && b?.k === 'str' && NAME.test(b.v)) {
      const owner = canonical(a);
      if (owner) (out ??= []).push({ owner, canonical: canonicalize(`${owner}.${b.v}`) });
    }
  }
  return out;
}

/**
 * Whether a call in module `module` whose callee is `callee` (naming `target`) reaches a mock: patching
 * replaces the attribute on its owner, so a lookup through the owner (`mod.f(...)`, `obj.method(...)`)
 * or by the bare name inside the owner module gets the mock, while a name another module imported
 * earlier (`from a.b import f`) still holds the real function.
 */
export function reachesMock(targets: PatchTarget[], module: string, callee: Expr, target: string | undefined): boolean {
  if (target === undefined) return false;
  return targets.some((p) => p.canonical === target && (callee.k === 'attr' || (callee.k === 'name' && module === p.owner)));
}
