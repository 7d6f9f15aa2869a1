/**
 * Cross-field rules of a training config, checked before a run directory is created. Each broken
 * rule is one line naming the config key, what was expected and what was given, e.g.
 * `config.moco.queue: expected >= batchSize (256), got 16`; every broken rule is reported at once.
 *
 * Two stages: `configRuleErrors` needs the config alone (it runs when the config is parsed);
 * `dataRuleErrors` needs the loaded train/test split (image shape, class counts, training images)
 * and also returns notes for the settings it adjusts on purpose (a kNN k above the bank size).
 */
import type { TrainTest } from '../data/split.js';
import { LOSSES, type LossName } from '../losses/registry.js';
import type { EncoderConfig } from '../models/encoder.js';

/** The part of a `TrainConfig` (config.ts) the rules read; config.ts calls them, so they cannot import it. */
interface TrainConfig {
  task: 'moco' | 'supervised';
  data: { dataset: string; path?: string; testSize?: number; limit?: number };
  encoder: EncoderConfig;
  epochs: number;
  batchSize: number;
  warmupEpochs: number;
  optimizer: { lr: number };
  moco: { loss: LossName; queue: number; temperature: number; mochi: { N: number; s: number; sPrime: number; startEpoch: number } | null };
  supervised: { temperature: number; shots: number | null };
  eval: { knnK: number; knnTemperature: number };
}

/** Temperatures (τ of every loss, of the kNN monitor) must lie in this range: below it exp(s/τ) overflows float32 work, above it the softmax is flat. */
export const TEMPERATURE_RANGE = [1e-3, 100] as const;
/** Learning rates must lie in (0, MAX_LR]: larger steps diverge for every model and optimizer here. */
export const MAX_LR = 10;

/** Rules on the config alone: queue vs batch, MoCHi's N/s/s′/startEpoch, warm-up, learning rate, temperatures. */
export function configRuleErrors(c: TrainConfig, source = 'config'): string[] {
  const errors: string[] = [];
  const fail = (key: string, expected: string, got: unknown) => errors.push(`${source}.${key}: expected ${expected}, got ${typeof got === 'number' ? got : JSON.stringify(got)}`);
  const temperature = (key: string, t: number) => {
    if (t < TEMPERATURE_RANGE[0] || t > TEMPERATURE_RANGE[1]) fail(key, `a temperature in [${TEMPERATURE_RANGE[0]}, ${TEMPERATURE_RANGE[1]}]`, t);
  };
  if (c.warmupEpochs > c.epochs) fail('warmupEpochs', `<= epochs (${c.epochs}): warm-up cannot outlast the run`, c.warmupEpochs);
  const lr = c.optimizer.lr;
  if (!(Number.isFinite(lr) && lr > 0 && lr <= MAX_LR)) fail('optimizer.lr', `a learning rate in (0, ${MAX_LR}]`, lr);
  temperature('eval.knnTemperature', c.eval.knnTemperature);
  if (c.data.dataset === 'fashion-mnist' && c.data.testSize !== undefined) fail('data.testSize', `no testSize for ${c.data.dataset} (its test split is fixed)`, c.data.testSize);
  if (c.data.dataset === 'mnist' && c.data.path !== undefined) fail('data.path', 'no path for mnist (the digits are embedded)', c.data.path);
  if (c.task === 'moco') {
    const { moco } = c;
    temperature('moco.temperature', moco.temperature);
    const usesQueue = LOSSES[moco.loss].kind === 'queue';
    if (usesQueue && moco.queue < c.batchSize) fail('moco.queue', `>= batchSize (${c.batchSize}): each step enqueues a whole batch of keys`, moco.queue);
    if (moco.mochi !== null) {
      const { N, s, sPrime, startEpoch } = moco.mochi;
      if (!usesQueue) fail('moco.mochi', `null for loss "${moco.loss}" (MoCHi mixes queue negatives)`, moco.mochi);
      if (N > moco.queue) fail('moco.mochi.N', `<= moco.queue (${moco.queue}): the N hardest are taken from the queue`, N);
      if (s > 0 && N < 2) fail('moco.mochi.N', `>= 2 when moco.mochi.s > 0 (s = ${s} mixes two distinct hard negatives)`, N);
      if (s === 0 && sPrime === 0) fail('moco.mochi', 's > 0 or sPrime > 0 (otherwise no negative is synthesised; use mochi: null)', { s, sPrime });
      if (startEpoch >= c.epochs) fail('moco.mochi.startEpoch', `< epochs (${c.epochs}) (0-based: mixing would never start)`, startEpoch);
    }
  } else {
    temperature('supervised.temperature', c.supervised.temperature);
  }
  return errors;
}

