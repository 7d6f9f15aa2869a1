/**
 * MoCHi — hard negative mixing (Kalantidis et al., NeurIPS 2020).
 *
 * For each (unit) query q, rank the queue by q·n (descending, ties → lower index) and keep the N
 * hardest, Q̃ᴺ. Then, with no gradient through any mixture:
 *   h_t  = normalise(α_t·n_i + (1 − α_t)·n_j),   n_i, n_j ∈ Q̃ᴺ, α_t ~ U(0, 1)      (s of them)
 *   h′_t = normalise(β_t·q̂ + (1 − β_t)·n_k),     n_k ∈ Q̃ᴺ, β_t ~ U(0, 0.5), q̂ detached (s′)
 * The query's logits gain [q·h_1..q·h_s, q·h′_1..q·h′_s′]. Synthetic points belong to their own
 * query and never enter the queue. Draws are explicit (`MochiDraws`) or from a seeded `Rng`.
 *
 * Two ways to get the synthetic logits, which agree (tested):
 * - `exact`: build h `[B, s, D]` and h′ `[B, s′, D]`, then q·h.
 * - `logits` (fast): never build them. With a = q·n_i, b = q·n_j, c = n_i·n_j, d = q·n_k:
 *     q·h  = (α a + (1 − α) b) / √(α² + (1 − α)² + 2α(1 − α)c)
 *     q·h′ = (β (q·q̂) + (1 − β) d) / √(β² + (1 − β)² + 2β(1 − β)d)
 *   where a, b, d are gathered from the query's own (differentiable) queue logits and every
 *   denominator is a constant, so ∂(q·h)/∂q = h and ∂(q·h′)/∂q = h′, exactly the gradient of the
 *   exact path. Exact only for unit queries and unit queue items.
 */
import * as tf from '@tensorflow/tfjs';
import { activeAddon } from '../engine/native/addon.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { l2Normalize } from '../ops/normalize.js';
import { stopGradient } from '../ops/stopGradient.js';
import { ArgumentError, checkFinite, checkInt, checkShape } from '../ops/validate.js';
import { hardestIndicesIn } from './hardest.js';
import { checkDraws, drawMochi, type MochiDraws } from './mochiDraws.js';
import { readScalar } from '../ops/readValues.js';

export interface MochiConfig {
  /** How many hardest queue items to mix from (paper: 1024, 512, 256, 128). */
  N: number;
  /** Mixtures of two hard negatives per query (paper: 1024, 512). */
  s: number;
  /** Mixtures of the query with a hard negative per query (paper: 512, 256, 0). */
  sPrime: number;
}

/** The indices MoCHi mixes, resolved to queue rows, and the constants of the logit-space form. */
export interface MochiPlan extends MochiConfig {
  B: number;
  K: number;
  /** `[B, N]` queue indices, hardest first. */
  hardest: Int32Array;
  draws: MochiDraws;
  /** Queue rows of n_i, n_j `[B·s]` and n_k `[B·s′]`. */
  rowI: Int32Array;
  rowJ: Int32Array;
  rowK: Int32Array;
  /** c = n_i·n_j `[B·s]` and d = q·n_k `[B·s′]`. */
  c: Float32Array;
  d: Float32Array;
}

/** Validates (N, s, s′) against a queue of K items. */
export function checkMochiConfig(fn: string, cfg: MochiConfig, K: number): void {
  checkInt(fn, 'N', cfg.N, 1);
  checkInt(fn, 's', cfg.s, 0);
  checkInt(fn, 'sPrime', cfg.sPrime, 0);
  if (cfg.N > K) throw new ArgumentError(`${fn}: N must be <= the queue size ${K}, got ${cfg.N}`);
  if (cfg.s > 0 && cfg.N < 2) throw new ArgumentError(`${fn}: s > 0 mixes two hard negatives and needs N >= 2, got N = ${cfg.N}`);
}

/**
 * Chooses what to mix. `scores` are q·n (or q·n/τ, with `scale` = 1/τ) as a host `[B, K]` array;
 * `queueRows` the unit queue, host `[K, D]`.
 */
