import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { mlp } from '../../src/models/mlp.js';
import { backboneOf, projectionHead, withHead } from '../../src/models/projectionHead.js';
import { assertClose, setup } from '../helpers.js';

before(() => setup('wasm'));

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
const affine = (x: number[][], w: number[][], b: number[]): number[][] =>
  x.map((r) => b.map((bj, j) => r.reduce((s, v, i) => s + v * w[i][j], bj)));

test('projection head computes relu(x·W₁ + b₁)·W₂ + b₂ (float64 reference from its weights)', () => {
  const head = projectionHead(5, { hiddenDim: 7, outputDim: 3 }, new Rng(1));
  const rng = new Rng(2);
  // Non-zero biases so that they are checked too.
  head.setWeights(head.getWeights().map((w) => tf.tensor(rng.normalArray(w.size), w.shape)));
  const [w1, b1, w2, b2] = head.getWeights().map((w) => w.arraySync());
  const x = rows(tf.tensor2d(rng.normalArray(4 * 5), [4, 5]));
  const hidden = affine(x, w1 as number[][], b1 as number[]).map((r) => r.map((v) => Math.max(v, 0)));
  const expected = affine(hidden, w2 as number[][], b2 as number[]);
  assertClose((head.predict(tf.tensor2d(x)) as tf.Tensor).dataSync(), expected.flat(), 1e-5);
  assert.deepEqual(head.getWeights().map((w) => w.shape), [[5, 7], [7], [7, 3], [3]]);
});

test('withHead(backbone, head)(x) = head(backbone(x)); backboneOf gives the features and shares the weights', () => {
  const rng = new Rng(3);
  const backbone = mlp({ inputDim: 6, hidden: [8], outputDim: 4 }, rng);
  const head = projectionHead(4, { hiddenDim: 4, outputDim: 2 }, rng);
  const model = withHead(backbone, head);
  const x = tf.tensor2d(rng.normalArray(3 * 6), [3, 6]);
  const features = backbone.predict(x) as tf.Tensor;
  assertClose((model.predict(x) as tf.Tensor).dataSync(), (head.predict(features) as tf.Tensor).dataSync(), 1e-6);
  const inner = backboneOf(model);
  assert.equal(inner, backbone);
  assert.deepEqual((inner.predict(x) as tf.Tensor).shape, [3, 4]);
  assert.equal(model.countParams(), backbone.countParams() + head.countParams());
  // A model without a head is its own backbone.
  assert.equal(backboneOf(backbone), backbone);
});

test('a head whose input width differs from the backbone features is a one-line error', () => {
  const backbone = mlp({ inputDim: 6, hidden: [], outputDim: 4 }, new Rng(4));
  assert.throws(() => withHead(backbone, projectionHead(5, { hiddenDim: 4, outputDim: 2 })), /withHead: the head expects 5 features, the backbone gives 4/);
  assert.throws(() => projectionHead(4, { hiddenDim: 0, outputDim: 2 }), /projectionHead: hiddenDim must be an integer >= 1, got 0/);
});
