/**
 * The `native` backend: TensorFlow.js's cpu backend registered under another name, with every
 * cpu kernel copied to it and the kernels that dominate training replaced by native ones
 * (OpenBLAS products, contiguous loops). The cpu backend itself is left untouched, so tests can
 * compare each native kernel with the stock cpu kernel on the same inputs.
 */
import * as tf from '../tf.js';
import { registerReluGradient } from '../reluGradient.js';
import { convKernels } from './conv2d.js';
import { elementwiseKernels } from './elementwise.js';
import { fusedKernels } from './fusedKernels.js';
import { gatherKernels } from './gather.js';
import type { CpuBackend } from './kernelCall.js';
import { matMulKernels } from './matMul.js';
import { trackOwnership } from './memory.js';
import { poolingKernels } from './pooling.js';
import { slicingKernels } from './slicing.js';
import { typedKernels } from './typed.js';

export const NATIVE_BACKEND = 'native';

/** Kernel name → native implementation. */
export const nativeKernels: Record<string, tf.KernelFunc> = {
  ...matMulKernels,
  ...convKernels,
  ...poolingKernels,
  ...elementwiseKernels,
  ...typedKernels,
  ...gatherKernels,
  ...slicingKernels,
  ...fusedKernels,
};

let registered = false;

/** Registers the `native` backend (once). Call only after `loadAddon()` has returned the addon. */
export function registerNativeBackend(): void {
  if (registered) return;
  const cpuFactory = tf.findBackendFactory('cpu');
  if (cpuFactory === null) throw new Error('the cpu backend is not registered');
  tf.registerBackend(NATIVE_BACKEND, () => trackOwnership(cpuFactory() as CpuBackend), 0);
  const names = new Set(Object.keys(nativeKernels));
  for (const config of tf.getKernelsForBackend('cpu')) {
    const own = nativeKernels[config.kernelName];
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc: own ?? config.kernelFunc });
    names.delete(config.kernelName);
  }
  for (const name of names) tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND, kernelFunc: nativeKernels[name] });
  registerReluGradient();
  registered = true;
}

/** Names of the kernels that run natively: products, convolutions, pooling, element-wise, reductions, casts, gathers, slices, fused. */
export function nativeKernelNames(): string[] {
  return Object.keys(nativeKernels);
}
