/**
 * One MoCo v2 training step (He et al. 2020), the unit the trainers and `hardneg bench` run:
 *
 * 1. momentum update of the key encoder, θ_k ← m·θ_k + (1 − m)·θ_q;
 * 2. keys k = normalise(f_k(x_k)), no gradient, with shuffled BN (`encodeKeys`, see
 *    `models/shuffledBatchNorm.ts`);
 * 3. queries q = normalise(f_q(x_q)) (BatchNorm per sub-batch); InfoNCE over [q·k, q·queue] / τ
 *    (target 0), plus MoCHi's synthetic negatives when `mochi` is set; backward and an optimizer
 *    step on θ_q;
 * 4. the keys enter the queue (oldest out).
 *
 * A non-finite loss, gradient or weight throws `NonFiniteStep` (`optim/guardedStep.ts`); the
 * update and step 4 are then skipped.
 *
 * Shapes: xq, xk `[B, …input]`; the encoders map to `[B, D]`; the queue holds `[K, D]`.
 */
import * as tf from '../engine/tf.js';
import { HostScratch } from '../engine/hostKernels.js';
import type { Rng } from '../engine/random.js';
import { mochiExtraLogits } from '../losses/mochiLoss.js';
import { queueInfoNCE } from '../losses/infoNCE.js';
import { momentumUpdate } from '../models/momentumEncoder.js';
import { encodeKeys, encodeQueries, hasBatchNorm } from '../models/shuffledBatchNorm.js';
import type { MemoryQueue } from '../negatives/memoryQueue.js';
import type { MochiConfig } from '../negatives/mochi.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError } from '../ops/validate.js';
import { guardedMinimize } from '../optim/guardedStep.js';

export interface MocoState {
  queryEncoder: tf.LayersModel;
  keyEncoder: tf.LayersModel;
  queue: MemoryQueue;
  optimizer: tf.Optimizer;
  /** EMA momentum m (MoCo v2: 0.999; small data: 0.99). */
  momentum: number;
  /** τ (MoCo v2: 0.2). */
  temperature: number;
  /** MoCHi mixing (logit-space path), applied once the queue holds at least N keys. */
  mochi?: MochiConfig & { rng: Rng };
  /**
   * BatchNorm sub-batches G for shuffled BN (must divide the batch size). Default: 4 when the
   * query encoder has BatchNorm, else 1.
   */
  batchNormGroups?: number;
  /** Draws the key shuffle. Default: the process-wide generator. */
  rng?: Rng;
}

/** MoCHi's host arrays per MoCHi setting, reused from step to step (a step is done with them when it returns). */
const mochiScratch = new WeakMap<object, HostScratch>();

/** Runs one step on a batch of two views (`labels`, if given, are stored beside the keys in the queue); returns the loss. */
export function mocoStep(state: MocoState, xq: tf.Tensor, xk: tf.Tensor, labels?: ArrayLike<number>): number {
  const { queryEncoder, keyEncoder, queue, optimizer, momentum, temperature, mochi } = state;
  const groups = state.batchNormGroups ?? (hasBatchNorm(queryEncoder) ? 4 : 1);
  if (xq.shape[0] % groups !== 0) {
    throw new ArgumentError(`mocoStep: batchNormGroups ${groups} must divide the batch size ${xq.shape[0]}`);
  }
  const mixing = mochi !== undefined && queue.filled >= mochi.N;
  momentumUpdate(keyEncoder, queryEncoder, momentum);
  const keys = tf.tidy(() => l2Normalize(encodeKeys(keyEncoder, xk, { groups, rng: state.rng }) as tf.Tensor2D));
  const negatives = queue.keys();
  const negativesT = queue.keysT();
  const varList = queryEncoder.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    const value = guardedMinimize(
      optimizer,
      () => {
        const q = l2Normalize(encodeQueries(queryEncoder, xq, groups) as tf.Tensor2D);
        const extra = mixing ? mochiExtraLogits(mochi, q, negatives, queue.keyValues(), temperature, 'logits', mochi.rng, scratchOf(mochi)) : undefined;
        return queueInfoNCE(q, keys, negatives, negativesT, temperature, extra);
      },
      varList,
      queryEncoder.weights.map((w) => w.read()),
    );
    queue.enqueue(keys, labels);
    return value;
  } finally {
    keys.dispose();
  }
}

function scratchOf(mochi: object): HostScratch {
  const kept = mochiScratch.get(mochi);
  if (kept !== undefined) return kept;
  const fresh = new HostScratch();
  mochiScratch.set(mochi, fresh);
  return fresh;
}
