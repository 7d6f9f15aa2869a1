/**
 * Memory of the native backend: output arrays are recycled, and a tensor may be updated in place
 * when nothing else can see its array.
 *
 * Allocating a fresh Float32Array per kernel output costs about as much as the element-wise work
 * itself (zeroing, page faults, garbage collection), so native kernels take their outputs from a
 * pool, and a disposed output goes back to it. This is only safe for an array that no one else
 * can still see, so the pool tracks ownership per buffer:
 * - an array is *owned* when a native kernel allocated it; it is attached to one tensor's data;
 * - it stops being owned (for good) when it escapes: read by `dataSync`/`data` (the cpu backend
 *   hands out its live array), or attached to a second piece of data (the cpu backend's `Slice`,
 *   `SplitV`, `Unpack`, `StridedSlice` return subarray views, `Complex` shares its inputs);
 * - when the data of an owned, unescaped array is disposed, the array returns to the pool.
 * Data shared by `tf.clone`/reshape is one dataId with a reference count, so it is disposed once.
 * `exclusiveValues` applies the same rule for in-place updates.
 */
import * as tf from '../tf.js';
import type { CpuBackend } from './kernelCall.js';

/** Per buffer: the number of pieces of data that hold it (owned buffers only). */
const owned = new WeakMap<ArrayBufferLike, number>();
const pool = new Map<number, Float32Array[]>();
let pooledBytes = 0;
/**
 * The most bytes the pool holds; `initEngine` sets it to a quarter of the machine's memory (8 GiB
 * at most) with `setPoolLimit` when it picks the native backend. The pool only ever holds arrays
 * that a step had live, so a training step's memory peak does not grow with the limit, while the
 * next step reuses them instead of faulting in fresh pages. A 32×32×3 ResNet MoCo step
 * ([64,128,256], 2 blocks per stage, B = 256) turns over ~4 GB of activations: with a 1 GiB pool it
 * took 3.6M page faults in 4 steps and twice the system time of a 4 GiB pool (1.1M faults, nearly
 * all in the first step), at the same peak RSS (4.2 GB).
 */
let maxPooledBytes = 2 ** 30;
const MAX_PER_LENGTH = 64;

/** Sets the most bytes the pool may hold. */
export function setPoolLimit(bytes: number): void {
  maxPooledBytes = bytes;
}

/** A float32 array of length n for a kernel's output (contents undefined: write all of it). */
export function allocate(n: number): Float32Array {
  const free = pool.get(n);
  const recycled = free?.pop();
  if (recycled !== undefined) {
    pooledBytes -= recycled.byteLength;
    owned.set(recycled.buffer, 0);
    return recycled;
  }
  const fresh = new Float32Array(n);
  owned.set(fresh.buffer, 0);
  return fresh;
}

/** Returns a scratch array from `allocate` that was never attached to a tensor to the pool. */
export function recycle(values: Float32Array): void {
  if (owned.get(values.buffer) !== 0) return;
  owned.set(values.buffer, 1);
  release(values);
}

function disown(values: unknown): void {
  if (ArrayBuffer.isView(values)) owned.delete(values.buffer);
}

function attach(values: unknown): void {
  if (!ArrayBuffer.isView(values)) return;
  const count = owned.get(values.buffer);
  if (count === undefined) return;
  if (count === 0 && values instanceof Float32Array && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength) {
    owned.set(values.buffer, 1);
  } else {
    owned.delete(values.buffer); // shared with other data, or a view: never recycled or written in place
  }
}

function release(values: unknown): void {
  if (!(values instanceof Float32Array) || owned.get(values.buffer) !== 1) return;
  owned.delete(values.buffer);
  const list = pool.get(values.length) ?? [];
  if (list.length >= MAX_PER_LENGTH || pooledBytes + values.byteLength > maxPooledBytes) return;
  list.push(values);
  pool.set(values.length, list);
  pooledBytes += values.byteLength;
  owned.set(values.buffer, -1); // pooled: neither attached nor free to be attached until allocated
}

/** Wraps a fresh cpu backend instance so that its data follows the ownership rules above. */
export function trackOwnership(backend: CpuBackend): CpuBackend {
  const write = backend.write.bind(backend);
  const move = backend.move.bind(backend);
  const readSync = backend.readSync.bind(backend);
  const disposeData = backend.disposeData.bind(backend);
  backend.write = (values, shape, dtype) => {
    attach(values);
    return write(values, shape, dtype);
  };
  backend.move = (dataId, values, shape, dtype, refCount) => {
    disown(values);
    move(dataId, values, shape, dtype, refCount);
  };
  backend.readSync = (dataId) => {
    const values = readSync(dataId);
    disown(values);
    return values;
  };
  backend.read = async (dataId) => backend.readSync(dataId);
  // Kernels read their inputs through bufferSync and do not keep them: no escape.
  const bufferSync = backend.bufferSync.bind(backend);
  backend.bufferSync = ((t: tf.TensorInfo) =>
    t.dtype === 'string' ? bufferSync(t) : tf.buffer<tf.Rank, tf.DataType>(t.shape as tf.ShapeMap[tf.Rank], t.dtype, readSync(t.dataId) as tf.TypedArray)) as typeof backend.bufferSync;
  backend.disposeData = (dataId, force) => {
    const values = backend.data.has(dataId) ? backend.data.get(dataId)!.values : undefined;
    const freed = disposeData(dataId, force);
    if (freed && values !== undefined && !backend.data.has(dataId)) release(values);
    return freed;
  };
  return backend;
}

/**
 * The array of `t` if it may be written in place: on the native backend, float32, one reference
 * to its data, and an owned array that never escaped. Otherwise undefined.
 */
export function exclusiveValues(backend: CpuBackend, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32' || !backend.data.has(t.dataId)) return undefined;
  const entry = backend.data.get(t.dataId)!;
  const values = entry.values;
  if (entry.refCount !== 1 || !(values instanceof Float32Array) || owned.get(values.buffer) !== 1) return undefined;
  return values;
}

/** Pooled arrays and their bytes (for tests and benchmarks). */
export function poolStats(): { arrays: number; bytes: number } {
  let arrays = 0;
  for (const list of pool.values()) arrays += list.length;
  return { arrays, bytes: pooledBytes };
}
