/**
 * Fix (a): transposed matrix products on wasm.
 *
 * Stock tfjs-wasm multiplies `A·B` at ~46 GFLOP/s on this kind of machine but `A·Bᵀ` and `Aᵀ·B`
 * at 1.8–3.8 GFLOP/s, and every dense layer's backward pass uses the transposed forms. Here a
 * transposed operand is first made contiguous with the (fast) Transpose kernel and the plain
 * product runs on it. Applies to `BatchMatMul` and `_FusedMatMul` (same attributes).
 */
import type * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, replaceKernel, runStock, swapLastTwo } from './kernelCall.js';

function untransposed(name: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return runStock(wasm, name, inputs as Record<string, tf.TensorInfo>, attrs);
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const a2 = transposeA ? swapLastTwo(wasm, a) : a;
    const b2 = transposeB ? swapLastTwo(wasm, b) : b;
    const out = runStock(wasm, name, { ...inputs, a: a2, b: b2 } as Record<string, tf.TensorInfo>, {
      ...attrs,
      transposeA: false,
      transposeB: false,
    });
    if (transposeA) free(wasm, a2);
    if (transposeB) free(wasm, b2);
    return out;
  };
}

export const transposedMatMulFix = {
  name: 'transposed-matmul',
  kernels: ['BatchMatMul', '_FusedMatMul'],
  install(): void {
    for (const name of this.kernels) replaceKernel(name, untransposed(name));
  },
};
