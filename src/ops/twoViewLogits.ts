/**
 * The logits of a SimCLR-style batch of two views, shared by HCL and DCL. With `Z = [z1; z2]`
 * (row `i` and row `i + B` are the two views of sample `i`):
 *
 * - `logits` `[2B, 2B]`: `Z·Zᵀ / τ`;
 * - `positive` `[2B, 1]`: each row's positive logit `z_i·z_i⁺ / τ` (`z1_i·z2_i / τ`, twice);
 * - `negativesOnly` `[2B, 2B]`: 0 on each row's 2B − 2 negatives (the other samples' views) and
 *   `EXCLUDED` on the row itself and its positive; add it to logits before `rowLogSumExp`.
 *
 * Shapes: z1, z2 `[B, D]` (already normalised if wanted).
 */
import * as tf from '@tensorflow/tfjs';
import { EXCLUDED } from './logSumExp.js';

export interface TwoViewLogits {
  logits: tf.Tensor2D;
  positive: tf.Tensor2D;
  negativesOnly: tf.Tensor2D;
}

export function twoViewLogits(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): TwoViewLogits {
  const B = z1.shape[0];
  const z = tf.concat([z1, z2], 0);
  const logits = tf.div(tf.matMul(z, z, false, true), temperature) as tf.Tensor2D;
  const pair = tf.div(tf.sum(tf.mul(z1, z2), 1, true), temperature);
  const positive = tf.concat([pair, pair], 0) as tf.Tensor2D;
  // tile(eye(B), [2, 2]) is 1 exactly at (i, i), (i, i + B), (i + B, i), (i + B, i + B).
  const negativesOnly = tf.mul(tf.tile(tf.eye(B), [2, 2]), EXCLUDED) as tf.Tensor2D;
  return { logits, positive, negativesOnly };
}
