/**
 * L2 normalisation along the last axis: `x / max(‖x‖₂, eps)` (as PyTorch's `F.normalize`).
 * Shapes: `[…, D]` → `[…, D]`.
 */
import * as tf from '@tensorflow/tfjs';

export function l2Normalize<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.maximum(norm, eps)) as T;
  });
}
