/**
 * DCL / DCLW: decoupled contrastive learning (Yeh et al., ECCV 2022). NT-Xent with the positive
 * removed from the denominator. For view `i` of the 2B views, with positive `i⁺` and the other
 * 2B − 2 views `k` as negatives:
 *
 *   ℓ_i = −w_i·z_i·z_i⁺/τ + log Σ_{k ≠ i, i⁺} e^{z_i·z_k/τ}
 *   loss = mean_{i ∈ view 1} ℓ_i + mean_{i ∈ view 2} ℓ_i      (ℓ(z1→z2) + ℓ(z2→z1))
 *
 * DCL: w_i = 1. DCLW (`sigma` set): w_i = 2 − B·softmax_i(z1_i·z2_i/σ), the softmax over the
 * batch's B positive-pair similarities (mean weight 1; easy positives weigh less), the same
 * weight in both directions.
 *
 * Two conventions exist in public code; both are here:
 * - default (the DCL authors' code, which computes one direction and whose training loop adds
 *   `loss(z1, z2) + loss(z2, z1)`): the directions are summed and the gradient flows through w;
 * - `detachWeights: true` (lightly's `DCLLoss`/`DCLWLoss`): w is a constant and the two
 *   directions are averaged, so the value is half the default's (with or without `sigma`).
 * Defaults: τ = 0.1 and σ = 0.5 (both codes).
 *
 * Shapes: z1, z2 `[B, D]` (the two views, B >= 2) → scalar.
 */
import * as tf from '../engine/tf.js';
import { rowLogSumExp } from '../ops/logSumExp.js';
import { l2Normalize } from '../ops/normalize.js';
import { stopGradient } from '../ops/stopGradient.js';
import { twoViewLogits } from '../ops/twoViewLogits.js';
import { ArgumentError, checkFinite, checkPositive, checkShape } from '../ops/validate.js';

export interface DCLOptions {
  /** τ (default 0.1). */
  temperature?: number;
  /** σ of the DCLW weighting (the paper and both codes use 0.5); unset: DCL, w = 1. */
  sigma?: number;
  /** lightly's convention: no gradient through w, mean (not sum) of the two directions (default false). */
  detachWeights?: boolean;
  /** L2-normalise the inputs first (default true). */
  normalize?: boolean;
}

export function dcl(z1: tf.Tensor2D, z2: tf.Tensor2D, options: DCLOptions = {}): tf.Scalar {
  const fn = 'dcl';
  const { temperature = 0.1, sigma, detachWeights = false, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  if (sigma !== undefined) checkPositive(fn, 'sigma', sigma);
  checkShape(fn, 'z1', z1, [-1, -1]);
  checkShape(fn, 'z2', z2, [z1.shape[0], z1.shape[1]]);
  if (z1.shape[0] < 2) throw new ArgumentError(`${fn}: z1 must have at least 2 rows (2B − 2 negatives per view), got ${z1.shape[0]}`);
  checkFinite(fn, 'z1', z1);
  checkFinite(fn, 'z2', z2);

  return tf.tidy(() => {
    const a = normalize ? l2Normalize(z1) : z1;
    const b = normalize ? l2Normalize(z2) : z2;
    const { logits, positive, negativesOnly } = twoViewLogits(a, b, temperature);
    let attraction: tf.Tensor = positive; // [2B, 1]
    if (sigma !== undefined) {
      const B = z1.shape[0];
      const similarity = tf.reshape(tf.div(tf.sum(tf.mul(a, b), 1), sigma), [1, B]);
      const w = tf.sub(2, tf.mul(tf.softmax(similarity), B)); // [1, B]
      const weight = tf.reshape(tf.concat([w, w], 1), [2 * B, 1]);
      attraction = tf.mul(detachWeights ? stopGradient(weight) : weight, positive);
    }
    const repulsion = rowLogSumExp(tf.add(logits, negativesOnly) as tf.Tensor2D);
    const perView = tf.mean(tf.sub(repulsion, attraction)); // mean over all 2B views
    return (detachWeights ? perView : tf.mul(perView, 2)) as tf.Scalar;
  });
}
