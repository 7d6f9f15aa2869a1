/**
 * Per-query candidate lists, best first: `rows` `[Q, k]` (corpus rows, −1 for an empty slot) and
 * `scores` `[Q, k]` (−Infinity for an empty slot). Lists are ordered by score descending, ties by
 * row ascending, so merging the lists of corpus shards gives exactly the list of one pass over the
 * whole corpus.
 */
export interface TopK {
  k: number;
  rows: Int32Array;
  scores: Float32Array;
}

export function emptyTopK(queries: number, k: number): TopK {
  return { k, rows: new Int32Array(queries * k).fill(-1), scores: new Float32Array(queries * k).fill(-Infinity) };
}

/** True if (score a, row a) ranks before (score b, row b). */
function before(sa: number, ra: number, sb: number, rb: number): boolean {
  if (rb < 0) return ra >= 0;
  if (ra < 0) return false;
  return sa > sb || (sa === sb && ra < rb);
}

/** The best `k` of two sorted lists per query (both with the same `k` and query count). */
export function mergeTopK(a: TopK, b: TopK): TopK {
  if (a.k !== b.k || a.rows.length !== b.rows.length) throw new Error(`mergeTopK: lists differ in shape (k ${a.k} vs ${b.k}, ${a.rows.length} vs ${b.rows.length} slots)`);
  const { k } = a;
  const out = emptyTopK(a.rows.length / k, k);
  for (let q = 0; q < a.rows.length / k; q++) {
    let i = q * k;
    let j = q * k;
    for (let t = q * k; t < (q + 1) * k; t++) {
      const takeA = before(a.scores[i], a.rows[i], b.scores[j], b.rows[j]);
      const [rows, scores, at] = takeA ? [a.rows, a.scores, i++] : [b.rows, b.scores, j++];
      if (rows[at] < 0) break;
      out.rows[t] = rows[at];
      out.scores[t] = scores[at];
    }
  }
  return out;
}
