/**
 * Training a retriever on (query, positive document) pairs with MNRL (`losses/mnrl.ts`), with
 * one of three sources of negatives:
 *
 * - `in-batch`: the other positives of the batch only;
 * - `mined`: plus H hard negatives per query, the top H of its candidates (exact search over the
 *   whole corpus with the current model) that are not its positive;
 * - `mined-filtered`: the same after false-negative filtering (`filterCandidates`): documents
 *   known to be false negatives (`traps`, e.g. WordNet documents sharing a lemma with the
 *   positive) are never negatives, and a candidate must score below `relativeMargin` × the
 *   positive's score (NV-Retriever's TopK-PercPos, 0.95).
 *
 * Negatives are mined before epoch `mineFrom` (0-based) and again every `remineEvery` epochs;
 * the epochs before `mineFrom` use in-batch negatives only, so the first mining can use a model
 * that has already learned something (an untrained encoder's neighbours are lexical look-alikes,
 * and its positive scores are too low for the relative-margin filter to keep much). A query whose
 * filters leave fewer than H candidates gets random documents (not its positive nor a trap) in
 * the missing slots, counted in the mining report.
 *
 * A step with a non-finite loss or gradient stops the training with a `DivergenceError` naming
 * the epoch, the step and `suspects`, or with `nonFinite: 'skip'` is skipped and counted.
 */
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import { mnrl } from '../losses/mnrl.js';
import { exactTopK } from '../mining/exactSearch.js';
import type { Candidate, DropReason } from '../negatives/falseNegativeFilter.js';
import { selectNegatives, SelectionTally } from '../negatives/selection.js';
import { readValues } from '../ops/readValues.js';
import { DivergenceError, divergenceMessage, NonFiniteStep, type NonFinitePolicy } from '../optim/guardedStep.js';
import type { Retriever } from './retrievers.js';

export type NegativeSource = 'in-batch' | 'mined' | 'mined-filtered';

export interface RetrievalPairs {
  /** Training queries (indices into the retriever's queries). */
  queries: number[];
  /** The positive document of each training query (same order). */
  positives: number[];
  /** Number of documents in the corpus. */
  corpusSize: number;
  /** Documents that are never negatives for a training query (by position in `queries`), besides its positive. */
  traps?: (i: number) => number[];
  /** The documents negatives are mined from (default: the whole corpus). */
  negativePool?: number[];
}

export interface RetrievalTrainOptions {
  negatives: NegativeSource;
  /** Default 3. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Hard negatives per query for the mined sources (default 3). */
  hardNegatives?: number;
  /** Candidates searched per query when mining (default 50). */
  candidates?: number;
  /** TopK-PercPos ratio of `mined-filtered` (default 0.95). */
  relativeMargin?: number;
  /** Mine again every this many epochs (default 1: before each epoch). */
  remineEvery?: number;
  /** The first epoch (0-based) trained with mined negatives; earlier ones use in-batch negatives only (default 0). */
  mineFrom?: number;
  /** MNRL scale (default 20). */
  scale?: number;
  seed?: number;
  /** A step with a non-finite loss or gradient: stop with a `DivergenceError` (default) or skip it. */
  nonFinite?: NonFinitePolicy;
  /** The settings that most likely cause a divergence, named in its message (default "the learning rate too high"). */
  suspects?: string;
  onEpoch?: (report: RetrievalEpochReport) => void;
}

export interface MiningReport {
  /** Candidates dropped, by filter. */
  dropped: Record<DropReason, number>;
  /** Slots filled with random documents for want of kept candidates. */
  randomFill: number;
  /**
   * Share of the mined negatives that are no training query's positive. Training only ever pushes
   * such documents away; when most negatives are of this kind, held-out queries (whose positives
   * are such documents) suffer (see `negativePool`).
   */
  nonPositiveShare: number;
  seconds: number;
}

export interface RetrievalEpochReport {
  epoch: number;
  meanLoss: number;
  /** Steps skipped as non-finite (`nonFinite: 'skip'`). */
  skippedSteps?: number;
  seconds: number;
  mining?: MiningReport;
}

