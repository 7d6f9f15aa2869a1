/**
 * The N hardest negatives per query: indices of the N largest scores of each row, ordered by
 * score descending, ties broken by the lower index (MoCHi's ranking rule in `algorithms.md`).
 *
 * Runs on host values (row-major `[B, K]`) in O(K) per row plus a little: a histogram finds the
 * bin holding the N-th score (of a sample's threshold's survivors, or of the whole row); the
 * scores from that bin up are bucketed by bin (a counting sort, stable in index order), and each
 * bucket is insertion-sorted by score, which keeps equal scores in index order. Several times faster than `tf.topk` on the wasm
 * backend at MoCHi's sizes (B = 256, K = 4096, N = 256). `native/selection.c` is its C twin, with
 * identical results; `engine/hostKernels.ts` picks one.
 *
 * Shapes: scores `[B, K]` → indices `[B, N]` (Int32Array, row-major).
 */
const BINS = 1024;
/** The fast path's sample: every STRIDE-th score votes for a threshold, in SAMPLE_BINS bins over the sample's range. */
const STRIDE = 8;
const SAMPLE_BINS = 256;

/**
 * The JavaScript twin of `hn_hardest`: writes into `out` `[B, N]` the indices of each row's N
 * largest scores; `range` bounds the scores (scores outside it are clamped into the end bins, so
 * the result is exact either way; the bound only affects speed). Sizes are checked by the caller.
 * As in C, a large row first samples a threshold t with about 1.25·N scores >= t (one score in
 * every 8, at a hashed offset, votes in a histogram over the sample's range; 2.5·N on a second
 * try); when at least N scores are >= t they hold the N best (ties included) and only they are
 * bucketed, over their own range. Otherwise all K are.
 */
export function selectHardest(scores: Float32Array, B: number, K: number, N: number, range: [number, number] | undefined, out: Int32Array): void {
  const w: Scratch = { counts: new Int32Array(BINS), next: new Int32Array(BINS), bins: new Uint16Array(K), values: new Float32Array(K), indices: new Int32Array(K), cand: new Int32Array(K) };
  const all = new Int32Array(K);
  for (let k = 0; k < K; k++) all[k] = k;
  for (let b = 0; b < B; b++) {
    const off = b * K;
    if (!(K >= 64 * STRIDE && N * 4 <= K && sampledTop(scores, off, K, N, out, b * N, w))) {
      const lo = range !== undefined ? range[0] : rowMin(scores, off, K);
      const hi = range !== undefined ? range[1] : rowMax(scores, off, K);
      bucketSortTop(scores, off, all, K, N, BINS, lo, hi, out, b * N, w);
    }
  }
}

interface Scratch {
  counts: Int32Array;
  next: Int32Array;
  bins: Uint16Array;
  values: Float32Array;
  indices: Int32Array;
  cand: Int32Array;
}

/** The b-th sampled position: one per block of STRIDE scores, at a hashed offset (as `sample_at` in C). */
function sampleAt(block: number): number {
  return block * STRIDE + (Math.imul(block, 2654435761) >>> 29);
}

/** The fast path for one row; false when two sampled thresholds let fewer than N scores through. */
function sampledTop(scores: Float32Array, off: number, K: number, N: number, out: Int32Array, at: number, w: Scratch): boolean {
  const blocks = Math.floor(K / STRIDE);
  let slo = Infinity; // the sample's range (NaN left out)
  let shi = -Infinity;
  for (let b = 0; b < blocks; b++) {
    const v = scores[off + sampleAt(b)];
    if (v < slo) slo = v;
    if (v > shi) shi = v;
  }
  if (!(slo < shi)) return false;
  const scale = (SAMPLE_BINS - 1) / (shi - slo);
  const counts = w.counts;
  counts.fill(0, 0, SAMPLE_BINS);
  for (let b = 0; b < blocks; b++) counts[binOf(scores[off + sampleAt(b)], slo, scale, SAMPLE_BINS)]++;
  let top = SAMPLE_BINS - 1;
  let filled = counts[top];
  for (let want = Math.floor((5 * N) / (4 * STRIDE)) + 8, tries = 0; tries < 2 && top > 0; want *= 2, tries++) {
    while (filled < want && top > 0) filled += counts[--top];
    if (top === 0) return false;
    const t = slo + top / scale; // any threshold is exact
    const cand = w.cand;
    let n = 0;
    for (let k = 0; k < K; k++) {
      cand[n] = k;
      n += scores[off + k] >= t ? 1 : 0;
    }
    if (n < N) continue;
    let clo = Infinity;
    let chi = -Infinity;
    for (let c = 0; c < n; c++) {
      const v = scores[off + cand[c]];
      if (v < clo) clo = v;
      if (v > chi) chi = v;
    }
    bucketSortTop(scores, off, cand, n, N, Math.min(BINS, 2 * n), clo, chi, out, at, w);
    return true;
  }
  return false;
}

/**
 * The n scores scores[off + at[c]] (at increasing), in nb bins over [lo, hi]: a histogram finds
 * the bin of the N-th largest; a stable counting sort buckets the scores; each bucket from the top
 * down to that bin is insertion-sorted by score (strict comparison keeps ties in index order).
 */
function bucketSortTop(scores: Float32Array, off: number, at: Int32Array, n: number, N: number, nb: number, lo: number, hi: number, out: Int32Array, outAt: number, w: Scratch): void {
  const scale = hi > lo ? (nb - 1) / (hi - lo) : 0;
  const { counts, next, bins, values, indices } = w;
  counts.fill(0, 0, nb);
  for (let c = 0; c < n; c++) {
    const x = binOf(scores[off + at[c]], lo, scale, nb);
    bins[c] = x;
    counts[x]++;
  }
  let top = -1;
  let filled = 0;
  for (let x = nb - 1; x >= 0; x--) {
    next[x] = filled;
    filled += counts[x];
    if (top < 0 && filled >= N) top = x;
  }
  for (let c = 0; c < n; c++) {
    const p = next[bins[c]]++;
    values[p] = scores[off + at[c]];
    indices[p] = at[c];
  }
  for (let x = nb - 1, startAt = 0; x >= top; startAt += counts[x], x--) {
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
  out.set(indices.subarray(0, N), outAt);
}

/** Bin of score v among nb, clamped into [0, nb). */
function binOf(v: number, lo: number, scale: number, nb: number): number {
  const x = ((v - lo) * scale) | 0;
  return x < 0 ? 0 : x >= nb ? nb - 1 : x;
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
