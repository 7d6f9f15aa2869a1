/**
 * Distances between all rows of a batch, from one Gram product:
 *
 * - `euclidean`: `‖x_i − x_j‖ = √max(‖x_i‖² + ‖x_j‖² − 2 x_i·x_j, 0)`, with a safe root: its
 *   gradient is 0 where the distance is 0 (duplicate rows, the diagonal) instead of ∞·0 = NaN;
 * - `squaredEuclidean`: the same without the root;
 * - `cosine`: `1 − x̂_i·x̂_j` (rows normalised here).
 *
 * Shapes: x `[B, D]` → `[B, B]`.
 */
import * as tf from '../engine/tf.js';
import { gram } from './gram.js';
import { l2Normalize } from './normalize.js';

export const DISTANCES = ['euclidean', 'squaredEuclidean', 'cosine'] as const;
export type Distance = (typeof DISTANCES)[number];

export function pairwiseDistance(x: tf.Tensor2D, distance: Distance = 'euclidean'): tf.Tensor2D {
  return tf.tidy(() => {
    if (distance === 'cosine') {
      const u = l2Normalize(x);
      return tf.sub(1, gram(u));
    }
    const sq = tf.sum(tf.square(x), 1, true); // [B, 1]
    const squared = tf.relu(tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(gram(x), 2))) as tf.Tensor2D;
    return distance === 'squaredEuclidean' ? squared : safeSqrt(squared);
  });
}

/** √s for s >= 0, with gradient 1/(2√s) where s > 0 and 0 where s = 0. */
function safeSqrt(s: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const root = tf.sqrt(input as tf.Tensor);
    (save as tf.GradSaveFunc)([root]);
    return {
      value: root,
      gradFunc: (dy: tf.Tensor, [r]: tf.Tensor[]) => {
        const positive = tf.greater(r, 0);
        const inverse = tf.div(0.5, tf.where(positive, r, tf.onesLike(r)));
        return tf.mul(dy, tf.where(positive, inverse, tf.zerosLike(r)));
      },
    };
  });
  return f(s) as tf.Tensor2D;
}
