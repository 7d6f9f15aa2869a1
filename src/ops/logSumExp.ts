/**
 * Row-wise log-sum-exp with its own gradient, for sums over a chosen subset of each row:
 *
 *   lse_r = log Σ_c e^{x_rc},   ∂lse_r/∂x_rc = softmax(x_r)_c
 *
 * Computed from the backend's softmax as `max(x_r) − log(max(softmax(x_r)))` (the largest share
 * is >= 1/C, so the log is well conditioned; see `contrastiveCrossEntropy`), which avoids the
 * `Equal` over [R, C] that autodiff of `max` runs. To leave entries out, add `EXCLUDED` to them:
 * their share, and so their gradient, is then exactly 0. Each row needs one entry kept.
 *
 * Shapes: x `[R, C]` → `[R, 1]`.
 */
import * as tf from '../engine/tf.js';

/** Added to a logit to leave it out of `rowLogSumExp` (e^{−1e9} is 0 in float32, and finite arithmetic stays finite). */
export const EXCLUDED = -1e9;

export function rowLogSumExp(x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const z = input as tf.Tensor2D;
    const probs = tf.softmax(z);
    const value = tf.sub(tf.max(z, 1, true), tf.log(tf.max(probs, 1, true)));
    (save as tf.GradSaveFunc)([probs]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], dy),
    };
  });
  return f(x) as tf.Tensor2D;
}
