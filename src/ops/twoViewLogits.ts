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
import * as tf from '../engine/tf.js';
import { gram } from './gram.js';
import { EXCLUDED } from './logSumExp.js';

export interface TwoViewLogits {
  logits: tf.Tensor2D;
  positive: tf.Tensor2D;
  negativesOnly: tf.Tensor2D;
}

export function twoViewLogits(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): TwoViewLogits {
  const B = z1.shape[0];
  const logits = tf.div(gram(tf.concat([z1, z2], 0)), temperature) as tf.Tensor2D;
  const pair = tf.div(tf.sum(tf.mul(z1, z2), 1, true), temperature);
  const positive = tf.concat([pair, pair], 0) as tf.Tensor2D;
  return { logits, positive, negativesOnly: selfAndPositiveExcluded(B) };
}

/**
 * EXCLUDED at (i, i), (i, i + B), (i + B, i), (i + B, i + B), else 0: `[2B, 2B]`. Written from
 * JS (4B entries; no data read back): tfjs-wasm's `Tile` (`tile(eye(B), [2, 2])`) takes ~18 ms
 * at B = 256.
 */
function selfAndPositiveExcluded(B: number): tf.Tensor2D {
  const n = 2 * B;
  const values = new Float32Array(n * n);
  for (let i = 0; i < B; i++) {
    for (const [r, c] of [[i, i], [i, i + B], [i + B, i], [i + B, i + B]]) values[r * n + c] = EXCLUDED;
  }
  return tf.tensor2d(values, [n, n]);
}
