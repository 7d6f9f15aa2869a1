import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { contrastiveCrossEntropy } from '../../src/ops/contrastiveCrossEntropy.js';
import { crossEntropy } from '../../src/ops/crossEntropy.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

const rng = new Rng(11);

test('crossEntropy equals the float64 reference, value and gradient (finite differences)', () => {
  const logits = ref.randomMatrix(5, 7, () => 3 * rng.normal());
  const targets = [0, 6, 3, 3, 1];
  const t = tf.tensor1d(targets, 'int32');
  const x = tf.tensor2d(logits);
  const g = tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, t))(x);
  assertClose([crossEntropy(x, t).dataSync()[0]], [ref.crossEntropy(logits, targets)], 1e-5, 'value');
  assertClose(g.dataSync(), ref.numericGradient((z) => ref.crossEntropy(z, targets), logits).flat(), 1e-4, 'gradient');
  tf.dispose([t, x, g]);
});

test('with a single class the loss and its gradient are zero (tf.oneHot needs two)', () => {
  const x = tf.tensor2d([[0.3], [-1.2], [4]]);
  for (const targets of [tf.tensor1d([0, 0, 0], 'int32'), 0]) {
    const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, targets))(x);
    assertClose(value.dataSync(), [0], 1e-7, 'value');
    assertClose(grad.dataSync(), [0, 0, 0], 1e-7, 'gradient');
  }
});

test('contrastiveCrossEntropy over blocks equals crossEntropy of the concatenated logits (target 0)', () => {
  const pos = ref.randomMatrix(6, 1, () => 4 * rng.normal());
  const a = ref.randomMatrix(6, 50, () => 4 * rng.normal());
  const b = ref.randomMatrix(6, 3, () => 40 * rng.normal()); // large logits: must stay finite
  const full = pos.map((p, i) => [...p, ...a[i], ...b[i]]);
  const f = (p: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => contrastiveCrossEntropy(p as tf.Tensor2D, [x as tf.Tensor2D, y as tf.Tensor2D]);
  const args = [tf.tensor2d(pos), tf.tensor2d(a), tf.tensor2d(b)];
  const value = f(args[0], args[1], args[2]).dataSync()[0];
  const grads = tf.grads(f)(args);
  const expected = ref.crossEntropy(full, full.map(() => 0));
  assertClose([value], [expected], 1e-5, 'value');
  const numeric = ref.numericGradient((z) => ref.crossEntropy(z, z.map(() => 0)), full);
  assertClose(grads[0].dataSync(), numeric.map((r) => r[0]), 1e-4, 'd/dpos');
  assertClose(grads[1].dataSync(), numeric.flatMap((r) => r.slice(1, 51)), 1e-4, 'd/dblock1');
  assertClose(grads[2].dataSync(), numeric.flatMap((r) => r.slice(51)), 1e-4, 'd/dblock2');
  tf.dispose([...args, ...grads]);
});

test('a DerivedLogits block gives the value and gradients of the same logits composed by tf ops, bit for bit', () => {
  const [B, K] = [5, 9];
  const pos = tf.tensor2d(rng.normalArray(B), [B, 1]);
  const neg = tf.tensor2d(rng.normalArray(B * K, 0, 3), [B, K]);
  const w = tf.tensor1d(rng.normalArray(B));
  // Derived logits: the first two queue logits, times 2, plus w (a further input).
  const composed = (p: tf.Tensor, n: tf.Tensor, v: tf.Tensor) =>
    contrastiveCrossEntropy(p as tf.Tensor2D, [n as tf.Tensor2D, tf.add(tf.mul(tf.slice(n, [0, 0], [B, 2]), 2), tf.reshape(v, [B, 1])) as tf.Tensor2D]);
  const derived = (p: tf.Tensor, n: tf.Tensor, v: tf.Tensor) =>
    contrastiveCrossEntropy(p as tf.Tensor2D, [
      n as tf.Tensor2D,
      {
        logits: tf.add(tf.mul(tf.slice(n, [0, 0], [B, 2]), 2), tf.reshape(v, [B, 1])) as tf.Tensor2D,
        of: n as tf.Tensor2D,
        inputs: [v],
        gradient: (dLogits, dOf) => [tf.add(dOf, tf.pad(tf.mul(dLogits, 2), [[0, 0], [0, K - 2]])) as tf.Tensor2D, tf.sum(dLogits, 1)],
      },
    ]);
  const a = tf.valueAndGrads(composed)([pos, neg, w]);
  const b = tf.valueAndGrads(derived)([pos, neg, w]);
  assert.deepEqual([...b.value.dataSync()], [...a.value.dataSync()]);
  a.grads.forEach((g, i) => assert.deepEqual([...b.grads[i].dataSync()], [...g.dataSync()], `gradient ${i}`));
  const stray = { logits: tf.zeros([B, 2]) as tf.Tensor2D, of: tf.zeros([B, K]) as tf.Tensor2D, inputs: [], gradient: () => { throw new Error('unused'); } };
  assert.throws(() => contrastiveCrossEntropy(pos, [neg, stray]), /derived block 0 is not derived from one of the \(non-empty\) blocks/);
  tf.dispose([pos, neg, w, a.value, b.value, ...a.grads, ...b.grads, stray.logits, stray.of]);
});

test('the cross-entropy backward pass runs no Equal kernel over [B, C] (fix d: no max/logsumexp autodiff)', async () => {
  const x = tf.randomNormal([64, 513]);
  const t = tf.zeros([64], 'int32') as tf.Tensor1D;
  const kernelsOf = async (f: () => tf.Tensor) => (await tf.profile(() => tf.tidy(f))).kernels.map((k) => k.name);
  const ours = await kernelsOf(() => tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, t))(x));
  const blocks = await kernelsOf(() =>
    tf.grad((z: tf.Tensor) => contrastiveCrossEntropy(tf.slice(z, [0, 0], [64, 1]) as tf.Tensor2D, [tf.slice(z, [0, 1], [64, 512]) as tf.Tensor2D]))(x),
  );
  // The composed form the fix replaces: logsumexp(z) − z[target], differentiated by autodiff.
  const composed = await kernelsOf(() =>
    tf.grad((z: tf.Tensor) => tf.mean(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(z, tf.oneHot(t, 513)), 1))))(x),
  );
  assert.ok(!ours.includes('Equal') && !blocks.includes('Equal'), `unexpected Equal in ${ours} / ${blocks}`);
  assert.ok(composed.includes('Equal'), 'the composed form was expected to run Equal');
  tf.dispose([x, t]);
});

test('crossEntropy rejects bad targets', () => {
  const x = tf.zeros([2, 3]) as tf.Tensor2D;
  assert.throws(() => crossEntropy(x, 3), /target must be an integer in \[0, 3\)/);
  assert.throws(() => crossEntropy(x, tf.tensor1d([0, 1, 2], 'int32')), /targets must be int32 \[2\]/);
  x.dispose();
});
