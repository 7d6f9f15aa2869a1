/**
 * SCHaNe: supervised contrastive learning with hard-negative weighting (Long et al., "When hard
 * negative sampling meets supervised contrastive learning", arXiv 2308.14893). By default this
 * is exactly the authors' `SCHaNe(..., estimator='hard')` (GLA-IR/SCHaNe, CL_tools/losses.py)
 * applied to L2-normalised features, as their training code calls it.
 *
 * Anchors are the B·V views (labels repeated per view); P(i) = the other views with the anchor's
 * label (its own other views included), N(i) = the views with another label, s = z·zᵀ/τ:
 *
 *   Ng_i = Σ_{k∈N(i)} w_ik e^{s_ik},   w_ik = e^{β s_ik} / mean_{k′∈N(i)} e^{β s_ik′}   (mean weight 1)
 *   positives 'mean-inside' (default, the authors' code):
 *     pos_i = (1/|P(i)|) Σ_{p∈P(i)} e^{s_ip},   ℓ_i = −log( pos_i / (pos_i + Ng_i) )
 *   positives 'per-positive' (the SupCon L_out layout; hardneg's round-1 reading of the paper):
 *     ℓ_i = −(1/|P(i)|) Σ_{p∈P(i)} log( e^{s_ip} / (e^{s_ip} + Ng_i) )
 *   loss = mean of ℓ_i over the anchors with |P(i)| > 0
 *
 * The gradient flows through the weights w (as in the authors' code) unless `detachWeights`.
 * There is no τ/τ_base factor. Where the authors' code divides by zero (NaN), hardneg decides:
 * an anchor without a positive is left out of the mean (as SupCon here); an anchor without a
 * negative has Ng_i = 0, so ℓ_i = −log 1 = 0 (it counts in the mean, with gradient 0).
 *
 * Args (options): `temperature` τ > 0 (default 0.07, the authors' `--temp` default);
 * `beta` β >= 0 (default 1, the authors' default); `positives` (default 'mean-inside');
 * `detachWeights` (default false); `normalize` (default true: L2-normalise the features first,
 * as the authors' engine does before calling the loss).
 *
 * Inputs: features `[B, V, D]` (V views of each of B samples) or `[B, D]` (V = 1), labels `[B]`
 * int32 → scalar. Needs at least one anchor with a positive and a negative to be informative:
 * with V = 1 a class needs two members in the batch; with V = 2 every anchor has a positive.
 *
 * Relations: β = 0 gives uniform weights (w = 1), i.e. Ng_i = Σ_N e^{s_ik}. With exactly one
 * positive per anchor (V = 2, every label once) both forms coincide and, with β = 0, equal NT-Xent.
 * With several positives they differ (mean-inside is at most per-positive, by Jensen).
 *
 * Recommendations: keep 'mean-inside' to reproduce the paper; use it with cross-entropy
 * (`schaneObjective`, the authors' α·SCHaNe + (1 − α)·CE with α = 0.5 by default, here λ) and
 * batches holding several members of each class; τ ≈ 0.1 and β ∈ [0, 1] on small encoders.
 *
 * Computation: log Ng_i = log|N(i)| + lse_N((1+β)s) − lse_N(βs) (masked log-sum-exps, stable for
 * any |s|); mean-inside: log pos_i = lse_P(s) − log|P(i)| and ℓ_i = softplus(log Ng_i − log pos_i);
 * per-positive: ℓ_i = mean_p softplus(log Ng_i − s_ip). The loss carries its own gradient w.r.t. s.
 * `schaneObjective` adds cross-entropy: (1 − λ)·CE(logits `[B, C]`, labels) + λ·SCHaNe.
 */
import * as tf from '../engine/tf.js';
import { crossEntropy } from '../ops/crossEntropy.js';
import { gram } from '../ops/gram.js';
import { labelMasks } from '../ops/labelMasks.js';
import { maskedSoftmax } from '../ops/maskedSoftmax.js';
import { ArgumentError, checkFinite, checkPositive, checkRange, checkShape } from '../ops/validate.js';
import { checkSupervisedInput, supervisedBatch } from './supervisedBatch.js';

/** How the positives of an anchor enter the loss (see the module comment). */
export const SCHANE_POSITIVES = ['mean-inside', 'per-positive'] as const;
export type SCHaNePositives = (typeof SCHANE_POSITIVES)[number];

export interface SCHaNeOptions {
  /** τ > 0; default 0.07 (the authors' default). */
  temperature?: number;
  /** Concentration of the hard-negative weights, >= 0 (default 1; 0 gives uniform weights). */
  beta?: number;
  /** 'mean-inside' (default: the authors' code) or 'per-positive'. */
  positives?: SCHaNePositives;
  /** Treat the weights w_ik as constants in the backward pass (default false, as the authors). */
  detachWeights?: boolean;
  /** L2-normalise the features first (default true). */
  normalize?: boolean;
}

export interface SCHaNeObjectiveOptions extends SCHaNeOptions {
  /** λ in [0, 1]: the share of SCHaNe in the objective (the authors' α; they default to 0.5). */
  lambda: number;
}

export function schane(features: tf.Tensor3D | tf.Tensor2D, labels: tf.Tensor1D, options: SCHaNeOptions = {}): tf.Scalar {
  const settings = checkOptions('schane', options);
  checkSupervisedInput('schane', features, labels);
  return schaneOf(features, labels, settings);
}

