/**
 * MoCHi's per-query host work, the JavaScript twin of `native/mochi.c` (same numbers, except the
 * pair dots c, summed here in float64 and in C in eight float32 lanes: they differ by rounding).
 *
 * For query b, its hardest list `hardest[b]` `[N]`, its queue logits `scores[b]` `[K]` (= scale·q·n)
 * and the draws (ranks i, j, k into the list; α, β):
 *   n_i, n_j, n_k = hardest[b][i], …                       (queue rows)
 *   c = n_i·n_j,   d = scores[b][n_k] / scale              (= q·n_k)
 *   w_a = α / ‖α n_i + (1−α) n_j‖,  w_b = (1−α) / ‖…‖,   with ‖…‖² = α² + (1−α)² + 2α(1−α)c
 *   w_q = β / ‖β q + (1−β) n_k‖,    w_d = (1−β) / ‖…‖,   with ‖…‖² = β² + (1−β)² + 2β(1−β)d
 *   logit_t  = w_a·scores[b][n_i] + w_b·scores[b][n_j]     (= scale·q·h_t)
 *   logit′_t = w_q·qq[b] + w_d·scores[b][n_k]               (= scale·q·h′_t, qq = scale·q·q̂)
 * (norms floored at 1e-12). The backward pass, for dy `[B, s + s′]`:
 *   dNeg[b][n_i] += dy·w_a, dNeg[b][n_j] += dy·w_b, dNeg[b][n_k] += dy′·w_d (zero elsewhere),
 *   dqq[b] = Σ_t dy′_t·w_q
 * summed in the order TensorFlow.js's gather gradient summed them (all a terms, then b, then d),
 * and added to the gradient dNeg already holds, as an element-wise Add would (`scatterAddJs`).
 * Every product and sum is rounded to float32 as the tensor ops did.
 */

/** What the mix reads and writes; flat row-major arrays. */
export interface MochiMixArrays {
  B: number;
  K: number;
  N: number;
  s: number;
  sPrime: number;
  D: number;
  /** `[B, K]` = scale·q·n. */
  scores: Float32Array;
  scale: number;
  /** The unit queue `[K, D]`. */
  rows: Float32Array;
  /** `[B, N]` queue rows, hardest first. */
  hardest: Int32Array;
  i: Int32Array;
  j: Int32Array;
  alpha: Float64Array;
  k: Int32Array;
  beta: Float64Array;
  /** `[B]` scale·q·q̂ (needed when s′ > 0). */
  qq: Float32Array | null;
}

/** The mix's outputs: queue rows, dots and weights per synthetic negative, and the logits `[B, s + s′]`. */
export interface MochiMixed {
  rowI: Int32Array;
  rowJ: Int32Array;
  rowK: Int32Array;
  c: Float32Array;
  d: Float32Array;
  wA: Float32Array;
  wB: Float32Array;
  wQ: Float32Array;
  wD: Float32Array;
  logits: Float32Array;
}

const f32 = Math.fround;

function norm(w: number, dot: number): number {
  return Math.max(Math.sqrt(w * w + (1 - w) * (1 - w) + 2 * w * (1 - w) * dot), 1e-12);
}

/** rows[a..a+D)·rows[b..b+D), summed in float64 (the JavaScript pair dot). */
export function rowDot(rows: Float32Array, a: number, b: number, D: number): number {
  let sum = 0;
  for (let e = 0; e < D; e++) sum += rows[a + e] * rows[b + e];
  return sum;
}

/**
 * rowDot for four pairs at once, into c[at..at+4): each sum in the same order as `rowDot` (so
 * the same values), the four chains of additions overlapping instead of waiting on each other.
 */
function rowDots4(rows: Float32Array, a: Int32Array, b: Int32Array, at: number, D: number, c: Float32Array): void {
  const [a0, a1, a2, a3] = [a[at] * D, a[at + 1] * D, a[at + 2] * D, a[at + 3] * D];
  const [b0, b1, b2, b3] = [b[at] * D, b[at + 1] * D, b[at + 2] * D, b[at + 3] * D];
  let [s0, s1, s2, s3] = [0, 0, 0, 0];
  for (let e = 0; e < D; e++) {
    s0 += rows[a0 + e] * rows[b0 + e];
    s1 += rows[a1 + e] * rows[b1 + e];
    s2 += rows[a2 + e] * rows[b2 + e];
    s3 += rows[a3 + e] * rows[b3 + e];
  }
  [c[at], c[at + 1], c[at + 2], c[at + 3]] = [s0, s1, s2, s3];
}

