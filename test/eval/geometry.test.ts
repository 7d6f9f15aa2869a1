import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { alignment, uniformity } from '../../src/eval/geometry.js';
import { setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

test('hand cases: identical pairs align at 0, antipodal at 4; two antipodal points have uniformity −8', () => {
  const x = tf.tensor2d([[1, 0], [0, 2]]);
  assert.equal(alignment(x, x), 0);
  assert.ok(Math.abs(alignment(x, tf.neg(x) as tf.Tensor2D) - 4) < 1e-6);
  assert.ok(Math.abs(uniformity(tf.tensor2d([[1, 0], [-1, 0]])) - -8) < 1e-5); // e^{−2·4}
});

test('equal the float64 formulas on random data, across chunk sizes', () => {
  const rng = new Rng(51);
  const a = ref.randomMatrix(40, 6, () => rng.normal());
  const b = a.map((r) => r.map((v) => v + 0.3 * rng.normal()));
  const A = a.map(ref.unit);
  const B = b.map(ref.unit);
  const align = ref.mean(A.map((r, i) => r.reduce((s, v, e) => s + (v - B[i][e]) ** 2, 0)));
  let sum = 0;
  for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) if (i !== j) sum += Math.exp(-2 * A[i].reduce((s, v, e) => s + (v - A[j][e]) ** 2, 0));
  const unif = Math.log(sum / (40 * 39));
  assert.ok(Math.abs(alignment(tf.tensor2d(a), tf.tensor2d(b)) - align) < 1e-5);
  for (const chunk of [7, 512]) assert.ok(Math.abs(uniformity(tf.tensor2d(a), 2, chunk) - unif) < 1e-4);
});
