/**
 * Row-wise softmax and log-sum-exp of `x` over the entries where `mask` is 1. Entries outside
 * the mask are set to −∞ and the row goes through the backend's softmax kernel (stable: it
 * shifts by the row max; on wasm, XNNPACK's vectorised softmax is ~3× faster than `exp` alone),
 * so no `Inf · 0` appears however large |x| is. The log-sum-exp is recovered from the softmax
 * as `max(x) − log(max(softmax))` (the largest probability is >= 1/C, so the log is well
 * conditioned). A row with no kept entry gets probabilities 0 and log-sum-exp −∞.
 *
 * Not meant for autodiff: the losses that use it carry their own gradient (`tf.customGrad`).
 *
 * Shapes: x `[R, C]` float32, mask `[R, C]` float32 0/1 → probs `[R, C]`, logSumExp `[R, 1]`.
 */
import * as tf from '../engine/tf.js';

export interface MaskedSoftmax {
  probs: tf.Tensor2D;
  logSumExp: tf.Tensor2D;
}

export function maskedSoftmax(x: tf.Tensor2D, mask: tf.Tensor2D): MaskedSoftmax {
  return tf.tidy(() => {
    const nonEmpty = tf.greater(tf.max(mask, 1, true), 0); // [R, 1]
    // An empty row keeps all its entries (a finite softmax), then its results are replaced.
    const keep = tf.add(mask, tf.cast(tf.logicalNot(nonEmpty), 'float32'));
    // A full-shape fill: where() with a scalar operand tiles it, ~10× slower on wasm. The cast
    // of 0/1 to bool is exact (tfjs-wasm 4.22 casts other floats wrongly, by byte truncation).
    const kept = tf.where(tf.cast(keep, 'bool'), x, tf.fill(x.shape, -Infinity));
    const probs = tf.softmax(kept);
    const logSumExp = tf.sub(tf.max(kept, 1, true), tf.log(tf.max(probs, 1, true)));
    return {
      probs: tf.mul(probs, tf.cast(nonEmpty, 'float32')) as tf.Tensor2D,
      logSumExp: tf.where(nonEmpty, logSumExp, -Infinity) as tf.Tensor2D,
    };
  });
}
