import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { gram } from '../../src/ops/gram.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

test('gram(x) = x·xᵀ; its gradient (dy + dyᵀ)·x equals autodiff of matMul', () => {
  const rng = new Rng(5);
  const x = tf.tensor2d(ref.randomMatrix(7, 4, () => rng.normal()));
  const w = tf.tensor2d(ref.randomMatrix(7, 7, () => rng.normal())); // a non-symmetric upstream gradient
  const rows = x.arraySync();
  assertClose(gram(x).dataSync(), rows.flatMap((a) => rows.map((b) => ref.dot(a, b))), 1e-6, 'value');
  const mine = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(gram(z as tf.Tensor2D), w)))(x);
  const autodiff = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(z as tf.Tensor2D, z as tf.Tensor2D, false, true), w)))(x);
  assertClose(mine.dataSync(), autodiff.dataSync(), 1e-5, 'gradient');
});
