/**
 * InfoNCE (MoCo, CLIP). For query `q_i`, positive `k_i` and negatives `n_j`:
 *
 *   ℓ_i = −log( e^{q_i·k_i/τ} / (e^{q_i·k_i/τ} + Σ_j e^{q_i·n_j/τ}) ),  loss = mean_i ℓ_i
 *
 * - Queue mode (`negatives` `[K, D]`, MoCo): logits `[q·k, q·n_1 … q·n_K] / τ`, target 0. The
 *   positive and the queue are constants (no gradient), as in MoCo.
 * - In-batch mode (`inBatch: true`, CLIP / Sample4Geo): the negatives of `q_i` are the other
 *   positives `k_{j≠i}`; logits `q·kᵀ / τ` `[B, B]`, target `i`; gradient flows into both sides.
 *   `symmetric: true` averages the q→k and k→q losses.
 * Inputs are L2-normalised inside (`normalize: false` opts out).
 *
 * Shapes: query `[B, D]`, positive `[B, D]`, negatives `[K, D]` → scalar.
 */
import * as tf from '../engine/tf.js';
import { constantProduct } from '../ops/constantProduct.js';
import { contrastiveCrossEntropy, type DerivedLogits } from '../ops/contrastiveCrossEntropy.js';
import { crossEntropy } from '../ops/crossEntropy.js';
import { l2Normalize } from '../ops/normalize.js';
import { stopGradient } from '../ops/stopGradient.js';
import { ArgumentError, checkFinite, checkPositive, checkShape } from '../ops/validate.js';

export interface InfoNCEOptions {
  /** τ; MoCo v2 uses 0.2, CLIP-style in-batch losses often 0.05–0.1. */
  temperature: number;
  /** Queue of negatives `[K, D]` (MoCo). */
  negatives?: tf.Tensor2D;
  /** Use the other positives of the batch as negatives. */
  inBatch?: boolean;
  /** With `inBatch`: mean of the q→k and k→q losses. */
  symmetric?: boolean;
  /** L2-normalise the inputs first (default true). */
  normalize?: boolean;
}

export function infoNCE(query: tf.Tensor2D, positive: tf.Tensor2D, options: InfoNCEOptions): tf.Scalar {
  const fn = 'infoNCE';
  const { temperature, negatives, inBatch = false, symmetric = false, normalize = true } = options;
  checkPositive(fn, 'temperature', temperature);
  checkShape(fn, 'query', query, [-1, -1]);
  checkShape(fn, 'positive', positive, [query.shape[0], query.shape[1]]);
  checkFinite(fn, 'query', query);
  checkFinite(fn, 'positive', positive);
  if (negatives !== undefined) {
    checkShape(fn, 'negatives', negatives, [-1, query.shape[1]]);
    checkFinite(fn, 'negatives', negatives);
  }
  if (inBatch === (negatives !== undefined)) {
    throw new ArgumentError(`${fn}: give exactly one source of negatives: 'negatives' (a queue) or 'inBatch: true'`);
  }
  if (symmetric && !inBatch) throw new ArgumentError(`${fn}: 'symmetric' needs 'inBatch: true'`);

  return tf.tidy(() => {
    const q = normalize ? l2Normalize(query) : query;
    const k = normalize ? l2Normalize(positive) : positive;
    if (negatives !== undefined) {
      const n = normalize ? l2Normalize(negatives) : negatives;
      return queueInfoNCE(q, stopGradient(k), n, tf.transpose(n), temperature);
    }
    const B = query.shape[0];
    const targets = tf.range(0, B, 1, 'int32') as tf.Tensor1D;
    const logits = tf.div(tf.matMul(q, k, false, true), temperature) as tf.Tensor2D;
    const forward = crossEntropy(logits, targets);
    if (!symmetric) return forward;
    const backward = crossEntropy(tf.transpose(logits) as tf.Tensor2D, targets);
    return tf.mul(tf.add(forward, backward), 0.5) as tf.Scalar;
  });
}

/**
 * Extra logit blocks `[B, *]` (already divided by τ) computed from the queue logits `neg = q·Nᵀ/τ`
 * and `qs = q/τ`: tensors, or `DerivedLogits` of `neg` (which bring their own gradient rule).
 */
export type ExtraLogits = (neg: tf.Tensor2D, qs: tf.Tensor2D) => (tf.Tensor2D | DerivedLogits)[];

/**
 * The MoCo loss on prepared inputs: `q` `[B, D]` (normalised), `k` `[B, D]` (normalised,
 * constant), the queue `negatives` `[K, D]` and the same transposed, `negativesT` `[D, K]`
 * (constants; both layouts so that neither pass needs a transposed product). `extra` adds logit
 * blocks to the denominator, such as MoCHi's synthetic negatives.
 */
export function queueInfoNCE(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  negatives: tf.Tensor2D,
  negativesT: tf.Tensor2D,
  temperature: number,
  extra?: ExtraLogits,
): tf.Scalar {
  return tf.tidy(() => {
    const qs = tf.div(q, temperature) as tf.Tensor2D;
    const pos = tf.sum(tf.mul(qs, k), 1, true) as tf.Tensor2D;
    if (negatives.shape[0] === 0) return contrastiveCrossEntropy(pos, []); // an empty queue: nothing to contrast yet
    const neg = constantProduct(qs, negativesT, negatives);
    return contrastiveCrossEntropy(pos, [neg, ...(extra?.(neg, qs) ?? [])]);
  });
}
