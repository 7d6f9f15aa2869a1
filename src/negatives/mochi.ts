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
import * as tf from '../engine/tf.js';
import { HostScratch, hardestIndicesIn, mochiGradientsAdded, mochiMix, type MochiMixed } from '../engine/hostKernels.js';
import { defaultRng, type Rng } from '../engine/random.js';
import type { DerivedLogits } from '../ops/contrastiveCrossEntropy.js';
import { l2Normalize } from '../ops/normalize.js';
import { stopGradient } from '../ops/stopGradient.js';
import { ArgumentError, checkFinite, checkInt, checkShape } from '../ops/validate.js';
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
  /** Everything the host mix computed, the synthetic logits `[B, s + s′]` (scale·q·h, scale·q·h′) included. */
  mixed: MochiMixed;
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
 * Chooses what to mix and computes the synthetic logits (`engine/host/mochiMix.ts`). `scores`
 * are q·n (or q·n/τ, with `scale` = 1/τ) as a host `[B, K]` array; `queueRows` the unit queue,
 * host `[K, D]`; `qq` `[B]` = scale·q·q̂ (default: `scale`, exact for unit queries). With
 * `scratch`, the plan's arrays (but the logits) are that scratch's, reused by its next plan.
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
  qq?: Float32Array,
  scratch = new HostScratch(),
): MochiPlan {
  const { N, s, sPrime } = cfg;
  const bound = Math.abs(scale) * (1 + 1e-3);
  const hardest = hardestIndicesIn(scores, B, K, N, [-bound, bound], scratch);
  const explicit = 'i' in draws;
  const d0 = explicit ? draws : drawMochi(draws, B, N, s, sPrime, scratch);
  if (explicit) checkDraws(d0, B, N, s, sPrime);
  const float64 = (name: string, a: ArrayLike<number>) => {
    const out = scratch.float64(name, a.length);
    out.set(a);
    return out;
  };
  const mixed = mochiMix({
    B, K, N, s, sPrime, D, scores, scale, rows: queueRows, hardest,
    i: int32(d0.i), j: int32(d0.j), alpha: float64('alpha64', d0.alpha), k: int32(d0.k), beta: float64('beta64', d0.beta),
    qq: sPrime === 0 ? null : qq ?? new Float32Array(B).fill(scale),
  }, scratch);
  return { ...cfg, B, K, hardest, draws: d0, rowI: mixed.rowI, rowJ: mixed.rowJ, rowK: mixed.rowK, c: mixed.c, d: mixed.d, mixed };
}

/** The ranks as an Int32Array (drawn ones already are). */
function int32(a: ArrayLike<number>): Int32Array {
  return a instanceof Int32Array ? a : Int32Array.from(a);
}

/** Row b of every synthetic negative of query b: `[B·n]` = 0,0,…,1,1,… */
function ownerRows(B: number, n: number): tf.Tensor1D {
  const rows = new Int32Array(B * n);
  for (let b = 0; b < B; b++) rows.fill(b, b * n, (b + 1) * n);
  return tf.tensor1d(rows, 'int32');
}

/**
 * The synthetic logits `[B, s + s′]` of the logit-space form, the plan's `mixed.logits`, as a block
 * derived from the query's queue logits `neg` `[B, K]` (= scale·q·n) and, when s′ > 0, from
 * `qq` `[B]` = scale·q·q̂ (which must be the values the plan was made with). Their gradient is
 * one scatter of B·(2s + s′) coefficients, added to the gradient `neg` has from the loss itself
 * (`mochiGradientsAdded`; the same values as a dense scatter and an Add).
 */
export function mochiLogitsFast(plan: MochiPlan, neg: tf.Tensor2D, qq: tf.Tensor1D | null): DerivedLogits {
  const { B, K, s, sPrime, mixed } = plan;
  if ((sPrime > 0) !== (qq !== null)) throw new Error(`mochiLogitsFast: qq is needed exactly when s' > 0 (s' = ${sPrime})`);
  return {
    logits: tf.tensor2d(mixed.logits, [B, s + sPrime]),
    of: neg,
    inputs: qq === null ? [] : [qq],
    gradient: (dy, dNeg) => {
      const [sum, dqq] = mochiGradientsAdded(B, K, s, sPrime, mixed, dy, dNeg);
      return dqq === null ? [sum] : [sum, dqq];
    },
  };
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
