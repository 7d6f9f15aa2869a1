/**
 * The N hardest negatives per query: indices of the N largest scores of each row, ordered by
 * score descending, ties broken by the lower index (MoCHi's ranking rule in `algorithms.md`).
 *
 * Runs on host values (row-major `[B, K]`) in O(K) per row plus a little: a histogram of the
 * row's range finds the bin holding the N-th score; the scores from that bin up are bucketed by
 * bin (a counting sort, stable in index order), and each bucket is insertion-sorted by score,
 * which keeps equal scores in index order. Several times faster than `tf.topk` on the wasm
 * backend at MoCHi's sizes (B = 256, K = 4096, N = 256). `native/selection.c` is its C twin, with
 * identical results; `engine/hostKernels.ts` picks one.
 *
 * Shapes: scores `[B, K]` → indices `[B, N]` (Int32Array, row-major).
 */
const BINS = 1024;

/**
 * The JavaScript twin of `hn_hardest`: writes into `out` `[B, N]` the indices of each row's N
 * largest scores; `range` bounds the scores (scores outside it are clamped into the end bins, so
 * the result is exact either way; the bound only affects speed). Sizes are checked by the caller.
 */
export function selectHardest(scores: Float32Array, B: number, K: number, N: number, range: [number, number] | undefined, out: Int32Array): void {
  const counts = new Int32Array(BINS);
  const next = new Int32Array(BINS);
  const values = new Float32Array(K);
  const indices = new Int32Array(K);
  for (let b = 0; b < B; b++) {
    const off = b * K;
    const lo = range !== undefined ? range[0] : rowMin(scores, off, K);
    const hi = range !== undefined ? range[1] : rowMax(scores, off, K);
    const scale = hi > lo ? (BINS - 1) / (hi - lo) : 0;
    counts.fill(0);
    for (let k = off, end = off + K; k < end; k++) counts[binOf(scores[k], lo, scale)]++;
    // Bucket starts, from the highest bin down to the one that holds the N-th score.
    let top = BINS - 1;
    let filled = 0;
    for (; ; top--) {
      next[top] = filled;
      filled += counts[top];
      if (filled >= N) break;
    }
    for (let k = 0; k < K; k++) {
      const v = scores[off + k];
      const x = binOf(v, lo, scale);
      if (x >= top) {
        const p = next[x]++;
        values[p] = v;
        indices[p] = k;
      }
    }
    // Sort each bucket by score, descending; strict comparison keeps ties in index order.
    for (let x = BINS - 1, startAt = 0; x >= top; startAt += counts[x], x--) {
      for (let p = startAt + 1, end = startAt + counts[x]; p < end; p++) {
        const v = values[p];
        const i = indices[p];
        let q = p - 1;
        for (; q >= startAt && values[q] < v; q--) {
          values[q + 1] = values[q];
          indices[q + 1] = indices[q];
        }
        values[q + 1] = v;
        indices[q + 1] = i;
      }
    }
    out.set(indices.subarray(0, N), b * N);
  }
}

/** Bin of score v, clamped into [0, BINS). */
function binOf(v: number, lo: number, scale: number): number {
  const x = ((v - lo) * scale) | 0;
  return x < 0 ? 0 : x >= BINS ? BINS - 1 : x;
}

function rowMin(a: Float32Array, off: number, K: number): number {
  let m = Infinity;
  for (let k = off, end = off + K; k < end; k++) if (a[k] < m) m = a[k];
  return m;
}

function rowMax(a: Float32Array, off: number, K: number): number {
  let m = -Infinity;
  for (let k = off, end = off + K; k < end; k++) if (a[k] > m) m = a[k];
  return m;
}
