import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { infoNCE } from '../../src/losses/infoNCE.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

const rng = new Rng(12);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());

test('queue mode equals the float64 reference; gradient w.r.t. the query by finite differences', () => {
  const [q, k, n] = [mat(6, 8), mat(6, 8), mat(20, 8)];
  const loss = (x: tf.Tensor) => infoNCE(x as tf.Tensor2D, tf.tensor2d(k), { temperature: 0.2, negatives: tf.tensor2d(n) });
  assertClose([loss(tf.tensor2d(q)).dataSync()[0]], [ref.infoNCEQueue(q, k, n, 0.2)], 1e-5, 'value');
  const g = tf.grad(loss)(tf.tensor2d(q));
  assertClose(g.dataSync(), ref.numericGradient((x) => ref.infoNCEQueue(x, k, n, 0.2), q).flat(), 1e-4, 'gradient');
});

test('queue mode: no gradient reaches the positive or the queue', () => {
  const [q, k, n] = [tf.tensor2d(mat(3, 4)), tf.tensor2d(mat(3, 4)), tf.tensor2d(mat(5, 4))];
  const gk = tf.grad((kk: tf.Tensor) => infoNCE(q, kk as tf.Tensor2D, { temperature: 0.2, negatives: n }))(k);
  assert.equal(tf.max(tf.abs(gk)).dataSync()[0], 0);
  assert.throws(
    () => tf.grad((nn: tf.Tensor) => infoNCE(q, k, { temperature: 0.2, negatives: nn as tf.Tensor2D }))(n),
    /Cannot compute gradient of y=f\(x\) with respect to x/,
  );
});

test('in-batch and symmetric modes equal the reference; symmetric is the mean of both directions', () => {
  const [q, k] = [mat(5, 6), mat(5, 6)];
  const one = infoNCE(tf.tensor2d(q), tf.tensor2d(k), { temperature: 0.1, inBatch: true }).dataSync()[0];
  const back = infoNCE(tf.tensor2d(k), tf.tensor2d(q), { temperature: 0.1, inBatch: true }).dataSync()[0];
  const sym = infoNCE(tf.tensor2d(q), tf.tensor2d(k), { temperature: 0.1, inBatch: true, symmetric: true }).dataSync()[0];
  assertClose([one], [ref.infoNCEInBatch(q, k, 0.1)], 1e-5, 'in-batch');
  assertClose([sym], [ref.infoNCEInBatch(q, k, 0.1, true)], 1e-5, 'symmetric');
  assertClose([sym], [(one + back) / 2], 1e-6, 'symmetric = mean of directions');
});

test('bad input names the argument', () => {
  const q = tf.zeros([2, 3]) as tf.Tensor2D;
  const n = tf.zeros([4, 3]) as tf.Tensor2D;
  assert.throws(() => infoNCE(q, q, { temperature: 0, negatives: n }), /infoNCE: temperature must be a number > 0, got 0/);
  assert.throws(() => infoNCE(q, tf.zeros([3, 3]) as tf.Tensor2D, { temperature: 0.2, negatives: n }), /infoNCE: positive must have shape \[2, 3\], got \[3, 3\]/);
  assert.throws(() => infoNCE(q, q, { temperature: 0.2, negatives: tf.zeros([4, 2]) as tf.Tensor2D }), /negatives must have shape \[\*, 3\]/);
  assert.throws(() => infoNCE(tf.tensor2d([[NaN, 0, 0], [1, 0, 0]]), q, { temperature: 0.2, negatives: n }), /infoNCE: query contains NaN or Inf/);
  assert.throws(() => infoNCE(q, q, { temperature: 0.2 }), /exactly one source of negatives/);
});
