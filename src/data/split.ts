/**
 * Seeded stratified train/test split. Each class gives the test set its share of the test size,
 * rounded by largest remainder (ties to the lower class), so the per-class proportions match the
 * whole to within one image; which images go to test is a seeded permutation within each class.
 * The description (seed, sizes, per-class counts, fingerprint of the test indices) is small and
 * JSON-ready, for a run's metadata.
 */
import { Rng } from '../engine/random.js';
import { ArgumentError, checkInt } from '../ops/validate.js';
import type { ImageDataset } from './dataset.js';

/** How a train/test pair was made; JSON-ready. */
export type SplitDescription =
  | {
      method: 'stratified';
      seed: number;
      train: number;
      test: number;
      /** Images of each class in train / test. */
      trainCounts: number[];
      testCounts: number[];
      /** FNV-1a (32-bit, hex) of the sorted test indices into the source order. */
      testFingerprint: string;
    }
  | {
      method: 'files';
      /** The files the train and test sets were read from. */
      trainFiles: string[];
      testFiles: string[];
      train: number;
      test: number;
    };

export interface Split {
  /** Sorted indices into the source order. */
  trainIndices: Int32Array;
  testIndices: Int32Array;
  description: SplitDescription & { method: 'stratified' };
}

/** A train and a test set with how they were made. */
export interface TrainTest {
  train: ImageDataset;
  test: ImageDataset;
  split: SplitDescription;
  /** Bad images skipped while reading (`skipBad`). */
  skipped?: number;
  /**
   * Present when the training set has no labels (all 0): the labelled kNN bank, half of the
   * labelled test source (`test` is the other half, the queries).
   */
  knnBank?: ImageDataset;
}

/**
 * Splits items with `labels` (in 0..classes−1) into train and `testSize` test items, stratified
 * by class, with the seeded permutation of `seed`.
 */
export function stratifiedSplit(labels: Int32Array, classes: number, testSize: number, seed: number): Split {
  const n = labels.length;
  checkInt('stratifiedSplit', 'classes', classes, 1);
  checkInt('stratifiedSplit', 'testSize', testSize, 0, n);
  checkInt('stratifiedSplit', 'seed', seed, 0, 0xffffffff);
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < classes)) throw new ArgumentError(`stratifiedSplit: labels[${i}] = ${y} is outside 0..${classes - 1}`);
    members[y].push(i);
  }
  const testCounts = largestRemainder(members.map((m) => m.length), testSize);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(n);
  members.forEach((m, y) => {
    const order = rng.permutation(m.length);
    for (let k = 0; k < testCounts[y]; k++) isTest[m[order[k]]] = 1;
  });
  const trainIndices = new Int32Array(n - testSize);
  const testIndices = new Int32Array(testSize);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (isTest[i]) testIndices[b++] = i;
    else trainIndices[a++] = i;
  }
  return {
    trainIndices,
    testIndices,
    description: {
      method: 'stratified',
      seed,
      train: n - testSize,
      test: testSize,
      trainCounts: members.map((m, y) => m.length - testCounts[y]),
      testCounts,
      testFingerprint: fingerprint(testIndices),
    },
  };
}

/** Shares of `total` proportional to `sizes`, rounded by largest remainder (ties: lower index). */
export function largestRemainder(sizes: number[], total: number): number[] {
  const sum = sizes.reduce((s, v) => s + v, 0);
  if (sum === 0) return sizes.map(() => 0);
  const shares = sizes.map((s) => Math.floor((s * total) / sum));
  const remainders = sizes.map((s, i) => s * total - shares[i] * sum); // exact integers
  let left = total - shares.reduce((s, v) => s + v, 0);
  const order = sizes.map((_s, i) => i).sort((i, j) => remainders[j] - remainders[i] || i - j);
  for (const i of order) {
    if (left === 0) break;
    shares[i]++;
    left--;
  }
  return shares;
}

/** FNV-1a over the little-endian bytes of the indices, as 8 hex digits. */
export function fingerprint(indices: Int32Array): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < indices.length; k++) {
    for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((indices[k] >>> s) & 0xff), 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
