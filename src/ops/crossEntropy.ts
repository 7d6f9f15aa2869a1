/**
 * Softmax cross-entropy with integer targets and its own gradient.
 *
 * `mean_b( logsumexp(logits[b]) − logits[b, targets[b]] )`, gradient `(softmax − onehot) / B`.
 * The composed form (`logSumExp` then its autodiff) spends most of a MoCo step's loss time on
 * the gradient of `max` (an `Equal` over [B, C]); this op computes softmax once in the forward
 * pass and reuses it, which is also the numerically stable form.
 *
 * Shapes: logits `[B, C]` float32, targets `[B]` int32 in [0, C) (or one number for all rows)
 * → scalar.
 */
import * as tf from '../engine/tf.js';

export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D | number): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [B, C], got shape [${logits.shape}]`);
  const [B, C] = logits.shape;
  if (typeof targets === 'number') {
    if (!(Number.isInteger(targets) && targets >= 0 && targets < C)) {
      throw new Error(`crossEntropy: target must be an integer in [0, ${C}), got ${targets}`);
    }
  } else if (targets.rank !== 1 || targets.shape[0] !== B || targets.dtype !== 'int32') {
    throw new Error(`crossEntropy: targets must be int32 [${B}], got ${targets.dtype} [${targets.shape}]`);
  }
  // tf.oneHot needs depth >= 2; with one class every target is 0 and the one-hot is all ones.
  const onehot = (): tf.Tensor =>
    C === 1 ? tf.ones([B, 1]) : tf.cast(tf.oneHot(typeof targets === 'number' ? (tf.fill([B], targets, 'int32') as tf.Tensor1D) : targets, C), 'float32');

  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const z = x as tf.Tensor2D;
    const shifted = tf.sub(z, tf.max(z, 1, true));
    const expd = tf.exp(shifted);
    const total = tf.sum(expd, 1, true);
    const probs = tf.div(expd, total);
    const hot = onehot();
    const picked = tf.sum(tf.mul(shifted, hot), 1, true);
    const value = tf.mean(tf.sub(tf.log(total), picked));
    (save as tf.GradSaveFunc)([probs, hot]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.sub(saved[0], saved[1]), tf.div(dy, B)),
    };
  });
  return f(logits) as tf.Scalar;
}
