/**
 * The input of a supervised contrastive loss (SupCon, SCHaNe): checked, then flattened to its
 * anchors.
 *
 * features `[B, V, D]` (V views of each of B samples) or `[B, D]` (one view), labels `[B]`
 * int32 → anchors `[B·V, D]` (row `b·V + v` is view v of sample b; L2-normalised unless
 * `normalize` is false) and their labels `[B·V]` (each sample's label repeated per view).
 */
import * as tf from '../engine/tf.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError, checkFinite, checkLabels } from '../ops/validate.js';

export interface SupervisedBatch {
  anchors: tf.Tensor2D;
  anchorLabels: tf.Tensor1D;
}

/** Throws an `ArgumentError` naming `fn` and the argument unless the shapes and dtypes fit. */
export function checkSupervisedInput(fn: string, features: tf.Tensor, labels: tf.Tensor): void {
  if (!(features instanceof tf.Tensor)) throw new ArgumentError(`${fn}: features must be a tensor, got ${typeof features}`);
  if (features.rank !== 2 && features.rank !== 3) {
    throw new ArgumentError(`${fn}: features must have shape [B, V, D] or [B, D], got [${features.shape.join(', ')}]`);
  }
  checkFinite(fn, 'features', features);
  checkLabels(fn, 'labels', labels, features.shape[0]);
}

export function supervisedBatch(features: tf.Tensor, labels: tf.Tensor1D, normalize: boolean): SupervisedBatch {
  return tf.tidy(() => {
    const [B, V, D] = features.rank === 3 ? features.shape : [features.shape[0], 1, features.shape[1] as number];
    const flat = tf.reshape(features, [B * V, D]) as tf.Tensor2D;
    return {
      anchors: normalize ? l2Normalize(flat) : flat,
      anchorLabels: tf.reshape(tf.tile(tf.expandDims(labels, 1), [1, V]), [B * V]) as tf.Tensor1D,
    };
  });
}
