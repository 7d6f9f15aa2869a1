import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { installWasmFixes, removeWasmFixes } from '../../src/engine/wasm/fixes.js';
import { on, randn, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

type Pad = 'same' | 'valid';
const convCases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: Pad }[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [3, 10, 10, 1], f: [5, 5, 1, 8], stride: 2, pad: 'valid' },
  { x: [1, 6, 6, 4], f: [1, 1, 4, 2], stride: 1, pad: 'valid' },
];

async function conv2dFilterGradError(): Promise<number> {
  const rng = new Rng(7);
  let worst = 0;
  for (const c of convCases) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const fv = randn(rng, c.f.reduce((p, d) => p * d));
    const g = () => {
      const x = tf.tensor4d(xv, c.x);
      const loss = (f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad)));
      return tf.grads((f: tf.Tensor) => loss(f))([tf.tensor4d(fv, c.f)]);
    };
    const [w] = await on('wasm', g);
    const [cpu] = await on('cpu', g);
    worst = Math.max(worst, relativeError(w, cpu));
  }
  return worst;
}

test('Conv2DBackpropFilter on wasm equals the cpu backend; stock wasm has no such kernel', async () => {
  assert.ok((await conv2dFilterGradError()) <= 1e-4);
  removeWasmFixes(['conv-gradients']);
  try {
    await assert.rejects(conv2dFilterGradError(), /Conv2DBackpropFilter/);
  } finally {
    installWasmFixes(['conv-gradients']);
  }
});

type AnyPad = Pad | [[0, 0], [number, number], [number, number], [0, 0]];
const inputCases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number | [number, number]; pad: AnyPad }[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [2, 10, 9, 2], f: [3, 2, 2, 3], stride: [3, 2], pad: 'valid' },
  { x: [3, 10, 10, 1], f: [5, 5, 1, 8], stride: 2, pad: 'valid' },
  { x: [1, 6, 6, 4], f: [1, 1, 4, 2], stride: 1, pad: 'valid' },
  { x: [2, 7, 8, 3], f: [3, 3, 3, 2], stride: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [2, 6, 6, 2], f: [3, 3, 2, 2], stride: 2, pad: [[0, 0], [0, 1], [2, 2], [0, 0]] },
  { x: [1, 5, 5, 2], f: [2, 2, 2, 3], stride: 1, pad: [[0, 0], [3, 1], [0, 0], [0, 0]] }, // pad > KH − 1: stock path
];

/** Worst relative error of the x and filter gradients of Σ conv(x, f)² between wasm and cpu. */
async function conv2dGradError(): Promise<number> {
  const rng = new Rng(9);
  let worst = 0;
  for (const c of inputCases) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const fv = randn(rng, c.f.reduce((p, d) => p * d));
    const g = () =>
      tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad))))([
        tf.tensor4d(xv, c.x),
        tf.tensor4d(fv, c.f),
      ]);
    const w = await on('wasm', g);
    const cpu = await on('cpu', g);
    worst = Math.max(worst, relativeError(w[0], cpu[0]), relativeError(w[1], cpu[1]));
  }
  return worst;
}

test('Conv2DBackpropInput and -Filter on wasm equal the cpu backend (strides, explicit and wide pads)', async () => {
  assert.ok((await conv2dGradError()) <= 1e-4);
});

const dwCases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: Pad }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 1], stride: 1, pad: 'same' },
  { x: [2, 8, 6, 2], f: [3, 3, 2, 3], stride: 2, pad: 'same' },
  { x: [1, 9, 9, 4], f: [5, 5, 4, 2], stride: 1, pad: 'valid' },
];

async function depthwiseGradError(): Promise<number> {
  const rng = new Rng(8);
  let worst = 0;
  for (const c of dwCases) {
    const xv = randn(rng, c.x.reduce((p, d) => p * d));
    const fv = randn(rng, c.f.reduce((p, d) => p * d));
    const g = () =>
      tf.grads((x: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad))),
      )([tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f)]);
    const w = await on('wasm', g);
    const cpu = await on('cpu', g);
    worst = Math.max(worst, relativeError(w[0], cpu[0]), relativeError(w[1], cpu[1]));
  }
  return worst;
}

test('depthwise convolution gradients (input and filter) on wasm equal the cpu backend; stock wasm lacks them', async () => {
  assert.ok((await depthwiseGradError()) <= 1e-4);
  removeWasmFixes(['conv-gradients']);
  try {
    await assert.rejects(depthwiseGradError(), /DepthwiseConv2dNative/);
  } finally {
    installWasmFixes(['conv-gradients']);
  }
});
