import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { EXCLUDED, rowLogSumExp } from '../../src/ops/logSumExp.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

test('rowLogSumExp: value per row, gradient softmax·dy; EXCLUDED entries are left out with zero gradient', () => {
  const rng = new Rng(9);
  const x = ref.randomMatrix(4, 6, () => 10 * rng.normal()); // wide range: stability matters
  const keep = x.map((row) => row.map((_, c) => c % 3 !== 1)); // leave out columns 1 and 4
  const bias = tf.tensor2d(keep.map((row) => row.map((k) => (k ? 0 : EXCLUDED))));
  const f = (z: tf.Tensor) => rowLogSumExp(tf.add(z, bias) as tf.Tensor2D);
  const want = x.map((row, r) => ref.logSumExp(row.filter((_, c) => keep[r][c])));
  assertClose(f(tf.tensor2d(x)).dataSync(), want, 1e-6, 'value');
  const weights = [0.5, -1, 2, 3];
  const loss = (m: ref.Matrix) => m.reduce((s, row, r) => s + weights[r] * ref.logSumExp(row.filter((_, c) => keep[r][c])), 0);
  const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(f(z), tf.tensor2d(weights, [4, 1]))))(tf.tensor2d(x)).arraySync() as number[][];
  assertClose(g.flat(), ref.numericGradient(loss, x).flat(), 1e-4, 'gradient');
  g.forEach((row, r) => row.forEach((v, c) => keep[r][c] || assert.ok(v === 0, `gradient ${v} at left-out [${r}, ${c}]`)));
});
