// discover(): the display path of each file found by the walk (made per folder, not per file).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { discover } from '../../src/core/files';

describe('discover: display paths of the files a walk finds', () => {
  let dir: string;
  const cwd = process.cwd();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-discover-'));
    for (const f of ['a.py', 'pkg/__init__.py', 'pkg/b.py', 'pkg/sub/c.py', 'other/d.py', 'other/notes.txt']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
  });
  afterEach(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });

  it('is the path relative to the current folder, from inside, above, beside and below the scanned folder', () => {
    const rels = (from: string, path: string) => {
      process.chdir(from);
      return discover([path]).files.map((f) => { assert.equal(f.rel, relative(from, f.abs)); return f.rel; }).sort();
    };
    assert.deepEqual(rels(dir, '.'), ['a.py', join('other', 'd.py'), join('pkg', '__init__.py'), join('pkg', 'b.py'), join('pkg', 'sub', 'c.py')]);
    assert.deepEqual(rels(join(dir, '..'), dir), ['a.py', 'other/d.py', 'pkg/__init__.py', 'pkg/b.py', 'pkg/sub/c.py'].map((p) => join(relative(join(dir, '..'), dir), p)).sort());
    assert.deepEqual(rels(join(dir, 'other'), join(dir, 'pkg')), [join('..', 'pkg', '__init__.py'), join('..', 'pkg', 'b.py'), join('..', 'pkg', 'sub', 'c.py')]);
    assert.deepEqual(rels(join(dir, 'pkg', 'sub'), dir), [join('..', '..', 'a.py'), join('..', '..', 'other', 'd.py'), join('..', '__init__.py'), join('..', 'b.py'), 'c.py']);
  });
});
