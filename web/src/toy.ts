/**
 * MoCHi's Figure 1, live (Kalantidis et al. 2020): a query q and its positive k on the unit
 * circle, a queue of K keys, the N hardest keys (largest q·n), s mixtures h of two hard keys and
 * s′ mixtures h′ of the query with a hard key, all computed by hardneg's own `mochi`, with the
 * histogram of q·n / q·n_hard / q·h / q·h′ and the loss without (MoCo) and with MoCHi.
 */
import * as tf from '@tensorflow/tfjs';
import { mochi, mochiLoss, Rng } from 'hardneg';

export interface ToyState {
  /** Queue size K. */
  K: number;
  N: number;
  s: number;
  sPrime: number;
  temperature: number;
  /** Seed of the queue (the "re-draw" button draws a new one). */
  queueSeed: number;
  /** The query's angle in radians; the positive key sits `KEY_OFFSET` further. */
  queryAngle: number;
}

export interface ToyResult {
  query: [number, number];
  key: [number, number];
  /** `[K, 2]` unit queue keys. */
  queue: Float32Array;
  /** Indices of the N hardest keys, hardest first. */
  hardest: Int32Array;
  /** h `[s, 2]` and h′ `[s′, 2]`. */
  mixed: Float32Array;
  queryMixed: Float32Array;
  /** Similarities to the query. */
  sims: { queue: number[]; hardest: number[]; mixed: number[]; queryMixed: number[] };
  lossMoco: number;
  lossMochi: number;
}

const KEY_OFFSET = 0.35;
const CLUSTERS = 4;

/** K unit keys around CLUSTERS random directions (a queue after some training is clustered). */
export function drawQueue(K: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: CLUSTERS }, () => 2 * Math.PI * rng.uniform());
  const out = new Float32Array(2 * K);
  for (let i = 0; i < K; i++) {
    const angle = centres[rng.int(CLUSTERS)] + 0.45 * rng.normal();
    out[2 * i] = Math.cos(angle);
    out[2 * i + 1] = Math.sin(angle);
  }
  return out;
}

export function computeToy(state: ToyState): ToyResult {
  const { K, N, s, sPrime, temperature, queryAngle } = state;
  const queue = drawQueue(K, state.queueSeed);
  const query: [number, number] = [Math.cos(queryAngle), Math.sin(queryAngle)];
  const key: [number, number] = [Math.cos(queryAngle + KEY_OFFSET), Math.sin(queryAngle + KEY_OFFSET)];
  const q = tf.tensor2d(query, [1, 2]);
  const k = tf.tensor2d(key, [1, 2]);
  const n = tf.tensor2d(queue, [K, 2]);
  try {
    const result = mochi(q, n, { N, s, sPrime, rng: new Rng(state.queueSeed + 1) });
    const mixed = result.mixed.dataSync() as Float32Array;
    const queryMixed = result.queryMixed.dataSync() as Float32Array;
    const logits = Array.from(result.logits.dataSync());
    tf.dispose([result.mixed, result.queryMixed, result.logits]);
    const qn = Array.from({ length: K }, (_, i) => query[0] * queue[2 * i] + query[1] * queue[2 * i + 1]);
    const lossMoco = mochiLoss(q, k, n, { N, s: 0, sPrime: 0, temperature });
    const lossMochi = mochiLoss(q, k, n, { N, s, sPrime, temperature, draws: result.draws });
    const [moco, withMochi] = [lossMoco.dataSync()[0], lossMochi.dataSync()[0]];
    tf.dispose([lossMoco, lossMochi]);
    return {
      query,
      key,
      queue,
      hardest: result.hardest,
      mixed,
      queryMixed,
      sims: { queue: qn, hardest: Array.from(result.hardest, (i) => qn[i]), mixed: logits.slice(0, s), queryMixed: logits.slice(s) },
      lossMoco: moco,
      lossMochi: withMochi,
    };
  } finally {
    tf.dispose([q, k, n]);
  }
}

