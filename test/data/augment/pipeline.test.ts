import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGIT_AUGMENT, augmentConfig } from '../../../src/data/augment/config.js';
import { type CropOptions, horizontalFlip, randomResizedCrop } from '../../../src/data/augment/geometric.js';
import { augmentBatch, twoViews } from '../../../src/data/augment/pipeline.js';
import { datasetImage } from '../../../src/data/dataset.js';
import type { ImageDataset } from '../../../src/data/dataset.js';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/backend.js';
import { Rng } from '../../../src/engine/random.js';
import { nativeSkip } from '../../helpers.js';

/** 12 random 10×10 images, grey or RGB. */
function source(channels = 1): ImageDataset {
  const n = 12;
  return { images: new Rng(channels).uniformArray(n * 100 * channels), labels: new Int32Array(n), shape: [n, 10, 10, channels], classNames: ['x'] };
}
const OFF = { crop: false, affine: false, flip: false, jitter: false, blur: false, noise: false, erasing: false } as const;
const view = (out: Float32Array, k: number, size: number) => Array.from(out.subarray(k * size, (k + 1) * size));

test('with every step off, or every p = 0, a view is a copy of the chosen images', () => {
  const src = source(3);
  const indices = [3, 0, 11];
  const expected = indices.flatMap((i) => Array.from(datasetImage(src, i).data));
  assert.deepEqual(Array.from(augmentBatch(src, indices, new Rng(1), augmentConfig(OFF))), expected);
  const never = augmentConfig({ crop: false, affine: { p: 0 }, flip: { p: 0 }, jitter: { p: 0 }, blur: { p: 0 }, noise: { p: 0 }, erasing: { p: 0 } });
  assert.deepEqual(Array.from(augmentBatch(src, indices, new Rng(1), never)), expected);
});

test('crop alone equals randomResizedCrop image by image with the same generator', () => {
  const src = source();
  const config = augmentConfig({ ...OFF, crop: { scale: [0.2, 1] }, size: [6, 8] });
  const out = augmentBatch(src, [5, 7], new Rng(3), config);
  const rng = new Rng(3);
  for (const [k, i] of [5, 7].entries()) {
    assert.deepEqual(view(out, k, 48), Array.from(randomResizedCrop(datasetImage(src, i), rng, config.crop as CropOptions, [6, 8]).data));
  }
});

test('flip with p = 1 mirrors every image', () => {
  const src = source();
  const out = augmentBatch(src, [0, 1], new Rng(0), augmentConfig({ ...OFF, flip: { p: 1 } }));
  assert.deepEqual(view(out, 1, 100), Array.from(horizontalFlip(datasetImage(src, 1)).data));
});

test('views are seeded, differ from each other, and stay in [0, 1] with every step on', () => {
  const src = source(3);
  const all = augmentConfig({ flip: { p: 0.5 }, noise: { p: 0.5, std: 0.2 }, erasing: { p: 0.5, value: 1 }, affine: { p: 1, shear: 10, translate: 0.1 } });
  const indices = [...Array(12).keys()];
  const [a, b] = twoViews(src, indices, new Rng(5), all);
  const [a2, b2] = twoViews(src, indices, new Rng(5), all);
  assert.deepEqual([a, b], [a2, b2]);
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(augmentBatch(src, indices, new Rng(6), all), a);
  for (const v of [a, b]) assert.ok(v.every((x) => x >= 0 && x <= 1));
  const out = new Float32Array(a.length);
  assert.equal(augmentBatch(src, indices, new Rng(5), all, out), out);
  assert.deepEqual(out, a);
});

test('the default digit views of a 28×28 batch keep shape and range and change the images', () => {
  const digits: ImageDataset = { images: new Rng(2).uniformArray(4 * 784), labels: new Int32Array(4), shape: [4, 28, 28, 1], classNames: ['x'] };
  const [q, k] = twoViews(digits, [0, 1, 2, 3], new Rng(0));
  assert.equal(q.length, 4 * 784);
  assert.ok(q.every((v) => v >= 0 && v <= 1) && k.every((v) => v >= 0 && v <= 1));
  const changed = q.reduce((s, v, i) => s + Math.abs(v - digits.images[i]), 0) / q.length;
  assert.ok(changed > 0.05, `mean change ${changed}`);
});

test('bad arguments are one-line errors', () => {
  const src = source();
  assert.throws(() => augmentBatch(src, [12], new Rng(0)), /augmentBatch: indices\[0\] must be an integer in \[0, 11\], got 12/);
  assert.throws(() => augmentBatch(src, [0], new Rng(0), DIGIT_AUGMENT, new Float32Array(3)), /augmentBatch: out must have 100 values, got 3/);
  assert.throws(() => augmentBatch(src, [0], new Rng(0), augmentConfig({ size: [1, 1] })), /augmentBatch: blur kernelSize must be an odd integer below 2 \(twice the 1×1 image's side\), got 3/);
});

test('on the native backend the warp, jitter and blur run in C and give the same views', { skip: await nativeSkip() }, async () => {
  const configs = [
    augmentConfig({ flip: { p: 0.5 }, noise: { p: 0.5, std: 0.2 }, erasing: { p: 0.5, value: 1 }, affine: { p: 0.7, shear: 10, translate: 0.1 }, blur: { p: 0.7, kernelSize: 5 } }),
    augmentConfig({ size: [7, 9], blur: { p: 1, kernelSize: 3 }, jitter: { p: 1, brightness: 0.8, contrast: 0.6 } }),
    DIGIT_AUGMENT,
  ];
  const cases = configs.flatMap((config) => [1, 3].map((channels) => ({ config, src: source(channels) })));
  const indices = [3, 0, 11, 5, 5, 8, 2, 9, 1, 7];
  const js = cases.map(({ config, src }) => augmentBatch(src, indices, new Rng(9), config));
  await initEngine({ backend: 'native' });
  try {
    cases.forEach(({ config, src }, c) => {
      const native = augmentBatch(src, indices, new Rng(9), config);
      let worst = 0;
      for (let i = 0; i < native.length; i++) worst = Math.max(worst, Math.abs(native[i] - js[c][i]));
      assert.ok(worst <= 1e-6, `case ${c}: max |native − js| = ${worst}`);
    });
  } finally {
    await tf.setBackend('cpu');
  }
});
