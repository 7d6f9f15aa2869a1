/**
 * The N hardest negatives per query: indices of the N largest scores of each row, ordered by
 * score descending, ties broken by the lower index (MoCHi's ranking rule in `algorithms.md`).
 *
 * Runs on host values (row-major `[B, K]`), per row in O(K + M log M): a histogram of the row's
 * range finds the bin holding the N-th score, the M ≥ N scores from that bin up are encoded as
 * float64 keys `rank(value desc) · 2^17 + index` and sorted natively. Several times faster than
 * `tf.topk` on the wasm backend at MoCHi's sizes (B = 256, K = 4096, N = 256).
 *
 * Shapes: scores `[B, K]` (K <= 131,072) → indices `[B, N]` (Int32Array, row-major).
 */
const BINS = 1024;
const INDEX_SPAN = 131072; // 2^17: room for the queue index in the low bits of a key

export function hardestIndices(scores: Float32Array, B: number, K: number, N: number): Int32Array {
  return hardestIndicesIn(scores, B, K, N);
}

/**
 * As `hardestIndices`, with the scores known to lie in `[lo, hi]` (e.g. `±1/τ` for logits of unit
 * vectors), which saves the pass that finds each row's range. Scores outside the range are clamped
 * into the end bins, so the result is exact either way; the bound only affects speed.
 */
export function hardestIndicesIn(scores: Float32Array, B: number, K: number, N: number, range?: [number, number]): Int32Array {
  if (!(Number.isInteger(N) && N >= 1 && N <= K)) throw new Error(`hardestIndices: N must be an integer in [1, ${K}], got ${N}`);
  if (K > INDEX_SPAN) throw new Error(`hardestIndices: at most ${INDEX_SPAN} candidates per row, got ${K}`);
  if (scores.length !== B * K) throw new Error(`hardestIndices: expected ${B}×${K} scores, got ${scores.length}`);
  const out = new Int32Array(B * N);
  const counts = new Int32Array(BINS);
  let keys = new Float64Array(Math.max(2 * N, 64));
  for (let b = 0; b < B; b++) {
    const off = b * K;
    let [lo, hi] = range ?? [Infinity, -Infinity];
    if (range === undefined) {
      for (let k = 0; k < K; k++) {
        const v = scores[off + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const scale = hi > lo ? (BINS - 1) / (hi - lo) : 0;
    counts.fill(0);
    for (let k = 0; k < K; k++) {
      const x = ((scores[off + k] - lo) * scale) | 0;
      counts[x < 0 ? 0 : x >= BINS ? BINS - 1 : x]++;
    }
    let top = BINS - 1;
    for (let seen = counts[top]; seen < N; seen += counts[top]) top--;
    let m = 0;
    for (let k = 0; k < K; k++) {
      const v = scores[off + k];
      const x = ((v - lo) * scale) | 0;
      if ((x < 0 ? 0 : x >= BINS ? BINS - 1 : x) >= top) {
        if (m === keys.length) keys = grow(keys);
        keys[m++] = descendingRank(v) * INDEX_SPAN + k;
      }
    }
    const sorted = keys.subarray(0, m).sort();
    for (let t = 0; t < N; t++) out[off / K * N + t] = sorted[t] % INDEX_SPAN;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** 0 for +Inf … 2^32 − 1 for −Inf: an integer that increases as the float32 value decreases. */
function descendingRank(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return 0xffffffff - ascending;
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
