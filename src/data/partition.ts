/**
 * Train/test views of one dataset without copying its images: the rows are reordered in place so
 * that the train rows come first (in source order), then the test rows (in source order), and the
 * two sets are `subarray` views of the one Float32Array. For a folder of 100k 32×32×3 images
 * (1.2 GB as float32) a split then costs one image of scratch space, not a second copy.
 *
 * The reorder follows the cycles of the permutation `order = [...train, ...test]`
 * (row k ← row order[k]): each cycle saves its first row, shifts the others along, and writes the
 * saved row last. Extra memory: one row, a byte per image and the labels `[n]`.
 */
import { ArgumentError } from '../ops/validate.js';
import type { ImageDataset } from './dataset.js';

/**
 * Reorders `dataset` in place to `[train rows, test rows]` and returns views of both halves.
 * `trainIndices` and `testIndices` must be sorted and together hold every index once (what
 * `stratifiedSplit` returns). `dataset` must not be used afterwards except through the views.
 */
export function splitInPlace(dataset: ImageDataset, trainIndices: Int32Array, testIndices: Int32Array): { train: ImageDataset; test: ImageDataset } {
  const [n, h, w, c] = dataset.shape;
  if (trainIndices.length + testIndices.length !== n) {
    throw new ArgumentError(`splitInPlace: ${trainIndices.length} train + ${testIndices.length} test indices do not cover ${n} images`);
  }
  const order = new Int32Array(n);
  order.set(trainIndices, 0);
  order.set(testIndices, trainIndices.length);
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (!(i >= 0 && i < n) || seen[i]) throw new ArgumentError(`splitInPlace: index ${i} is outside 0..${n - 1} or repeated`);
    seen[i] = 1;
  }
  const size = h * w * c;
  const { images } = dataset;
  const saved = new Float32Array(size);
  const done = new Uint8Array(n);
  for (let start = 0; start < n; start++) {
    if (done[start] || order[start] === start) continue;
    saved.set(images.subarray(start * size, (start + 1) * size));
    let k = start;
    for (;;) {
      done[k] = 1;
      const from = order[k];
      if (from === start) {
        images.set(saved, k * size);
        break;
      }
      images.copyWithin(k * size, from * size, (from + 1) * size);
      k = from;
    }
  }
  const labels = Int32Array.from(order, (i) => dataset.labels[i]);
  const t = trainIndices.length;
  const view = (from: number, to: number): ImageDataset => ({
    images: images.subarray(from * size, to * size),
    labels: labels.subarray(from, to),
    shape: [to - from, h, w, c],
    classNames: dataset.classNames,
  });
  return { train: view(0, t), test: view(t, n) };
}
