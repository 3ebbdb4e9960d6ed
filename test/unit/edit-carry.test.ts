// Keystrokes in a real-shaped file: the analysis carries over what the edit left as it was (the
// classified call sites of unchanged functions, see CallGraph.carryFrom) and must give, after every
// edit, exactly a fresh Analyzer's findings and handler reports on the same texts. The edits go into
// a helper that coroutines call (directly, through another helper, a property getter and an
// offload), into a coroutine, change the surface, add and remove lines, break the syntax and repair
// it, and change where a cycle of helpers is entered from.
import { strict as assert } from 'node:assert';
import { Analyzer, type DocumentEdit, type SourceFile } from '../../src/core/analyzer';
import { routerModule } from '../../bench/generate';
import { freshAnalysis } from './freshAnalysis';

const TAIL = `

def parse_rows(rows: list[dict[str, Any]]) -> int:
    return len(rows)


def load_rows(key: str) -> list[dict[str, Any]]:
    rows = [{"key": key}]
    return rows


def load_twice(key: str) -> int:
    first = load_rows(key)
    return parse_rows(first) + parse_rows(load_rows(key))


class Store:
    def __init__(self, db: Session) -> None:
        self.db = db

    @property
    def snapshot(self) -> dict[str, Any]:
        return {"n": 1}


def make_store() -> Store:
    return Store(None)


@router.get("/rows/{key}")
async def get_rows(key: str) -> dict[str, Any]:
    n = load_twice(key)
    log.info("rows %s", key)
    return {"n": n}


@router.get("/snap")
async def get_snapshot() -> dict[str, Any]:
    store = make_store()
    data = store.snapshot
    return {"data": data}


@router.post("/rows")
async def post_rows(keys: list[str]) -> int:
    total = await asyncio.to_thread(load_twice, "k")
    for key in keys:
        total += load_twice(key)
        await asyncio.sleep(0)
    return total


def walk_a(n: int) -> int:
    time.sleep(0.1)
    return walk_b(n - 1) if n else 0


def walk_b(n: int) -> int:
    requests.get("https://x/b", timeout=1)
    return walk_a(n - 1) if n else 0


@router.get("/walk1")
async def walk_one() -> int:
    n = walk_b(3)
    return n


@router.get("/walk2")
async def walk_two() -> int:
    return walk_a(3)


async def refresh_all(keys: list[str]) -> None:
    for key in keys:
        await get_rows(key)
`;

/** [what, old text, new text, typed one character at a time]. */
const STEPS: [string, string, string, boolean][] = [
  ['a helper two calls below coroutines blocks', '    rows = [{"key": key}]\n', '    rows = requests.get(f"https://x/{key}", timeout=3).json()\n', false],
  ['typing in a coroutine\'s string', 'log.info("rows %s", key)', 'log.info("rows of %s", key)', true],
  ['a blocking call typed into a coroutine', '    return {"n": n}\n', '    time.sleep(0.2)\n    return {"n": n}\n', false],
  ['a line added above the helpers (rows move)', '\n\ndef parse_rows(', '\n\n# parsing\ndef parse_rows(', false],
  ['the property getter blocks', '        return {"n": 1}\n', '        return json.load(open("/tmp/s.json"))\n', false],
  ['a syntax error typed in a helper', '    return len(rows)\n', '    return len(rows\n', false],
  ['and repaired', '    return len(rows\n', '    return len(rows)\n', false],
  ['the blocking helper is clean again', '    rows = requests.get(f"https://x/{key}", timeout=3).json()\n', '    rows = [{"key": key}]\n', false],
  ['a surface change: a parameter added', 'def parse_rows(rows: list[dict[str, Any]]) -> int:', 'def parse_rows(rows: list[dict[str, Any]], strict: bool = False) -> int:', false],
  ['a new helper that blocks, called by a coroutine', '\n\n@router.get("/snap")', '\n\ndef slow_snap() -> None:\n    time.sleep(1)\n\n\n@router.get("/snap")', false],
  ['the coroutine calls it', '    store = make_store()\n', '    store = make_store()\n    slow_snap()\n', false],
  // A cycle's costs add up from where it is entered: the first coroutine no longer enters it.
  ['the first coroutine into a cycle of helpers stops calling it', '    n = walk_b(3)\n', '    n = 3\n', false],
  ['and calls it again', '    n = 3\n', '    n = walk_b(3)\n', false],
  ['typing in a clean helper far above', 'factor: float = 1.0) -> dict[str, Any]:\n    """Aggregates', 'factor: float = 1.0) -> dict[str, Any]:\n    """Really aggregates', true],
];

