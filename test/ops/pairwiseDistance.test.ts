import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { DISTANCES, pairwiseDistance } from '../../src/ops/pairwiseDistance.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as pw from '../reference/pairwise.js';

before(() => setup('wasm'));

test('pairwise distances equal the float64 ones, value and gradient (off the diagonal)', () => {
  const rng = new Rng(17);
  const x = ref.randomMatrix(5, 3, () => rng.normal());
  const w = ref.randomMatrix(5, 5, (() => { let k = 0; return () => (k++ % 6 === 0 ? 0 : rng.normal()); })()); // weights, 0 on the diagonal
  for (const kind of DISTANCES) {
    assertClose(pairwiseDistance(tf.tensor2d(x), kind).dataSync(), x.flatMap((a, i) => x.map((b, j) => (i === j ? 0 : pw.distance(a, b, kind)))), 1e-5, `${kind}: value`);
    const weighted = (m: ref.Matrix) => m.reduce((s, a, i) => s + m.reduce((t, b, j) => t + (i === j ? 0 : w[i][j] * pw.distance(a, b, kind)), 0), 0);
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(pairwiseDistance(z as tf.Tensor2D, kind), tf.tensor2d(w))))(tf.tensor2d(x));
    assertClose(g.dataSync(), ref.numericGradient(weighted, x).flat(), 1e-4, `${kind}: gradient`);
  }
});

test('euclidean: duplicate rows are at distance 0 with a finite gradient', () => {
  const x = tf.tensor2d([[0.3, -1.2, 2], [0.3, -1.2, 2], [1, 0, 0]]);
  const d = pairwiseDistance(x).arraySync();
  assert.ok(d[0][1] < 1e-3, `duplicate distance ${d[0][1]}`);
  const g = tf.grad((z: tf.Tensor) => tf.sum(pairwiseDistance(z as tf.Tensor2D)))(x);
  assert.ok(g.dataSync().every(Number.isFinite), 'gradient not finite');
});
