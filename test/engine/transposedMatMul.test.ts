import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { assertClose, on, randn, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { a: [7, 5], b: [4, 5], ta: false, tb: true },
  { a: [5, 7], b: [5, 4], ta: true, tb: false },
  { a: [5, 7], b: [4, 5], ta: true, tb: true },
  { a: [3, 6, 5], b: [3, 4, 5], ta: false, tb: true },
  { a: [3, 5, 6], b: [3, 5, 4], ta: true, tb: false },
  { a: [1, 6, 5], b: [4, 3, 5], ta: false, tb: true }, // broadcast batch
  { a: [2, 3, 5, 6], b: [2, 3, 4, 5], ta: true, tb: true }, // rank 4
  { a: [64, 33], b: [17, 33], ta: false, tb: true },
];

async function transposedMatchesCpu(): Promise<number> {
  const rng = new Rng(1);
  let worst = 0;
  for (const c of cases) {
    const av = randn(rng, c.a.reduce((p, d) => p * d));
    const bv = randn(rng, c.b.reduce((p, d) => p * d));
    const f = () => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb);
    const [w] = await on('wasm', f);
    const [cpu] = await on('cpu', f);
    worst = Math.max(worst, relativeError(w, cpu));
  }
  return worst;
}

test('transposed BatchMatMul on wasm equals the cpu backend (2-D, batched, broadcast, rank 4)', async () => {
  assert.ok((await transposedMatchesCpu()) <= 1e-4);
});

test('fused MatMul with transposes, bias and relu equals the cpu backend', async () => {
  const rng = new Rng(3);
  const av = randn(rng, 6 * 5);
  const bv = randn(rng, 4 * 6);
  const bias = randn(rng, 5);
  const f = () =>
    tf.fused.matMul({ a: tf.tensor2d(av, [6, 5]), b: tf.tensor2d(bv, [4, 6]), transposeA: true, transposeB: true, bias: tf.tensor1d(bias.slice(0, 4)), activation: 'relu' });
  assertClose((await on('wasm', f))[0], (await on('cpu', f))[0]);
});

