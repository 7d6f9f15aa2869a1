/**
 * The N hardest negatives per query: indices of the N largest scores of each row, ordered by
 * score descending, ties broken by the lower index (MoCHi's ranking rule in `algorithms.md`).
 *
 * Runs on host values (row-major `[B, K]`) in O(K) per row plus a little: a histogram of the
 * row's range finds the bin holding the N-th score; the scores from that bin up are bucketed by
 * bin (a counting sort, stable in index order), and each bucket is insertion-sorted by score,
 * which keeps equal scores in index order. Several times faster than `tf.topk` on the wasm
 * backend at MoCHi's sizes (B = 256, K = 4096, N = 256). On the native backend the same
 * algorithm runs in C (`native/selection.c`), with identical results.
 *
 * Shapes: scores `[B, K]` → indices `[B, N]` (Int32Array, row-major).
 */
import { activeAddon } from '../engine/native/addon.js';

const BINS = 1024;

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
  if (scores.length !== B * K) throw new Error(`hardestIndices: expected ${B}×${K} scores, got ${scores.length}`);
  const out = new Int32Array(B * N);
  const addon = activeAddon();
  if (addon !== undefined) {
    addon.hardest(scores, B, K, N, range?.[0] ?? NaN, range?.[1] ?? NaN, out);
    return out;
  }
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
  return out;
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