export const COLORS = { queue: '#9aa0a6', hardest: '#e8710a', mixed: '#1a73e8', queryMixed: '#188038', query: '#d93025', key: '#a142f4' };

/** The circle: queue, hardest (ringed), h, h′, query and key. */
export function drawCircle(canvas: HTMLCanvasElement, r: ToyResult): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const [cx, cy, R] = [width / 2, height / 2, Math.min(width, height) / 2 - 24];
  const at = (x: number, y: number): [number, number] => [cx + R * x, cy - R * y];
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#dadce0';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.arc(cx, cy, R, 0, 2 * Math.PI);
  ctx.stroke();
  const dot = (x: number, y: number, color: string, size: number, ring = false) => {
    const [px, py] = at(x, y);
    ctx.beginPath();
    ctx.arc(px, py, size, 0, 2 * Math.PI);
    if (ring) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.stroke();
    } else {
      ctx.fillStyle = color;
      ctx.fill();
    }
  };
  const K = r.queue.length / 2;
  for (let i = 0; i < K; i++) dot(r.queue[2 * i], r.queue[2 * i + 1], COLORS.queue, 3);
  for (const i of r.hardest) dot(r.queue[2 * i], r.queue[2 * i + 1], COLORS.hardest, 6, true);
  // Synthetic points are drawn slightly inside the circle so they do not hide the queue.
  for (let t = 0; t < r.mixed.length / 2; t++) dot(0.9 * r.mixed[2 * t], 0.9 * r.mixed[2 * t + 1], COLORS.mixed, 3.5);
  for (let t = 0; t < r.queryMixed.length / 2; t++) dot(0.82 * r.queryMixed[2 * t], 0.82 * r.queryMixed[2 * t + 1], COLORS.queryMixed, 3.5);
  const [qx, qy] = at(...r.query);
  ctx.strokeStyle = COLORS.query;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(qx, qy);
  ctx.stroke();
  dot(...r.key, COLORS.key, 7);
  dot(...r.query, COLORS.query, 8);
}

/**
 * Histogram of the four similarity sets, zoomed on the hard end: x from a little below the
 * smallest hardest/h/h′ similarity to 1 (queue keys below it are left out and counted in the
 * caption); each set normalised to its own peak and drawn as a translucent step area.
 */
export function drawHistogram(canvas: HTMLCanvasElement, r: ToyResult, bins = 36): { lo: number; below: number } {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const [left, bottom, top] = [8, height - 22, 8];
  const hard = [...r.sims.hardest, ...r.sims.mixed, ...r.sims.queryMixed];
  const min = Math.min(...hard);
  const lo = Math.max(-1, min - 0.15 * (1 - min) - 1e-3);
  const X = (v: number) => left + ((v - lo) / (1 - lo)) * (width - 2 * left);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#5f6368';
  ctx.font = '12px sans-serif';
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((1 - lo) * t) / 4;
    ctx.fillText(v.toFixed(2), Math.min(X(v) - 10, width - 30), height - 6);
  }
  const series: [keyof ToyResult['sims'], string][] = [['queue', COLORS.queue], ['hardest', COLORS.hardest], ['mixed', COLORS.mixed], ['queryMixed', COLORS.queryMixed]];
  for (const [name, color] of series) {
    const values = r.sims[name].filter((v) => v >= lo);
    if (values.length === 0) continue;
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (1 - lo)) * bins))]++;
    const peak = Math.max(...counts);
    ctx.beginPath();
    ctx.moveTo(X(lo), bottom);
    counts.forEach((c, b) => {
      const y = bottom - (c / peak) * (bottom - top);
      ctx.lineTo(X(lo + ((1 - lo) * b) / bins), y);
      ctx.lineTo(X(lo + ((1 - lo) * (b + 1)) / bins), y);
    });
    ctx.lineTo(X(1), bottom);
    ctx.closePath();
    ctx.globalAlpha = 0.25;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  return { lo, below: r.sims.queue.filter((v) => v < lo).length };
}
