import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { hardestIndices, hardestIndicesIn } from '../../src/engine/hostKernels.js';
import { nativeSkip } from '../helpers.js';

/** Brute force: sort each row by score desc, index asc. */
function bruteForce(s: Float32Array, B: number, K: number, N: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    out.push(...[...Array(K).keys()].sort((x, y) => s[b * K + y] - s[b * K + x] || x - y).slice(0, N));
  }
  return out;
}

test('equals a full sort on random rows (with and without a known range), N from 1 to K', () => {
  const rng = new Rng(31);
  for (const [B, K, N] of [[3, 50, 1], [4, 300, 17], [2, 64, 64], [5, 1000, 128]]) {
    const s = rng.normalArray(B * K, 0, 0.3);
    assert.deepEqual([...hardestIndices(s, B, K, N)], bruteForce(s, B, K, N));
    assert.deepEqual([...hardestIndicesIn(s, B, K, N, [-5, 5])], bruteForce(s, B, K, N));
    assert.deepEqual([...hardestIndicesIn(s, B, K, N, [-0.1, 0.1])], bruteForce(s, B, K, N)); // range too narrow: still exact
  }
});

test('ties go to the lower index, including many equal scores and constant rows', () => {
  const rng = new Rng(32);
  const s = Float32Array.from({ length: 2 * 400 }, () => rng.int(5) / 4); // only 5 distinct values
  assert.deepEqual([...hardestIndices(s, 2, 400, 90)], bruteForce(s, 2, 400, 90));
  assert.deepEqual([...hardestIndices(new Float32Array(10), 1, 10, 4)], [0, 1, 2, 3]);
  assert.deepEqual([...hardestIndices(Float32Array.from([-1, 5, 5, -3]), 1, 4, 3)], [1, 2, 0]);
});

/** Rows laid out like a queue of repeated batches: the best scores every `period`-th position (a fixed-stride sample would miss or overcount them). */
function periodicRows(rng: Rng, B: number, K: number, period: number): Float32Array {
  const s = rng.normalArray(B * K, 0, 0.3);
  for (let x = 0; x < s.length; x++) if ((x % K) % period === Math.floor(x / K) % 8) s[x] += 3 + rng.normal() * 0.01;
  return s;
}

/** Rows like a trained model's logits: most scores in a narrow band near the top of the range, with ties. */
function concentratedRows(rng: Rng, B: number, K: number): Float32Array {
  const s = rng.normalArray(B * K, 4.2, 0.13);
  for (let x = 0; x < s.length; x += 7) s[x] = Math.round(s[x] * 16) / 16; // every 7th score on a coarse grid: many ties
  return s;
}

/** The sampled-threshold path on spread, concentrated and batch-periodic rows equals a full sort. */
function assertSampledPathExact(rng: Rng, B: number, K: number, N: number): void {
  const spread = rng.normalArray(B * K, 0, 0.44);
  assert.deepEqual([...hardestIndicesIn(spread, B, K, N, [-5.005, 5.005])], bruteForce(spread, B, K, N));
  const dense = concentratedRows(rng, B, K);
  assert.deepEqual([...hardestIndicesIn(dense, B, K, N, [-5.005, 5.005])], bruteForce(dense, B, K, N));
  assert.deepEqual([...hardestIndices(dense, B, K, N)], bruteForce(dense, B, K, N));
  const periodic = periodicRows(rng, B, K, 16);
  assert.deepEqual([...hardestIndicesIn(periodic, B, K, N, [-5.005, 5.005])], bruteForce(periodic, B, K, N));
}

test('large rows (the sampled-threshold path: K >= 512, N <= K/4) equal a full sort, on spread, concentrated and tied scores', () => {
  const rng = new Rng(34);
  for (const [B, K, N] of [[3, 4096, 256], [2, 512, 128], [2, 2000, 1], [2, 3000, 700]]) {
    assertSampledPathExact(rng, B, K, N);
    const few = Float32Array.from({ length: B * K }, () => rng.int(3)); // three values: a sample cannot split them
    assert.deepEqual([...hardestIndicesIn(few, B, K, N, [0, 2])], bruteForce(few, B, K, N));
  }
});

test('bad N is an error', () => {
  assert.throws(() => hardestIndices(new Float32Array(4), 1, 4, 5), /N must be an integer in \[1, 4\], got 5/);
});

test('on the native backend the selection runs in C and gives the same indices', { skip: await nativeSkip() }, async () => {
  await initEngine({ backend: 'native' });
  try {
    const rng = new Rng(33);
    for (const [B, K, N] of [[3, 50, 1], [37, 300, 17], [2, 64, 64], [40, 1000, 128]]) {
      const s = rng.normalArray(B * K, 0, 0.3);
      assert.deepEqual([...hardestIndices(s, B, K, N)], bruteForce(s, B, K, N));
      assert.deepEqual([...hardestIndicesIn(s, B, K, N, [-0.1, 0.1])], bruteForce(s, B, K, N));
    }
    const ties = Float32Array.from({ length: 40 * 400 }, () => rng.int(5) / 4);
    assert.deepEqual([...hardestIndicesIn(ties, 40, 400, 90, [-1, 2])], bruteForce(ties, 40, 400, 90));
    for (const [B, K, N] of [[17, 4096, 256], [5, 512, 128], [4, 3000, 700]]) { // the sampled-threshold path, split across threads
      assertSampledPathExact(rng, B, K, N);
      const wrongRange = rng.normalArray(B * K, 0, 3);
      assert.deepEqual([...hardestIndicesIn(wrongRange, B, K, N, [-0.5, 0.5])], bruteForce(wrongRange, B, K, N));
    }
  } finally {
    await tf.setBackend('cpu');
  }
});