export function trainRetrieval(retriever: Retriever, pairs: RetrievalPairs, options: RetrievalTrainOptions): RetrievalEpochReport[] {
  const { negatives: source, epochs = 3, batchSize = 128, hardNegatives = 3, remineEvery = 1, mineFrom = 0, scale = 20, seed = 0, nonFinite = 'stop' } = options;
  const n = pairs.queries.length;
  if (pairs.positives.length !== n) throw new Error(`trainRetrieval: ${pairs.positives.length} positives for ${n} queries`);
  if (n < batchSize) throw new Error(`trainRetrieval: ${n} training pairs are fewer than a batch of ${batchSize}`);
  const rng = new Rng(seed);
  const H = source === 'in-batch' ? 0 : hardNegatives;
  const reports: RetrievalEpochReport[] = [];
  let mined: Int32Array | undefined;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    let mining: MiningReport | undefined;
    if (H > 0 && epoch >= mineFrom && (epoch - mineFrom) % remineEvery === 0) {
      ({ negatives: mined, report: mining } = mineNegatives(retriever, pairs, source, H, options, rng.fork()));
    }
    const h = mined === undefined ? 0 : H;
    const order = rng.permutation(n);
    let total = 0;
    let steps = 0;
    let skipped = 0;
    const stepsPerEpoch = Math.floor(n / batchSize);
    for (let s = 0; s + batchSize <= n; s += batchSize) {
      const batch = Array.from(order.subarray(s, s + batchSize));
      const negatives = h > 0 ? batch.flatMap((i) => Array.from(mined!.subarray(i * h, (i + 1) * h))) : [];
      try {
        total += retriever.step(
          batch.map((i) => pairs.queries[i]),
          batch.map((i) => pairs.positives[i]),
          negatives,
          (q, p, hard) => mnrl(q, p, { scale, hardNegatives: hard }),
        );
        steps++;
      } catch (err) {
        if (!(err instanceof NonFiniteStep)) throw err;
        if (nonFinite === 'stop' || err.nonFinite === 'weights' || skipped + 1 === stepsPerEpoch) {
          const where = `epoch ${epoch + 1}/${epochs} step ${s / batchSize + 1}/${stepsPerEpoch}${skipped + 1 === stepsPerEpoch ? ' (every step of the epoch non-finite)' : ''}`;
          throw new DivergenceError(divergenceMessage(where, err, options.suspects ?? 'the learning rate too high', 'nothing was saved'));
        }
        skipped++;
      }
    }
    const report: RetrievalEpochReport = { epoch: epoch + 1, meanLoss: total / steps, seconds: (performance.now() - t0) / 1000, ...(mining ? { mining } : {}) };
    if (nonFinite === 'skip') report.skippedSteps = skipped;
    reports.push(report);
    options.onEpoch?.(report);
  }
  return reports;
}

/** H negatives per training query `[n, H]` (document indices), mined with the retriever as it is now. */
function mineNegatives(
  retriever: Retriever,
  pairs: RetrievalPairs,
  source: NegativeSource,
  H: number,
  options: RetrievalTrainOptions,
  rng: Rng,
): { negatives: Int32Array; report: MiningReport } {
  const t0 = performance.now();
  const { candidates = 50, relativeMargin = 0.95 } = options;
  const D = retriever.dim;
  const n = pairs.queries.length;
  const queries = retriever.embedQueries(pairs.queries);
  const pool = pairs.negativePool ?? Array.from({ length: pairs.corpusSize }, (_, i) => i);
  const top = exactTopK(queries, retriever.embedDocs(pool), D, candidates);
  const filtered = source === 'mined-filtered';
  const positiveScores = filtered
    ? readValues(() => {
        const p = tf.tensor2d(retriever.embedDocs(pairs.positives), [n, D]);
        return tf.sum(tf.mul(tf.tensor2d(queries, [n, D]), p), 1);
      })
    : undefined;
  const negatives = new Int32Array(n * H);
  const tally = new SelectionTally();
  const selection = { count: H, ...(filtered ? { relativeMargin } : {}) };
  let randomFill = 0;
  for (let i = 0; i < n; i++) {
    const list: Candidate[] = [];
    for (let t = 0; t < candidates && top.rows[i * candidates + t] >= 0; t++) list.push({ index: pool[top.rows[i * candidates + t]], score: top.scores[i * candidates + t] });
    const excluded = new Set([pairs.positives[i], ...(filtered ? (pairs.traps?.(i) ?? []) : [])]);
    const selected = selectNegatives(list, { positives: excluded, positiveScore: positiveScores?.[i] }, selection);
    tally.add(list.length, selected);
    const chosen = selected.chosen.map((c) => c.index);
    const taken = new Set(chosen);
    for (let tries = 0; chosen.length < H; tries++) {
      if (tries > 1000 * H) throw new Error(`trainRetrieval: the negative pool of ${pool.length} documents has fewer than ${H} that are not positives or traps of query ${i}`);
      const r = pool[rng.int(pool.length)];
      if (excluded.has(r) || taken.has(r)) continue;
      chosen.push(r);
      taken.add(r);
      randomFill++;
    }
    negatives.set(chosen, i * H);
  }
  const trainingPositives = new Set(pairs.positives);
  const nonPositive = negatives.reduce((count, d) => count + (trainingPositives.has(d) ? 0 : 1), 0);
  return { negatives, report: { dropped: tally.dropped, randomFill, nonPositiveShare: nonPositive / negatives.length, seconds: (performance.now() - t0) / 1000 } };
}
