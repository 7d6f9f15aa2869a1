/**
 * Alignment and uniformity of normalised embeddings (Wang & Isola, ICML 2020):
 *
 *   alignment  = E_{(x, x⁺)} ‖f(x) − f(x⁺)‖₂^α            (α = 2; lower: positives closer)
 *   uniformity = log E_{x, y} e^{−t ‖f(x) − f(y)‖₂²}       (t = 2; lower: more uniform on the sphere)
 *
 * Uniformity averages over all pairs x ≠ y of `embeddings` (computed in row chunks, so memory
 * stays at chunk × n). Inputs are L2-normalised first.
 *
 * Shapes: a, b `[n, D]` (row i of b is the positive of row i of a); embeddings `[n, D]`.
 */
import * as tf from '../engine/tf.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError, checkShape } from '../ops/validate.js';
import { readScalar } from '../ops/readValues.js';

export function alignment(a: tf.Tensor2D, b: tf.Tensor2D, alpha = 2): number {
  checkShape('alignment', 'a', a, [-1, -1]);
  checkShape('alignment', 'b', b, [a.shape[0], a.shape[1]]);
  return readScalar(() => {
    const d = tf.norm(tf.sub(l2Normalize(a), l2Normalize(b)), 'euclidean', 1);
    return tf.mean(tf.pow(d, alpha));
  });
}

export function uniformity(embeddings: tf.Tensor2D, t = 2, chunk = 512): number {
  checkShape('uniformity', 'embeddings', embeddings, [-1, -1]);
  const n = embeddings.shape[0];
  if (n < 2) throw new ArgumentError(`uniformity: needs at least 2 embeddings, got ${n}`);
  const z = l2Normalize(embeddings);
  // ‖x − y‖² = 2 − 2 x·y for unit vectors; sum e^{−t‖x−y‖²} over ordered pairs x ≠ y (the diagonal is masked out).
  let total = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    total += readScalar(() => {
      const sq = tf.relu(tf.sub(2, tf.mul(2, tf.matMul(tf.slice(z, [start, 0], [rows, -1]), z, false, true))));
      const offDiagonal = tf.sub(1, tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n));
      return tf.sum(tf.mul(tf.exp(tf.mul(sq, -t)), offDiagonal));
    });
  }
  z.dispose();
  return Math.log(total / (n * (n - 1)));
}
