/**
 * The bias and activation that `_FusedMatMul` and `FusedConv2D` apply to their product, in place
 * on the product's fresh array where they can be (a bias along the last axis or a scalar, relu:
 * the addon's loops), anything else through the stock cpu kernels.
 */
import type * as tf from '../tf.js';
import { opcode, requireAddon } from './addon.js';
import { Mode } from './elementwise.js';
import { floatValues, runCpu, sizeOf, type CpuBackend } from './kernelCall.js';

const CPU_ACTIVATIONS: Record<string, string> = { elu: 'Elu', relu6: 'Relu6', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu' };

export interface Epilogue {
  bias?: tf.TensorInfo;
  activation?: string;
  preluActivationWeights?: tf.TensorInfo;
  leakyreluAlpha?: number;
}

/** Applies bias then activation to `out` (a kernel's own new output); returns the result (`out` or a replacement). */
export function applyEpilogue(backend: CpuBackend, out: tf.TensorInfo, { bias, activation = 'linear', preluActivationWeights, leakyreluAlpha }: Epilogue): tf.TensorInfo {
  let result = out;
  const N = out.shape[out.shape.length - 1];
  if (bias !== undefined) {
    const size = sizeOf(bias.shape);
    const biasValues = floatValues(backend, bias);
    const values = floatValues(backend, result)!;
    if (biasValues !== undefined && (size === 1 || (size === N && bias.shape[bias.shape.length - 1] === N && bias.shape.length <= out.shape.length))) {
      const rows = N === 0 ? 0 : values.length / N;
      requireAddon().binary(opcode('binary', 'Add'), values, Mode.Full, biasValues.subarray(0, size), size === 1 ? Mode.Scalar : Mode.Row, values, rows, N);
    } else {
      const sum = runCpu('Add', { inputs: { a: result, b: bias }, backend });
      backend.disposeIntermediateTensorInfo(result);
      result = sum;
    }
  }
  if (activation === 'relu') {
    const values = floatValues(backend, result);
    if (values !== undefined) {
      requireAddon().unary(opcode('unary', 'Relu'), values, values, 0);
      return result;
    }
  }
  if (activation === 'linear') return result;
  const name = activation === 'relu' ? 'Relu' : CPU_ACTIVATIONS[activation];
  if (name === undefined) throw new Error(`fused kernel: activation '${activation}' is not supported`);
  const activated = runCpu(name, {
    inputs: name === 'Prelu' ? { x: result, alpha: preluActivationWeights! } : { x: result },
    backend,
    attrs: name === 'LeakyRelu' ? { alpha: leakyreluAlpha } : {},
  });
  backend.disposeIntermediateTensorInfo(result);
  return activated;
}
