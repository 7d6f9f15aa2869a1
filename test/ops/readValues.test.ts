import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { readScalar, readValues } from '../../src/ops/readValues.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('readValues returns the values and leaves no tensor behind, past 2^24 values too', () => {
  const before = tf.memory().numTensors;
  assert.deepEqual([...readValues(() => tf.mul(tf.tensor1d([1, 2, 3]), 2))], [2, 4, 6]);
  assert.deepEqual([...readValues(() => tf.argMax(tf.tensor2d([[0, 5], [7, 1]]), 1), 'int32')], [1, 0]);
  assert.equal(readScalar(() => tf.sum(tf.tensor1d([1, 2, 3.5]))), 6.5);
  const n = 2 ** 24 + 8; // tf.tidy(() => typedArray) throws "Set maximum size exceeded" here
  const big = readValues(() => tf.fill([n], 0.5));
  assert.equal(big.length, n);
  assert.equal(big[n - 1], 0.5);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => readValues(() => tf.tensor1d([1, 2], 'int32')), /readValues: expected a float32 tensor, got int32/);
  assert.equal(tf.memory().numTensors, before);
});
