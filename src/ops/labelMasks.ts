/**
 * Label masks over the anchor pairs (i, j) of a supervised contrastive batch, from the anchor
 * labels `[M]` (int32), as bool `[M, M]` tensors:
 * `positive` = same label and j ≠ i (P(i)), `negative` = different label (N(i)),
 * `other` = j ≠ i (A(i)).
 */
import * as tf from '@tensorflow/tfjs';

export interface LabelMasks {
  positive: tf.Tensor2D;
  negative: tf.Tensor2D;
  other: tf.Tensor2D;
}

export function labelMasks(anchorLabels: tf.Tensor1D): LabelMasks {
  const M = anchorLabels.shape[0];
  return tf.tidy(() => {
    const same = tf.equal(tf.expandDims(anchorLabels, 1), tf.expandDims(anchorLabels, 0));
    const other = tf.logicalNot(tf.cast(tf.eye(M), 'bool'));
    return {
      positive: tf.logicalAnd(same, other) as tf.Tensor2D,
      negative: tf.logicalNot(same) as tf.Tensor2D,
      other: other as tf.Tensor2D,
    };
  });
}
