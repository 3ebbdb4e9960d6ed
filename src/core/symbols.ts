// The workspace symbol index: which module defines which function, class and module-level object,
// and `canonicalize`, which rewrites a qualified name until it names a type or a definition:
//   app.main.svc.run -> app.services.Service().run -> app.services.Service.run   (a local method)
//   app.db.SessionLocal() -> sqlalchemy.orm.sessionmaker()() -> sqlalchemy.orm.Session()
import { aliasOf, mayAlias } from './rules/aliases';
import type { ClassInfo, FileModel, FunctionInfo } from './python/model';
import type { Expr } from './python/ir';
import { CONTEXT_MANAGERS, meaningful, OPTIONAL, Resolver, UNION } from './python/resolve';

export interface ModuleEntry {
  file: string;
  model: FileModel;
  resolver: Resolver;
  /** Test code, a script or an example (see isTestCode). */
  testCode?: boolean;
}

export interface FunctionRef { mod: ModuleEntry; fn: FunctionInfo }
export interface ClassRef { mod: ModuleEntry; cls: ClassInfo }

interface Seg { name: string; suffix: string }

/**
 * A node of the module-name trie (see SymbolIndex.stems): the dotted path from the root spells a
 * run of names that some module name (a modelled file's or a ghost's) has at its start or later on.
 */
interface Stem {
  kids?: Map<string, Stem>;
  /** A module name is this path (the string, to look its entry up). */
  full?: string;
  /** A module name continues this path with a dot (`prefixes`). */
  prefix?: boolean;
  /** As bySuffix: the one module name ending in this path (two names or more: null). */
  suffix?: string | null;
}

const MAX_STEPS = 16;

export class SymbolIndex {
  readonly modules = new Map<string, ModuleEntry>();
  readonly functions = new Map<string, FunctionRef>();
  readonly classes = new Map<string, ClassRef>();
  private bySuffix = new Map<string, string | null>();
  /** Dotted prefixes of module names (`a`, `a.b` for `a.b.c`), namespace packages included. */
  private prefixes = new Set<string>();
  /**
   * Every run of names of every module name (`a`, `a.b`, `a.b.c`, `b`, `b.c`, `c` for `a.b.c`) as a
   * trie, with what `modules`, `prefixes` and `bySuffix` say of it: moduleStep walks a name's
   * segments down it, one short lookup per segment, instead of looking each dotted prefix up (made
   * and hashed whole), and stops where no module name can be.
   */
  private stems: Stem = {};
  /**
   * Every name a module name is made of, and the first name of every function's and class's
   * qualified name: a name whose first segment is none of these (`requests.get`) names no module,
   * by exact name or by suffix, and no workspace definition, so moduleStep and memberStep pass it by.
   */
  private words = new Set<string>();
  private memo = new Map<string, string>();
  private topMemo = new Map<string, string | undefined>();
  private returnMemo = new Map<string, string | undefined>();
  /**
   * Watched modules (the open documents, whose surfaces edits change): module name -> `name.`. While
   * any is watched, every read of their names is noted (see note) into the sets on `readers`, and
   * each memoised resolution keeps the reads it made (memoDeps), so that an edit of a watched
   * module's surface drops only the resolutions that read a name it changed (forget).
   */
  private watched = new Map<string, string>();
  /** Where reads are noted now: the reading module's set, a memo entry's, the FastAPI model's. */
  readonly readers: Set<string>[] = [];
  private memoDeps = new Map<string, string[]>();

  /**
   * `ghosts`: module names of files not modelled (a cold scan's unparsed files, see reach.ts): they
   * take part in the names' prefixes, words and dotted suffixes as they would modelled, so a lookup
   * resolves as it would over every file (the files they would resolve to are modelled).
   */
  constructor(entries: Iterable<ModuleEntry>, ghosts: Iterable<string> = []) {
    for (const e of entries) this.add(e);
    for (const g of ghosts) this.addName(g);
  }

  /**
   * Swaps one module's entry for a newer one of the same module name, in place: only that module's
   * functions and classes are removed and added again (an edit costs what it touches). The caller
   * clears the memos (forgetResolutions) unless every module's surface is unchanged.
   */
  replace(old: ModuleEntry, next: ModuleEntry): void {
    if (old.model.module !== next.model.module || this.modules.get(old.model.module) !== old) throw new Error('SymbolIndex.replace: not the indexed entry of that module');
    // Functions are only looked up, never listed: the new ones overwrite the old in place, then the
    // old ones the new model no longer has are removed (deleting all first left a keystroke's worth
    // of holes in the map to rehash). Classes are listed (n-plus-one.ts), in the order deleting and
    // adding again gives.
    this.addFunctions(next);
    for (const fn of old.model.functions) if (!fn.isLambda && this.functions.get(fn.qname)?.mod === old) this.functions.delete(fn.qname);
    for (const cls of old.model.classes) if (this.classes.get(cls.qname)?.mod === old) this.classes.delete(cls.qname);
    this.modules.set(next.model.module, next);
    this.addClasses(next);
  }