function apply(text: string, e: DocumentEdit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

describe('carrying the call graph over keystrokes', () => {
  it('gives a fresh analysis\'s findings and handlers after every edit, carrying unchanged functions', async () => {
    let text = routerModule(11, { lines: 700 }) + TAIL;
    const files = (t: string): SourceFile[] => [
      { path: 'app/big.py', module: 'app.big', isPackage: false, text: t },
      { path: 'app/user.py', module: 'app.user', isPackage: false, text: 'from app.big import load_twice, make_store\n\n\nasync def use(key):\n    make_store().snapshot\n    return load_twice(key)\n' },
    ];
    const live = await Analyzer.create();
    live.updateDocument(files(text)[0], []);
    live.analyze(files(text), { fixes: false });
    const counts = new Set<number>();
    let carried = 0;
    for (const [what, from, to, typed] of STEPS) {
      const at = text.indexOf(from);
      assert.ok(at >= 0, `${what}: the text holds ${JSON.stringify(from)}`);
      // One keystroke at a time where the common prefix and suffix allow it, else one replacement.
      let p = 0;
      while (p < from.length && p < to.length && from[p] === to[p]) p++;
      const edits: DocumentEdit[] = typed && from.length < to.length && to.endsWith(from.slice(p))
        ? [...to.slice(p, p + to.length - from.length)].map((ch, i) => ({ start: at + p + i, end: at + p + i, text: ch }))
        : [{ start: at, end: at + from.length, text: to }];
      for (const e of edits) {
        text = apply(text, e);
        const fs = files(text);
        live.updateDocument(fs[0], [e]);
        const got = live.analyze(fs, { fixes: false });
        carried = Math.max(carried, live.carryStats.functions);
        // Lines being typed that do not parse are left out of the document's model (see Analyzer.modelText).
        const want = await freshAnalysis([{ ...fs[0], text: live.modelText(fs[0].path)! }, fs[1]]);
        assert.deepEqual(got.findings, want.findings, `${what}: findings`);
        assert.deepEqual(got.handlers, want.handlers, `${what}: handlers`);
        counts.add(got.findings.length);
      }
    }
    // The edits change the findings, and unchanged functions were carried over.
    assert.ok(counts.size >= 3, `the edits change the findings (${[...counts].join(', ')})`);
    assert.ok(carried > 30, `functions carried over: ${carried}`);
    live.dispose();
  });

  it('carries nothing over when a surface changes, and only unchanged functions after a body edit', async () => {
    let text = routerModule(12, { lines: 300 }) + TAIL;
    const live = await Analyzer.create();
    const doc = (t: string): SourceFile => ({ path: 'big.py', module: 'big', isPackage: false, text: t });
    live.updateDocument(doc(text), []);
    live.analyze([doc(text)], { fixes: false });
    const functions = live.analyze([doc(text)], { fixes: false }) && live.carryStats.functions;
    const edit = (from: string, to: string): number => {
      const at = text.indexOf(from);
      text = apply(text, { start: at, end: at + from.length, text: to });
      live.updateDocument(doc(text), [{ start: at, end: at + from.length, text: to }]);
      live.analyze([doc(text)], { fixes: false });
      return live.carryStats.functions;
    };
    // The same text analysed again: every classified function is carried.
    assert.ok(functions > 20);
    // A body edit of a helper: it, and the functions that call it, are classified again.
    const body = edit('    rows = [{"key": key}]\n', '    rows = [{"key": key, "x": 1}]\n');
    assert.ok(body > 0 && body < functions, `${body} of ${functions}`);
    // A new parameter changes the surface: nothing carried.
    assert.equal(edit('def parse_rows(rows: list[dict[str, Any]]) -> int:', 'def parse_rows(rows: list[dict[str, Any]], n: int = 0) -> int:'), 0);
    live.dispose();
  });
});
