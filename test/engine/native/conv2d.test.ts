import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { requireAddon } from '../../../src/engine/native/addon.js';
import { Rng } from '../../../src/engine/random.js';
import { assertClose, nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

type Pad = 'same' | 'valid' | number;
const cases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number | [number, number]; pad: Pad; dilation?: number }[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [3, 10, 10, 1], f: [5, 5, 1, 8], stride: 2, pad: 'valid' },
  { x: [1, 6, 6, 4], f: [1, 1, 4, 2], stride: 1, pad: 'valid' }, // 1×1: no patches
  { x: [2, 7, 9, 3], f: [2, 3, 3, 2], stride: [1, 2], pad: 1 },
  { x: [1, 5, 5, 2], f: [1, 1, 2, 3], stride: 2, pad: 'same' }, // 1×1 with a stride: patches
  { x: [0, 5, 5, 2], f: [3, 3, 2, 3], stride: 1, pad: 'same' }, // empty batch
  { x: [32, 14, 14, 4], f: [3, 3, 4, 6], stride: 1, pad: 'same' }, // patches built by two threads
  { x: [5, 20, 20, 32], f: [3, 3, 32, 8], stride: 1, pad: 'same' }, // patches in chunks of 2 images, the last one short
];
const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

test('Conv2D and both of its gradients equal the cpu kernels (strides, padding, 1×1, empty batch; 1 and 3 threads)', { skip }, async () => {
  const rng = new Rng(5);
  const threads = requireAddon().threads();
  for (const [c, n] of [...cases.map((c) => [c, 1] as const), ...cases.map((c) => [c, 3] as const)]) {
    requireAddon().setThreads(n); // 3: images split unevenly between threads, chunks cut short at each split
    const [xv, fv, dyv] = [randn(rng, size(c.x)), randn(rng, size(c.f)), randn(rng, size(c.x) * c.f[3])];
    const run = () => {
      const x = tf.tensor4d(xv, c.x);
      const f = tf.tensor4d(fv, c.f);
      const y = tf.conv2d(x, f, c.stride, c.pad);
      const dy = tf.tensor(dyv.slice(0, y.size), y.shape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)))([x, f]);
      return [y, dx, df];
    };
    const native = await on('native', run);
    const cpu = await on('cpu', run);
    ['y', 'dx', 'dfilter'].forEach((name, i) => assertClose(native[i], cpu[i], 1e-4, `${name} for x [${c.x}] filter [${c.f}] stride ${c.stride} pad ${c.pad}, ${n} threads`));
  }
  requireAddon().setThreads(threads);
});

test('dilated Conv2D and FusedConv2D (bias, relu, others) equal the cpu kernels', { skip }, async () => {
  const rng = new Rng(6);
  const [xv, fv, bv] = [randn(rng, 2 * 9 * 9 * 3), randn(rng, 3 * 3 * 3 * 4), randn(rng, 4)];
  const x = () => tf.tensor4d(xv, [2, 9, 9, 3]);
  const f = () => tf.tensor4d(fv, [3, 3, 3, 4]);
  assertClose((await on('native', () => tf.conv2d(x(), f(), 1, 'same', 'NHWC', 2)))[0], (await on('cpu', () => tf.conv2d(x(), f(), 1, 'same', 'NHWC', 2)))[0]);
  for (const activation of ['linear', 'relu', 'elu', 'sigmoid'] as const) {
    const fused = () => tf.fused.conv2d({ x: x(), filter: f(), strides: 2, pad: 'same', bias: tf.tensor1d(bv), activation });
    assertClose((await on('native', fused))[0], (await on('cpu', fused))[0], 1e-4, `fused ${activation}`);
  }
});

test('a conv layer trained through tf.layers gets the same gradients as on cpu', { skip }, async () => {
  const rng = new Rng(7);
  const xv = randn(rng, 4 * 12 * 12 * 2);
  const grads = () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const { grads: g } = tf.variableGrads(() => tf.mean(tf.square(model.apply(tf.tensor4d(xv, [4, 12, 12, 2])) as tf.Tensor)) as tf.Scalar);
    const out = Object.values(g);
    model.dispose();
    return out;
  };
  const native = await on('native', grads);
  const cpu = await on('cpu', grads);
  native.forEach((g, i) => assertClose(g, cpu[i], 1e-4, `gradient ${i}`));
});

test('the convolution and both gradients are the same numbers, bit for bit, at 1, 2 and 3 threads', { skip }, async () => {
  const rng = new Rng(8);
  const [xShape, fShape]: [[number, number, number, number], [number, number, number, number]] = [[21, 12, 12, 8], [3, 3, 8, 16]];
  const [xv, fv] = [randn(rng, size(xShape)), randn(rng, size(fShape))];
  const run = () => {
    const [x, f] = [tf.tensor4d(xv, xShape), tf.tensor4d(fv, fShape)];
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
    return [tf.conv2d(x, f, 1, 'same'), ...tf.grads(loss)([x, f])];
  };
  const threads = requireAddon().threads();
  const results: Float32Array[][] = [];
  for (const n of [1, 2, 3]) {
    requireAddon().setThreads(n);
    results.push(await on('native', run));
  }
  requireAddon().setThreads(threads);
  for (const [i, name] of ['y', 'dx', 'dfilter'].entries()) {
    for (const n of [1, 2]) assert.deepEqual(results[n][i], results[0][i], `${name}: ${n + 1} threads differ from 1`);
  }
});
