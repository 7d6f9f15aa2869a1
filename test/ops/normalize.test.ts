import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { l2Normalize } from '../../src/ops/normalize.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

const rng = new Rng(21);

/** Σ w ⊙ normalise(x) in float64, rows normalised by max(‖x‖, eps). */
function weightedNormalized(x: number[][], w: number[][], eps = 1e-12): number {
  let total = 0;
  x.forEach((row, i) => {
    const n = Math.max(Math.sqrt(row.reduce((s, v) => s + v * v, 0)), eps);
    row.forEach((v, j) => (total += (w[i][j] * v) / n));
  });
  return total;
}

test('l2Normalize: unit rows, values and finite-difference gradient of the float64 reference', () => {
  const x = ref.randomMatrix(5, 7, () => rng.normal());
  const w = ref.randomMatrix(5, 7, () => rng.normal());
  const y = l2Normalize(tf.tensor2d(x));
  const norms = tf.norm(y, 'euclidean', 1).dataSync();
  norms.forEach((n) => assert.ok(Math.abs(n - 1) < 1e-6));
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(l2Normalize(t), tf.tensor2d(w))))(tf.tensor2d(x));
  assertClose(g.dataSync(), ref.numericGradient((m) => weightedNormalized(m, w), x).flat(), 1e-4, 'gradient');
});

test('l2Normalize: a row shorter than eps is divided by eps, value and gradient (dy / eps); rank 3 works', () => {
  const eps = 1e-3;
  const x = [[3e-4, -4e-4], [3, 4]];
  const w = [[1, 2], [0.5, -1]];
  assertClose(l2Normalize(tf.tensor2d(x), eps).dataSync(), [0.3, -0.4, 0.6, 0.8], 1e-5, 'value');
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(l2Normalize(t, eps), tf.tensor2d(w))))(tf.tensor2d(x));
  assertClose(g.dataSync(), ref.numericGradient((m) => weightedNormalized(m, w, eps), x, 1e-8).flat(), 1e-3, 'gradient');
  assertClose(g.dataSync().slice(0, 2), [1 / eps, 2 / eps], 1e-5, 'dy / eps');
  const x3 = tf.tensor3d(ref.randomMatrix(6, 4, () => rng.normal()).flat(), [2, 3, 4]);
  assertClose(l2Normalize(x3).dataSync(), l2Normalize(tf.reshape(x3, [6, 4])).dataSync(), 1e-7, 'rank 3');
});
