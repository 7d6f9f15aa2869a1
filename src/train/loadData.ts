/** The train/test data a config names, with the split description for the run's metadata. */
import { subsetDataset } from '../data/dataset.js';
import { mixSeed } from '../data/batching.js';
import { loadUserTrainTest } from '../data/dataSource.js';
import { Rng } from '../engine/random.js';
import { loadFashionMnist } from '../data/idxDataset.js';
import { loadMnist } from '../data/mnist.js';
import type { TrainTest } from '../data/split.js';
import type { TrainConfig } from './config.js';

/**
 * The split a config names; `available` is the size of its training split before `data.limit`.
 * `requireLabels` (a supervised task) rejects an unlabelled training source.
 */
export async function loadTrainTest(data: TrainConfig['data'], seed: number, requireLabels = false, onWarning?: (message: string) => void): Promise<TrainTest & { available: number }> {
  let tt: TrainTest;
  if (data.dataset === 'mnist') tt = await loadMnist({ seed, testSize: data.testSize });
  else if (data.dataset === 'fashion-mnist') tt = loadFashionMnist({ dir: data.path });
  else {
    const { testSize, test, ...source } = data;
    delete source.limit;
    tt = loadUserTrainTest(source, { test, testSize, seed, requireLabels, onWarning });
  }
  const available = tt.train.labels.length;
  if (data.limit === undefined || data.limit >= available) return { ...tt, available };
  // A seeded random subset (the split is in class order, so a prefix would be one class).
  const chosen = new Rng(mixSeed(seed, 0x11317)).permutation(available).subarray(0, data.limit).sort();
  return { ...tt, train: subsetDataset(tt.train, chosen), available };
}
