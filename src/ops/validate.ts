/**
 * Argument checks shared by the losses and hard-negative operations. Each throws one line that
 * names the function, the argument, what was expected and what was given.
 */
import * as tf from '../engine/tf.js';

export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

/** A tensor argument holds NaN or ±Inf (in training: the model diverged; `optim/guardedStep.ts` reports it so). */
export class NonFiniteInputError extends ArgumentError {}

/** `x` has rank `rank`; dims given as numbers must match (−1 or undefined: any). */
export function checkShape(fn: string, arg: string, x: tf.Tensor, dims: (number | undefined)[]): void {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`${fn}: ${arg} must be a tensor, got ${typeof x}`);
  const ok = x.rank === dims.length && dims.every((d, i) => d === undefined || d < 0 || x.shape[i] === d);
  if (!ok) {
    const want = dims.map((d) => (d === undefined || d < 0 ? '*' : d)).join(', ');
    throw new ArgumentError(`${fn}: ${arg} must have shape [${want}], got [${x.shape.join(', ')}]`);
  }
}

/** `x` is float32 with no NaN or ±Inf (one reduction; a sum is non-finite iff some element is, short of overflow). */
export function checkFinite(fn: string, arg: string, x: tf.Tensor): void {
  if (x.dtype !== 'float32') throw new ArgumentError(`${fn}: ${arg} must be float32, got ${x.dtype}`);
  const sum = tf.sum(x);
  const total = sum.dataSync()[0];
  sum.dispose();
  if (!Number.isFinite(total)) throw new NonFiniteInputError(`${fn}: ${arg} contains NaN or Inf`);
}

/** A finite number > 0. */
export function checkPositive(fn: string, arg: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`${fn}: ${arg} must be a number > 0, got ${value}`);
  }
}

/** A finite number in [lo, hi]. */
export function checkRange(fn: string, arg: string, value: number, lo: number, hi: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new ArgumentError(`${fn}: ${arg} must be a number in [${lo}, ${hi}], got ${value}`);
  }
}

/** An integer in [lo, hi]. */
export function checkInt(fn: string, arg: string, value: number, lo: number, hi = Infinity): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}]`;
    throw new ArgumentError(`${fn}: ${arg} must be an integer ${range}, got ${value}`);
  }
}

/** Labels: int32 `[n]`. */
export function checkLabels(fn: string, arg: string, labels: tf.Tensor, n: number): void {
  if (!(labels instanceof tf.Tensor)) throw new ArgumentError(`${fn}: ${arg} must be an int32 tensor, got ${typeof labels}`);
  if (labels.dtype !== 'int32') throw new ArgumentError(`${fn}: ${arg} must be int32, got ${labels.dtype}`);
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new ArgumentError(`${fn}: ${arg} must have shape [${n}], got [${labels.shape.join(', ')}]`);
  }
}