export function planMochi(
  cfg: MochiConfig,
  scores: Float32Array,
  scale: number,
  queueRows: Float32Array,
  B: number,
  K: number,
  D: number,
  draws: MochiDraws | Rng,
): MochiPlan {
  const { N, s, sPrime } = cfg;
  const bound = Math.abs(scale) * (1 + 1e-3);
  const hardest = hardestIndicesIn(scores, B, K, N, [-bound, bound]);
  const explicit = 'i' in draws;
  const d0 = explicit ? draws : drawMochi(draws, B, N, s, sPrime);
  if (explicit) checkDraws(d0, B, N, s, sPrime);
  const rowI = new Int32Array(B * s);
  const rowJ = new Int32Array(B * s);
  for (let x = 0; x < B * s; x++) {
    const row = Math.floor(x / s) * N;
    rowI[x] = hardest[row + d0.i[x]];
    rowJ[x] = hardest[row + d0.j[x]];
  }
  const c = pairDots(queueRows, D, rowI, rowJ);
  const rowK = new Int32Array(B * sPrime);
  const d = new Float32Array(B * sPrime);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < sPrime; t++) {
      const x = b * sPrime + t;
      rowK[x] = hardest[b * N + d0.k[x]];
      d[x] = scores[b * K + rowK[x]] / scale;
    }
  }
  return { ...cfg, B, K, hardest, draws: d0, rowI, rowJ, rowK, c, d };
}

/** c[x] = rows[I[x]]·rows[J[x]] for rows `[?, D]` (in C on the native backend). */
function pairDots(rows: Float32Array, D: number, I: Int32Array, J: Int32Array): Float32Array {
  const c = new Float32Array(I.length);
  const addon = activeAddon();
  if (addon !== undefined) {
    addon.pairDots(rows, D, I, J, c);
    return c;
  }
  for (let x = 0; x < I.length; x++) {
    let dot = 0;
    for (let e = I[x] * D, f = J[x] * D, end = e + D; e < end; e++, f++) dot += rows[e] * rows[f];
    c[x] = dot;
  }
  return c;
}

/** Row b of every synthetic negative of query b: `[B·n]` = 0,0,…,1,1,… */
function ownerRows(B: number, n: number): tf.Tensor1D {
  const rows = new Int32Array(B * n);
  for (let b = 0; b < B; b++) rows.fill(b, b * n, (b + 1) * n);
  return tf.tensor1d(rows, 'int32');
}

/**
 * Logit-space synthetic logits `[B, s + s′]` from the query's queue logits `neg` `[B, K]`
 * (= scale·q·n, differentiable in q) and `qScaled` = scale·q `[B, D]`, q unit. The a, b and d
 * logits come from ONE gather, so the backward pass scatters into `[B, K]` once.
 */
export function mochiLogitsFast(plan: MochiPlan, neg: tf.Tensor2D, qScaled: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor2D {
  const { B, K, s, sPrime, draws } = plan;
  const [nS, nP] = [B * s, B * sPrime];
  const offsets = new Int32Array(2 * nS + nP);
  const wA = new Float32Array(nS); // weight of a = q·n_i
  const wB = new Float32Array(nS); // weight of b = q·n_j
  for (let x = 0; x < nS; x++) {
    const a = draws.alpha[x];
    const norm = Math.max(Math.sqrt(a * a + (1 - a) * (1 - a) + 2 * a * (1 - a) * plan.c[x]), 1e-12);
    wA[x] = a / norm;
    wB[x] = (1 - a) / norm;
    const row = Math.floor(x / s) * K;
    offsets[x] = row + plan.rowI[x];
    offsets[nS + x] = row + plan.rowJ[x];
  }
  const wQ = new Float32Array(nP); // weight of q·q̂
  const wD = new Float32Array(nP); // weight of d = q·n_k
  for (let x = 0; x < nP; x++) {
    const be = draws.beta[x];
    const norm = Math.max(Math.sqrt(be * be + (1 - be) * (1 - be) + 2 * be * (1 - be) * plan.d[x]), 1e-12);
    wQ[x] = be / norm;
    wD[x] = (1 - be) / norm;
    offsets[2 * nS + x] = Math.floor(x / sPrime) * K + plan.rowK[x];
  }
  return tf.tidy(() => {
    const picked = tf.gather(tf.reshape(neg, [B * K]), tf.tensor1d(offsets, 'int32'));
    const parts: tf.Tensor2D[] = [];
    if (s > 0) {
      const a = tf.slice(picked, 0, nS);
      const b = tf.slice(picked, nS, nS);
      parts.push(tf.reshape(tf.add(tf.mul(a, tf.tensor1d(wA)), tf.mul(b, tf.tensor1d(wB))), [B, s]));
    }
    if (sPrime > 0) {
      const qq = tf.sum(tf.mul(qScaled, stopGradient(q)), 1); // scale·q·q̂ [B]
      const d = tf.slice(picked, 2 * nS, nP);
      const mixed = tf.add(tf.mul(tf.gather(qq, ownerRows(B, sPrime)), tf.tensor1d(wQ)), tf.mul(d, tf.tensor1d(wD)));
      parts.push(tf.reshape(mixed, [B, sPrime]));
    }
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D);
  });
}

