/**
 * Weighted kNN classifier on frozen features (the InstDisc / MoCo monitor, Wu et al. 2018):
 * cosine similarities to a labelled bank, the k nearest neighbours vote with weight e^{s/T},
 * the prediction is the class with the largest total weight.
 *
 *   score_c(x) = Σ_{j ∈ kNN(x)} e^{s(x, b_j)/T} · [y_j = c],   top-1 = argmax_c score_c
 *
 * Defaults k = 200, T = 0.1 (as in InstDisc and MoCo's monitor). Queries are processed in chunks
 * (`chunk` rows at a time), so memory stays at chunk × bank similarities. Ties between class
 * scores go to the lower class id; neighbours are ranked by similarity, ties by lower bank index.
 *
 * Shapes: bank `[M, D]` with labels `[M]`, queries `[Q, D]` with labels `[Q]`.
 */
import * as tf from '../engine/tf.js';
import { hardestIndicesIn } from '../engine/hostKernels.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError, checkInt, checkPositive, checkShape } from '../ops/validate.js';

export interface KnnOptions {
  /** Neighbours (default 200; capped at the bank size). */
  k?: number;
  /** Temperature T of the vote weights e^{s/T} (default 0.1). */
  temperature?: number;
  /** Query rows per chunk (default 256). */
  chunk?: number;
}

export interface KnnResult {
  top1: number;
  top5: number;
  /** Predicted class of each query. */
  predictions: Int32Array;
}

export function knnClassify(
  bank: tf.Tensor2D,
  bankLabels: ArrayLike<number>,
  queries: tf.Tensor2D,
  queryLabels: ArrayLike<number>,
  options: KnnOptions = {},
): KnnResult {
  const fn = 'knnClassify';
  const { temperature = 0.1, chunk = 256 } = options;
  checkShape(fn, 'bank', bank, [-1, -1]);
  checkShape(fn, 'queries', queries, [-1, bank.shape[1]]);
  const [M] = bank.shape;
  const Q = queries.shape[0];
  if (bankLabels.length !== M) throw new ArgumentError(`${fn}: bankLabels must have length ${M}, got ${bankLabels.length}`);
  if (queryLabels.length !== Q) throw new ArgumentError(`${fn}: queryLabels must have length ${Q}, got ${queryLabels.length}`);
  checkPositive(fn, 'temperature', temperature);
  checkInt(fn, 'chunk', chunk, 1);
  const k = Math.min(options.k ?? 200, M);
  checkInt(fn, 'k', k, 1);
  let classes = 0;
  for (let j = 0; j < M; j++) classes = Math.max(classes, bankLabels[j] + 1);

  const unitBank = l2Normalize(bank);
  const predictions = new Int32Array(Q);
  let hit1 = 0;
  let hit5 = 0;
  const votes = new Float64Array(classes);
  for (let start = 0; start < Q; start += chunk) {
    const n = Math.min(chunk, Q - start);
    const sims = tf.tidy(() => tf.matMul(l2Normalize(tf.slice(queries, [start, 0], [n, -1])), unitBank, false, true));
    const s = sims.dataSync() as Float32Array;
    sims.dispose();
    const nearest = hardestIndicesIn(s, n, M, k, [-1.001, 1.001]);
    for (let r = 0; r < n; r++) {
      votes.fill(0);
      for (let t = 0; t < k; t++) {
        const j = nearest[r * k + t];
        votes[bankLabels[j]] += Math.exp(s[r * M + j] / temperature);
      }
      const ranked = [...votes.keys()].sort((a, b) => votes[b] - votes[a] || a - b);
      const truth = queryLabels[start + r];
      predictions[start + r] = ranked[0];
      if (ranked[0] === truth) hit1++;
      if (ranked.slice(0, 5).includes(truth)) hit5++;
    }
  }
  unitBank.dispose();
  return { top1: hit1 / Q, top5: hit5 / Q, predictions };
}
