/**
 * MoCHi loss: MoCo's InfoNCE with each query's synthetic hard negatives in the denominator.
 *
 *   logits = [q·k⁺, q·n_1 … q·n_K, q·h_1 … q·h_s, q·h′_1 … q·h′_s′] / τ,  target 0
 *
 * (see `negatives/mochi.ts` for h and h′). With s = s′ = 0 it is exactly `infoNCE` with the queue.
 * The key and the queue are constants; the gradient reaches the query through q·k⁺, q·n and the
 * outer q of q·h, q·h′. `path: 'logits'` (default) never builds the synthetic tensors;
 * `path: 'exact'` builds them (same value and gradient, more memory and time).
 * Inputs are L2-normalised inside (`normalize: false` opts out and then requires unit queries).
 *
 * Shapes: query `[B, D]`, key `[B, D]`, queue `[K, D]` → scalar.
 */
import * as tf from '../engine/tf.js';
import { hostValues, type HostScratch } from '../engine/hostKernels.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { checkMochiConfig, mochiInputs, mochiLogitsFast, mochiSynthetic, ownLogits, planMochi, type MochiConfig } from '../negatives/mochi.js';
import type { MochiDraws } from '../negatives/mochiDraws.js';
import { l2Normalize } from '../ops/normalize.js';
import { stopGradient } from '../ops/stopGradient.js';
import { checkFinite, checkPositive, checkShape } from '../ops/validate.js';
import { queueInfoNCE, type ExtraLogits } from './infoNCE.js';

export interface MochiLossOptions extends MochiConfig {
  /** τ (MoCo v2 / MoCHi: 0.2). */
  temperature: number;
  draws?: MochiDraws;
  rng?: Rng;
  /** 'logits' (fast, default) or 'exact' (builds h and h′). */
  path?: 'logits' | 'exact';
  normalize?: boolean;
}

export function mochiLoss(query: tf.Tensor2D, key: tf.Tensor2D, queue: tf.Tensor2D, options: MochiLossOptions): tf.Scalar {
  const fn = 'mochiLoss';
  const { temperature, path = 'logits', normalize = true, rng = defaultRng() } = options;
  checkPositive(fn, 'temperature', temperature);
  checkShape(fn, 'key', key, [query.shape[0], query.shape[1]]);
  checkFinite(fn, 'key', key);
  checkMochiConfig(fn, options, queue.shape[0]);
  return tf.tidy(() => {
    const { q, n } = mochiInputs(fn, query, queue, normalize);
    const k = stopGradient(normalize ? l2Normalize(key) : key);
    const nc = stopGradient(n);
    return queueInfoNCE(q, k, nc, tf.transpose(nc), temperature, mochiExtraLogits(options, q, nc, nc.dataSync() as Float32Array, temperature, path, options.draws ?? rng));
  });
}

/**
 * The MoCHi block for `queueInfoNCE`: plans the mixing from the queue logits, then returns the
 * synthetic logits by the chosen path. `queueRows` is the unit queue on the host `[K, D]`.
 * `scratch` (a training step's own, see `planMochi`) keeps the plan's arrays from step to step.
 */
export function mochiExtraLogits(
  cfg: MochiConfig,
  q: tf.Tensor2D,
  queue: tf.Tensor2D,
  queueRows: Float32Array,
  temperature: number,
  path: 'logits' | 'exact',
  draws: MochiDraws | Rng,
  scratch?: HostScratch,
): ExtraLogits {
  return (neg, qs) => {
    if (cfg.s + cfg.sPrime === 0) return [];
    const [B, K] = neg.shape;
    const qq = cfg.sPrime > 0 ? scaledSelfDots(qs, q) : null;
    const plan = planMochi(cfg, hostValues(neg), 1 / temperature, queueRows, B, K, q.shape[1], draws, qq === null ? undefined : hostValues(qq), scratch);
    if (path === 'logits') return [mochiLogitsFast(plan, neg, qq)];
    const { mixed, queryMixed } = mochiSynthetic(plan, q, queue);
    return [ownLogits(qs, mixed), ownLogits(qs, queryMixed)];
  };
}

/**
 * scale·q·q̂ `[B]`: the value of Σ_d qs·q (`qs` = scale·q), differentiable in qs only, q̂ being q
 * detached: ∂/∂qs = dy·q, the gradient TensorFlow.js derives for sum(mul(qs, stopGradient(q)), 1),
 * without the zeros that stopGradient would send into q.
 */
function scaledSelfDots(qs: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor1D {
  const op = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([q]); // kept for the backward pass
    return {
      value: tf.sum(tf.mul(x as tf.Tensor2D, q), 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.reshape(dy, [-1, 1]), saved[0]),
    };
  });
  return op(qs) as tf.Tensor1D;
}
