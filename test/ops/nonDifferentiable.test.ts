import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nonDifferentiable } from '../../src/ops/nonDifferentiable.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('nonDifferentiable lets gradient-less ops decide inside tf.grad; only the selected path carries gradient', () => {
  const x = tf.tensor2d([[3, -1, 2], [0, 5, -4]]);
  const direct = () => tf.grad((z: tf.Tensor) => tf.sum(tf.where(tf.greater(z, 0), z, tf.zerosLike(z))))(x);
  assert.throws(direct, /gradient function not found for Greater/); // why the op exists
  const g = tf.grad((z: tf.Tensor) => {
    const positive = nonDifferentiable((v) => tf.greater(v, 0), z);
    const top = nonDifferentiable((v) => tf.topk(v, 1).indices, z); // int32 [2, 1]
    return tf.add(tf.sum(tf.where(positive, tf.mul(z, 2), tf.zerosLike(z))), tf.sum(tf.cast(top, 'float32')));
  })(x);
  assert.deepEqual(g.arraySync(), [[2, 0, 2], [0, 2, 0]]);
});
