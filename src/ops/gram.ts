/**
 * `gram(x) = x·xᵀ` with its own gradient `(dy + dyᵀ)·x`: one matrix product in the backward
 * pass where autodiff of `matMul(x, x, false, true)` runs two (`dy·x` and `dyᵀ·x`).
 *
 * Shapes: x `[N, D]` → `[N, N]`.
 */
import * as tf from '@tensorflow/tfjs';

export function gram(x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const z = input as tf.Tensor2D;
    (save as tf.GradSaveFunc)([z]);
    return {
      value: tf.matMul(z, z, false, true),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.matMul(tf.add(dy, tf.transpose(dy)) as tf.Tensor2D, saved as tf.Tensor2D),
    };
  });
  return f(x) as tf.Tensor2D;
}
