/**
 * Writing kernels for the `native` backend, which is TensorFlow.js's cpu backend (its tensors are
 * plain typed arrays) under another name. A native kernel reads its inputs' arrays, computes
 * into a new array (through the addon or a contiguous loop) and returns it as a tensor; for the
 * cases it does not cover (other dtypes, rare attributes) it calls the stock cpu kernel.
 */
import * as tf from '../tf.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export type CpuBackend = MathBackendCPU;
export type KernelArgs = Parameters<tf.KernelFunc>[0];
type Inputs = tf.NamedTensorInfoMap | tf.TensorInfo[];

/**
 * The values of a float32 tensor as a Float32Array (shared, not copied: never write into an
 * input), or undefined when they are stored otherwise (a bool or int tensor cast to float32
 * keeps its Uint8Array/Int32Array on the cpu backend): the caller then runs the stock kernel.
 */
export function floatValues(backend: CpuBackend, t: tf.TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : undefined;
}

/** A new float32 tensor owning `values`. */
export function output(backend: CpuBackend, shape: number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

const fallbacks = new Map<string, number>();

/**
 * Stock cpu kernels that native kernels handed a call to since the last reset (name → calls),
 * cheap ones excepted: the coverage test (test/engine/native/coverage.test.ts) fails on any.
 */
export function stockFallbacks(): Map<string, number> {
  return new Map(fallbacks);
}

export function resetStockFallbacks(): void {
  fallbacks.clear();
}

/**
 * Runs the stock cpu kernel `name` on the native backend (as if it had not been replaced), for
 * the cases a native kernel does not cover; counted in `stockFallbacks` unless `cheap` (a stock
 * kernel that returns a view of its input, e.g. a contiguous Slice, or is one typed-array conversion).
 */
export function runCpu(name: string, args: { inputs: Inputs; backend: CpuBackend; attrs?: Record<string, unknown> }, cheap = false): tf.TensorInfo {
  if (!cheap) fallbacks.set(name, (fallbacks.get(name) ?? 0) + 1);
  const config = tf.getKernel(name, 'cpu');
  if (config === undefined) throw new Error(`the cpu backend has no kernel '${name}'`);
  const out = config.kernelFunc({ inputs: args.inputs as tf.NamedTensorInfoMap, backend: args.backend, attrs: (args.attrs ?? {}) as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

export const sizeOf = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
