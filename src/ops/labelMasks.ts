/**
 * Label masks over the anchor pairs (i, j) of a supervised contrastive batch, from the anchor
 * labels `[M]` (int32, any values), as float32 0/1 `[M, M]` tensors:
 * `positive` = same label and j ≠ i (P(i)), `negative` = different label (N(i)),
 * `other` = j ≠ i (A(i)).
 *
 * Built from float arithmetic: on wasm, comparisons and int32 arithmetic that broadcast
 * `[M, 1]` against `[1, M]` run ~50× slower than a float subtraction. Labels are first replaced
 * by their dense class index (`tf.unique`), which float32 holds exactly whatever the label values.
 */
import * as tf from '../engine/tf.js';

export interface LabelMasks {
  positive: tf.Tensor2D;
  negative: tf.Tensor2D;
  other: tf.Tensor2D;
}

export function labelMasks(anchorLabels: tf.Tensor1D): LabelMasks {
  const M = anchorLabels.shape[0];
  return tf.tidy(() => {
    const classes = tf.cast(tf.unique(anchorLabels).indices, 'float32');
    const difference = tf.sub(tf.expandDims(classes, 1), tf.expandDims(classes, 0));
    // Class indices are integers, so |sign(difference)| is exactly 0 or 1. (Not a cast to bool:
    // tfjs-wasm 4.22 casts float32 to bool by truncating to a byte, so 256 → false.)
    const negative = tf.abs(tf.sign(difference)) as tf.Tensor2D;
    const self = tf.eye(M);
    return {
      positive: tf.sub(tf.sub(1, negative), self) as tf.Tensor2D,
      negative,
      other: tf.sub(1, self) as tf.Tensor2D,
    };
  });
}
