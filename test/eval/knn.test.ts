import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { knnClassify } from '../../src/eval/knn.js';
import { setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

/** Float64 weighted kNN written from algorithms.md: top-k by cosine, weights e^{s/T}, argmax. */
function refKnn(bank: number[][], bl: number[], qs: number[][], k: number, T: number): number[] {
  const B = bank.map(ref.unit);
  return qs.map((q) => {
    const u = ref.unit(q);
    const sims = B.map((b, j) => ({ j, s: ref.dot(u, b) })).sort((a, b) => b.s - a.s || a.j - b.j).slice(0, k);
    const votes = new Map<number, number>();
    for (const { j, s } of sims) votes.set(bl[j], (votes.get(bl[j]) ?? 0) + Math.exp(s / T));
    return [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  });
}

test('features equal to one-hot labels give 100% top-1', () => {
  const labels = Array.from({ length: 60 }, (_, i) => i % 6);
  const feats = tf.oneHot(tf.tensor1d(labels, 'int32'), 6).toFloat() as tf.Tensor2D;
  const r = knnClassify(feats, labels, feats, labels, { k: 20 });
  assert.equal(r.top1, 1);
  assert.equal(r.top5, 1);
});

test('hand-computed case: weights e^{s/T} can outvote a majority', () => {
  // Query [1, 0]; one very close neighbour of class 1 against two distant ones of class 0.
  const bank = tf.tensor2d([[1, 0.01], [0.3, 1], [0.3, -1]]);
  const r = knnClassify(bank, [1, 0, 0], tf.tensor2d([[1, 0]]), [1], { k: 3, temperature: 0.1 });
  assert.deepEqual([...r.predictions], [1]); // e^{10·1.0} ≫ 2·e^{10·0.29}
  const flat = knnClassify(bank, [1, 0, 0], tf.tensor2d([[1, 0]]), [1], { k: 3, temperature: 100 });
  assert.deepEqual([...flat.predictions], [0]); // nearly uniform weights: the majority wins
});

test('equals the float64 reference on random clustered data, across chunk sizes', () => {
  const rng = new Rng(41);
  const centres = ref.randomMatrix(5, 8, () => rng.normal());
  const make = (n: number) => {
    const labels = Array.from({ length: n }, () => rng.int(5));
    return { x: labels.map((c) => centres[c].map((v) => v + 0.9 * rng.normal())), labels };
  };
  const bank = make(300);
  const qs = make(70);
  const expected = refKnn(bank.x, bank.labels, qs.x, 25, 0.1);
  for (const chunk of [7, 256]) {
    const r = knnClassify(tf.tensor2d(bank.x), bank.labels, tf.tensor2d(qs.x), qs.labels, { k: 25, chunk });
    assert.deepEqual([...r.predictions], expected);
    assert.equal(r.top1, expected.filter((p, i) => p === qs.labels[i]).length / 70);
    assert.ok(r.top5 >= r.top1);
  }
});

test('bad input names the argument', () => {
  const x = tf.zeros([3, 2]) as tf.Tensor2D;
  assert.throws(() => knnClassify(x, [0, 1], x, [0, 1, 2]), /bankLabels must have length 3/);
  assert.throws(() => knnClassify(x, [0, 1, 2], tf.zeros([3, 4]) as tf.Tensor2D, [0, 1, 2]), /queries must have shape \[\*, 2\]/);
  assert.throws(() => knnClassify(x, [0, 1, 2], x, [0, 1, 2], { temperature: 0 }), /temperature must be a number > 0/);
});
