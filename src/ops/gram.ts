/**
 * `gram(z, scale)`: the scaled Gram matrix `scale · z·zᵀ` with its own gradient
 * `scale · (dy + dyᵀ)·z`, one matrix product where autodiff of `matMul(z, z, false, true)` runs
 * two (one of them transposed). Used for the similarity logits `z·zᵀ/τ` of in-batch losses.
 *
 * Shapes: z `[M, D]` → `[M, M]`.
 */
import * as tf from '../engine/tf.js';

export function gram(z: tf.Tensor2D, scale = 1): tf.Tensor2D {
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const scaled = tf.mul(x as tf.Tensor2D, scale) as tf.Tensor2D;
    (save as tf.GradSaveFunc)([scaled]);
    return {
      value: tf.matMul(scaled, x as tf.Tensor2D, false, true),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(tf.add(dy, tf.transpose(dy)) as tf.Tensor2D, saved[0] as tf.Tensor2D),
    };
  });
  return f(z) as tf.Tensor2D;
}
