/**
 * SCHaNe: supervised contrastive learning with hard-negative weighting ("When hard negative
 * sampling meets supervised contrastive learning", arXiv 2308.14893, 2023). Same anchors and
 * P(i) as SupCon (the B·V views, labels repeated per view); N(i) = anchors with another label:
 *
 *   ℓ_i = −(1/|P(i)|) Σ_{p∈P(i)} log( e^{z_i·z_p/τ} / (e^{z_i·z_p/τ} + Σ_{k∈N(i)} w_ik e^{z_i·z_k/τ}) )
 *   w_ik = |N(i)| · e^{β z_i·z_k/τ} / Σ_{k′∈N(i)} e^{β z_i·z_k′/τ}      (mean weight 1)
 *   loss = mean of ℓ_i over the anchors with |P(i)| > 0
 *
 * No public code exists for SCHaNe: this is the paper's weighting read as the importance weights
 * of Robinson et al.'s HCL applied to label-defined negatives, with the concentration β exposed
 * (β = 0: uniform weights; larger β: harder negatives weigh more). There is no τ/τ_base factor.
 * The gradient flows through the weights unless `detachWeights: true`. An anchor with no
 * negative (a one-class batch) has an empty weighted sum: its terms are −log 1 = 0, never 0/0.
 *
 * Computed from the logits s = z·zᵀ/τ: the weighted sum is |N(i)|·Σ_N e^{(1+β)s}/Σ_N e^{βs},
 * so log of it is log|N(i)| + lse_N((1+β)s) − lse_N(βs) (two masked log-sum-exps), and
 * ℓ_i = mean_p softplus(that − s_ip). The loss carries its own gradient with respect to s.
 * Inputs are L2-normalised inside (`normalize: false` opts out).
 *
 * Shapes: features `[B, V, D]` or `[B, D]` (V = 1), labels `[B]` int32 → scalar.
 * `schaneObjective` adds cross-entropy: (1 − λ)·CE(logits `[B, C]`, labels) + λ·SCHaNe.
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../ops/crossEntropy.js';
import { gram } from '../ops/gram.js';
import { labelMasks } from '../ops/labelMasks.js';
import { maskedSoftmax } from '../ops/maskedSoftmax.js';
import { ArgumentError, checkFinite, checkPositive, checkRange, checkShape } from '../ops/validate.js';
import { checkSupervisedInput, supervisedBatch } from './supervisedBatch.js';

export interface SCHaNeOptions {
  /** τ; default 0.07, SupCon's default (docs/algorithms.md gives no SCHaNe-specific value). */
  temperature?: number;
  /** Concentration of the hard-negative weights, >= 0 (default 1; 0 gives uniform weights). */
  beta?: number;
  /** Treat the weights w_ik as constants in the backward pass (default false). */
  detachWeights?: boolean;
  /** L2-normalise the features first (default true). */
  normalize?: boolean;
}

export interface SCHaNeObjectiveOptions extends SCHaNeOptions {
  /** λ in [0, 1]: the share of SCHaNe in the objective (a setting; no default). */
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
  const { temperature = 0.07, beta = 1, detachWeights = false, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new ArgumentError(`${fn}: beta must be a finite number >= 0, got ${beta}`);
  }
  return { temperature, beta, detachWeights, normalize };
}

function schaneOf(features: tf.Tensor, labels: tf.Tensor1D, settings: Required<SCHaNeOptions>): tf.Scalar {
  const { temperature, beta, detachWeights, normalize } = settings;
  return tf.tidy(() => {
    const { anchors, anchorLabels } = supervisedBatch(features, labels, normalize);
    const { positive, negative } = labelMasks(anchorLabels);
    return schaneFromLogits(gram(anchors, 1 / temperature), positive, negative, beta, detachWeights);
  });
}

/** The loss as a function of the logits `[M, M]`, with its own gradient. */
function schaneFromLogits(
  logits: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  beta: number,
  detachWeights: boolean,
): tf.Scalar {
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const s = x as tf.Tensor2D;
    const count = tf.sum(positive, 1, true); // |P(i)|, [M, 1]
    const negatives = tf.sum(negative, 1, true); // |N(i)|
    const hasNegative = tf.greater(negatives, 0);
    const valid = tf.cast(tf.greater(count, 0), 'float32');
    // Weight of the term (i, p): 1/(|P(i)| · anchors with a positive) on P(i), 0 where N(i) is
    // empty (those terms are −log 1 = 0) or for an anchor without positive.
    const rowWeight = tf.div(
      tf.mul(valid, tf.cast(hasNegative, 'float32')),
      tf.mul(tf.maximum(count, 1), tf.maximum(tf.sum(valid), 1)),
    );
    const termWeight = tf.mul(positive, rowWeight);
    const hard = maskedSoftmax(tf.mul(s, 1 + beta) as tf.Tensor2D, negative);
    const plain = maskedSoftmax(tf.mul(s, beta) as tf.Tensor2D, negative);
    // log Σ_k w_ik e^{s_ik}; set to 0 where N(i) is empty (−∞ − −∞ there), whose terms weigh 0.
    const logWeighted = tf.where(hasNegative, tf.sub(tf.add(tf.log(negatives), hard.logSumExp), plain.logSumExp), 0);
    const margin = tf.sub(logWeighted, s); // [M, M]: log of (weighted negatives / e^{s_ip})
    const value = tf.sum(tf.mul(tf.softplus(margin), termWeight));
    // ∂loss/∂s_ip = −σ_ip on P(i); ∂loss/∂(logWeighted_i) = Σ_p σ_ip.
    const sigma = tf.mul(tf.sigmoid(margin), termWeight);
    // ∂ logWeighted_i / ∂s_ik on N(i): (1+β)·softmax((1+β)s) − β·softmax(βs); with constant
    // weights only the first softmax, unscaled.
    const dLogWeighted = detachWeights
      ? hard.probs
      : tf.sub(tf.mul(hard.probs, 1 + beta), tf.mul(plain.probs, beta));
    (save as tf.GradSaveFunc)([sigma, dLogWeighted]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sg, dlw] = saved;
        return tf.mul(tf.sub(tf.mul(dlw, tf.sum(sg, 1, true)), sg), dy);
      },
    };
  });
  return f(logits) as tf.Scalar;
}
