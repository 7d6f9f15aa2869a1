/**
 * In-place updates of float32 tensors on the native backend, for the updates a training step
 * makes to long-lived weights (EMA copies, optimizer slots). Each returns false, changing
 * nothing, unless the native backend is active and owns the target's array exclusively (see
 * `memory.ts`: one reference, never read out, not shared with a clone or a view); the caller
 * then makes the same update with ordinary ops.
 */
import * as tf from '../tf.js';
import { requireAddon } from './addon.js';
import { floatValues, type CpuBackend } from './kernelCall.js';
import { exclusiveValues } from './memory.js';
import { NATIVE_BACKEND } from './nativeBackend.js';

function nativeBackend(): CpuBackend | undefined {
  return tf.getBackend() === NATIVE_BACKEND ? (tf.backend() as CpuBackend) : undefined;
}

/** y ← a·y + b·x (same size). */
export function axpbyInPlace(y: tf.Tensor, a: number, x: tf.Tensor, b: number): boolean {
  const backend = nativeBackend();
  if (backend === undefined || x.size !== y.size) return false;
  const target = exclusiveValues(backend, y);
  const source = floatValues(backend, x);
  if (target === undefined || source === undefined) return false;
  requireAddon().axpby(target, a, source, b);
  return true;
}

/** One variable's momentum step: weights w, velocity v, gradient g (same size). */
export interface MomentumUpdate {
  w: tf.Tensor;
  v: tf.Tensor;
  g: tf.Tensor;
}

/**
 * SGD with momentum for every update, or for none: v ← m·v + g; w ← w − lr·v (nesterov:
 * w ← w − lr·(g + m·v)). All targets are checked before any is written.
 */
export function momentumInPlace(updates: MomentumUpdate[], lr: number, m: number, nesterov: boolean): boolean {
  const backend = nativeBackend();
  if (backend === undefined) return false;
  const arrays: [Float32Array, Float32Array, Float32Array][] = [];
  for (const { w, v, g } of updates) {
    const [wv, vv, gv] = [exclusiveValues(backend, w), exclusiveValues(backend, v), floatValues(backend, g)];
    if (wv === undefined || vv === undefined || gv === undefined || wv === vv || wv.length !== vv.length || wv.length !== gv.length) return false;
    arrays.push([wv, vv, gv]);
  }
  const addon = requireAddon();
  for (const [wv, vv, gv] of arrays) addon.momentum(wv, vv, gv, lr, m, nesterov);
  return true;
}