/** The synthetic points themselves: h `[B, s, D]` and h′ `[B, s′, D]`, unit, no gradient. */
export function mochiSynthetic(plan: MochiPlan, q: tf.Tensor2D, queue: tf.Tensor2D): { mixed: tf.Tensor3D; queryMixed: tf.Tensor3D } {
  const { B, s, sPrime, draws } = plan;
  const D = queue.shape[1];
  return tf.tidy(() => {
    const n = stopGradient(queue);
    const ni = tf.gather(n, tf.tensor1d(plan.rowI, 'int32'));
    const nj = tf.gather(n, tf.tensor1d(plan.rowJ, 'int32'));
    const alpha = tf.tensor2d(Float32Array.from(draws.alpha), [B * s, 1]);
    const mixed = l2Normalize(tf.add(tf.mul(alpha, ni), tf.mul(tf.sub(1, alpha), nj)));
    const qd = tf.gather(stopGradient(q), ownerRows(B, sPrime));
    const nk = tf.gather(n, tf.tensor1d(plan.rowK, 'int32'));
    const beta = tf.tensor2d(Float32Array.from(draws.beta), [B * sPrime, 1]);
    const queryMixed = l2Normalize(tf.add(tf.mul(beta, qd), tf.mul(tf.sub(1, beta), nk)));
    return {
      mixed: stopGradient(tf.reshape(mixed, [B, s, D])) as tf.Tensor3D,
      queryMixed: stopGradient(tf.reshape(queryMixed, [B, sPrime, D])) as tf.Tensor3D,
    };
  });
}

/** q·h for a batch of per-query points: q `[B, D]`, points `[B, n, D]` → `[B, n]`. */
export function ownLogits(q: tf.Tensor2D, points: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.sum(tf.mul(tf.expandDims(q, 1), points), 2) as tf.Tensor2D);
}

export interface MochiOptions extends MochiConfig {
  /** Explicit draws (reproducible); otherwise drawn from `rng`. */
  draws?: MochiDraws;
  rng?: Rng;
  /** L2-normalise query and queue first (default true). With false, a query that is not unit length is an error. */
  normalize?: boolean;
}

export interface MochiResult {
  /** h `[B, s, D]`: unit, no gradient. */
  mixed: tf.Tensor3D;
  /** h′ `[B, s′, D]`: unit, no gradient. */
  queryMixed: tf.Tensor3D;
  /** `[B, s + s′]`: q·h then q·h′ (not divided by τ); gradient flows into the query only. */
  logits: tf.Tensor2D;
  /** `[B, N]` queue indices of each query's hardest negatives, hardest first. */
  hardest: Int32Array;
  draws: MochiDraws;
}

/** Unit query and queue for MoCHi, validated. */
export function mochiInputs(fn: string, query: tf.Tensor2D, queue: tf.Tensor2D, normalize: boolean): { q: tf.Tensor2D; n: tf.Tensor2D } {
  checkShape(fn, 'query', query, [-1, -1]);
  checkShape(fn, 'queue', queue, [-1, query.shape[1]]);
  checkFinite(fn, 'query', query);
  checkFinite(fn, 'queue', queue);
  if (normalize) return { q: l2Normalize(query), n: l2Normalize(queue) };
  const worst = readScalar(() => tf.max(tf.abs(tf.sub(tf.norm(query, 'euclidean', 1), 1))));
  if (worst > 1e-3) {
    throw new ArgumentError(`${fn}: with normalize: false the query must be unit length (the logit-space identity is exact only then); a row has |‖q‖ − 1| = ${worst.toPrecision(3)}`);
  }
  return { q: tf.clone(query), n: tf.clone(queue) };
}

/** MoCHi's synthetic negatives for each query, and their logits. */
export function mochi(query: tf.Tensor2D, queue: tf.Tensor2D, options: MochiOptions): MochiResult {
  const fn = 'mochi';
  const { normalize = true, rng = defaultRng() } = options;
  const [B, D] = query.shape;
  checkMochiConfig(fn, options, queue.shape[0]);
  const { q, n } = mochiInputs(fn, query, queue, normalize);
  const scores = tf.tidy(() => tf.matMul(q, n, false, true));
  const plan = planMochi(options, scores.dataSync() as Float32Array, 1, n.dataSync() as Float32Array, B, queue.shape[0], D, options.draws ?? rng);
  const { mixed, queryMixed } = mochiSynthetic(plan, q, n);
  const logits = tf.tidy(() => tf.concat([ownLogits(q, mixed), ownLogits(q, queryMixed)], 1) as tf.Tensor2D);
  tf.dispose([q, n, scores]);
  return { mixed, queryMixed, logits, hardest: plan.hardest, draws: plan.draws };
}