  /** Adds the first name of a qualified name to `words`. */
  private addWord(q: string): void {
    const dot = q.indexOf('.');
    this.words.add(dot < 0 ? q : q.slice(0, dot));
  }

  /** Drops every memoised resolution (after a module's surface changed). */
  forgetResolutions(): void {
    this.basesMemo.clear();
    this.memo.clear();
    this.topMemo.clear();
    this.returnMemo.clear();
    this.memoDeps.clear();
  }

  /** Whether reads are noted (some module is watched): a field, set by watch() (read per call site). */
  watching = false;

  /** The watched modules, as a key (see watch). */
  get watchKey(): string { return [...this.watched.keys()].sort().join('\n'); }

  /**
   * Watches these modules (see watched). Memoised resolutions made before hold no reads, so they
   * are dropped when the set changes.
   */
  watch(modules: Iterable<string>): void {
    const next = new Map([...modules].map((m) => [m, `${m}.`]));
    if ([...next.keys()].sort().join('\n') === this.watchKey) return;
    this.watched = next;
    this.watching = next.size > 0;
    this.forgetResolutions();
  }

  /**
   * Drops the memoised resolutions that read a changed name of a watched module (`changed` as
   * `module\0name`, see readsChanged); the others stay right.
   */
  forget(changed: Set<string>): void {
    this.basesMemo.clear();
    // A name's own entries (its value, a function's return type) read the name itself.
    for (const c of changed) {
      this.topMemo.delete(c);
      this.memoDeps.delete(`t${c}`);
      const q = c.replace('\u0000', '.');
      this.returnMemo.delete(q);
      this.memoDeps.delete(`r${q}`);
    }
    for (const [key, deps] of this.memoDeps) {
      if (!readsChanged(deps, changed)) continue;
      this.memoDeps.delete(key);
      const memo = key[0] === 'c' ? this.memo : key[0] === 't' ? this.topMemo : this.returnMemo;
      memo.delete(key.slice(1));
    }
  }

  isWatched(module: string): boolean {
    return this.watched.has(module);
  }

