/**
 * `nonDifferentiable(f, ...inputs)`: `f(...inputs)` computed as one step that autodiff treats as
 * a constant (zero gradient into every input). For decisions taken from values (comparisons,
 * sorting, searching) whose TensorFlow.js ops have no gradient (`Greater`, `TopK`,
 * `SearchSorted`, …): inside `tf.grad`, such an op anywhere between the input and the loss makes
 * the backward pass throw, even when its result only selects or masks. `stopGradient` does not
 * help there (the ops after it are still recorded); here they run unrecorded.
 *
 * Shapes: any tensors in → any tensor out (of any dtype: indices, masks, values).
 */
import * as tf from '../engine/tf.js';

export function nonDifferentiable<T extends tf.Tensor>(f: (...xs: tf.Tensor[]) => T, ...inputs: tf.Tensor[]): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return {
      value: f(...xs),
      gradFunc: () => xs.map((x) => tf.zerosLike(x)),
    };
  });
  return op(...inputs) as T;
}
