/**
 * NT-Xent, the SimCLR loss (Chen et al. 2020). The 2B views `z1 ∪ z2` are the anchors; the
 * positive of view i is the other view of the same sample, i⁺, and every other view but i itself
 * is in the denominator:
 *
 *   ℓ_i = −log( e^{z_i·z_{i⁺}/τ} / Σ_{k≠i} e^{z_i·z_k/τ} ),   loss = mean over the 2B anchors
 *
 * This is SupCon's L_out with each pair its own class and no τ/τ_base factor, and it is computed
 * by the same masked log-sum-exp (self-similarity masked out, large |z·z/τ| stays finite).
 * Inputs are L2-normalised inside (`normalize: false` opts out).
 *
 * Shapes: z1 `[B, D]`, z2 `[B, D]` (row b of each: two views of sample b) → scalar.
 */
import * as tf from '../engine/tf.js';
import { l2Normalize } from '../ops/normalize.js';
import { checkFinite, checkPositive, checkShape } from '../ops/validate.js';
import { supConOnAnchors } from './supCon.js';

export interface NTXentOptions {
  /** τ; SimCLR uses 0.5 on CIFAR-10 and 0.1 on ImageNet (batch 4096). */
  temperature: number;
  /** L2-normalise the inputs first (default true). */
  normalize?: boolean;
}

export function ntXent(z1: tf.Tensor2D, z2: tf.Tensor2D, options: NTXentOptions): tf.Scalar {
  const fn = 'ntXent';
  const { temperature, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  checkShape(fn, 'z1', z1, [-1, -1]);
  checkShape(fn, 'z2', z2, [z1.shape[0], z1.shape[1]]);
  checkFinite(fn, 'z1', z1);
  checkFinite(fn, 'z2', z2);
  return tf.tidy(() => {
    const views = tf.concat([z1, z2], 0) as tf.Tensor2D;
    const z = normalize ? l2Normalize(views) : views;
    const sample = tf.range(0, z1.shape[0], 1, 'int32');
    return supConOnAnchors(z, tf.concat([sample, sample]) as tf.Tensor1D, temperature, 1);
  });
}
