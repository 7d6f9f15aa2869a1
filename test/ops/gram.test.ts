import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { gram } from '../../src/ops/gram.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

test('value and gradient of scale·z·zᵀ (weighted by a fixed non-symmetric matrix) equal the float64 reference', () => {
  const rng = new Rng(61);
  const z = ref.randomMatrix(6, 4, () => rng.normal());
  const weights = ref.randomMatrix(6, 6, () => rng.normal());
  const value = (m: ref.Matrix) => m.reduce((s, zi, i) => s + m.reduce((t, zj, j) => t + weights[i][j] * 0.5 * ref.dot(zi, zj), 0), 0);
  const f = (x: tf.Tensor) => tf.sum(tf.mul(gram(x as tf.Tensor2D, 0.5), tf.tensor2d(weights)));
  assertClose(gram(tf.tensor2d(z), 0.5).dataSync(), z.flatMap((zi) => z.map((zj) => 0.5 * ref.dot(zi, zj))), 1e-6, 'value');
  assertClose(tf.grad(f)(tf.tensor2d(z)).dataSync(), ref.numericGradient(value, z).flat(), 1e-4, 'gradient');
});
