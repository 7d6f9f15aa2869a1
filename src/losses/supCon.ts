/**
 * Supervised contrastive loss, L_out (Khosla et al. 2020). The B·V views are the anchors, each
 * view carrying its sample's label; for anchor i, P(i) = the other anchors with its label and
 * A(i) = all anchors but i:
 *
 *   ℓ_i = −(τ/τ_base) · (1/|P(i)|) Σ_{p∈P(i)} log( e^{z_i·z_p/τ} / Σ_{a∈A(i)} e^{z_i·z_a/τ} )
 *   loss = mean of ℓ_i over the anchors with |P(i)| > 0
 *
 * Anchors with no positive (a class of one in a single-view batch) are left out of the mean,
 * never NaN; if no anchor has a positive, the loss is 0 and so is its gradient. SupContrast's
 * `losses.py` (the authors' code) instead counts such anchors as 0 in the mean, so its loss is
 * ours times (anchors with a positive) / (all anchors); with two or more views every anchor has
 * a positive and the two agree.
 *
 * Inputs are L2-normalised inside (`normalize: false` opts out). The loss carries its own
 * gradient with respect to the logits `z·zᵀ/τ` (softmax over A(i) minus 1/|P(i)| on P(i)), which
 * avoids autodiff of a max and keeps large |z·z/τ| finite.
 *
 * Shapes: features `[B, V, D]` or `[B, D]` (V = 1), labels `[B]` int32 → scalar.
 */
import * as tf from '../engine/tf.js';
import { gram } from '../ops/gram.js';
import { labelMasks } from '../ops/labelMasks.js';
import { maskedSoftmax } from '../ops/maskedSoftmax.js';
import { checkPositive } from '../ops/validate.js';
import { checkSupervisedInput, supervisedBatch } from './supervisedBatch.js';

export interface SupConOptions {
  /** τ; default 0.07 (SupContrast's default; 0.1 is the other usual setting, see docs/algorithms.md). */
  temperature?: number;
  /** τ_base of the τ/τ_base factor; SupContrast's default is 0.07. */
  baseTemperature?: number;
  /** L2-normalise the features first (default true). */
  normalize?: boolean;
}

export function supCon(features: tf.Tensor3D | tf.Tensor2D, labels: tf.Tensor1D, options: SupConOptions = {}): tf.Scalar {
  const fn = 'supCon';
  const { temperature = 0.07, baseTemperature = 0.07, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  checkPositive(fn, 'baseTemperature', baseTemperature);
  checkSupervisedInput(fn, features, labels);
  return tf.tidy(() => {
    const { anchors, anchorLabels } = supervisedBatch(features, labels, normalize);
    return supConOnAnchors(anchors, anchorLabels, temperature, temperature / baseTemperature);
  });
}

/**
 * L_out on prepared anchors `z` `[M, D]` (already normalised if wanted) with labels `[M]`,
 * times `scale` (τ/τ_base for SupCon, 1 for NT-Xent).
 */
export function supConOnAnchors(z: tf.Tensor2D, anchorLabels: tf.Tensor1D, temperature: number, scale: number): tf.Scalar {
  return tf.tidy(() => {
    const { positive, other } = labelMasks(anchorLabels);
    return supConFromLogits(gram(z, 1 / temperature), positive, other, scale);
  });
}

/** The loss as a function of the logits `[M, M]`, with its own gradient. */
function supConFromLogits(logits: tf.Tensor2D, positive: tf.Tensor2D, other: tf.Tensor2D, scale: number): tf.Scalar {
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const s = x as tf.Tensor2D;
    const { probs, logSumExp } = maskedSoftmax(s, other);
    const count = tf.sum(positive, 1, true); // |P(i)|, [M, 1]
    const valid = tf.greater(count, 0);
    const validF = tf.cast(valid, 'float32');
    const target = tf.div(positive, tf.maximum(count, 1)); // 1/|P(i)| on P(i)
    const perAnchor = tf.sub(logSumExp, tf.sum(tf.mul(s, target), 1, true)); // ℓ_i / scale
    const rowWeight = tf.div(tf.mul(validF, scale), tf.maximum(tf.sum(validF), 1)); // [M, 1]
    // where(): an anchor with no other anchor at all (M = 1) has ℓ = −∞ and weight 0.
    const value = tf.sum(tf.where(valid, tf.mul(perAnchor, rowWeight), 0));
    (save as tf.GradSaveFunc)([probs, target, rowWeight]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, t, w] = saved;
        return tf.mul(tf.sub(p, t), tf.mul(w, dy));
      },
    };
  });
  return f(logits) as tf.Scalar;
}
