import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { momentumSgd } from '../../src/train/momentumSgd.js';
import { assertClose, nativeSkip, randn, setup } from '../helpers.js';

before(() => setup('wasm'));

/** Weights after `steps` optimizer steps on a least-squares problem, and the optimizer's weights. */
async function train(make: () => tf.Optimizer, steps: number): Promise<{ w: Float32Array; slots: string[] }> {
  const rng = new Rng(1);
  const x = tf.tensor2d(randn(rng, 20 * 6), [20, 6]);
  const y = tf.tensor2d(randn(rng, 20 * 3), [20, 3]);
  const w = tf.variable(tf.tensor2d(randn(rng, 6 * 3), [6, 3]));
  const b = tf.variable(tf.zeros([3]));
  const optimizer = make();
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar, false, [w, b]);
  }
  const out = { w: Float32Array.from([...w.dataSync(), ...b.dataSync()]), slots: (await optimizer.getWeights()).map((v) => v.name.replace(/^\d+\//, '')) };
  tf.dispose([x, y, w, b]);
  optimizer.dispose();
  return out;
}

for (const nesterov of [false, true]) {
  test(`MomentumSGD (nesterov=${nesterov}) matches tf.train.momentum step for step, slots included`, async () => {
    const ours = await train(() => momentumSgd(0.1, 0.9, nesterov), 5);
    const theirs = await train(() => tf.train.momentum(0.1, 0.9, nesterov), 5);
    assertClose(ours.w, theirs.w, 1e-5);
    assert.equal(ours.slots.length, theirs.slots.length);
  });
}

const skip = await nativeSkip();
test('on the native backend it updates in place from the second step and still matches tf.train.momentum', { skip }, async () => {
  await tf.setBackend('native');
  try {
    const ours = await train(() => momentumSgd(0.1, 0.9), 6);
    const theirs = await train(() => tf.train.momentum(0.1, 0.9), 6);
    assertClose(ours.w, theirs.w, 1e-5);
    const w = tf.variable(tf.add(tf.ones([4]), 0));
    const optimizer = momentumSgd(0.5, 0.9);
    const step = () => optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    step();
    const id = w.dataId;
    step();
    assert.equal(w.dataId, id, 'the second step assigned a new tensor instead of updating in place');
    // g = 2w: step 1 v = 2, w = 1 − 0.5·2 = 0; step 2 v = 0.9·2 + 0 = 1.8, w = 0 − 0.5·1.8 = −0.9
    assertClose(w.dataSync(), [-0.9, -0.9, -0.9, -0.9], 1e-6);
    tf.dispose(w);
    optimizer.dispose();
  } finally {
    await tf.setBackend('wasm');
  }
});