  /**
   * After forget(changed): the memoised values of these modules' own names (module-level values,
   * functions' return types) are resolved again through the new models and compared; the names whose
   * value changed (through a body: `x = db` then `return x`) are forgotten too and returned.
   */
  recheck(modules: Set<string>, changed: Set<string>): Set<string> {
    const extra = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const found = new Set<string>();
      for (const m of modules) {
        const mod = this.modules.get(m);
        const prefix = `${m}.`;
        for (const [key, was] of [...this.topMemo]) {
          if (!key.startsWith(`${m}\u0000`) || changed.has(key) || extra.has(key)) continue;
          this.topMemo.delete(key);
          this.memoDeps.delete(`t${key}`);
          if (!mod || this.topSymbol(mod, key.slice(m.length + 1)) !== was) found.add(key);
        }
        for (const [q, was] of [...this.returnMemo]) {
          if (!q.startsWith(prefix)) continue;
          const key = `${m}\u0000${q.slice(prefix.length)}`;
          if (changed.has(key) || extra.has(key)) continue;
          this.returnMemo.delete(q);
          this.memoDeps.delete(`r${q}`);
          const f = this.functions.get(q);
          if (!f || this.returnType(f) !== was) found.add(key);
        }
      }
      if (!found.size) break;
      for (const k of found) extra.add(k);
      this.forget(found);
    }
    return extra;
  }

  /** Notes a read of the qualified name `q` when it lies in a watched module. */
  private note(q: string): void {
    if (!this.readers.length) return;
    for (const [mod, prefix] of this.watched) {
      if (q.startsWith(prefix)) this.noteIn(mod, q.slice(prefix.length));
    }
  }

  private noteIn(mod: string, name: string): void {
    if (!this.readers.length || !this.watched.has(mod)) return;
    const key = `${mod}\u0000${name}`;
    for (const r of this.readers) r.add(key);
  }

  /** Runs `fn` with the reads it makes noted into `reads` too (when watching). */
  reading<T>(reads: Set<string> | undefined, fn: () => T): T {
    if (!this.watched.size || !reads) return fn();
    this.readers.push(reads);
    try { return fn(); } finally { this.readers.pop(); }
  }

  /** Notes reads made earlier (a memo hit outside the index: see CanonicalMemo). */
  noted(reads: readonly string[]): void {
    for (const r of this.readers) for (const d of reads) r.add(d);
  }

  /** Runs a memoised computation, keeping the watched names it read with its memo key (`kind` + key). */
  private tracked<T>(kind: string, key: string, compute: () => T): T {
    if (!this.watched.size) {
      this.pending++;
      try { return compute(); } finally { this.pending--; }
    }
    const own = new Set<string>();
    this.readers.push(own);
    try { return compute(); } finally {
      this.readers.pop();
      if (own.size) this.memoDeps.set(kind + key, [...own]);
    }
  }

  /** A memo hit: its reads are read again by whoever asks now (memo key `kind` + `key`, made only then). */
  private replay(kind: string, key: string): void {
    if (!this.readers.length) return;
    const deps = this.memoDeps.get(kind + key);
    if (deps) for (const r of this.readers) for (const d of deps) r.add(d);
  }

  private add(e: ModuleEntry): void {
    const name = e.model.module;
    this.modules.set(name, e);
    this.addName(name);
    this.addFunctions(e);
    this.addClasses(e);
  }

  /**
   * A module's functions (not lambdas) by qualified name. Qualified names start with the module's
   * name, unless a second module of one name was renamed (`m@3`): only those others add a word.
   */
  private addFunctions(e: ModuleEntry): void {
    const own = `${e.model.module}.`;
    const fns = e.model.functions;
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i];
      if (fn.isLambda) continue;
      this.functions.set(fn.qname, { mod: e, fn });
      if (!fn.qname.startsWith(own)) this.addWord(fn.qname);
    }
  }

  /** A module's classes by qualified name (words as addFunctions). */
  private addClasses(e: ModuleEntry): void {
    const own = `${e.model.module}.`;
    const classes = e.model.classes;
    for (let i = 0; i < classes.length; i++) {
      const cls = classes[i];
      this.classes.set(cls.qname, { mod: e, cls });
      if (!cls.qname.startsWith(own)) this.addWord(cls.qname);
    }
  }

  /** A module's name in `words`, `prefixes` and `bySuffix`. */
  private addName(name: string): void {
    const parts = name.split('.');
    for (const p of parts) this.words.add(p);
    for (let i = 1; i < parts.length; i++) {
      this.prefixes.add(parts.slice(0, i).join('.'));
      const suffix = parts.slice(i).join('.');
      this.bySuffix.set(suffix, this.bySuffix.has(suffix) ? null : name);
    }
    for (let start = 0; start < parts.length; start++) {
      let node = this.stems;
      for (let j = start; j < parts.length; j++) {
        const kids = (node.kids ??= new Map());
        let kid = kids.get(parts[j]);
        if (!kid) kids.set(parts[j], (kid = {}));
        node = kid;
        if (start === 0 && j < parts.length - 1) node.prefix = true;
      }
      if (start === 0) node.full = name;
      else node.suffix = node.suffix === undefined ? name : null;
    }
  }

  /** module(path) for the path a stem spells (`dotted`: it has two names or more). */
  private moduleAt(node: Stem, dotted: boolean): ModuleEntry | undefined {
    const m = node.full !== undefined ? this.modules.get(node.full) : undefined;
    if (m || !dotted || !node.suffix) return m;
    return this.modules.get(node.suffix);
  }

  /**
   * A module by exact name, else by a unique dotted suffix of two or more names (`app.services` ->
   * `backend.app.services` when `backend/` is really on the path). A single name is never matched by
   * suffix: `import requests` means the library unless a source root holds `requests`, so an
   * `app/routers/requests.py` does not shadow it.
   */
  module(name: string): ModuleEntry | undefined {
    const m = this.modules.get(name);
    if (m) return m;
    if (!name.includes('.')) return undefined;
    const full = this.bySuffix.get(name);
    return full ? this.modules.get(full) : undefined;
  }

  /** Resolved value of a module-level name (`client` -> `openai.OpenAI()`), or undefined. */
  topSymbol(mod: ModuleEntry, name: string): string | undefined {
    const key = `${mod.model.module}\u0000${name}`;
    const noting = this.readers.length > 0;
    if (noting) this.noteIn(mod.model.module, name);
    // One lookup for a hit (a value is a string; undefined is held only with the key present).
    const known = this.topMemo.get(key);
    if (known !== undefined || this.topMemo.has(key)) { if (noting) this.replay('t', key); return known; }
    this.topMemo.set(key, undefined); // cycle guard
    let out: string | undefined;
    if (!this.watched.size) {
      this.pending++;
      try { out = this.topValue(mod, name); } finally { this.pending--; }
    } else out = this.tracked('t', key, () => this.topValue(mod, name));
    this.topMemo.set(key, out);
    return out;
  }

  private topValue(mod: ModuleEntry, name: string): string | undefined {
    const list = mod.model.scopes[0].bindings.get(name);
    const b = list ? meaningful(list) : undefined;
    let out: string | undefined;
    if (b) {
      switch (b.kind) {
        case 'import': case 'def': case 'class': out = b.q; break;
        case 'value': case 'with':
          // `SyncDB = Annotated[Session, Depends(get_db)]` imported elsewhere names the type it annotates.
          out = b.expr ? (b.expr.k === 'sub' ? mod.resolver.resolveAnnotation(b.expr) : undefined) ?? mod.resolver.resolve(b.expr) : undefined;
          if (!out && b.annotation) { const t = mod.resolver.resolveAnnotation(b.annotation); out = t ? `${t}()` : undefined; }
          break;
        case 'param': {
          const t = b.annotation ? mod.resolver.resolveAnnotation(b.annotation) : undefined;
          out = t ? `${t}()` : undefined;
          break;
        }
        default: out = undefined;
      }
    }
    return out;
  }

  canonicalize(q: string): string {
    const hit = this.memo.get(q);
    if (hit !== undefined) {
      if (this.readers.length) this.replay('c', q);
      return hit;
    }
    let out: string;
    // While nothing is watched (a scan), no closure per name (tracked's bookkeeping, inline).
    if (!this.watched.size) {
      this.pending++;
      this.busy[this.busyDepth++] = q;
      try { out = this.rewrite(q); } finally { this.pending--; this.busyDepth--; }
    } else out = this.tracked('c', q, () => this.rewrite(q));
    this.memo.set(q, out);
    return out;
  }

  private rewrite(q: string): string {
    let cur = q;
    // The names met (a cycle ends the rewrite): made at the first rewrite, as most names have none; at
    // most MAX_STEPS of them, so a list (a Set's table cost more to make than its lookups saved).
    let seen: string[] | undefined;
    // Marked in progress: a rewrite that asks for `q` again (a `__getattr__` forwarding to an
    // attribute whose type is that same question) gets `q` back instead of recursing forever.
    this.memo.set(q, q);
    for (let step = 0; step < MAX_STEPS; step++) {
      if (step > 0) {
        seen ??= [q];
        if (seen.includes(cur)) break;
        seen.push(cur);
      }
      const next = this.step(cur);
      if (next === undefined) break;
      cur = next;
    }
    // Callers read what the name ends at (a function's parameters, a method's decorators).
    if (this.watched.size) this.note(cur.endsWith('()') ? cur.slice(0, -2) : cur);
    return cur;
  }

  /** One rewrite, or undefined when nothing applies. */
  private step(q: string): string | undefined {
    // Most names start with a name that is neither a workspace word nor an alias's first name: nothing
    // applies, told without splitting the name (splitSegments(q)[0].name is firstSegmentName(q)).
    const first = firstSegmentName(q);
    if (!this.words.has(first) && !mayAlias(first)) return undefined;
    const segs = splitSegments(q);
    if (!this.words.has(segs[0].name)) return this.aliasStep(segs);
    return this.moduleStep(segs) ?? this.memberStep(segs) ?? this.aliasStep(segs);
  }

  /** `pkg.mod.name...` where `name` is bound at module level to something else. */
  private moduleStep(segs: Seg[]): string | undefined {
    // `path` (segs[0..i] by name) is walked down the stems: where it leaves them, no module name is
    // it or any longer path (module() would find none), so nothing applies.
    let node: Stem | undefined = this.stems;
    for (let i = 0; i < segs.length - 1; i++) {
      if (segs[i].suffix) return undefined;
      node = node.kids?.get(segs[i].name);
      if (!node) return undefined;
      const mod = this.moduleAt(node, i > 0);
      if (!mod) continue;
      const next = segs[i + 1];
      // A longer module path wins (`app` and `app.services` are both modules; `app.clients` may be a
      // namespace package with no module of its own, holding `app.clients.http`; also through a folder
      // without `__init__.py`: `app.views.routes` under a package `app`).
      const kid = next.suffix ? undefined : node.kids?.get(next.name);
      if ((kid && (kid.prefix || this.moduleAt(kid, true))) || this.longerModule(segs, i, node)) continue;
      const modName = mod.model.module;
      const sym = this.topSymbol(mod, next.name);
      const self = `${modName}.${next.name}`;
      if (sym !== undefined && sym !== self) return sym + next.suffix + joinRest(segs, i + 2);
      // Found by a dotted suffix, not by the path itself (an exact hit's entry has the path as its name).
      if (modName !== node.full) return self + next.suffix + joinRest(segs, i + 2);
      return undefined;
    }
    return undefined;
  }

  /** A module named by `segs` beyond `segs[i]` (plain names only, no call or subscript in between); `node`: the stem of segs[0..i]. */
  private longerModule(segs: Seg[], i: number, node: Stem): boolean {
    for (let j = i + 1; j < segs.length && !segs[j].suffix; j++) {
      const kid = node.kids?.get(segs[j].name);
      if (!kid) return false;
      if (this.moduleAt(kid, true)) return true;
      node = kid;
    }
    return false;
  }

  /** `Cls().member`: a method, an instance attribute, a base class's member, or `__call__`. */
  private memberStep(segs: Seg[]): string | undefined {
    // The dotted path of segs[0..i], made only at segments called (`()`): most names have none.
    let path = '';
    let upTo = 0;
    for (let i = 0; i < segs.length; i++) {
      const suffix = segs[i].suffix;
      if (suffix.charCodeAt(0) !== 40 || suffix.charCodeAt(1) !== 41) continue;
      for (; upTo <= i; upTo++) path = path ? `${path}.${segs[upTo].name}` : segs[upTo].name;
      if (this.watched.size) this.note(path);
      const fnRef = this.functions.get(path);
      if (fnRef) {
        const ret = this.returnType(fnRef);
        if (ret) return ret + suffix.slice(2) + joinRest(segs, i + 1);
        return undefined;
      }
      const cls = this.classes.get(path);
      if (!cls) continue;
      const extra = suffix.slice(2);
      if (extra.startsWith('()')) {
        // Calling an instance: its __call__ (or a base's).
        const call = this.findMethod(cls, '__call__');
        if (call) return `${call.fn.qname}${extra}` + joinRest(segs, i + 1);
        const base = this.externalBase(cls);
        return base ? `${base}()${extra}` + joinRest(segs, i + 1) : undefined;
      }
      if (extra) return undefined;
      const member = segs[i + 1];
      if (!member) return undefined;
      const method = this.findMethod(cls, member.name);
      if (method) {
        // `svc.repo.get()` where `repo` is a `@property` / `@cached_property`: reading it runs the getter.
        const getter = this.propertyGetter(method);
        if (!getter) return method.fn.qname + member.suffix + joinRest(segs, i + 2);
        const ret = this.returnType(getter);
        return ret ? ret + member.suffix + joinRest(segs, i + 2) : undefined;
      }
      const attr = this.findAttr(cls, member.name);
      if (attr) return attr + member.suffix + joinRest(segs, i + 2);
      const base = this.externalBase(cls);
      if (base) return `${base}()` + '.' + member.name + member.suffix + joinRest(segs, i + 2);
      // A wrapper that hands every other attribute to a wrapped object: `return getattr(self._r, name)`.
      const target = this.delegate(cls);
      if (target) return `${target}.${member.name}${member.suffix}` + joinRest(segs, i + 2);
      return undefined;
    }
    return undefined;
  }

  private aliasStep(segs: Seg[]): string | undefined {
    // No alias starts with this name's first name (`app.services...`, `os.path.join`): none of its prefixes is one.
    if (!mayAlias(segs[0].name)) return undefined;
    let prefix = '';
    for (let i = 0; i < segs.length; i++) {
      prefix = prefix ? `${prefix}.${segs[i].name}` : segs[i].name;
      // Try every split of the suffix markers: `x()()` may alias as `x()` or `x()()`.
      const sfx = segs[i].suffix;
      for (let cut = sfx.length; cut >= 2; cut -= 2) {
        const alias = aliasOf(prefix + sfx.slice(0, cut));
        if (alias) return alias + sfx.slice(cut) + joinRest(segs, i + 1);
      }
      if (sfx === '' && i < segs.length - 1) {
        const alias = aliasOf(prefix);
        if (alias) return alias + joinRest(segs, i + 1);
      }
      prefix += sfx;
    }
    return undefined;
  }

  /** The sync `@property` / `cached_property` getter `name` of a class or its bases (a later `@x.setter` def does not hide it). */
  getterOf(c: ClassRef, name: string): FunctionRef | undefined {
    const m = this.findMethod(c, name);
    const g = m && this.propertyGetter(m);
    return g && !g.fn.isAsync ? g : undefined;
  }

  findMethod(c: ClassRef, name: string): FunctionRef | undefined {
    return this.inClassOrBases(c, (k) => {
      if (this.watched.size) this.note(`${k.cls.qname}.${name}`);
      const id = k.cls.methods.get(name);
      return id === undefined ? undefined : { mod: k.mod, fn: k.mod.model.functions[id] };
    });
  }

  private findAttr(c: ClassRef, name: string): string | undefined {
    return this.inClassOrBases(c, (k) => {
      if (this.watched.size) this.note(`${k.cls.qname}.${name}`);
      const e = k.cls.attrs.get(name);
      const v = e ? k.mod.resolver.resolve(e) : undefined;
      if (v) return v;
      // `self.path: Path = (a if c else b)`: the annotation says what the value does not.
      const ann = k.cls.attrTypes?.get(name);
      const t = ann ? k.mod.resolver.resolveAnnotation(ann) : undefined;
      return t ? `${t}()` : undefined;
    });
  }

  /**
   * The getter a member read runs, when `m` is a property: `@property`, `@cached_property` (functools
   * or a look-alike), or the getter of a `@x.setter` / `@x.deleter` pair (the last def wins the name).
   */
  private propertyGetter(m: FunctionRef): FunctionRef | undefined {
    const kind = propertyKind(m.fn.decorators);
    if (kind === 'getter') return m;
    if (kind !== 'accessor') return undefined;
    const fn = m.mod.model.functions.find((f) => f.cls === m.fn.cls && f.name === m.fn.name && isGetter(f));
    return fn ? { mod: m.mod, fn } : undefined;
  }

  /** What `__getattr__` forwards to when it returns `getattr(<expr>, name)`: that expression's type. */
  private delegate(c: ClassRef): string | undefined {
    const ga = this.findMethod(c, '__getattr__');
    const name = ga?.fn.params[1]?.name;
    if (!ga || !name) return undefined;
    for (const r of ga.fn.returns) {
      if (r.k !== 'call' || r.args.length < 2 || r.f.k !== 'name' || r.f.n !== 'getattr') continue;
      const key = r.args[1];
      if (key.k !== 'name' || key.n !== name) continue;
      const t = ga.mod.resolver.resolve(r.args[0]);
      if (t) return this.canonicalize(t);
    }
    return undefined;
  }

  /** The first answer from the class, then its workspace bases, depth first (bounded for cycles). */
  private inClassOrBases<T>(c: ClassRef, get: (k: ClassRef) => T | undefined, depth = 0): T | undefined {
    if (depth > 8) return undefined;
    const own = get(c);
    if (own !== undefined) return own;
    for (const base of this.bases(c)) {
      const local = this.classes.get(base);
      const found = local && this.inClassOrBases(local, get, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether class `sub` is `base` or derives from it through workspace bases (bounded for cycles). */
  derivesFrom(sub: string, base: string): boolean {
    if (sub === base) return true;
    const c = this.classes.get(sub);
    return !!c && this.inClassOrBases(c, (k) => (this.bases(k).includes(base) ? true : undefined)) === true;
  }

  /**
   * The workspace classes `cls` derives from (qualified names, as far as inClassOrBases looks), or
   * undefined when it is not indexed. Library bases are left out: only workspace methods have overrides.
   */
  workspaceAncestors(cls: string): string[] | undefined {
    const c = this.classes.get(cls);
    if (!c) return undefined;
    const out: string[] = [];
    this.inClassOrBases(c, (k) => {
      for (const b of this.bases(k)) if (this.classes.has(b) && !out.includes(b)) out.push(b);
      return undefined;
    });
    return out;
  }

  /**
   * Canonical names of a class's bases (callers only read the list), kept per class until
   * resolutions are forgotten while no module is watched (a watcher notes the reads each ask makes).
   * The list is canonicalize() of each base's resolved name: inside a resolution under way, a base
   * whose name is being rewritten (see rewrite, `busy`) reads that rewrite's in-progress value, so a
   * list is kept only when none of its names was busy, and a kept one is given only while none is
   * (otherwise it is made again, as every ask did): then it is what making it again would give.
   */
  bases(c: ClassRef): readonly string[] {
    if (this.watched.size) return this.basesOf(c);
    const hit = this.basesMemo.get(c.cls);
    if (hit && hit.mod === c.mod && !this.anyBusy(hit.raws)) return hit.bases;
    const raws: string[] = new Array(c.cls.bases.length);
    const bases = this.basesOf(c, raws);
    if (!this.anyBusy(raws)) this.basesMemo.set(c.cls, { mod: c.mod, bases, raws });
    return bases;
  }

  private basesMemo = new Map<ClassInfo, { mod: ModuleEntry; bases: string[]; raws: string[] }>();
  /** Memoised resolutions under way (see tracked), while no module is watched. */
  private pending = 0;
  /**
   * The names whose rewrite is under way (while no module is watched), innermost last: canonicalize
   * gives them as they are. A stack, not a Set: a few deep at most, and a Set's table grew and shrank
   * with every name rewritten.
   */
  private busy: string[] = [];
  /** How many of `busy` are under way (its slots are reused: no array grown and shrunk per name). */
  private busyDepth = 0;

  private anyBusy(names: readonly string[]): boolean {
    const depth = this.busyDepth;
    if (!depth) return false;
    for (let i = 0; i < names.length; i++) for (let k = 0; k < depth; k++) if (this.busy[k] === names[i]) return true;
    return false;
  }

  /**
   * The canonical names of the class's bases; with `raws` (as long as the bases' list), the resolved
   * names before canonicalize in its first places, cut to their number. Both made at their final
   * length: arrays grown by push keep room for 16 elements, and the memo keeps them for the run.
   */
  private basesOf(c: ClassRef, raws?: string[]): string[] {
    const list = c.cls.bases;
    const out: string[] = new Array(list.length);
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      // `class Users(Repository[User, UserRow])`: the base is `Repository`.
      const r = c.mod.resolver.resolve(b.k === 'sub' ? b.o : b);
      if (!r) continue;
      if (raws) raws[n] = r;
      out[n++] = this.canonicalize(r);
    }
    out.length = n;
    if (raws) raws.length = n;
    return out;
  }

  /** The first base that is not a class of the workspace (e.g. `requests.Session`), through local bases. */
  externalBase(c: ClassRef, depth = 0): string | undefined {
    if (depth > 8) return undefined;
    for (const b of this.bases(c)) {
      const local = this.classes.get(b);
      if (!local) return b;
      const ext = this.externalBase(local, depth + 1);
      if (ext) return ext;
    }
    return undefined;
  }

  /** A canonical name that stops inside the workspace without naming one of its classes or functions. */
  private isDeadEnd(c: string): boolean {
    // A module loaded by name at run time (`importlib.import_module(setting).Publisher(...)`): which one is not known.
    if (c.startsWith('importlib.import_module()') || c.startsWith('builtins.__import__()')) return true;
    const bare = c.endsWith('()') ? c.slice(0, -2) : c;
    if (this.watched.size) this.note(bare);
    if (this.functions.has(bare) || this.classes.has(bare)) return false;
    const segs = splitSegments(c);
    let path = '';
    for (const seg of segs) {
      path = path ? `${path}.${seg.name}` : seg.name;
      if (this.modules.has(path) || this.prefixes.has(path)) return true;
      if (seg.suffix) break;
    }
    return false;
  }

  private isContextManagerAnnotation(mod: ModuleEntry, ann: Expr): boolean {
    const o = ann.k === 'sub' ? mod.resolver.resolve(ann.o) : undefined;
    return !!o && CONTEXT_MANAGERS.has(o);
  }

  /** What a local function returns (or yields: a dependency's `yield db`), if it can be told. */
  returnType(f: FunctionRef): string | undefined {
    const key = f.fn.qname;
    if (this.watched.size) this.note(key);
    if (this.returnMemo.has(key)) { this.replay('r', key); return this.returnMemo.get(key); }
    this.returnMemo.set(key, undefined);
    const out = this.tracked('r', key, () => this.returnValue(f));
    this.returnMemo.set(key, out);
    return out;
  }

  private returnValue(f: FunctionRef): string | undefined {
    const ann = f.fn.returnAnnotation;
    // `def get_model(name) -> Model`, `-> Iterator[Session]` for a dependency that yields,
    // `-> Generator[Path, None, None]` for a @contextmanager (the `with` target).
    const declared = (): string | undefined => {
      const t = ann ? f.mod.resolver.resolveAnnotation(ann, 0, f.fn.isGenerator) : undefined;
      return t ? this.canonicalize(`${t}()`) : undefined;
    };
    // `-> AbstractContextManager[T]`: what `with f() as x` gives, whatever object makes it.
    let out = ann && this.isContextManagerAnnotation(f.mod, ann) ? declared() : undefined;
    for (const r of out ? [] : f.fn.returns) {
      if (r.k === 'none') continue;
      const t = f.mod.resolver.resolve(r);
      if (!t) continue;
      out = this.canonicalize(t);
      // A value that ends inside the workspace without naming a class or function says nothing;
      // an annotation naming one type (not a union of several) does.
      if (ann && this.isDeadEnd(out) && !isUnionOfSeveral(f.mod.resolver, ann)) out = declared() ?? out;
      break;
    }
    out ??= declared();
    return out;
  }
}

/**
 * Canonical names of expressions, kept across analyses while the names they read are unchanged:
 * with watched modules (see SymbolIndex.watch), each entry keeps the watched names it read, and an
 * edit of a watched module's surface (changed) makes only the entries that read a changed name stale.
 * `readsOf`: the set where a module's reads are gathered (see Analyzer.reads).
 */
export class CanonicalMemo {
  readonly names = new WeakMap<Expr, string | null>();
  private deps = new WeakMap<Expr, { reads: string[]; at: number; mod?: string; gen?: number }>();
  /** The changed names of each surface edit, in order (an entry is checked against those after it). */
  private edits: Set<string>[] = [];
  /**
   * Per watched module, how many times its surface changed: its own expressions resolve through its
   * scopes (not noted), so they are all resolved again after a change of its surface.
   */
  private gens = new Map<string, number>();

  constructor(readonly readsOf: (mod: ModuleEntry) => Set<string> | undefined = () => undefined) {}

  changed(names: Set<string>): void {
    if (!names.size) return;
    this.edits.push(names);
    for (const n of names) { const m = n.slice(0, n.indexOf('\u0000')); this.gens.set(m, (this.gens.get(m) ?? 0) + 1); }
  }

  /** The memoised name (null: none), or undefined when absent or stale; its reads are noted again. */
  get(e: Expr, index: SymbolIndex): string | null | undefined {
    const hit = this.names.get(e);
    if (hit === undefined || !index.watching) return hit;
    const d = this.deps.get(e);
    if (!d) return hit;
    if (d.mod !== undefined && (this.gens.get(d.mod) ?? 0) !== d.gen) return undefined;
    for (let i = d.at; i < this.edits.length; i++) if (readsChanged(d.reads, this.edits[i])) return undefined;
    d.at = this.edits.length;
    index.noted(d.reads);
    return hit;
  }

  /** `mod`: the expression's module, when watched. */
  set(e: Expr, name: string | null, reads: Set<string> | undefined, mod?: string): void {
    this.names.set(e, name);
    if (reads?.size || mod !== undefined) this.deps.set(e, { reads: reads ? [...reads] : [], at: this.edits.length, ...(mod !== undefined ? { mod, gen: this.gens.get(mod) ?? 0 } : {}) });
    else this.deps.delete(e);
  }
}

/**
 * Whether any read (`module\0name`, names dotted: `Class.member`) is of a changed name or lies under
 * one (a read of `User.name.label` under a changed `User.name`).
 */
export function readsChanged(reads: Iterable<string>, changed: Set<string>): boolean {
  if (!changed.size) return false;
  if (changed.size <= 8) {
    // Few changed names (a keystroke's): compare with each, no prefix sliced per read.
    const names = [...changed];
    for (const r of reads) {
      for (const c of names) {
        if (r === c) return true;
        // Under c: r continues c with a dot after the module's NUL (as the prefixes below).
        if (r.length > c.length && r.charCodeAt(c.length) === 46 && r.startsWith(c) && c.length > r.indexOf('\u0000')) return true;
      }
    }
    return false;
  }
  for (const r of reads) {
    if (changed.has(r)) return true;
    for (let i = r.lastIndexOf('.'); i > r.indexOf('\u0000'); i = r.lastIndexOf('.', i - 1)) if (changed.has(r.slice(0, i))) return true;
  }
  return false;
}

/** `Union[A, B]`, `A | B` (None aside): the annotation does not say which one a call returns. */
function isUnionOfSeveral(resolver: Resolver, ann: Expr): boolean {
  const members: Expr[] = [];
  const walk = (e: Expr, depth: number): void => {
    if (depth > 8) return;
    if (e.k === 'op' && e.op === '|') { walk(e.l, depth + 1); walk(e.r, depth + 1); return; }
    if (e.k === 'sub') {
      const o = resolver.resolve(e.o);
      if (o && UNION.has(o)) { for (const i of e.i) walk(i, depth + 1); return; }
      if (o && OPTIONAL.has(o)) { if (e.i[0]) walk(e.i[0], depth + 1); return; }
    }
    if (e.k !== 'none') members.push(e);
  };
  walk(ann, 0);
  return members.length > 1;
}

/**
 * 'getter' for `@property`, `@cached_property` and `@<module>.cached_property` (functools' or any
 * library's look-alike), 'accessor' for `@x.setter` / `@x.deleter`.
 */
function propertyKind(decorators: Expr[]): 'getter' | 'accessor' | undefined {
  for (let i = 0; i < decorators.length; i++) {
    const d = decorators[i];
    if (d.k === 'name' && (d.n === 'property' || d.n === 'cached_property')) return 'getter';
    if (d.k === 'attr' && d.a === 'cached_property') return 'getter';
    if (d.k === 'attr' && (d.a === 'setter' || d.a === 'deleter') && d.o.k === 'name') return 'accessor';
  }
  return undefined;
}

/** A `@property` / `cached_property` getter (see propertyKind). */
export function isGetter(fn: FunctionInfo): boolean {
  return propertyKind(fn.decorators) === 'getter';
}

/** `a.b().c[]` -> [{a,''},{b,'()'},{c,'[]'}]. */
export function splitSegments(q: string): Seg[] {
  const out: Seg[] = [];
  // Each dotted part of q (as q.split('.') gives them), read in place: no array of parts, no
  // iterator, and a part's name is sliced from q only when the part is not all of it.
  for (let from = 0; ; ) {
    let to = q.indexOf('.', from);
    if (to < 0) to = q.length;
    // `name` then only `()` / `[]` pairs; anything else is one plain name (the regex
    // /^([^()[\]]*)((?:\(\)|\[\])*)$/, by hand: this runs for every rewrite step).
    let i = from;
    while (i < to && !isBracket(q.charCodeAt(i))) i++;
    let j = i;
    while (j + 1 < to && ((q.charCodeAt(j) === 40 && q.charCodeAt(j + 1) === 41) || (q.charCodeAt(j) === 91 && q.charCodeAt(j + 1) === 93))) j += 2;
    const whole = from === 0 && to === q.length;
    if (j === to) out[out.length] = { name: whole && i === to ? q : q.slice(from, i), suffix: i === to ? '' : q.slice(i, to) };
    else out[out.length] = { name: whole ? q : q.slice(from, to), suffix: '' };
    if (to === q.length) return out;
    from = to + 1;
  }
}

/** The name of splitSegments(q)'s first segment, without splitting the rest of q. */
export function firstSegmentName(q: string): string {
  const dot = q.indexOf('.');
  const end = dot < 0 ? q.length : dot;
  let i = 0;
  while (i < end && !isBracket(q.charCodeAt(i))) i++;
  if (i === end) return end === q.length ? q : q.slice(0, end);
  let j = i;
  while (j + 1 < end && ((q.charCodeAt(j) === 40 && q.charCodeAt(j + 1) === 41) || (q.charCodeAt(j) === 91 && q.charCodeAt(j + 1) === 93))) j += 2;
  return j === end ? q.slice(0, i) : q.slice(0, end);
}

/** `(`, `)`, `[` or `]`. */
function isBracket(c: number): boolean {
  return c === 40 || c === 41 || c === 91 || c === 93;
}

function joinRest(segs: Seg[], from: number): string {
  let s = '';
  for (let i = from; i < segs.length; i++) s += `.${segs[i].name}${segs[i].suffix}`;
  return s;
}
