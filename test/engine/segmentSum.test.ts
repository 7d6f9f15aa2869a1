import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { installWasmFixes, removeWasmFixes } from '../../src/engine/wasm/fixes.js';
import { on, randn, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

async function embeddingGradError(): Promise<number> {
  const rng = new Rng(9);
  const table = randn(rng, 50 * 6);
  const ids = Int32Array.from([3, 7, 3, 49, 0, 7, 7, 12]); // repeated ids must add up
  const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.sin(tf.gather(t, tf.tensor1d(ids, 'int32')))))(tf.tensor2d(table, [50, 6]));
  const [w] = await on('wasm', g);
  const [cpu] = await on('cpu', g);
  return relativeError(w, cpu);
}

test('gradient of a gather (embedding table) on wasm equals the cpu backend; stock wasm throws', async () => {
  assert.ok((await embeddingGradError()) <= 1e-5);
  removeWasmFixes(['segment-sum']);
  try {
    await assert.rejects(embeddingGradError(), /UnsortedSegmentSum/);
  } finally {
    installWasmFixes(['segment-sum']);
  }
});

test('unsortedSegmentSum with repeated ids and trailing dims equals the cpu backend', async () => {
  const rng = new Rng(10);
  const xv = randn(rng, 6 * 3 * 4);
  const ids = Int32Array.from([0, 4, 4, 1, 0, 2]);
  const f = () => tf.unsortedSegmentSum(tf.tensor3d(xv, [6, 3, 4]), tf.tensor1d(ids, 'int32'), 5);
  const [w] = await on('wasm', f);
  const [cpu] = await on('cpu', f);
  assert.ok(relativeError(w, cpu) <= 1e-6);
});
