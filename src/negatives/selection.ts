/**
 * Negative selection, the one core that the batch miners (`negatives/miners.ts`), corpus mining
 * (`mining/corpusSelector.ts`) and the retrieval trainer (`retrieval/retrievalTrainer.ts`) share:
 * an anchor's candidates, best first, go through the false-negative filters of
 * `falseNegativeFilter.ts`, then `count` of those kept are sampled:
 * - `hardest`: the first `count` kept;
 * - `semi-hard`: the first `count` kept within `semiHardMargin` below the positive,
 *   `pos − semiHardMargin < score < pos` (FaceNet's d_ap < d_an < d_ap + margin, in similarities);
 * - `random`: `count` drawn uniformly from those kept with the given generator (one permutation of
 *   the kept list), listed hardest first.
 * Fewer than `count` come back when too few survive; the caller decides what that means (−1 slots,
 * a skipped query, a random fill). A `SelectionTally` adds up what was seen, dropped and kept.
 */
import type { Rng } from '../engine/random.js';
import { ArgumentError } from '../ops/validate.js';
import { DROP_REASONS, filterCandidates, type AnchorContext, type Candidate, type DropReason, type FilterOptions } from './falseNegativeFilter.js';

export type Sampling = 'hardest' | 'semi-hard' | 'random';
export const SAMPLINGS: Sampling[] = ['hardest', 'semi-hard', 'random'];

export interface SelectionOptions extends FilterOptions {
  /** Negatives per anchor, an integer >= 1. */
  count: number;
  /** Default `hardest`. */
  sampling?: Sampling;
  /** For `semi-hard`: how far below the positive a negative may score. Default 0.2. */
  semiHardMargin?: number;
}

export interface Selection {
  /** The chosen negatives, hardest first (at most `count`). */
  chosen: Candidate[];
  /** Every candidate the filters kept, in the input order. */
  kept: Candidate[];
  /** How many candidates each filter dropped. */
  dropped: Record<DropReason, number>;
}

/** A count per drop reason, all zero. */
export function noDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

/** Running totals over many anchors' selections. */
export class SelectionTally {
  candidatesSeen = 0;
  keptByFilters = 0;
  readonly dropped = noDrops();

  add(candidates: number, selection: Selection): void {
    this.candidatesSeen += candidates;
    this.keptByFilters += selection.kept.length;
    for (const r of DROP_REASONS) this.dropped[r] += selection.dropped[r];
  }
}

/** Checks the options once, before a loop over anchors. */
export function checkSelectionOptions(fn: string, options: SelectionOptions): void {
  const { count, sampling = 'hardest', semiHardMargin = 0.2 } = options;
  if (!(Number.isInteger(count) && count >= 1)) throw new ArgumentError(`${fn}: count of negatives must be an integer >= 1, got ${count}`);
  if (!SAMPLINGS.includes(sampling)) throw new ArgumentError(`${fn}: sampling must be one of ${SAMPLINGS.join(', ')}, got ${String(sampling)}`);
  if (!(semiHardMargin > 0)) throw new ArgumentError(`${fn}: semiHardMargin must be > 0, got ${semiHardMargin}`);
}

/**
 * One anchor's negatives from its candidates (sorted by score, hardest first). `rng` is used only
 * by `random` sampling (required there); `semi-hard` needs `anchor.positiveScore`.
 */
export function selectNegatives(candidates: Candidate[], anchor: AnchorContext, options: SelectionOptions, rng?: Rng): Selection {
  const { count, sampling = 'hardest', semiHardMargin = 0.2 } = options;
  const { kept, dropped } = filterCandidates(candidates, anchor, options);
  let chosen: Candidate[];
  if (sampling === 'random') {
    if (rng === undefined) throw new ArgumentError('selectNegatives: random sampling needs an rng');
    const order = rng.permutation(kept.length);
    chosen = Array.from(order.subarray(0, count), (i) => kept[i]).sort((a, b) => b.score - a.score || a.index - b.index);
  } else if (sampling === 'semi-hard') {
    const pos = anchor.positiveScore;
    if (pos === undefined) throw new ArgumentError("selectNegatives: sampling 'semi-hard' needs the positive's score");
    chosen = kept.filter((c) => c.score < pos && c.score > pos - semiHardMargin).slice(0, count);
  } else {
    chosen = kept.slice(0, count);
  }
  return { chosen, kept, dropped };
}
