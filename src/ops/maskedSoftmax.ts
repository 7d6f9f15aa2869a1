/**
 * Row-wise softmax and log-sum-exp of `x` over the entries where `mask` is true, in the stable
 * form: every row is shifted by its largest kept entry, and entries outside the mask are set to
 * −∞ before `exp` (never multiplied by 0 afterwards), so no `Inf · 0` appears however large
 * |x| is. A row with no kept entry gets probabilities 0 and log-sum-exp −∞.
 *
 * Not meant for autodiff: the losses that use it carry their own gradient (`tf.customGrad`).
 *
 * Shapes: x `[R, C]` float32, mask `[R, C]` bool → probs `[R, C]`, logSumExp `[R, 1]`.
 */
import * as tf from '@tensorflow/tfjs';

export interface MaskedSoftmax {
  probs: tf.Tensor2D;
  logSumExp: tf.Tensor2D;
}

export function maskedSoftmax(x: tf.Tensor2D, mask: tf.Tensor2D): MaskedSoftmax {
  return tf.tidy(() => {
    const kept = tf.where(mask, x, -Infinity);
    const rowMax = tf.max(kept, 1, true);
    const shift = tf.where(tf.isFinite(rowMax), rowMax, 0);
    const expd = tf.exp(tf.sub(kept, shift));
    // A row with a kept entry sums to >= 1 (its largest entry contributes e^0), so dividing by
    // max(total, 1) is exact there and gives 0 (not 0/0) on an empty row.
    const total = tf.sum(expd, 1, true);
    return {
      probs: tf.div(expd, tf.maximum(total, 1)) as tf.Tensor2D,
      logSumExp: tf.add(shift, tf.log(total)) as tf.Tensor2D,
    };
  });
}
