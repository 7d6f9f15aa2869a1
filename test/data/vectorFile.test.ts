import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { writeNpy } from '../../src/data/npyWrite.js';
import { openNpy, readRows } from '../../src/data/vectorFile.js';

const fixtures = 'test/fixtures/npy';
const dir = mkdtempSync(join(tmpdir(), 'hardneg-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// What bench/reference/fixtures_npy.py saved with NumPy: (arange(12).reshape(3, 4) − 5.5) / 4.
const expected = Array.from({ length: 12 }, (_, i) => (i - 5.5) / 4);

test('reads NumPy-written float32 matrices (format 1.0 and 2.0), whole or by row range', () => {
  for (const name of ['f32.npy', 'f32_v2.npy']) {
    const npy = openNpy(join(fixtures, name));
    assert.deepEqual([npy.rows, npy.dim], [3, 4]);
    assert.deepEqual(Array.from(readRows(npy, 0, 3)), expected);
    assert.deepEqual(Array.from(readRows(npy, 1, 2)), expected.slice(4, 8));
    assert.deepEqual(Array.from(readRows(npy, 2, 10)), expected.slice(8));
    assert.equal(readRows(npy, 3, 5).length, 0);
  }
});

test('writeNpy writes what NumPy writes (byte for byte) and reads back', () => {
  const path = join(dir, 'mine.npy');
  writeNpy(path, Float32Array.from(expected), [3, 4]);
  assert.deepEqual(readFileSync(path), readFileSync(join(fixtures, 'f32.npy')));
  const rng = new Rng(0);
  const big = rng.normalArray(1000 * 7);
  writeNpy(path, big, [1000, 7]);
  assert.deepEqual(readRows(openNpy(path), 0, 1000), big);
  assert.throws(() => writeNpy(path, big, [10, 7]), /shape \[10,7\] holds 70 values, got 7000/);
});

test('other layouts and broken files are one-line errors naming the file', () => {
  assert.throws(() => openNpy(join(fixtures, 'f64.npy')), /f64\.npy: NPY dtype must be '<f4' \(little-endian float32\), got '<f8'/);
  assert.throws(() => openNpy(join(fixtures, 'f32_1d.npy')), /f32_1d\.npy: NPY array must be 2-D \[rows, dim\], got shape \(12,\)/);
  assert.throws(() => openNpy(join(fixtures, 'f32_fortran.npy')), /must be in C order/);
  const truncated = join(dir, 'cut.npy');
  writeFileSync(truncated, readFileSync(join(fixtures, 'f32.npy')).subarray(0, 150));
  assert.throws(() => openNpy(truncated), /cut\.npy: NPY file is truncated: 150 bytes for a \[3, 4\] float32 array/);
  writeFileSync(join(dir, 'text.npy'), 'hello');
  assert.throws(() => openNpy(join(dir, 'text.npy')), /text\.npy: not an NPY file/);
  assert.throws(() => openNpy(join(dir, 'absent.npy')), /absent\.npy: cannot open \(ENOENT\)/);
});
