import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { cnn } from '../../src/models/cnn.js';
import { encodeKeys, momentumCopy, momentumUpdate } from '../../src/models/momentumEncoder.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** Two batches that share row 0 and differ in every other row. */
function batchesSharingRowZero(rng: Rng): [tf.Tensor4D, tf.Tensor4D] {
  const shared = rng.normalArray(8 * 8);
  const batch = () => {
    const values = rng.normalArray(6 * 8 * 8, 0.5, 2);
    values.set(shared, 0);
    return tf.tensor4d(values, [6, 8, 8, 1]);
  };
  return [batch(), batch()];
}

test('BatchNorm leakage: in training mode a key depends on its batch mates; encodeKeys makes it depend on its own image only', () => {
  const query = cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: true }, new Rng(1));
  const key = momentumCopy(query);
  const [a, b] = batchesSharingRowZero(new Rng(2));
  const row0 = (t: tf.Tensor) => tf.slice(t, [0, 0], [1, -1]);
  // Training mode (batch statistics): the shared image's key changes with the rest of the batch.
  const leaky = maxAbsDiff(row0(key.apply(a, { training: true }) as tf.Tensor), row0(key.apply(b, { training: true }) as tf.Tensor));
  assert.ok(leaky > 1e-2, `expected the batch to change the key, max |Δ| = ${leaky}`);
  // encodeKeys (inference mode, moving statistics): identical.
  const guarded = maxAbsDiff(row0(encodeKeys(key, a)), row0(encodeKeys(key, b)));
  assert.ok(guarded < 1e-6, `key changed with its batch mates: max |Δ| = ${guarded}`);
});

test('momentumUpdate carries BatchNorm moving statistics: θ_k ← m·θ_k + (1 − m)·θ_q on every weight', () => {
  const query = cnn({ inputShape: [8, 8, 1], widths: [4], blocks: 0, batchNorm: true }, new Rng(3));
  const key = momentumCopy(query);
  const [a] = batchesSharingRowZero(new Rng(4));
  query.apply(a, { training: true }); // moves the query's moving mean / variance
  const before = key.getWeights().map((w) => Array.from(w.dataSync()));
  const source = query.getWeights().map((w) => Array.from(w.dataSync()));
  momentumUpdate(key, query, 0.75);
  const names = key.weights.map((w) => w.originalName.split('/').pop());
  assert.deepEqual(names, ['kernel', 'gamma', 'beta', 'moving_mean', 'moving_variance']);
  key.getWeights().forEach((w, i) => {
    const after = w.dataSync();
    before[i].forEach((v, j) => assert.ok(Math.abs(after[j] - (0.75 * v + 0.25 * source[i][j])) < 1e-6, `${names[i]}[${j}]`));
  });
  assert.ok(source[3].some((v) => Math.abs(v) > 1e-3), 'the query moving mean should have moved');
});
