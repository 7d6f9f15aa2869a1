/**
 * Corpus mining's negative selection: each query's candidate list (best first) goes through the
 * selection core (`negatives/selection.ts`: the false-negative filters, then `hardest` or seeded
 * `random` sampling, listed by score). A query with fewer than n kept candidates gets none (the
 * output's `negative_1..n` columns must all be filled). Counts and score histograms of what was
 * kept and dropped go into the run's summary.
 */
import type { Rng } from '../engine/random.js';
import type { Candidate, DropReason } from '../negatives/falseNegativeFilter.js';
import { checkSelectionOptions, selectNegatives, SelectionTally, type SelectionOptions } from '../negatives/selection.js';

export interface CorpusSelectionOptions extends Omit<SelectionOptions, 'count' | 'sampling'> {
  /** Negatives per query. */
  negatives: number;
  /** `hardest` (default): the hardest n kept; `random`: n drawn from those kept. */
  sampling?: 'hardest' | 'random';
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

export class CorpusSelector {
  private readonly tally = new SelectionTally();
  private readonly histograms: Histograms;
  private readonly counts = { notSampled: 0, negativesChosen: 0, queriesWithTooFew: 0 };
  private readonly options: SelectionOptions;

  constructor(
    options: CorpusSelectionOptions,
    private readonly rng: Rng,
  ) {
    this.options = { ...options, count: options.negatives };
    checkSelectionOptions('mine', this.options);
    const zeros = () => new Array<number>(BINS).fill(0);
    this.histograms = { edges: Array.from({ length: BINS + 1 }, (_, i) => Number((-1 + (2 * i) / BINS).toFixed(2))), kept: zeros(), dropped: zeros(), positive: zeros() };
  }

  /** The query's negatives, hardest first, or undefined if fewer than n survive the filters. */
  select(query: QueryCandidates): Candidate[] | undefined {
    const n = this.options.count;
    const list: Candidate[] = [];
    for (let t = 0; t < query.rows.length && query.rows[t] >= 0; t++) list.push({ index: query.rows[t], score: query.scores[t] });
    // One draw from the run's generator per query, so that a query's sample does not depend on the others'.
    const selection = selectNegatives(list, query, this.options, this.rng.fork());
    this.tally.add(list.length, selection);
    const keptSet = new Set(selection.kept);
    for (const c of list) if (!keptSet.has(c)) this.histograms.dropped[bin(c.score)]++;
    if (query.positiveScore !== undefined) this.histograms.positive[bin(query.positiveScore)]++;
    if (selection.chosen.length < n) {
      this.counts.queriesWithTooFew++;
      this.counts.notSampled += selection.kept.length;
      return undefined;
    }
    this.counts.notSampled += selection.kept.length - n;
    this.counts.negativesChosen += n;
    for (const c of selection.chosen) this.histograms.kept[bin(c.score)]++;
    return selection.chosen;
  }

  summary(): SelectionSummary {
    const { candidatesSeen, keptByFilters, dropped } = this.tally;
    return structuredClone({ candidatesSeen, dropped, keptByFilters, ...this.counts, histograms: this.histograms });
  }
}

function bin(score: number): number {
  return Math.min(BINS - 1, Math.max(0, Math.floor(((score + 1) / 2) * BINS)));
}
