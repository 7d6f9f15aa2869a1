/**
 * Exact top-k by cosine similarity: blocks of the corpus against blocks of queries as one matrix
 * product each, the k best of each row (`hardestIndicesIn`: ties go to the lower index; in C on
 * the native backend), then a merge of the block lists.
 *
 * Shapes: queries `[Q, D]`, corpus `[N, D]` (row-major) → `TopK` with rows offset by `firstRow`.
 */
import * as tf from '../engine/tf.js';
import { hardestIndicesIn } from '../engine/hostKernels.js';
import { l2Normalize } from '../ops/normalize.js';
import { emptyTopK, mergeTopK, type TopK } from './topK.js';

export interface ExactSearchOptions {
  /** Corpus rows per matrix product (default 8192). */
  block?: number;
  /** Queries per matrix product (default 1024); a block of scores is `[queryBlock, block]`. */
  queryBlock?: number;
}

export function exactTopK(queries: Float32Array, corpus: Float32Array, dim: number, k: number, firstRow = 0, options: ExactSearchOptions = {}): TopK {
  const { block = 8192, queryBlock = 1024 } = options;
  const Q = queries.length / dim;
  const N = corpus.length / dim;
  if (!Number.isInteger(Q) || !Number.isInteger(N)) throw new Error(`exactTopK: ${queries.length} and ${corpus.length} values are not rows of ${dim}`);
  let result = emptyTopK(Q, k);
  for (let q0 = 0; q0 < Q; q0 += queryBlock) {
    const q1 = Math.min(Q, q0 + queryBlock);
    const q = tf.tidy(() => l2Normalize(tf.tensor2d(queries.subarray(q0 * dim, q1 * dim), [q1 - q0, dim])));
    let part = emptyTopK(q1 - q0, k);
    for (let n0 = 0; n0 < N; n0 += block) {
      const n1 = Math.min(N, n0 + block);
      const kk = Math.min(k, n1 - n0);
      const sims = tf.tidy(() => tf.matMul(q, l2Normalize(tf.tensor2d(corpus.subarray(n0 * dim, n1 * dim), [n1 - n0, dim])), false, true));
      const s = sims.dataSync() as Float32Array;
      sims.dispose();
      const [rows, cols] = [q1 - q0, n1 - n0];
      const nearest = hardestIndicesIn(s, rows, cols, kk, [-1.001, 1.001]);
      const blockTop = emptyTopK(rows, k);
      for (let i = 0; i < rows; i++) {
        for (let t = 0; t < kk; t++) {
          const j = nearest[i * kk + t];
          blockTop.rows[i * k + t] = firstRow + n0 + j;
          blockTop.scores[i * k + t] = s[i * cols + j];
        }
      }
      part = mergeTopK(part, blockTop);
    }
    q.dispose();
    if (Q <= queryBlock) return part;
    result = placeQueries(result, part, q0);
  }
  return result;
}

/** Copies the lists of queries `[q0, q0 + n)` into `into`. */
function placeQueries(into: TopK, part: TopK, q0: number): TopK {
  into.rows.set(part.rows, q0 * into.k);
  into.scores.set(part.scores, q0 * into.k);
  return into;
}
