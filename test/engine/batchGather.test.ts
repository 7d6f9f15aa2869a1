import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { installWasmFixes, removeWasmFixes } from '../../src/engine/wasm/fixes.js';
import { on, randn, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

const cases = [
  { x: [4, 16, 8], idx: [4, 5], axis: 1, batchDims: 1 }, // the probe: 112 of 160 wrong on stock wasm
  { x: [3, 4, 6, 2], idx: [3, 5], axis: 2, batchDims: 1 }, // dims between batch and axis
  { x: [2, 3, 7, 4], idx: [2, 3, 2], axis: 2, batchDims: 2 },
  { x: [5, 9], idx: [5, 3, 2], axis: 1, batchDims: 1 }, // multi-dim indices
];

async function worstError(list: typeof cases): Promise<number> {
  const rng = new Rng(4);
  let worst = 0;
  for (const c of list) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const axisLen = c.x[c.axis];
    const iv = rng.intArray(c.idx.reduce((p, d) => p * d), axisLen);
    const f = () => tf.gather(tf.tensor(xv, c.x), tf.tensor(iv, c.idx, 'int32'), c.axis, c.batchDims);
    const [w] = await on('wasm', f);
    const [cpu] = await on('cpu', f);
    worst = Math.max(worst, relativeError(w, cpu));
  }
  return worst;
}

test('batched gather on wasm equals the cpu backend; the stock kernel returns wrong rows', async () => {
  assert.ok((await worstError(cases)) <= 1e-6);
  removeWasmFixes(['batch-gather']);
  try {
    assert.ok((await worstError(cases.slice(0, 1))) > 1e-3, 'stock batched gather was expected to be wrong');
  } finally {
    installWasmFixes(['batch-gather']);
  }
});

test('batched gather at MoCHi scale [256,256,128] / [256,128] equals the cpu backend', async () => {
  const rng = new Rng(5);
  const xv = randn(rng, 256 * 256 * 128);
  const iv = rng.intArray(256 * 128, 256);
  const f = () => tf.gather(tf.tensor3d(xv, [256, 256, 128]), tf.tensor2d(iv, [256, 128], 'int32'), 1, 1);
  const [w] = await on('wasm', f);
  const [cpu] = await on('cpu', f);
  assert.ok(relativeError(w, cpu) <= 1e-6);
});

test('gradient through a batched gather equals the cpu backend', async () => {
  const rng = new Rng(6);
  const xv = randn(rng, 3 * 6 * 4);
  const iv = Int32Array.from([0, 5, 5, 2, 1, 1, 3, 0, 4]);
  const f = () => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.gather(x, tf.tensor2d(iv, [3, 3], 'int32'), 1, 1))))(tf.tensor3d(xv, [3, 6, 4]));
  const [w] = await on('wasm', f);
  const [cpu] = await on('cpu', f);
  assert.ok(relativeError(w, cpu) <= 1e-5);
});

test('an index outside the axis is an error, not a silent zero', () => {
  const x = tf.zeros([2, 4, 3]);
  const idx = tf.tensor2d([[0, 4]], [1, 2], 'int32').tile([2, 1]) as tf.Tensor2D;
  assert.throws(() => tf.gather(x, idx, 1, 1), /index 4 .* outside \[0, 4\)/);
  tf.dispose([x, idx]);
});

test('plain gather (slice copies) equals the cpu backend: axis 0 and inner axes, int32, multi-dim indices, size-1 slices', async () => {
  const rng = new Rng(7);
  const plain = [
    { x: [50, 64], idx: [300], axis: 0 },
    { x: [6, 10, 5], idx: [4, 3], axis: 1 },
    { x: [7, 3, 9], idx: [12], axis: 2 },
    { x: [40], idx: [25], axis: 0 },
  ];
  for (const c of plain) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const iv = rng.intArray(c.idx.reduce((p, d) => p * d), c.x[c.axis]);
    for (const dtype of ['float32', 'int32'] as const) {
      const f = () => tf.gather(tf.tensor(dtype === 'int32' ? Int32Array.from(xv, (v) => Math.round(v * 100)) : xv, c.x, dtype), tf.tensor(iv, c.idx, 'int32'), c.axis);
      const [w] = await on('wasm', f);
      const [cpu] = await on('cpu', f);
      assert.deepEqual(Array.from(w), Array.from(cpu), `${JSON.stringify(c)} ${dtype}`);
    }
  }
  assert.throws(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32')), /index 3 at position 1 is outside \[0, 3\) on axis 0/);
});

test('gradient of an embedding lookup (plain gather, repeated ids) equals the cpu backend', async () => {
  const rng = new Rng(8);
  const xv = randn(rng, 20 * 16);
  const iv = Int32Array.from([3, 3, 0, 19, 7, 3]);
  const f = () => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.gather(x, tf.tensor1d(iv, 'int32')))))(tf.tensor2d(xv, [20, 16]));
  const [w] = await on('wasm', f);
  const [cpu] = await on('cpu', f);
  assert.ok(relativeError(w, cpu) <= 1e-6);
});
