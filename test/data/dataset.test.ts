import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classCounts, createDataset, datasetImage, subsetDataset } from '../../src/data/dataset.js';

const images = Float32Array.from({ length: 3 * 2 * 2 }, (_v, i) => i / 12);
const ds = createDataset(images, Int32Array.of(1, 0, 1), [3, 2, 2, 1], ['x', 'y']);

test('images are views; subsets copy only the chosen images, in order', () => {
  const second = datasetImage(ds, 1);
  assert.equal(second.data.buffer, images.buffer);
  assert.deepEqual([second.height, second.width, second.channels], [2, 2, 1]);
  assert.deepEqual(Array.from(second.data), [4, 5, 6, 7].map((v) => Math.fround(v / 12)));
  const sub = subsetDataset(ds, [2, 0]);
  assert.deepEqual(sub.shape, [2, 2, 2, 1]);
  assert.deepEqual(Array.from(sub.labels), [1, 1]);
  assert.deepEqual(Array.from(sub.images), [8, 9, 10, 11, 0, 1, 2, 3].map((v) => Math.fround(v / 12)));
  assert.deepEqual(classCounts(ds.labels, 2), [1, 2]);
});

test('inconsistent parts are errors naming what is wrong', () => {
  assert.throws(() => createDataset(images, Int32Array.of(0, 0), [3, 2, 2, 1], ['x']), /createDataset: labels has 2 entries, expected 3/);
  assert.throws(() => createDataset(images, Int32Array.of(0, 2, 0), [3, 2, 2, 1], ['x', 'y']), /label 2 of image 1 is outside 0..1 \(2 classes\)/);
  assert.throws(() => createDataset(images, Int32Array.of(0, 0, 0), [3, 2, 3, 1], ['x']), /images has 12 values, expected n·H·W·C = 18 for shape \[3, 2, 3, 1\]/);
  assert.throws(() => datasetImage(ds, 3), /datasetImage: index must be an integer in \[0, 2\], got 3/);
  assert.throws(() => subsetDataset(ds, [0, -1]), /subsetDataset: indices\[1\] must be an integer in \[0, 2\], got -1/);
});
