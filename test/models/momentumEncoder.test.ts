import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { cnn } from '../../src/models/cnn.js';
import { momentumCopy, momentumUpdate } from '../../src/models/momentumEncoder.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('momentumUpdate carries BatchNorm moving statistics: θ_k ← m·θ_k + (1 − m)·θ_q on every weight', () => {
  const query = cnn({ inputShape: [8, 8, 1], widths: [4], blocks: 0, batchNorm: true }, new Rng(3));
  const key = momentumCopy(query);
  const a = tf.tensor4d(new Rng(4).normalArray(6 * 64, 0.5, 2), [6, 8, 8, 1]);
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
