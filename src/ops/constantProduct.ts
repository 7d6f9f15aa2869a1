/**
 * `a · bᵀ` where `b` is a constant given in both layouts (a memory queue keeps both): the
 * forward pass multiplies by `bT` and the gradient `dy · b` by `b`, so neither pass needs a
 * transposed product. No gradient flows into `b`.
 *
 * Shapes: a `[B, D]`, bT `[D, K]`, b `[K, D]` → `[B, K]`.
 */
import * as tf from '../engine/tf.js';

export function constantProduct(a: tf.Tensor2D, bT: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (bT.shape[0] !== b.shape[1] || bT.shape[1] !== b.shape[0]) {
    throw new Error(`constantProduct: bT [${bT.shape}] is not the transpose of b [${b.shape}]`);
  }
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([b]); // kept for the backward pass even if the caller's tidy disposes b
    return {
      value: tf.matMul(x as tf.Tensor2D, bT),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.matMul(dy as tf.Tensor2D, saved[0] as tf.Tensor2D),
    };
  });
  return f(a) as tf.Tensor2D;
}
