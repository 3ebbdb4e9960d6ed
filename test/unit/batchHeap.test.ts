// readFileUntracked (src/core/batchHeap.ts): the same bytes as readFileSync, whatever the size, and
// the same errors; large files land in a block bigger than malloc's largest dynamic mmap threshold.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileUntracked, UNTRACKED_BYTES } from '../../src/core/batchHeap';

describe('readFileUntracked', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'loopwise-read-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  for (const size of [0, 1, 4096, 1024 * 1024 - 1, 1024 * 1024, 1_800_000]) {
    it(`reads a file of ${size} bytes exactly`, () => {
      const file = join(dir, 'f.bin');
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
      writeFileSync(file, bytes);
      const got = readFileUntracked(file);
      assert.equal(got.length, size);
      assert.ok(got.equals(readFileSync(file)));
      // From 1 MiB on, the bytes sit in a block above 32 MiB (freeing it leaves malloc's thresholds alone).
      assert.equal(got.buffer.byteLength >= UNTRACKED_BYTES, size >= 1024 * 1024);
    });
  }

  it('throws as readFileSync does for a missing file or a folder', () => {
    assert.throws(() => readFileUntracked(join(dir, 'none')), { code: 'ENOENT' });
    assert.throws(() => readFileUntracked(dir), { code: 'EISDIR' });
  });
});
