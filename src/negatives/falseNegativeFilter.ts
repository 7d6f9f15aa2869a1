/**
 * False-negative filters for mined negatives (NV-Retriever 2024; sentence-transformers'
 * `mine_hard_negatives`). A candidate is dropped, for the first reason that applies, if it:
 * - is a known positive of the anchor (`positive`);
 * - carries the anchor's label when labels are known (`label`);
 * - ranks outside the window `[rangeMin, rangeMax)` of the anchor's candidate list (`range`);
 * - scores at or above the absolute ceiling, `score >= maxScore` (`maxScore`);
 * - is not clearly below the positive, `score >= pos − margin` (`margin`);
 * - scores at or above a share of the positive, `score >= pos · relativeMargin`
 *   (`relativeMargin`; NV-Retriever's TopK-PercPos uses 0.95).
 * Everything here is host-side and per anchor, so batch miners and corpus-scale mining share it.
 */
export interface FilterOptions {
  /** First rank kept (0 = the hardest candidate). Default 0. */
  rangeMin?: number;
  /** Ranks at or past this are dropped. Default: no limit. */
  rangeMax?: number;
  maxScore?: number;
  /** Keep only `score < positiveScore − margin`. */
  margin?: number;
  /** Keep only `score < positiveScore · relativeMargin` (TopK-PercPos: 0.95). */
  relativeMargin?: number;
}

export type DropReason = 'positive' | 'label' | 'range' | 'maxScore' | 'margin' | 'relativeMargin';
export const DROP_REASONS: DropReason[] = ['positive', 'label', 'range', 'maxScore', 'margin', 'relativeMargin'];

export interface Candidate {
  /** Candidate id (row in the corpus or batch). */
  index: number;
  score: number;
}

export interface AnchorContext {
  /** Score of the anchor's positive (needed by `margin` and `relativeMargin`). */
  positiveScore?: number;
  /** Ids that are positives of this anchor. */
  positives?: ReadonlySet<number>;
  /** The anchor's label, and a lookup of candidate labels. */
  label?: number;
  labelOf?: (index: number) => number;
}

/**
 * Splits an anchor's candidates (sorted by score, hardest first) into kept and dropped ones.
 * Returns the kept candidates in order and the count dropped per reason.
 */
export function filterCandidates(
  candidates: Candidate[],
  context: AnchorContext,
  options: FilterOptions,
): { kept: Candidate[]; dropped: Record<DropReason, number> } {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  const kept: Candidate[] = [];
  const { rangeMin = 0, rangeMax = Infinity, maxScore, margin, relativeMargin } = options;
  const pos = context.positiveScore;
  if ((margin !== undefined || relativeMargin !== undefined) && pos === undefined) {
    throw new Error('filterCandidates: margin and relativeMargin need the positive score of the anchor');
  }
  let rank = 0;
  for (const c of candidates) {
    let reason: DropReason | undefined;
    if (context.positives?.has(c.index)) reason = 'positive';
    else if (context.label !== undefined && context.labelOf !== undefined && context.labelOf(c.index) === context.label) reason = 'label';
    else {
      // Ranks count the candidates that could be negatives at all (positives and same-label excluded).
      const r = rank++;
      if (r < rangeMin || r >= rangeMax) reason = 'range';
      else if (maxScore !== undefined && c.score >= maxScore) reason = 'maxScore';
      else if (margin !== undefined && c.score >= pos! - margin) reason = 'margin';
      else if (relativeMargin !== undefined && c.score >= pos! * relativeMargin) reason = 'relativeMargin';
    }
    if (reason === undefined) kept.push(c);
    else dropped[reason]++;
  }
  return { kept, dropped };
}
