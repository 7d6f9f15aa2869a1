/**
 * Seeded, resumable batching. The order of epoch e is a permutation drawn from
 * `Rng(mixSeed(seed, e))`, so any (epoch, step) is found without replaying earlier epochs, and a
 * run resumed from a checkpoint's (epoch, step) sees exactly the batches it would have seen.
 * Batches are index views: `subsetDataset(dataset, batch.indices)` or `augmentBatch` read just
 * those images, never a copy of the whole dataset.
 */
import { Rng } from '../engine/random.js';
import { ArgumentError, checkInt } from '../ops/validate.js';

/** A 32-bit seed from several integers (e.g. seed, epoch, step), each part changing every bit. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The generator for the augmentations of one training step: a function of (seed, epoch, step) only. */
export function stepRng(seed: number, epoch: number, step: number): Rng {
  return new Rng(mixSeed(seed, epoch, step, 0x5eed));
}

export interface BatchOptions {
  batchSize: number;
  /** Seed of the epoch permutations. */
  seed: number;
  /** Drop the last, smaller batch of an epoch (training with a queue wants full batches); default false. */
  dropLast?: boolean;
  /** Shuffle each epoch; default true (false: the items in order, e.g. for evaluation). */
  shuffle?: boolean;
}

export interface Batch {
  epoch: number;
  step: number;
  /** The items of this batch (a view; do not modify). */
  indices: Int32Array;
}

/** The batches of every epoch over `items` (a count n for 0..n−1, or a list of item indices). */
export class BatchSchedule {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  private readonly items: Int32Array;
  private readonly options: Required<BatchOptions>;
  private cached: { epoch: number; order: Int32Array } | null = null;

  constructor(items: number | ArrayLike<number>, options: BatchOptions) {
    const fn = 'BatchSchedule';
    if (typeof items === 'number') checkInt(fn, 'items', items, 0);
    this.items = typeof items === 'number' ? Int32Array.from({ length: items }, (_v, i) => i) : Int32Array.from(items);
    checkInt(fn, 'batchSize', options.batchSize, 1);
    checkInt(fn, 'seed', options.seed, 0, 0xffffffff);
    this.options = { dropLast: false, shuffle: true, ...options };
    this.batchSize = options.batchSize;
    const n = this.items.length;
    this.stepsPerEpoch = this.options.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    if (this.stepsPerEpoch === 0) {
      throw new ArgumentError(`${fn}: ${n} items make no batch of ${this.batchSize}${this.options.dropLast ? ' with dropLast' : ''}`);
    }
  }

  /** The order of the items in `epoch`. */
  order(epoch: number): Int32Array {
    checkInt('BatchSchedule.order', 'epoch', epoch, 0);
    if (this.cached?.epoch !== epoch) {
      const n = this.items.length;
      let order = this.items;
      if (this.options.shuffle) {
        const perm = new Rng(mixSeed(this.options.seed, epoch)).permutation(n);
        order = new Int32Array(n);
        for (let i = 0; i < n; i++) order[i] = this.items[perm[i]];
      }
      this.cached = { epoch, order };
    }
    return this.cached.order;
  }

  /** The items of batch `step` of `epoch`. */
  batch(epoch: number, step: number): Int32Array {
    checkInt('BatchSchedule.batch', 'step', step, 0, this.stepsPerEpoch - 1);
    return this.order(epoch).subarray(step * this.batchSize, Math.min((step + 1) * this.batchSize, this.items.length));
  }

  /** The batches from (`epoch`, `step`) to the end of epoch `epochs − 1`. */
  *batches(from: { epoch?: number; step?: number }, epochs: number): Generator<Batch> {
    const { epoch: first = 0, step: start = 0 } = from;
    checkInt('BatchSchedule.batches', 'step', start, 0, this.stepsPerEpoch);
    for (let epoch = first; epoch < epochs; epoch++) {
      for (let step = epoch === first ? start : 0; step < this.stepsPerEpoch; step++) yield { epoch, step, indices: this.batch(epoch, step) };
    }
  }
}
