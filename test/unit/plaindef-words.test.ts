// plainDef's usedElsewhere reads a file asked about many names in one pass (its whole words) instead
// of searching the text once per name: both must give the same answer for every function, whatever
// the name's other occurrences are (in a string or comment, after `Depends(`, as an attribute, as
// part of a longer name, a real call, inside an f-string).
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';
import { makeContext } from '../../src/core/fixes';
import { usedElsewhere } from '../../src/core/fixes/plainDef';
import { newFixMemo } from '../../src/core/fixes/safety';

const TEXT = `from fastapi import Depends, FastAPI
app = FastAPI()

async def only_def():
    return 1

async def in_string():
    return "in_string"

async def in_comment():
    return 1  # in_comment

async def dep():
    return 1

async def as_attr():
    return 1

async def prefix():
    return 1

async def suffix():
    return 1

async def called():
    return 1

async def awaited():
    return 1

async def passed():
    return 1

async def v2():
    return 1

async def v2_unused():
    return 1

async def in_fstring():
    return 1

async def in_fstring_upper():
    return 1

async def in_fstring_text():
    return 1

async def in_raw_string():
    return 1

@app.get("/a")
async def route(d=Depends(dep), e=Depends( passed )):
    x = obj.as_attr
    y = prefix_longer + my_suffix
    await awaited()
    return called(), "called", d, e, handlers[passed], v2(), f"u={await in_fstring()}", rF'{in_fstring_upper}', f"in_fstring_text: {x}", r"{in_raw_string}"
`;

const EXPECTED: Record<string, boolean> = {
  only_def: false, in_string: false, in_comment: false, dep: false, as_attr: false, prefix: false, suffix: false,
  called: true, awaited: true, passed: true, v2: true, v2_unused: false, route: false,
  // Code inside an f-string's replacement field is a use (the plain def fix would break that await);
  // the name in an f-string's literal text counts too (the fix is then a choice); a raw string is text.
  in_fstring: true, in_fstring_upper: true, in_fstring_text: true, in_raw_string: false,
};

describe('plainDef usedElsewhere: whole words of the file', () => {
  let analyzer: Analyzer;
  before(async () => { analyzer = await Analyzer.create(); });
  after(() => analyzer.dispose());

  for (const eol of ['\n', '\r\n']) {
    it(`gives every function the answer of the search per name (${JSON.stringify(eol)} line ends)`, () => {
      const text = TEXT.replace(/\n/g, eol);
      const model = analyzer.model({ path: 'app.py', text, module: 'app', isPackage: false });
      const fns = model.functions.filter((f) => !f.isLambda);
      assert.deepEqual(fns.map((f) => f.name).sort(), Object.keys(EXPECTED).sort());
      const searched = makeContext(text, model, () => undefined, undefined, newFixMemo());
      const indexed = makeContext(text, model, () => undefined, undefined, newFixMemo());
      for (const f of fns) {
        const a = usedElsewhere(searched, f.name, f.nameStart, Infinity);
        const b = usedElsewhere(indexed, f.name, f.nameStart, 0);
        assert.equal(b, a, f.name);
        assert.equal(a, EXPECTED[f.name], f.name);
      }
      // The second context did read the words; the first never did.
      assert.ok(indexed.memo!.uses.get(model)!.words);
      assert.equal(searched.memo!.uses.get(model)!.words, undefined);
    });
  }

  it('indexes a large file at its first name and a small one only after many (same answers)', () => {
    const big = TEXT + `# ${'x'.repeat(300 * 1024)}\n`;
    const bigModel = analyzer.model({ path: 'big.py', text: big, module: 'big', isPackage: false });
    const bigCtx = makeContext(big, bigModel, () => undefined, undefined, newFixMemo());
    const called = bigModel.functions.find((f) => f.name === 'called')!;
    assert.equal(usedElsewhere(bigCtx, 'called', called.nameStart), true);
    assert.ok(bigCtx.memo!.uses.get(bigModel)!.words);
    const model = analyzer.model({ path: 'app.py', text: TEXT, module: 'app', isPackage: false });
    const ctx = makeContext(TEXT, model, () => undefined, undefined, newFixMemo());
    for (const f of model.functions) assert.equal(usedElsewhere(ctx, f.name, f.nameStart), EXPECTED[f.name], f.name);
    assert.equal(ctx.memo!.uses.get(model)!.words, undefined);
  });

  it('answers a name that no function of the file has by searching the text', () => {
    const model = analyzer.model({ path: 'app.py', text: TEXT, module: 'app', isPackage: false });
    const ctx = makeContext(TEXT, model, () => undefined, undefined, newFixMemo());
    usedElsewhere(ctx, 'only_def', TEXT.indexOf('only_def'), 0);
    assert.ok(ctx.memo!.uses.get(model)!.words);
    // `handlers` names no function: not in the index, found by the search (and used: called as a value).
    assert.equal(usedElsewhere(ctx, 'handlers', -1, 0), true);
    assert.equal(usedElsewhere(ctx, 'nowhere', -1, 0), false);
  });
});
