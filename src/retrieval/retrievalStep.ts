/**
 * One optimisation step of a retrieval encoder on a loss of its embeddings. The caller lays out
 * the batch (e.g. queries, then positives, then hard negatives) and gives the loss as a function
 * of the embeddings `[n, dim]` in that order, so any loss of `src/losses/` fits.
 *
 * - `TextEncoderTrainer`: the hashed text encoder; its table rows get lazy Adam
 *   (`SparseAdam`, only the rows the batch touched), its MLP dense Adam.
 * - `AdapterTrainer`: an adapter over precomputed vectors, dense Adam.
 *
 * Both apply only finite updates: a non-finite loss or gradient throws `NonFiniteStep` before
 * anything changes, and weights (the touched table rows) made non-finite throw it after
 * (`optim/guardedStep.ts`).
 */
import * as tf from '../engine/tf.js';
import type { Adapter } from '../models/adapter.js';
import type { Bags } from '../models/embeddingBag.js';
import type { HashedTextEncoder } from '../models/textEncoder.js';
import { SparseAdam } from '../optim/sparseAdam.js';
import { checkStep, checkWeights, guardedMinimize } from '../optim/guardedStep.js';

export type EmbeddingLoss = (embeddings: tf.Tensor2D) => tf.Scalar;

export interface TrainerOptions {
  /** Adam learning rate of the dense weights (default 1e-3). */
  lr?: number;
  /** Lazy-Adam learning rate of the embedding table (default 0.01). */
  tableLr?: number;
}

export class TextEncoderTrainer {
  private readonly tableOptimizer: SparseAdam;
  private readonly optimizer: tf.Optimizer;

  constructor(
    readonly encoder: HashedTextEncoder,
    options: TrainerOptions = {},
  ) {
    this.tableOptimizer = new SparseAdam(encoder.table, { lr: options.tableLr ?? 0.01 });
    this.optimizer = tf.train.adam(options.lr ?? 1e-3);
  }

  /** One step on `bags` (the batch's texts as feature bags); returns the loss. */
  step(bags: Bags, loss: EmbeddingLoss): number {
    const { encoder } = this;
    const lookup = encoder.table.lookup(bags);
    const rows = encoder.table.gather(lookup.unique);
    const { value, grads } = tf.valueAndGrads((r: tf.Tensor) => loss(encoder.forward(r as tf.Tensor2D, lookup)))([rows, ...encoder.weights]);
    let out: number;
    try {
      out = checkStep(value as tf.Scalar, grads, encoder.weights);
    } finally {
      rows.dispose();
    }
    this.tableOptimizer.apply(lookup.unique, grads[0] as tf.Tensor2D);
    if (encoder.weights.length > 0) this.optimizer.applyGradients(encoder.weights.map((w, i) => ({ name: w.name, tensor: grads[i + 1] })));
    tf.dispose([value, ...grads]);
    const updated = encoder.table.gather(lookup.unique);
    try {
      checkWeights(out, [updated, ...encoder.weights]);
    } finally {
      updated.dispose();
    }
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export class AdapterTrainer {
  private readonly optimizer: tf.Optimizer;

  constructor(
    readonly adapter: Adapter,
    options: TrainerOptions = {},
  ) {
    this.optimizer = tf.train.adam(options.lr ?? 1e-3);
  }

  /** One step on the vectors `[n, D]` of the batch; returns the loss. */
  step(vectors: tf.Tensor2D, loss: EmbeddingLoss): number {
    return guardedMinimize(this.optimizer, () => loss(this.adapter.forward(vectors)), this.adapter.weights);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
