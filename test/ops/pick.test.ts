import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { pick } from '../../src/ops/pick.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('pick: elements at flat indices; the gradient adds at repeated indices; the indices get none', () => {
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const indices = tf.tensor1d([5, 0, 5, 4], 'int32');
  assert.deepEqual(Array.from(pick(x, indices).dataSync()), [6, 1, 6, 5]);
  const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(pick(z, indices), tf.tensor1d([1, 2, 3, 4]))))(x);
  assert.deepEqual(g.arraySync(), [[2, 0, 0], [0, 4, 4]]);
});
