import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { labelMasks } from '../../src/ops/labelMasks.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('positive, negative and other masks, exact for labels float32 cannot tell apart', () => {
  const labels = [16777216, 16777217, 16777216, -5, 7, 7];
  const { positive, negative, other } = labelMasks(tf.tensor1d(labels, 'int32'));
  const expect = (f: (i: number, j: number) => boolean) => labels.map((_, i) => labels.map((__, j) => Number(f(i, j))));
  assert.deepEqual(positive.arraySync(), expect((i, j) => i !== j && labels[i] === labels[j]));
  assert.deepEqual(negative.arraySync(), expect((i, j) => labels[i] !== labels[j]));
  assert.deepEqual(other.arraySync(), expect((i, j) => i !== j));
});
