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
import * as tf from '../engine/tf.js';
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
    const hardestPositive = nonDifferentiable((v) => tf.add(rowStart, tf.argMax(onlyWhere(positives, v, -Infinity), 1)), d);
    const hardestNegative = nonDifferentiable((v) => tf.add(rowStart, tf.argMin(onlyWhere(negatives, v, Infinity), 1)), d);
    const gap = tf.sub(pick(d, hardestPositive as tf.Tensor1D), pick(d, hardestNegative as tf.Tensor1D)); // d_ap − d_an, [B]
    const perAnchor = soft ? tf.softplus(gap) : tf.relu(tf.add(gap, margin));
    const valid = tf.mul(tf.max(positives, 1), tf.max(negatives, 1)); // [B]: has a positive and a negative
    return maskedMean(perAnchor, valid);
  });
}

export function tripletSemiHard(embeddings: tf.Tensor2D, labels: tf.Tensor1D, options: TripletOptions = {}): tf.Scalar {
  const { margin = 0.2, normalize = true, distance = 'euclidean' } = options;
  validate('tripletSemiHard', embeddings, labels, margin, distance);
  return tf.tidy(() => {
    const d = pairwiseDistance(normalize ? l2Normalize(embeddings) : embeddings, distance);
    const { positives, negatives } = labelMasks(labels);
    const dan = semiHardNegativeDistances(d, negatives, margin);
    const perPair = tf.relu(tf.add(tf.sub(d, dan), margin));
    const valid = tf.mul(positives, tf.max(negatives, 1, true)); // pairs whose anchor has a negative
    return maskedMean(perPair, valid);
  });
}

/**
 * For every pair (a, p), the distance from a to its semi-hard negative (the nearest with
 * d_ap < d_an < d_ap + margin, else the nearest): `[B, B]`, with its gradient into `d`.
 *
 * Each anchor's negatives are sorted by distance (other rows last, at +∞). For a pair, `after`
 * negatives lie at or below d_ap and `within` below d_ap + margin: the band is non-empty iff
 * within > after, and its nearest member has rank `after`; else the rank is 0. The value is
 * gathered from the sorted row at that rank; the gradient is summed per sorted slot and sent back
 * through the sort permutation (two scatters, instead of gathering each pair's index). Single
 * elements are gathered with `gatherND`: tfjs-wasm's `gather` takes ~50 ns per element, 7× more.
 */
function semiHardNegativeDistances(d: tf.Tensor2D, negatives: tf.Tensor2D, margin: number): tf.Tensor2D {
  const B = d.shape[0];
  const rowOffsets = tf.tensor2d(rowOffsetValues(B), [B, B], 'int32'); // a·B at [a, ·]
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const v = input as tf.Tensor2D;
    const { values, indices } = tf.topk(tf.neg(onlyWhere(negatives, v, Infinity)), B);
    const sorted = tf.neg(values);
    const after = tf.cast(tf.searchSorted(sorted, v, 'right'), 'float32');
    const within = tf.cast(tf.searchSorted(sorted, tf.add(v, margin), 'left'), 'float32');
    const rank = tf.cast(tf.mul(after, tf.step(tf.sub(within, after))), 'int32');
    const slot = tf.reshape(tf.add(rowOffsets, rank), [B * B]); // flat position in `sorted`
    const source = tf.reshape(tf.add(rowOffsets, indices), [B * B]); // flat position in d of each sorted entry
    (save as tf.GradSaveFunc)([slot, source]);
    return {
      value: tf.reshape(tf.gatherND(tf.reshape(sorted, [B * B]), tf.reshape(slot, [B * B, 1])), [B, B]),
      gradFunc: (dy: tf.Tensor, [slots, sources]: tf.Tensor[]) => {
        const perSlot = tf.unsortedSegmentSum(tf.reshape(dy, [B * B]), slots as tf.Tensor1D, B * B);
        return tf.reshape(tf.unsortedSegmentSum(perSlot, sources as tf.Tensor1D, B * B), [B, B]);
      },
    };
  });
  return f(d) as tf.Tensor2D;
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

/**
 * positives[a, p] = 1 for the same label and a ≠ p; negatives[a, n] = 1 for another label; else
 * 0 (float32 `[B, B]`). Built from float differences, exact for any int32 label: each label is
 * split into 16-bit halves (exact in float32) and labels are equal when both halves' differences
 * are 0. (tfjs-wasm's broadcast `Equal` on int32 takes ~15 ms at B = 256, a float `Sub` 0.2 ms.)
 */
function labelMasks(labels: tf.Tensor1D): { positives: tf.Tensor2D; negatives: tf.Tensor2D } {
  const B = labels.shape[0];
  const high = tf.floorDiv(labels, tf.scalar(65536, 'int32'));
  const low = tf.sub(labels, tf.mul(high, tf.scalar(65536, 'int32')));
  const difference = (half: tf.Tensor) => {
    const h = tf.cast(half, 'float32');
    return tf.abs(tf.sub(tf.reshape(h, [B, 1]), tf.reshape(h, [1, B])));
  };
  const same = tf.relu(tf.sub(1, tf.add(difference(high), difference(low)))); // differences are integers
  return { positives: tf.sub(same, tf.eye(B)) as tf.Tensor2D, negatives: tf.sub(1, same) as tf.Tensor2D };
}

/** `[B·B]` int32: a·B at every position of row a (flat offsets; int32 broadcasting is slow on wasm). */
function rowOffsetValues(B: number): Int32Array {
  const out = new Int32Array(B * B);
  for (let a = 0; a < B; a++) out.fill(a * B, a * B, (a + 1) * B);
  return out;
}

/** `values` where `mask` is 1, `fill` elsewhere. */
function onlyWhere(mask: tf.Tensor2D, values: tf.Tensor, fill: number): tf.Tensor {
  return tf.where(tf.cast(mask, 'bool'), values, tf.fill(values.shape, fill));
}

/** Σ(values·valid) / max(Σ valid, 1). */
function maskedMean(values: tf.Tensor, valid: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, valid)), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}
