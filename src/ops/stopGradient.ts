/**
 * `stopGradient(x)`: the value of `x`, treated as a constant by autodiff (TensorFlow.js has no
 * such op). Used for MoCo keys, queues and MoCHi's mixtures, which carry no gradient.
 */
import * as tf from '../engine/tf.js';

const detach = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