/** Fills `out` (sized for B, s, s′) from `m`. */
export function mixJs(m: MochiMixArrays, out: MochiMixed): void {
  const { B, K, N, s, sPrime, D, scores, scale, rows, hardest, i: di, j: dj, k: dk, alpha, beta, qq } = m;
  const { rowI, rowJ, rowK, c, d, wA, wB, wQ, wD, logits } = out;
  const S = s + sPrime;
  for (let b = 0; b < B; b++) {
    const hard = b * N;
    const row = b * K;
    for (let t = 0; t < s; t++) {
      rowI[b * s + t] = hardest[hard + di[b * s + t]];
      rowJ[b * s + t] = hardest[hard + dj[b * s + t]];
    }
    let t4 = 0;
    for (; t4 + 4 <= s; t4 += 4) rowDots4(rows, rowI, rowJ, b * s + t4, D, c);
    for (; t4 < s; t4++) c[b * s + t4] = rowDot(rows, rowI[b * s + t4] * D, rowJ[b * s + t4] * D, D);
    for (let t = 0; t < s; t++) {
      const x = b * s + t;
      const [ri, rj] = [rowI[x], rowJ[x]];
      const a = alpha[x];
      const n = norm(a, c[x]);
      const wa = f32(a / n);
      const wb = f32((1 - a) / n);
      wA[x] = wa;
      wB[x] = wb;
      logits[b * S + t] = f32(scores[row + ri] * wa) + f32(scores[row + rj] * wb);
    }
    for (let t = 0; t < sPrime; t++) {
      const x = b * sPrime + t;
      const rk = hardest[hard + dk[x]];
      rowK[x] = rk;
      d[x] = scores[row + rk] / scale;
      const be = beta[x];
      const n = norm(be, d[x]);
      const wq = f32(be / n);
      const wd = f32((1 - be) / n);
      wQ[x] = wq;
      wD[x] = wd;
      logits[b * S + s + t] = f32(qq![b] * wq) + f32(scores[row + rk] * wd);
    }
  }
}

/**
 * The backward pass added to a gradient dNeg `[B, K]` already has: dNeg + (the scatter), as the
 * element-wise Add of the dense scatter would give (the scatter starting from zeros), row by row
 * through one scratch row.
 */
export function scatterAddJs(B: number, K: number, s: number, sPrime: number, mixed: MochiMixed, dy: Float32Array, dNeg: Float32Array, dqq: Float32Array | null): void {
  const row = new Float32Array(K);
  for (let b = 0; b < B; b++) {
    scatterRowJs(b, s, sPrime, mixed, dy, row, dqq);
    for (let k = 0, at = b * K; k < K; k++, at++) dNeg[at] = dNeg[at] + row[k];
  }
}

/** Query b's row of the scatter into `row` `[K]` (zeroed here), and dqq[b] when given. */
function scatterRowJs(b: number, s: number, sPrime: number, mixed: MochiMixed, dy: Float32Array, row: Float32Array, dqq: Float32Array | null): void {
  const S = s + sPrime;
  row.fill(0);
  for (let t = 0; t < s; t++) row[mixed.rowI[b * s + t]] += f32(dy[b * S + t] * mixed.wA[b * s + t]);
  for (let t = 0; t < s; t++) row[mixed.rowJ[b * s + t]] += f32(dy[b * S + t] * mixed.wB[b * s + t]);
  for (let t = 0; t < sPrime; t++) row[mixed.rowK[b * sPrime + t]] += f32(dy[b * S + s + t] * mixed.wD[b * sPrime + t]);
  if (dqq !== null) {
    let acc = 0;
    for (let t = 0; t < sPrime; t++) acc = f32(acc + f32(dy[b * S + s + t] * mixed.wQ[b * sPrime + t]));
    dqq[b] = acc;
  }
}

