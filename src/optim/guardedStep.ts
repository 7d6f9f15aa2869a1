/**
 * Optimizer steps that never apply a non-finite update. `guardedMinimize` is `optimizer.minimize`
 * (the same `computeGradients` then `applyGradients`, so results are bit-identical) with two
 * checks: before the update, the loss and every gradient must be finite, else nothing is applied
 * and a `NonFiniteStep` is thrown; after it, the watched weights (the trained ones, and state the
 * forward pass updates, such as BatchNorm's moving statistics) must be finite, else a
 * `NonFiniteStep` of cause `weights` is thrown (that step cannot be undone: the run must stop).
 *
 * Finiteness of many tensors in one read-back: 0·x is 0 for a finite x and NaN for ±Inf or NaN
 * (IEEE 754), so c = 0·L + Σᵢ Σ 0·gᵢ is 0 exactly when L and all gᵢ are finite (a sum of zeros
 * cannot overflow). The training loops decide what a `NonFiniteStep` does (stop, or skip the step).
 */
import * as tf from '../engine/tf.js';
import { NonFiniteInputError } from '../ops/validate.js';

export type NonFinitePolicy = 'stop' | 'skip';

export type NonFiniteCause = 'loss' | 'gradients' | 'weights';

/** A step that met a non-finite loss, gradient or weight; with cause `loss` or `gradients` nothing was applied. */
export class NonFiniteStep extends Error {
  override name = 'NonFiniteStep';
  constructor(
    readonly loss: number,
    readonly nonFinite: NonFiniteCause,
    detail?: string,
  ) {
    super(
      (nonFinite === 'loss' ? `loss ${loss}` : nonFinite === 'gradients' ? `loss ${loss} but a non-finite gradient` : `loss ${loss} but the update made weights non-finite`) +
        (detail ? `: ${detail}` : ''),
    );
  }
}

/** A run stopped by a non-finite step; the message names the epoch, the step and the likely setting. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/** 0 when every value of `tensors` is finite, NaN otherwise (see the file comment). */
function finiteProbe(tensors: tf.Tensor[]): tf.Scalar {
  // Mul, Sum, Add only: kernels every backend runs natively (no AddN / Pack).
  return tf.tidy(() => tensors.reduce<tf.Scalar>((probe, t) => tf.add(probe, tf.sum(tf.mul(t, 0))), tf.scalar(0)));
}

/** True when every value of every tensor is finite (one read-back). */
export function allFinite(tensors: tf.Tensor[]): boolean {
  if (tensors.length === 0) return true;
  const probe = finiteProbe(tensors);
  const ok = probe.dataSync()[0] === 0;
  probe.dispose();
  return ok;
}

/**
 * Checks the loss `value` and the gradients (disposing all of them when one is non-finite and
 * throwing a `NonFiniteStep`); returns the loss as a number when all are finite.
 */
export function checkStep(value: tf.Scalar, grads: tf.Tensor[], watched: tf.Tensor[]): number {
  const read = tf.tidy(() => tf.concat([tf.reshape(value, [1]), tf.reshape(finiteProbe(grads), [1])]));
  const [loss, probe] = read.dataSync();
  read.dispose();
  if (probe === 0 && Number.isFinite(loss)) return loss;
  tf.dispose([value, ...grads]);
  throw new NonFiniteStep(loss, !allFinite(watched) ? 'weights' : Number.isFinite(loss) ? 'gradients' : 'loss');
}

/** Throws a `NonFiniteStep` of cause `weights` when a watched tensor holds a non-finite value. */
export function checkWeights(loss: number, watched: tf.Tensor[]): void {
  if (!allFinite(watched)) throw new NonFiniteStep(loss, 'weights');
}

/**
 * `optimizer.minimize(f, true, varList)` that applies only a finite update (see the file comment);
 * returns the loss. `watched` defaults to `varList`.
 */
export function guardedMinimize(optimizer: tf.Optimizer, f: () => tf.Scalar, varList: tf.Variable[], watched: tf.Tensor[] = varList): number {
  let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    computed = optimizer.computeGradients(f, varList);
  } catch (err) {
    // A loss that validates its inputs refuses NaN/Inf features: the forward pass diverged.
    if (!(err instanceof NonFiniteInputError)) throw err;
    throw new NonFiniteStep(NaN, allFinite(watched) ? 'loss' : 'weights', err.message);
  }
  const { value, grads } = computed;
  const loss = checkStep(value, Object.values(grads), watched);
  optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  checkWeights(loss, watched);
  return loss;
}

/**
 * The one-line message of a run stopped at a non-finite step: where, what, the settings that most
 * often cause it (`suspects`, e.g. "optimizer.lr 1000000"), what was kept, and what to do.
 */
export function divergenceMessage(where: string, step: NonFiniteStep, suspects: string, kept: string): string {
  const skip = step.nonFinite === 'weights' ? '' : '; or skip such steps with --skip-nonfinite';
  return `${where}: the run diverged (${step.message}); likely cause: ${suspects}; ${kept}. Lower the learning rate (or raise the temperature) and rerun${skip}`;
}
