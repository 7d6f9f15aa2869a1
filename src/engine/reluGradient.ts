/**
 * ReLU's gradient as one kernel where the backend has it: dx = dy·step(x) `[…]` (step(x) = 1 for
 * x > 0, 0 otherwise, NaN for NaN). TensorFlow.js computes it as Step, Cast and Multiply, three
 * passes and two temporaries the size of the activation: in a ResNet step over 32×32×64
 * activations at B = 256 that was a tenth of the step. Other backends keep those stock ops, so
 * the gradient is the same number on every backend.
 */
import * as tf from './tf.js';
import { RELU_GRAD } from './native/fusedKernels.js';

/** dy·step(x), fused where the active backend has `HardnegReluGrad`. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) return tf.engine().runKernel(RELU_GRAD, { a: dy, b: x }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** Makes `Relu`'s registered gradient `reluGrad` (TensorFlow.js's formula, fused where possible). */
export function registerReluGradient(): void {
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0]) }),
  });
}
