/**
 * The user's own image data, as a config names it, loaded into one dataset:
 *
 *   { dataset: 'image-folder', path, size?, channels?, skipBad? }   <path>/<class>/*.png|jpg
 *   { dataset: 'idx', images, labels }                              IDX files (plain or .gz)
 *   { dataset: 'npy', images, labels? }                             NPY arrays; no labels: unlabelled
 *
 * and the train/test pair made from them: a seeded stratified split of one source (the rows
 * reordered in place, `partition.ts`, so the images are held once) or an explicit test source.
 * A training set without labels can only train self-supervised, and its kNN monitor then needs a
 * labelled test source: half of it (stratified, seeded) is the kNN bank, the other half the queries.
 */
import { DataError } from './dataReport.js';
import type { ImageDataset } from './dataset.js';
import { readImageFolder } from './imageFolder.js';
import { loadIdxDataset } from './idxDataset.js';
import { loadNpyDataset } from './npy.js';
import { splitInPlace } from './partition.js';
import { stratifiedSplit, type TrainTest } from './split.js';

export type DataSource =
  | { dataset: 'image-folder'; path: string; size?: number | [number, number]; channels?: 1 | 3; skipBad?: boolean }
  | { dataset: 'idx'; images: string; labels: string }
  | { dataset: 'npy'; images: string; labels?: string };

/** One loaded source. */
export interface LoadedSource {
  source: DataSource;
  dataset: ImageDataset;
  /** False for an NPY source without a labels file. */
  labelled: boolean;
  /** The files or folder it was read from. */
  files: string[];
  /** Bad images skipped (`skipBad`); 0 otherwise. */
  skipped: number;
}

/** Reads one source; `key` (e.g. `config.data.test`) names it in errors that are about the config. */
export function loadDataSource(source: DataSource, key: string, onWarning?: (message: string) => void): LoadedSource {
  if (source.dataset === 'idx') {
    return { source, dataset: loadIdxDataset(source.images, source.labels), labelled: true, files: [source.images, source.labels], skipped: 0 };
  }
  if (source.dataset === 'npy') {
    const dataset = loadNpyDataset(source.images, source.labels ?? null);
    return { source, dataset, labelled: source.labels !== undefined, files: [source.images, ...(source.labels ? [source.labels] : [])], skipped: 0 };
  }
  const size = typeof source.size === 'number' ? ([source.size, source.size] as [number, number]) : source.size;
  const { dataset, skipped } = readImageFolder(source.path, { size, channels: source.channels, skipBad: source.skipBad, onWarning });
  if (dataset.classNames.length < 2) {
    throw new DataError(
      `${key}.path: ${source.path} has one class sub-folder ('${dataset.classNames[0]}'); a labelled split and kNN evaluation need at least 2 (${source.path}/<class>/<image>)`,
    );
  }
  return { source, dataset, labelled: true, files: [source.path], skipped: skipped.length };
}

export interface UserDataOptions {
  /** An explicit test source; without it the training source is split. */
  test?: DataSource;
  /** Test images of a split: a count (integer >= 1) or a fraction in (0, 1). Default 0.2. */
  testSize?: number;
  seed: number;
  /** The task needs training labels (supervised). */
  requireLabels: boolean;
  onWarning?: (message: string) => void;
}

/** Train and test sets from the user's sources, with the split description and the skip count. */
export function loadUserTrainTest(trainSource: DataSource, options: UserDataOptions): TrainTest {
  const { test: testSource, testSize = 0.2, seed, requireLabels, onWarning } = options;
  const source = loadDataSource(trainSource, 'config.data', onWarning);
  if (!source.labelled && requireLabels) {
    throw new DataError(`config.data.labels: ${source.files[0]} has no labels file; a supervised run needs one (or train self-supervised: task moco)`);
  }
  if (testSource === undefined) {
    if (!source.labelled) {
      throw new DataError(`config.data.test: ${source.files[0]} has no labels, so the kNN monitor needs a labelled test source (data.test)`);
    }
    const n = source.dataset.labels.length;
    const count = testSize < 1 ? Math.round(testSize * n) : testSize;
    if (!(Number.isInteger(count) && count >= 1 && count < n)) {
      throw new DataError(`config.data.testSize: ${testSize} gives ${count} test images of ${n} in ${source.files[0]}; expected 1..${n - 1}`);
    }
    const split = stratifiedSplit(source.dataset.labels, source.dataset.classNames.length, count, seed);
    const { train, test } = splitInPlace(source.dataset, split.trainIndices, split.testIndices);
    return { train, test, split: split.description, skipped: source.skipped };
  }
  const tested = loadDataSource(testSource, 'config.data.test', onWarning);
  if (!tested.labelled) throw new DataError(`config.data.test.labels: the test source ${tested.files[0]} needs labels for kNN evaluation`);
  const [, ...trainShape] = source.dataset.shape;
  const [, ...testShape] = tested.dataset.shape;
  if (trainShape.join() !== testShape.join()) {
    throw new DataError(`config.data.test: ${tested.files[0]} has images [${testShape.join(', ')}], the training source ${source.files[0]} [${trainShape.join(', ')}]`);
  }
  const classNames = commonClassNames(source, tested);
  const train = { ...source.dataset, classNames };
  let test = { ...tested.dataset, classNames };
  let knnBank: ImageDataset | undefined;
  if (!source.labelled) {
    const n = test.labels.length;
    if (n < 2) throw new DataError(`config.data.test: ${tested.files[0]} has ${n} image; the kNN monitor of an unlabelled run needs at least 2 (bank and queries)`);
    const split = stratifiedSplit(test.labels, classNames.length, Math.floor(n / 2), seed);
    ({ train: knnBank, test } = splitInPlace(test, split.trainIndices, split.testIndices));
  }
  return {
    train,
    test,
    split: { method: 'files', trainFiles: source.files, testFiles: tested.files, train: train.labels.length, test: test.labels.length },
    skipped: source.skipped + tested.skipped,
    ...(knnBank ? { knnBank } : {}),
  };
}

/**
 * The class names the two sources share: two folders must have the same class sub-folders; an
 * IDX/NPY source's numbered classes take the other source's names, or the longer numbering.
 */
function commonClassNames(train: LoadedSource, test: LoadedSource): string[] {
  if (!train.labelled) return test.dataset.classNames;
  const a = train.dataset.classNames;
  const b = test.dataset.classNames;
  const named = (s: LoadedSource) => s.source.dataset === 'image-folder';
  if (named(train) && named(test) && a.join('\n') !== b.join('\n')) {
    throw new DataError(`config.data.test: ${test.files[0]} has classes [${b.join(', ')}], the training folder ${train.files[0]} [${a.join(', ')}]`);
  }
  if (named(train)) return checkFits(a, test);
  if (named(test)) return checkFits(b, train);
  return a.length >= b.length ? a : b;
}

function checkFits(names: string[], other: LoadedSource): string[] {
  const max = other.dataset.labels.reduce((m, y) => Math.max(m, y), -1);
  if (max >= names.length) throw new DataError(`config.data: ${other.files.at(-1)}: label ${max} is not below the ${names.length} classes of the other source`);
  return names;
}