/** The training images a run sees: the split, cut to `data.limit`, then to `shots` per class. */
function trainingImages(c: TrainConfig, data: TrainTest): number {
  const n = data.train.labels.length;
  if (c.task !== 'supervised' || c.supervised.shots === null) return n;
  const counts = classCounts(data);
  return counts.reduce((sum, k) => sum + Math.min(k, c.supervised.shots!), 0);
}

function classCounts(data: TrainTest): number[] {
  const counts = new Array<number>(data.train.classNames.length).fill(0);
  for (const label of data.train.labels) counts[label]++;
  return counts;
}

export interface DataRuleReport {
  errors: string[];
  /** Settings adjusted on purpose, as lines to print (e.g. the kNN k cut to the bank size). */
  notes: string[];
}

/**
 * Rules that need the data: the encoder's input shape, `data.limit`, `shots` vs the smallest
 * class, the batch vs the training images, the queue vs the training images, the kNN k vs the bank.
 * `available` is the size of the training split before `data.limit` is applied.
 */
export function dataRuleErrors(c: TrainConfig, data: TrainTest, available: number, source = 'config'): DataRuleReport {
  const errors: string[] = [];
  const notes: string[] = [];
  const fail = (key: string, expected: string, got: unknown) => errors.push(`${source}.${key}: expected ${expected}, got ${JSON.stringify(got)}`);
  const [, h, w, ch] = data.train.shape;
  const backbone = c.encoder.backbone;
  if (backbone.kind === 'mlp' && backbone.inputDim !== h * w * ch) {
    fail('encoder.backbone.inputDim', `${h * w * ch} (${c.data.dataset} images are ${h}×${w}×${ch})`, backbone.inputDim);
  }
  if (backbone.kind === 'cnn' && backbone.inputShape.join() !== [h, w, ch].join()) {
    fail('encoder.backbone.inputShape', `[${h}, ${w}, ${ch}] (the shape of ${c.data.dataset} images)`, backbone.inputShape);
  }
  if (c.data.limit !== undefined && c.data.limit > available) fail('data.limit', `<= ${available} (the training images of ${c.data.dataset})`, c.data.limit);
  if (c.task === 'supervised' && c.supervised.shots !== null) {
    const smallest = Math.min(...classCounts(data));
    if (c.supervised.shots > smallest) fail('supervised.shots', `<= ${smallest} (the smallest class of the training images)`, c.supervised.shots);
  }
  const images = trainingImages(c, data);
  if (c.task === 'moco') {
    if (c.batchSize > images) fail('batchSize', `<= ${images} (the training images${c.data.limit !== undefined ? ` after data.limit` : ''})`, c.batchSize);
    if (LOSSES[c.moco.loss].kind === 'queue' && c.moco.queue >= images) {
      fail('moco.queue', `< ${images} training images (a larger queue holds earlier keys of the query's own image as negatives)`, c.moco.queue);
    }
  } else if (c.batchSize > images) {
    notes.push(`${source}.batchSize: ${c.batchSize} > the ${images} training images; training uses batches of ${images}`);
  }
  if (c.eval.knnK > images) notes.push(`${source}.eval.knnK: ${c.eval.knnK} > the ${images} images of the kNN bank; the kNN monitor uses k = ${images}`);
  return { errors, notes };
}
