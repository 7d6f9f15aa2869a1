/**
 * Host values of a computed tensor: runs `f` in a `tf.tidy` scope, reads its result and disposes
 * it, so nothing leaks. Returning a typed array from `tf.tidy` itself is a trap: TensorFlow.js
 * walks the returned value for tensors element by element (slow, and a RangeError past 2²⁴
 * values), and `tf.tidy(f).dataSync()` leaks the result.
 */
import * as tf from '../engine/tf.js';

export function readValues(f: () => tf.Tensor): Float32Array;
export function readValues(f: () => tf.Tensor, dtype: 'int32'): Int32Array;
export function readValues(f: () => tf.Tensor, dtype: 'float32' | 'int32' = 'float32'): Float32Array | Int32Array {
  const t = tf.tidy(f);
  try {
    if (t.dtype !== dtype) throw new Error(`readValues: expected a ${dtype} tensor, got ${t.dtype}`);
    return t.dataSync() as Float32Array | Int32Array;
  } finally {
    t.dispose();
  }
}

/** The single value of a computed scalar (see `readValues`). */
export function readScalar(f: () => tf.Tensor): number {
  return readValues(f)[0];
}
