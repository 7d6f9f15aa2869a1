/**
 * Triplet losses with in-batch mining, over distances `d` between the rows of a labelled batch
 * (Euclidean on L2-normalised embeddings by default). Positives of anchor `a`: the other rows
 * with its label; negatives: the rows with another label.
 *
 * - `tripletBatchHard` (Hermans et al. 2017, "In Defense of the Triplet Loss"): per anchor, the
 *   hardest positive (largest d) and the hardest negative (smallest d);
 *   ℓ_a = max(0, d_ap − d_an + margin), or with `soft: true` ℓ_a = log(1 + e^{d_ap − d_an}).
 *   Mean over anchors.
 * - `tripletSemiHard` (Schroff et al. 2015, FaceNet): per (anchor, positive) pair, the negative
 *   closest to the anchor with d_ap < d_an < d_ap + margin; if there is none, the hardest
 *   negative. ℓ_ap = max(0, d_ap − d_an + margin). Mean over pairs. (TF-addons'
 *   `triplet_semihard_loss` differs when the band is empty: it takes the nearest negative
 *   farther than the positive if any, else the farthest negative.)
 *
 * Anchors (pairs) with no positive or no negative are left out of the mean; with none left the
 * loss is 0, with zero gradient. The gradient flows through the chosen distances only (a tie
 * picks one of the tied rows: same value). Default margin 0.2: FaceNet's α on unit-norm embeddings
 * (TF-addons uses 1.0; Hermans et al. recommend `soft: true`).
 *
 * Shapes: embeddings `[B, D]`, labels int32 `[B]` → scalar.
 */
import * as tf from '@tensorflow/tfjs';
import { nonDifferentiable } from '../ops/nonDifferentiable.js';
import { l2Normalize } from '../ops/normalize.js';
import { DISTANCES, pairwiseDistance, type Distance } from '../ops/pairwiseDistance.js';
import { pick } from '../ops/pick.js';
import { ArgumentError, checkFinite, checkLabels, checkRange, checkShape } from '../ops/validate.js';

export interface TripletOptions {
  /** Margin >= 0 (default 0.2). */
  margin?: number;
  /** L2-normalise the embeddings first (default true). */
  normalize?: boolean;
  /** 'euclidean' (default), 'squaredEuclidean' (FaceNet's form) or 'cosine' (1 − cosine similarity). */
  distance?: Distance;
}

export interface BatchHardOptions extends TripletOptions {
  /** Soft margin log(1 + e^{d_ap − d_an}) instead of the hinge; `margin` is then unused (default false). */
  soft?: boolean;
}

export function tripletBatchHard(embeddings: tf.Tensor2D, labels: tf.Tensor1D, options: BatchHardOptions = {}): tf.Scalar {
  const { margin = 0.2, soft = false, normalize = true, distance = 'euclidean' } = options;
  validate('tripletBatchHard', embeddings, labels, margin, distance);
  return tf.tidy(() => {
    const B = embeddings.shape[0];
    const d = pairwiseDistance(normalize ? l2Normalize(embeddings) : embeddings, distance);
    const { positives, negatives } = labelMasks(labels);
    const rowStart = tf.range(0, B * B, B, 'int32'); // flat index of each row's first element
    const hardestPositive = nonDifferentiable((v) => tf.add(rowStart, tf.argMax(tf.where(positives, v, -1), 1)), d);
    const hardestNegative = nonDifferentiable((v) => tf.add(rowStart, tf.argMin(tf.where(negatives, v, Infinity), 1)), d);
    const gap = tf.sub(pick(d, hardestPositive as tf.Tensor1D), pick(d, hardestNegative as tf.Tensor1D)); // d_ap − d_an, [B]
    const perAnchor = soft ? tf.softplus(gap) : tf.relu(tf.add(gap, margin));
    const valid = tf.mul(anyOf(positives), anyOf(negatives)); // [B]
    return maskedMean(perAnchor, valid);
  });
}

export function tripletSemiHard(embeddings: tf.Tensor2D, labels: tf.Tensor1D, options: TripletOptions = {}): tf.Scalar {
  const { margin = 0.2, normalize = true, distance = 'euclidean' } = options;
  validate('tripletSemiHard', embeddings, labels, margin, distance);
  return tf.tidy(() => {
    const B = embeddings.shape[0];
    const d = pairwiseDistance(normalize ? l2Normalize(embeddings) : embeddings, distance);
    const { positives, negatives } = labelMasks(labels);
    const chosen = nonDifferentiable((v) => {
      // Each anchor's negatives sorted by distance (other rows last, at +∞), then for every pair
      // (a, p) the first negative farther than d_ap: semi-hard if within the margin.
      const { values, indices } = tf.topk(tf.neg(tf.where(negatives, v, Infinity)), B);
      const sorted = tf.neg(values);
      const next = tf.minimum(tf.searchSorted(sorted, v, 'right'), tf.scalar(B - 1, 'int32')); // [B, B]
      const semiHard = tf.less(tf.gather(sorted, next, 1, 1), tf.add(v, margin));
      const rank = tf.where(semiHard, next, tf.zerosLike(next)); // else rank 0: the hardest negative
      const rowStart = tf.range(0, B * B, B, 'int32').reshape([B, 1]);
      return tf.reshape(tf.add(tf.gather(indices, rank, 1, 1), rowStart), [B * B]);
    }, d);
    const dan = tf.reshape(pick(d, chosen as tf.Tensor1D), [B, B]);
    const perPair = tf.relu(tf.add(tf.sub(d, dan), margin));
    const valid = tf.mul(tf.cast(positives, 'float32'), tf.reshape(anyOf(negatives), [B, 1]));
    return maskedMean(perPair, valid);
  });
}

function validate(fn: string, embeddings: tf.Tensor2D, labels: tf.Tensor1D, margin: number, distance: string): void {
  checkShape(fn, 'embeddings', embeddings, [-1, -1]);
  checkLabels(fn, 'labels', labels, embeddings.shape[0]);
  checkRange(fn, 'margin', margin, 0, Infinity);
  if (!(DISTANCES as readonly string[]).includes(distance)) {
    throw new ArgumentError(`${fn}: distance must be one of ${DISTANCES.join(', ')}, got ${distance}`);
  }
  checkFinite(fn, 'embeddings', embeddings);
}

/** positives[a, p]: same label, a ≠ p; negatives[a, n]: different label. Bool `[B, B]`. */
function labelMasks(labels: tf.Tensor1D): { positives: tf.Tensor2D; negatives: tf.Tensor2D } {
  const B = labels.shape[0];
  const same = tf.equal(tf.reshape(labels, [B, 1]), tf.reshape(labels, [1, B]));
  const positives = tf.logicalAnd(same, tf.logicalNot(tf.cast(tf.eye(B), 'bool'))) as tf.Tensor2D;
  return { positives, negatives: tf.logicalNot(same) as tf.Tensor2D };
}

/** 1 for rows with some true entry, else 0: `[B, B]` bool → `[B]` float32. */
function anyOf(mask: tf.Tensor2D): tf.Tensor1D {
  return tf.max(tf.cast(mask, 'float32'), 1) as tf.Tensor1D;
}

/** Σ(values·valid) / max(Σ valid, 1). */
function maskedMean(values: tf.Tensor, valid: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, valid)), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}
