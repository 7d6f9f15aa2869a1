import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { MemoryQueue } from '../../src/negatives/memoryQueue.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

/** Row r of a batch = [start + r, 10 + start + r]. */
const batch = (start: number, n: number) => tf.tensor2d(Array.from({ length: n }, (_, r) => [start + r, 10 + start + r]));

test('starts empty and returns only the filled rows', () => {
  const q = new MemoryQueue(5, 2);
  assert.equal(q.filled, 0);
  assert.deepEqual(q.keys().shape, [0, 2]);
  q.enqueue(batch(0, 2), [7, 8]);
  assert.equal(q.filled, 2);
  assert.deepEqual(q.keys().arraySync(), [[0, 10], [1, 11]]);
  assert.deepEqual(q.keysT().arraySync(), [[0, 1], [10, 11]]);
  assert.deepEqual([...q.labels()], [7, 8]);
  q.dispose();
});

test('FIFO with wrap-around when size % B != 0; keys and keysT agree', () => {
  const q = new MemoryQueue(5, 2);
  q.enqueue(batch(0, 3), [0, 1, 2]);
  q.enqueue(batch(3, 3), [3, 4, 5]); // slots 3, 4, then 0
  assert.equal(q.filled, 5);
  assert.equal(q.pointer, 1);
  assert.deepEqual(q.keys().arraySync().map((r) => r[0]), [5, 1, 2, 3, 4]);
  assert.deepEqual([...q.labels()], [5, 1, 2, 3, 4]);
  q.enqueue(batch(6, 3)); // slots 1, 2, 3; no labels → −1
  assert.deepEqual(q.keys().arraySync().map((r) => r[0]), [5, 6, 7, 8, 4]);
  assert.deepEqual([...q.labels()], [5, -1, -1, -1, 4]);
  assert.deepEqual(tf.transpose(q.keysT()).arraySync(), q.keys().arraySync());
  q.dispose();
});

test('keys carry no gradient and are copies (later changes to the source do not leak in)', () => {
  const q = new MemoryQueue(4, 2);
  const v = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  q.enqueue(v);
  v.assign(tf.tensor2d([[9, 9], [9, 9]]));
  assert.deepEqual(q.keys().arraySync(), [[1, 2], [3, 4]]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, q.keys())))(tf.ones([2, 2]));
  assert.deepEqual(g.arraySync(), [[1, 2], [3, 4]]);
  q.dispose();
});

test('bad arguments are clear errors', () => {
  assert.throws(() => new MemoryQueue(0, 4), /MemoryQueue: size must be an integer >= 1, got 0/);
  const q = new MemoryQueue(3, 2);
  assert.throws(() => q.enqueue(tf.zeros([2, 3]) as tf.Tensor2D), /keys must have shape \[\*, 2\], got \[2, 3\]/);
  assert.throws(() => q.enqueue(tf.zeros([4, 2]) as tf.Tensor2D), /4 rows, more than the queue size 3/);
  assert.throws(() => q.enqueue(tf.zeros([2, 2]) as tf.Tensor2D, [1]), /labels must have length 2/);
  q.dispose();
});
