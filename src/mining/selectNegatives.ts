/**
 * From a query's candidate list (best first) to its negatives: the false-negative filters of
 * `negatives/falseNegativeFilter.ts` (known positives, labels, rank window, absolute ceiling,
 * margin and ratio to the positive's score), then sampling — the top n kept, or n drawn at
 * random (seeded) from those kept, listed by score. A query with fewer than n kept candidates
 * gets none (the output's `negative_1..n` columns must all be filled). Counts and score
 * histograms of what was kept and dropped go into the run's summary.
 */
import type { Rng } from '../engine/random.js';
import { DROP_REASONS, filterCandidates, type Candidate, type DropReason, type FilterOptions } from '../negatives/falseNegativeFilter.js';

export interface SelectionOptions extends FilterOptions {
  /** Negatives per query. */
  negatives: number;
  /** 'top' (default): the hardest n kept; 'random': n drawn from those kept. */
  sampling?: 'top' | 'random';
}

export interface QueryCandidates {
  /** Candidate corpus rows and their scores, best first (−1 rows end the list). */
  rows: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Rows that are positives of the query. */
  positives: ReadonlySet<number>;
  /** The best score among the positives (needed by margin filters). */
  positiveScore?: number;
  /** Label ids of the query and of candidate rows, when labels filter. */
  label?: number;
  labelOf?: (row: number) => number;
}

/** Score histogram over [−1, 1] in 0.05 bins (scores outside fall in the end bins). */
export interface Histograms {
  edges: number[];
  /** Negatives written. */
  kept: number[];
  /** Candidates a filter dropped. */
  dropped: number[];
  /** The positives' scores (one per query). */
  positive: number[];
}

export interface SelectionSummary {
  candidatesSeen: number;
  dropped: Record<DropReason, number>;
  keptByFilters: number;
  notSampled: number;
  negativesChosen: number;
  queriesWithTooFew: number;
  histograms: Histograms;
}

const BINS = 40;

export class NegativeSelector {
  private readonly stats: SelectionSummary;

  constructor(
    private readonly options: SelectionOptions,
    private readonly rng: Rng,
  ) {
    if (!(Number.isInteger(options.negatives) && options.negatives >= 1)) throw new Error(`negatives must be an integer >= 1, got ${options.negatives}`);
    const zeros = () => new Array<number>(BINS).fill(0);
    this.stats = {
      candidatesSeen: 0,
      dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
      keptByFilters: 0,
      notSampled: 0,
      negativesChosen: 0,
      queriesWithTooFew: 0,
      histograms: { edges: Array.from({ length: BINS + 1 }, (_, i) => Number((-1 + (2 * i) / BINS).toFixed(2))), kept: zeros(), dropped: zeros(), positive: zeros() },
    };
  }

  /** The query's negatives, hardest first, or undefined if fewer than n survive the filters. */
  select(query: QueryCandidates): Candidate[] | undefined {
    const { negatives: n, sampling = 'top' } = this.options;
    const list: Candidate[] = [];
    for (let t = 0; t < query.rows.length && query.rows[t] >= 0; t++) list.push({ index: query.rows[t], score: query.scores[t] });
    const { kept, dropped } = filterCandidates(list, { positiveScore: query.positiveScore, positives: query.positives, label: query.label, labelOf: query.labelOf }, this.options);
    const s = this.stats;
    s.candidatesSeen += list.length;
    for (const r of DROP_REASONS) s.dropped[r] += dropped[r];
    s.keptByFilters += kept.length;
    const keptSet = new Set(kept);
    for (const c of list) if (!keptSet.has(c)) s.histograms.dropped[bin(c.score)]++;
    if (query.positiveScore !== undefined) s.histograms.positive[bin(query.positiveScore)]++;
    // One draw from the run's generator per query, so that a query's sample does not depend on the others'.
    const rng = this.rng.fork();
    const order = sampling === 'random' ? rng.permutation(kept.length) : undefined;
    if (kept.length < n) {
      s.queriesWithTooFew++;
      s.notSampled += kept.length;
      return undefined;
    }
    const chosen = order === undefined ? kept.slice(0, n) : Array.from(order.subarray(0, n), (i) => kept[i]).sort((a, b) => b.score - a.score || a.index - b.index);
    s.notSampled += kept.length - n;
    s.negativesChosen += n;
    for (const c of chosen) s.histograms.kept[bin(c.score)]++;
    return chosen;
  }

  summary(): SelectionSummary {
    return structuredClone(this.stats);
  }
}

function bin(score: number): number {
  return Math.min(BINS - 1, Math.max(0, Math.floor(((score + 1) / 2) * BINS)));
}
