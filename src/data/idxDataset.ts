/**
 * Image datasets from IDX files: an images file `[n, H, W]` (or `[n, H, W, C]`) of bytes, scaled
 * to [0, 1] by /255, and a labels file `[n]`. Fashion-MNIST comes from Debian's
 * `dataset-fashion-mnist`, or from any directory holding the four standard file names.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './dataReport.js';
import { type ImageDataset, createDataset } from './dataset.js';
import { readIdx } from './idx.js';
import type { TrainTest } from './split.js';

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** Reads an images file and a labels file into a dataset; class names default to '0', '1', … up to the largest label. */
export function loadIdxDataset(imagesPath: string, labelsPath: string, classNames?: string[]): ImageDataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  const shape = images.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DataError(`loadIdxDataset: ${imagesPath}: expected images [n, H, W] or [n, H, W, C] (rank 3 or 4), got rank ${shape.length} [${shape.join(', ')}]`);
  }
  if (labels.shape.length !== 1) throw new DataError(`loadIdxDataset: ${labelsPath}: expected labels [n], got [${labels.shape.join(', ')}]`);
  const n = shape[0];
  if (labels.shape[0] !== n) {
    throw new DataError(`loadIdxDataset: ${labelsPath} has ${labels.shape[0]} labels but ${imagesPath} has ${n} images`);
  }
  const names = classNames ?? Array.from({ length: labels.data.reduce((m, y) => Math.max(m, y), -1) + 1 }, (_v, i) => String(i));
  const bad = labels.data.findIndex((y) => y >= names.length);
  if (bad >= 0) throw new DataError(`loadIdxDataset: ${labelsPath}: label ${labels.data[bad]} at index ${bad} is not below ${names.length} classes`);
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return createDataset(pixels, Int32Array.from(labels.data), [n, shape[1], shape[2], shape[3] ?? 1], names, `loadIdxDataset: ${imagesPath}`);
}

export interface FashionMnistOptions {
  /** Directory with the four IDX files (each plain or `.gz`); default `FASHION_MNIST_DIR`. */
  dir?: string;
}

/** Fashion-MNIST's official 60,000 train / 10,000 test split, 28×28×1 in [0, 1]. */
export function loadFashionMnist(options: FashionMnistOptions = {}): TrainTest {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const paths = FILES.map((name) => [join(dir, `${name}.gz`), join(dir, name)].find((p) => existsSync(p)));
  const missing = FILES.filter((_name, i) => paths[i] === undefined);
  if (missing.length > 0) {
    const where = !existsSync(dir) ? `Fashion-MNIST not found (no directory ${dir})` : `${dir} lacks ${missing.join(', ')} (plain or .gz)`;
    throw new DataError(
      `loadFashionMnist: ${where}: install it with 'apt-get install dataset-fashion-mnist', or pass --data <dir> with ${FILES.join(', ')} (plain or .gz)`,
    );
  }
  const [trainImages, trainLabels, testImages, testLabels] = paths as string[];
  const train = loadIdxDataset(trainImages, trainLabels, [...FASHION_MNIST_CLASSES]);
  const test = loadIdxDataset(testImages, testLabels, [...FASHION_MNIST_CLASSES]);
  return {
    train,
    test,
    split: { method: 'files', trainFiles: [trainImages, trainLabels], testFiles: [testImages, testLabels], train: train.shape[0], test: test.shape[0] },
  };
}
