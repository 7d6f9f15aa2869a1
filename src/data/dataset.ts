/**
 * An image dataset held once in memory: every image in one Float32Array `[n, H, W, C]`
 * (channels-last, the TensorFlow.js layout) with values in [0, 1], and int32 labels `[n]`.
 * Loaders write each image straight into its final place; splits, batches and augmentations
 * read it through indices and offsets, so a dataset is never copied twice.
 */
import { ArgumentError } from '../ops/validate.js';
import { DataError } from './dataReport.js';

export interface ImageDataset {
  /** Pixels `[n, H, W, C]`, row-major, in [0, 1]. */
  images: Float32Array;
  /** Class of each image `[n]`, in 0..classNames.length−1. */
  labels: Int32Array;
  /** `[n, H, W, C]`. */
  shape: [number, number, number, number];
  /** Name of each class; the label is the index into this list. */
  classNames: string[];
}

/** A single image `[H, W, C]` as a view or a buffer. */
export interface FloatImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Checks that the parts agree and returns them as a dataset (no copy). */
export function createDataset(
  images: Float32Array,
  labels: Int32Array,
  shape: [number, number, number, number],
  classNames: string[],
  source = 'createDataset',
): ImageDataset {
  const [n, h, w, c] = shape;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || h < 1 || w < 1 || c < 1) {
    throw new DataError(`${source}: shape must be [n, H, W, C] with H, W, C >= 1, got [${shape.join(', ')}]`);
  }
  if (images.length !== n * h * w * c) {
    throw new DataError(`${source}: images has ${images.length} values, expected n·H·W·C = ${n * h * w * c} for shape [${shape.join(', ')}]`);
  }
  if (labels.length !== n) throw new DataError(`${source}: labels has ${labels.length} entries, expected ${n}`);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= classNames.length) {
      throw new DataError(`${source}: label ${labels[i]} of image ${i} is outside 0..${classNames.length - 1} (${classNames.length} classes)`);
    }
  }
  return { images, labels, shape: [n, h, w, c], classNames };
}

/** Image `i` as a view into the dataset (no copy). */
export function datasetImage(dataset: ImageDataset, i: number): FloatImage {
  const [n, height, width, channels] = dataset.shape;
  if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new ArgumentError(`datasetImage: index must be an integer in [0, ${n - 1}], got ${i}`);
  const size = height * width * channels;
  return { data: dataset.images.subarray(i * size, (i + 1) * size), height, width, channels };
}

/** A new dataset holding the images `indices` in that order: one copy of just those images (a batch, a split). */
export function subsetDataset(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const [n, h, w, c] = dataset.shape;
  const size = h * w * c;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new ArgumentError(`subsetDataset: indices[${k}] must be an integer in [0, ${n - 1}], got ${i}`);
    images.set(dataset.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = dataset.labels[i];
  }
  return { images, labels, shape: [indices.length, h, w, c], classNames: dataset.classNames };
}

/** Number of images of each class `[classes]`. */
export function classCounts(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
