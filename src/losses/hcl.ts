/**
 * HCL: hard negative sampling with debiasing (Robinson et al., ICLR 2021, "Contrastive Learning
 * with Hard Negative Samples"). A SimCLR batch of 2B views; for view `i` with positive `i⁺` and
 * the other 2B − 2 views `k` as negatives (N = 2B − 2):
 *
 *   pos_i = e^{z_i·z_i⁺/τ},  neg_ik = e^{z_i·z_k/τ},  imp_ik = neg_ik^β
 *   reweight_i = Σ_k imp_ik·neg_ik / mean_k(imp_ik)
 *   Ng_i = max( (−τ⁺·N·pos_i + reweight_i) / (1 − τ⁺),  N·e^{−1/τ} )
 *   ℓ_i = −log( pos_i / (pos_i + Ng_i) ),   loss = mean over the 2B views
 *
 * As in the official code, the gradient flows through the importance weights `imp` and through
 * the clamp's active branch. β = 0, τ⁺ = 0 is NT-Xent with the positive left out of the negatives.
 * Defaults are the official code's (`joshr17/HCL`, image/main.py): τ = 0.5, τ⁺ = 0.1, β = 1.0.
 *
 * Computed in log space (the same function): with `x_i = log(reweight_i / (N·pos_i))` from two
 * log-sum-exps, `ℓ_i = softplus(log N + log max((e^{x_i} − τ⁺)/(1 − τ⁺), e^{−1/τ}/pos_i))`, so
 * small τ or large β do not overflow `neg^{1+β}`.
 *
 * Shapes: z1, z2 `[B, D]` (the two views, B >= 2) → scalar.
 */
import * as tf from '../engine/tf.js';
import { rowLogSumExp } from '../ops/logSumExp.js';
import { nonDifferentiable } from '../ops/nonDifferentiable.js';
import { l2Normalize } from '../ops/normalize.js';
import { twoViewLogits } from '../ops/twoViewLogits.js';
import { ArgumentError, checkFinite, checkPositive, checkRange, checkShape } from '../ops/validate.js';

export interface HCLOptions {
  /** τ (default 0.5, the official code's). */
  temperature?: number;
  /** β >= 0, concentration on hard negatives (default 1.0; the paper also uses 0.5). 0: uniform. */
  beta?: number;
  /** τ⁺ in [0, 1), the class prior used for debiasing (default 0.1). 0: no debiasing. */
  tauPlus?: number;
  /** L2-normalise the inputs first (default true; the official model normalises its outputs). */
  normalize?: boolean;
}

export function hcl(z1: tf.Tensor2D, z2: tf.Tensor2D, options: HCLOptions = {}): tf.Scalar {
  const fn = 'hcl';
  const { temperature = 0.5, beta = 1.0, tauPlus = 0.1, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  checkRange(fn, 'beta', beta, 0, Infinity);
  if (typeof tauPlus !== 'number' || !(tauPlus >= 0 && tauPlus < 1)) {
    throw new ArgumentError(`${fn}: tauPlus must be a number in [0, 1), got ${tauPlus}`);
  }
  checkShape(fn, 'z1', z1, [-1, -1]);
  checkShape(fn, 'z2', z2, [z1.shape[0], z1.shape[1]]);
  if (z1.shape[0] < 2) throw new ArgumentError(`${fn}: z1 must have at least 2 rows (2B − 2 negatives per view), got ${z1.shape[0]}`);
  checkFinite(fn, 'z1', z1);
  checkFinite(fn, 'z2', z2);

  return tf.tidy(() => {
    const a = normalize ? l2Normalize(z1) : z1;
    const b = normalize ? l2Normalize(z2) : z2;
    const { logits, positive, negativesOnly } = twoViewLogits(a, b, temperature);
    const N = 2 * z1.shape[0] - 2;
    const logWeighted = rowLogSumExp(tf.add(tf.mul(logits, 1 + beta), negativesOnly) as tf.Tensor2D); // log Σ imp·neg
    const logImportance = rowLogSumExp(tf.add(tf.mul(logits, beta), negativesOnly) as tf.Tensor2D); // log Σ imp
    const x = tf.sub(tf.sub(logWeighted, logImportance), positive); // log(reweight / (N·pos))
    const floor = tf.sub(-1 / temperature, positive); // log(e^{−1/τ} / pos)
    const logRatio = debiasedLogRatio(x, floor, tauPlus); // log(Ng / (N·pos))
    return tf.mean(tf.softplus(tf.add(logRatio, Math.log(N)))) as tf.Scalar;
  });
}

/**
 * `log max((e^x − τ⁺)/(1 − τ⁺), e^floor)` elementwise, finite in value and gradient on both
 * branches: the debiased branch is evaluated only where it wins (elsewhere at a harmless point),
 * since `log(e^x − τ⁺)` is −∞ or NaN where e^x <= τ⁺.
 */
function debiasedLogRatio(x: tf.Tensor, floor: tf.Tensor, tauPlus: number): tf.Tensor {
  if (tauPlus === 0) return tf.maximum(x, floor);
  // (e^x − τ⁺)/(1 − τ⁺) > e^floor  ⇔  x > t = log(τ⁺ + (1 − τ⁺)·e^floor), a log-add-exp.
  const t = nonDifferentiable((f) => {
    const u = tf.add(f, Math.log(1 - tauPlus));
    const top = tf.maximum(u, Math.log(tauPlus));
    return tf.add(top, tf.log(tf.add(tf.exp(tf.sub(Math.log(tauPlus), top)), tf.exp(tf.sub(u, top)))));
  }, floor);
  const debiased = nonDifferentiable((v, threshold) => tf.greater(v, threshold), x, t);
  const xs = tf.where(debiased, x, tf.add(t, 1)); // at t + 1, τ⁺·e^{−x} < e^{−1}: the log below is finite
  const logDebiased = tf.sub(tf.add(xs, tf.log(tf.sub(1, tf.mul(tauPlus, tf.exp(tf.neg(xs)))))), Math.log(1 - tauPlus));
  return tf.where(debiased, logDebiased, floor);
}