/** (1 − λ)·crossEntropy(logits, labels) + λ·schane(features, labels, options). */
export function schaneObjective(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  features: tf.Tensor3D | tf.Tensor2D,
  options: SCHaNeObjectiveOptions,
): tf.Scalar {
  const fn = 'schaneObjective';
  const { lambda, ...rest } = options;
  checkRange(fn, 'lambda', lambda, 0, 1);
  const settings = checkOptions(fn, rest);
  checkSupervisedInput(fn, features, labels);
  checkShape(fn, 'logits', logits, [features.shape[0], -1]);
  checkFinite(fn, 'logits', logits);
  const C = logits.shape[1];
  const range = tf.tidy(() => tf.stack([tf.min(labels), tf.max(labels)]));
  const [lo, hi] = range.dataSync();
  range.dispose();
  if (lo < 0 || hi >= C) throw new ArgumentError(`${fn}: labels must be in [0, ${C}) (the columns of logits), got values in [${lo}, ${hi}]`);
  return tf.tidy(() =>
    tf.add(tf.mul(crossEntropy(logits, labels), 1 - lambda), tf.mul(schaneOf(features, labels, settings), lambda)),
  );
}

function checkOptions(fn: string, options: SCHaNeOptions): Required<SCHaNeOptions> {
  const { temperature = 0.07, beta = 1, positives = 'mean-inside', detachWeights = false, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new ArgumentError(`${fn}: beta must be a finite number >= 0, got ${beta}`);
  }
  if (!SCHANE_POSITIVES.includes(positives)) {
    throw new ArgumentError(`${fn}: positives must be one of ${SCHANE_POSITIVES.join(', ')}, got ${String(positives)}`);
  }
  return { temperature, beta, positives, detachWeights, normalize };
}

function schaneOf(features: tf.Tensor, labels: tf.Tensor1D, settings: Required<SCHaNeOptions>): tf.Scalar {
  const { temperature, beta, positives, detachWeights, normalize } = settings;
  return tf.tidy(() => {
    const { anchors, anchorLabels } = supervisedBatch(features, labels, normalize);
    const masks = labelMasks(anchorLabels);
    return schaneFromLogits(gram(anchors, 1 / temperature), masks.positive, masks.negative, beta, positives, detachWeights);
  });
}

/** The loss as a function of the logits `[M, M]`, with its own gradient. */
function schaneFromLogits(
  logits: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  beta: number,
  positives: SCHaNePositives,
  detachWeights: boolean,
): tf.Scalar {
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const s = x as tf.Tensor2D;
    const count = tf.sum(positive, 1, true); // |P(i)|, [M, 1]
    const negatives = tf.sum(negative, 1, true); // |N(i)|
    const hasNegative = tf.greater(negatives, 0);
    const valid = tf.cast(tf.greater(count, 0), 'float32');
    // Weight of anchor i in the mean: 1/(anchors with a positive); 0 without a positive, and 0
    // where N(i) is empty (ℓ_i = −log 1 = 0 there, constant).
    const anchorWeight = tf.div(tf.mul(valid, tf.cast(hasNegative, 'float32')), tf.maximum(tf.sum(valid), 1)); // [M, 1]
    const hard = maskedSoftmax(tf.mul(s, 1 + beta) as tf.Tensor2D, negative);
    const plain = maskedSoftmax(tf.mul(s, beta) as tf.Tensor2D, negative);
    // log Ng_i; set to 0 where N(i) is empty (−∞ − −∞ there), whose anchors weigh 0.
    const logNg = tf.where(hasNegative, tf.sub(tf.add(tf.log(negatives), hard.logSumExp), plain.logSumExp), 0); // [M, 1]
    // ∂ log Ng_i / ∂s_ik on N(i): (1+β)·softmax((1+β)s) − β·softmax(βs); with constant weights
    // only the first softmax, unscaled.
    const dLogNg = detachWeights ? hard.probs : tf.sub(tf.mul(hard.probs, 1 + beta), tf.mul(plain.probs, beta));
    let value: tf.Tensor;
    let sigma: tf.Tensor; // ∂loss/∂log Ng_i, [M, 1]
    let dPositive: tf.Tensor; // ∂loss/∂s on P(i), [M, M]
    if (positives === 'mean-inside') {
      const pos = maskedSoftmax(s, positive);
      // log pos_i = lse_P(s) − log|P(i)|; 0 for an anchor without positive (weight 0).
      const logPos = tf.where(tf.greater(count, 0), tf.sub(pos.logSumExp, tf.log(tf.maximum(count, 1))), 0);
      const margin = tf.sub(logNg, logPos); // [M, 1]
      value = tf.sum(tf.mul(tf.softplus(margin), anchorWeight));
      sigma = tf.mul(tf.sigmoid(margin), anchorWeight);
      // ∂ log pos_i / ∂s_ip = softmax_P(s)_ip.
      dPositive = tf.neg(tf.mul(pos.probs, sigma));
    } else {
      const termWeight = tf.mul(positive, tf.div(anchorWeight, tf.maximum(count, 1))); // [M, M]
      const margin = tf.sub(logNg, s); // [M, M]
      value = tf.sum(tf.mul(tf.softplus(margin), termWeight));
      const perTerm = tf.mul(tf.sigmoid(margin), termWeight);
      sigma = tf.sum(perTerm, 1, true);
      dPositive = tf.neg(perTerm);
    }
    (save as tf.GradSaveFunc)([tf.add(tf.mul(dLogNg, sigma), dPositive)]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], dy),
    };
  });
  return f(logits) as tf.Scalar;
}
