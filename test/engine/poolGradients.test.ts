import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { on, randn, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

const cases: { x: [number, number, number, number]; size: number | [number, number]; stride: number | [number, number]; pad: 'same' | 'valid' }[] = [
  { x: [2, 8, 8, 3], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 9, 6, 2], size: [3, 2], stride: [3, 2], pad: 'valid' },
  { x: [1, 6, 6, 4], size: 2, stride: 2, pad: 'same' }, // 'same' with no padding needed: the fast path
  { x: [2, 7, 7, 2], size: 2, stride: 2, pad: 'valid' }, // a row left over: stock path
  { x: [2, 7, 7, 2], size: 3, stride: 2, pad: 'same' }, // overlapping, padded: stock path
];

async function avgPoolGradError(): Promise<number> {
  const rng = new Rng(11);
  let worst = 0;
  for (const c of cases) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const g = () => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.avgPool(x as tf.Tensor4D, c.size, c.stride, c.pad))))(tf.tensor4d(xv, c.x));
    const [w] = await on('wasm', g);
    const [cpu] = await on('cpu', g);
    worst = Math.max(worst, relativeError(w, cpu));
  }
  return worst;
}

test('AvgPoolGrad on wasm equals the cpu backend (tiling windows, leftover rows, overlapping windows)', async () => {
  assert.ok((await avgPoolGradError()) <= 1e-6);
});

