/**
 * Fix (e), casts: stock tfjs-wasm casts float32 and int32 to bool by truncating each value, so
 * `cast([0.5, -0.3, 2], 'bool')` gives `[0, 0, 2]` where TensorFlow (and the cpu backend) give
 * `x ≠ 0`: `[true, true, true]`, NaN included. Casts to bool are computed as x ≠ 0 here; every
 * other cast is the stock kernel.
 *
 * Shapes: x `[…]` → out `[…]`, dtype bool.
 */
import type * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceKernel, runStock } from './kernelCall.js';

const cast: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x } = inputs as { x: tf.TensorInfo };
  const { dtype } = attrs as { dtype: tf.DataType };
  if (dtype !== 'bool' || x.dtype === 'bool') return runStock(wasm, 'Cast', { x }, attrs);
  const out = wasm.makeOutput(x.shape, 'bool');
  // Views taken after makeOutput, which may grow (and so detach) the heap.
  const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = wasm.typedArrayFromHeap(out) as Uint8Array;
  for (let i = 0; i < dst.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  return out;
};

export const castToBoolFix = {
  name: 'cast-to-bool',
  kernels: ['Cast'],
  install(): void {
    replaceKernel('Cast', cast);
  },
};
