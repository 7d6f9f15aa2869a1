/**
 * Calling other kernels from inside a kernel on the wasm backend.
 *
 * A kernel function receives `TensorInfo`s, not tensors, and must not create tensors through
 * `tf.*` ops. The fixes in this folder are compositions of stock wasm kernels, so they call the
 * original kernel functions directly and free every intermediate with `backend.disposeData`.
 */
import * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Attrs = Record<string, unknown>;
/** Named inputs, or a list for the variadic kernels (Pack, Concat). */
type Inputs = Record<string, tf.TensorInfo> | tf.TensorInfo[];

/** Kernel functions captured before any fix replaced them, so a fix can call the stock one. */
const stock = new Map<string, tf.KernelFunc>();

/** Remember the stock wasm kernel `name` (idempotent). */
export function captureStock(name: string): void {
  if (stock.has(name)) return;
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`wasm backend has no kernel '${name}' to wrap`);
  stock.set(name, config.kernelFunc);
}

/** Runs the stock wasm kernel `name` and returns its single output. */
export function runStock(backend: BackendWasm, name: string, inputs: Inputs, attrs: Attrs = {}): tf.TensorInfo {
  const fn = stock.get(name) ?? tf.getKernel(name, 'wasm')?.kernelFunc;
  if (fn === undefined) throw new Error(`wasm backend has no kernel '${name}'`);
  const out = fn({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees intermediates made inside a kernel. */
export function free(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A view of `x` with another shape (shares memory, as the stock Reshape does). */
export function reshape(backend: BackendWasm, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return runStock(backend, 'Reshape', { x }, { shape });
}

/** Swaps the last two axes of `x` into a new, contiguous tensor. */
export function swapLastTwo(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return runStock(backend, 'Transpose', { x }, { perm });
}

/** A new int32 or float32 tensor in the wasm heap holding `values`. */
export function makeTensor(
  backend: BackendWasm,
  shape: number[],
  values: Int32Array | Float32Array,
): tf.TensorInfo {
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  const out = backend.makeOutput(shape, dtype);
  (backend.typedArrayFromHeap(out) as Int32Array | Float32Array).set(values);
  return out;
}

/**
 * Re-registers kernel `name` on wasm with `kernelFunc`. The stock kernel stays callable through
 * `runStock`, and its setup function (which binds the wasm exports) is kept, so the replacement
 * works whether it is installed before or after the backend is initialised.
 */
export function replaceKernel(name: string, kernelFunc: tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (current !== undefined) {
    captureStock(name);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: current?.setupFunc });
}

/** Puts back the stock kernel `name` (or removes `name` if wasm never had it). */
export function restoreKernel(name: string): void {
  if (tf.getKernel(name, 'wasm') !== undefined) {
    const setupFunc = tf.getKernel(name, 'wasm')?.setupFunc;
    tf.unregisterKernel(name, 'wasm');
    const original = stock.get(name);
    if (original !== undefined) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: original, setupFunc });
  }
}
