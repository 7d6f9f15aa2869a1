/**
 * Multiple-negatives ranking loss (Henderson et al. 2017; sentence-transformers'
 * `MultipleNegativesRankingLoss`): in-batch softmax ranking of each query's positive against
 * the other queries' positives and mined hard negatives.
 *
 *   logits_i = scale · [cos(q_i, p_1) … cos(q_i, p_B), cos(q_i, h_i1) … cos(q_i, h_iH)]
 *   ℓ_i = CE(logits_i, target i),   loss = mean_i ℓ_i
 *
 * - `hardNegatives` `[B, H, D]`: query i's own H mined negatives join its row.
 * - `shareHardNegatives: true`: every query is scored against all B·H hard negatives of the
 *   batch (its own among them). This is what sentence-transformers does (its candidates are all
 *   positives and all negative columns of the batch); hardneg's default is each query's own, as
 *   `docs/algorithms.md` defines the loss (another query's mined negatives are mostly easy ones
 *   for this query, and may be false negatives for it).
 * - `symmetric: true` (sentence-transformers' `MultipleNegativesSymmetricRankingLoss`): the mean
 *   of the query→positive loss above and the positive→query loss (positive j against all
 *   queries, target j; no hard negatives in that direction).
 * Default scale 20 (sentence-transformers'; = 1/τ with τ = 0.05). `normalize: false` scores by
 * dot product instead of cosine (sentence-transformers' `similarity_fct=dot_score`, where it
 * recommends scale 1). A batch of one with no hard negatives has a single candidate: loss 0.
 *
 * Shapes: queries, positives `[B, D]`, hardNegatives `[B, H, D]` → scalar.
 */
import * as tf from '../engine/tf.js';
import { crossEntropy } from '../ops/crossEntropy.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError, checkFinite, checkPositive, checkShape } from '../ops/validate.js';

export interface MNRLOptions {
  /** Multiplier of the similarities (default 20). */
  scale?: number;
  /** Mined hard negatives `[B, H, D]`, H per query. */
  hardNegatives?: tf.Tensor3D;
  /** Score every query against the whole batch's hard negatives (sentence-transformers' behaviour; default false). */
  shareHardNegatives?: boolean;
  /** Mean of the query→positive and positive→query losses (default false). */
  symmetric?: boolean;
  /** Cosine similarity (default true); false: dot product. */
  normalize?: boolean;
}

export function mnrl(queries: tf.Tensor2D, positives: tf.Tensor2D, options: MNRLOptions = {}): tf.Scalar {
  const fn = 'mnrl';
  const { scale = 20, hardNegatives, shareHardNegatives = false, symmetric = false, normalize = true } = options;
  checkPositive(fn, 'scale', scale);
  checkShape(fn, 'queries', queries, [-1, -1]);
  const [B, D] = queries.shape;
  checkShape(fn, 'positives', positives, [B, D]);
  if (hardNegatives !== undefined) checkShape(fn, 'hardNegatives', hardNegatives, [B, -1, D]);
  if (shareHardNegatives && hardNegatives === undefined) {
    throw new ArgumentError(`${fn}: 'shareHardNegatives' needs 'hardNegatives'`);
  }
  checkFinite(fn, 'queries', queries);
  checkFinite(fn, 'positives', positives);
  if (hardNegatives !== undefined) checkFinite(fn, 'hardNegatives', hardNegatives);

  return tf.tidy(() => {
    const q = tf.mul(normalize ? l2Normalize(queries) : queries, scale) as tf.Tensor2D;
    const p = normalize ? l2Normalize(positives) : positives;
    const scores = tf.matMul(q, p, false, true) as tf.Tensor2D; // [B, B]
    const blocks: tf.Tensor2D[] = [scores];
    if (hardNegatives !== undefined) {
      const h = normalize ? l2Normalize(hardNegatives) : hardNegatives;
      const H = hardNegatives.shape[1];
      blocks.push(
        shareHardNegatives
          ? tf.matMul(q, tf.reshape(h, [B * H, D]), false, true) // [B, B·H]
          : (tf.sum(tf.mul(tf.reshape(q, [B, 1, D]), h), 2) as tf.Tensor2D), // [B, H]
      );
    }
    const forward = rankingLoss(blocks.length === 1 ? scores : (tf.concat(blocks, 1) as tf.Tensor2D));
    if (!symmetric) return forward;
    const backward = rankingLoss(tf.transpose(scores) as tf.Tensor2D);
    return tf.mul(tf.add(forward, backward), 0.5) as tf.Scalar;
  });
}

/** Cross-entropy of each row with target = its index; a single candidate (B = 1, no hard negatives) is ranked first for sure: 0. */
function rankingLoss(logits: tf.Tensor2D): tf.Scalar {
  const [B, C] = logits.shape;
  if (C === 1) return tf.zerosLike(tf.sum(logits)) as tf.Scalar;
  return crossEntropy(logits, tf.range(0, B, 1, 'int32') as tf.Tensor1D);
}
