/**
 * Hardness diagnostics of a MoCo/MoCHi queue (MoCHi §3): for a batch of unit queries q with
 * positives k⁺ and the queue's keys n,
 * - proxy_acc: share of queries whose positive logit q·k⁺ beats every negative (the queue's and,
 *   with MoCHi, the synthetic ones) — the proxy task gets easy as training goes on;
 * - fn_share: share of each query's top-N hardest queue items that carry the query's label
 *   (false negatives), when labels are known;
 * - the mean similarity to the positive, to all queue items, to the N hardest, and to the
 *   synthetic h and h′; plus samples of each for a histogram (`hardness.json`).
 */
import * as tf from '../engine/tf.js';
import type { Rng } from '../engine/random.js';
import { planMochi, type MochiConfig } from '../negatives/mochi.js';
import type { MemoryQueue } from '../negatives/memoryQueue.js';
import { readValues } from '../ops/readValues.js';

export interface HardnessReport {
  metrics: Record<string, number>;
  samples: { positive: number[]; queue: number[]; hardest: number[]; mixed: number[]; query_mixed: number[] };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length === 0 ? NaN : s / xs.length;
}

/** Up to `max` values of `xs`, evenly strided. */
function subsample(xs: ArrayLike<number>, max = 20000): number[] {
  const step = Math.max(1, Math.ceil(xs.length / max));
  const out: number[] = [];
  for (let i = 0; i < xs.length; i += step) out.push(Number(xs[i]));
  return out;
}

export function hardnessDiagnostics(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  queue: MemoryQueue,
  options: { N: number; mochi?: MochiConfig; rng: Rng; queryLabels?: ArrayLike<number> },
): HardnessReport {
  const [B, D] = q.shape;
  const K = queue.filled;
  const N = Math.min(options.N, K);
  const scores = readValues(() => tf.matMul(q, queue.keys(), false, true));
  const pos = readValues(() => tf.sum(tf.mul(q, k), 1));
  const cfg: MochiConfig = options.mochi && N >= 2 ? { ...options.mochi, N } : { N, s: 0, sPrime: 0 };
  const plan = planMochi(cfg, scores, 1, queue.keyValues(), B, K, D, options.rng);
  // Synthetic similarities by the logit-space identity (unit q and queue).
  const mixed = new Float32Array(B * cfg.s);
  for (let x = 0; x < mixed.length; x++) {
    const b = Math.floor(x / cfg.s);
    const a = plan.draws.alpha[x];
    const [sa, sb] = [scores[b * K + plan.rowI[x]], scores[b * K + plan.rowJ[x]]];
    mixed[x] = (a * sa + (1 - a) * sb) / Math.sqrt(a * a + (1 - a) * (1 - a) + 2 * a * (1 - a) * plan.c[x]);
  }
  const queryMixed = new Float32Array(B * cfg.sPrime);
  for (let x = 0; x < queryMixed.length; x++) {
    const be = plan.draws.beta[x];
    const d = plan.d[x];
    queryMixed[x] = (be + (1 - be) * d) / Math.sqrt(be * be + (1 - be) * (1 - be) + 2 * be * (1 - be) * d);
  }
  const hardest = Float32Array.from(plan.hardest, (row, x) => scores[Math.floor(x / N) * K + row]);
  const labels = queue.labels();
  let wins = 0;
  let falseNeg = 0;
  for (let b = 0; b < B; b++) {
    let top = -Infinity;
    for (let j = 0; j < K; j++) top = Math.max(top, scores[b * K + j]);
    for (let t = 0; t < cfg.s; t++) top = Math.max(top, mixed[b * cfg.s + t]);
    for (let t = 0; t < cfg.sPrime; t++) top = Math.max(top, queryMixed[b * cfg.sPrime + t]);
    if (pos[b] > top) wins++;
    if (options.queryLabels) for (let t = 0; t < N; t++) if (labels[plan.hardest[b * N + t]] === options.queryLabels[b]) falseNeg++;
  }
  const metrics: Record<string, number> = {
    proxy_acc: wins / B,
    sim_pos: mean(pos),
    sim_neg_mean: mean(scores),
    sim_hardest_mean: mean(hardest),
  };
  if (options.queryLabels) metrics.fn_share = falseNeg / (B * N);
  if (cfg.s > 0) metrics.sim_mixed_mean = mean(mixed);
  if (cfg.sPrime > 0) metrics.sim_query_mixed_mean = mean(queryMixed);
  return {
    metrics,
    samples: { positive: subsample(pos), queue: subsample(scores), hardest: subsample(hardest), mixed: subsample(mixed), query_mixed: subsample(queryMixed) },
  };
}
