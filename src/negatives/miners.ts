/**
 * Batch miners: for each anchor `[B, D]`, pick k negatives among candidates `[M, D]` by cosine
 * similarity, through the selection core of `selection.ts` (false-negative filters, then
 * `hardest`, `semi-hard` or seeded `random` sampling). Anchors with fewer than k usable candidates
 * get −1 in the unused slots.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { l2Normalize } from '../ops/normalize.js';
import { ArgumentError, checkFinite, checkInt, checkShape } from '../ops/validate.js';
import type { Candidate, DropReason, FilterOptions } from './falseNegativeFilter.js';
import { selectNegatives, SelectionTally, type Sampling } from './selection.js';
import { readValues } from '../ops/readValues.js';

export interface MinerOptions extends FilterOptions {
  /** Negatives per anchor. */
  k: number;
  /** `hardest` (default), `semi-hard` or `random` (see `selection.ts`). */
  sampling?: Sampling;
  /** For `semi-hard`: how far below the positive a negative may score. Default 0.2. */
  semiHardMargin?: number;
  /** Per anchor, candidate ids that are its positives (never negatives; their best score is the positive score). */
  positiveIds?: ArrayLike<number>[];
  /** Per anchor, the positive's score (overrides the one found through `positiveIds`). */
  positiveScores?: ArrayLike<number>;
  anchorLabels?: ArrayLike<number>;
  candidateLabels?: ArrayLike<number>;
  rng?: Rng;
}

export interface Mined {
  /** `[B, k]` candidate ids, −1 where none was left. */
  indices: Int32Array;
  /** `[B, k]` their cosine similarities (NaN where −1). */
  scores: Float32Array;
  /** How many candidates each filter dropped, over all anchors. */
  dropped: Record<DropReason, number>;
}

export function mineNegatives(anchors: tf.Tensor2D, candidates: tf.Tensor2D, options: MinerOptions): Mined {
  const fn = 'mineNegatives';
  checkShape(fn, 'anchors', anchors, [-1, -1]);
  checkShape(fn, 'candidates', candidates, [-1, anchors.shape[1]]);
  checkFinite(fn, 'anchors', anchors);
  checkFinite(fn, 'candidates', candidates);
  const [B] = anchors.shape;
  const M = candidates.shape[0];
  const { k, sampling = 'hardest', rng = defaultRng() } = options;
  checkInt(fn, 'k', k, 1);
  const lengthCheck = (name: string, a: ArrayLike<unknown> | undefined, n: number) => {
    if (a !== undefined && a.length !== n) throw new ArgumentError(`${fn}: ${name} must have length ${n}, got ${a.length}`);
  };
  lengthCheck('positiveIds', options.positiveIds, B);
  lengthCheck('positiveScores', options.positiveScores, B);
  lengthCheck('anchorLabels', options.anchorLabels, B);
  lengthCheck('candidateLabels', options.candidateLabels, M);
  if ((options.anchorLabels === undefined) !== (options.candidateLabels === undefined)) {
    throw new ArgumentError(`${fn}: give both anchorLabels and candidateLabels, or neither`);
  }

  const scores = readValues(() => tf.matMul(l2Normalize(anchors), l2Normalize(candidates), false, true));
  const indices = new Int32Array(B * k).fill(-1);
  const picked = new Float32Array(B * k).fill(NaN);
  const tally = new SelectionTally();
  const candidateLabels = options.candidateLabels;
  for (let b = 0; b < B; b++) {
    const row = scores.subarray(b * M, (b + 1) * M);
    const positives = new Set(Array.from(options.positiveIds?.[b] ?? []));
    let positiveScore = options.positiveScores?.[b];
    if (positiveScore === undefined && positives.size > 0) positiveScore = Math.max(...[...positives].map((p) => row[p]));
    if (sampling === 'semi-hard' && positiveScore === undefined) {
      throw new ArgumentError(`${fn}: sampling 'semi-hard' needs positiveIds or positiveScores`);
    }
    const sorted: Candidate[] = Array.from(row, (score, index) => ({ index, score })).sort((x, y) => y.score - x.score || x.index - y.index);
    const anchor = { positiveScore, positives, label: options.anchorLabels?.[b], labelOf: candidateLabels === undefined ? undefined : (i: number) => candidateLabels[i] };
    const selection = selectNegatives(sorted, anchor, { ...options, count: k }, rng);
    tally.add(sorted.length, selection);
    selection.chosen.forEach((c, t) => {
      indices[b * k + t] = c.index;
      picked[b * k + t] = c.score;
    });
  }
  return { indices, scores: picked, dropped: tally.dropped };
}
