/**
 * The toy of MoCHi's Figure 1: random unit vectors in D dimensions, one query q, its queue, the
 * queue's N hardest items, and MoCHi's synthetic negatives for q (s mixed h, s′ query-mixed h′,
 * from `mochi`), measured by their similarity to q and drawn in 2-D.
 *
 * The 2-D picture is a linear projection aligned with the query, not UMAP or t-SNE: random
 * vectors in 32-D have no neighbourhood structure for those to keep (a UMAP of this toy is one
 * blob with the groups scattered through it), and what the figure is about is hardness, q·x.
 * So x = q·x exactly (harder is further right, q sits at x = 1) and y = the part of x orthogonal
 * to q along the main axis (first principal direction) of the N hardest negatives' orthogonal
 * parts — the directions MoCHi mixes along.
 */
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import { mochi } from '../negatives/mochi.js';
import { ArgumentError, checkInt } from '../ops/validate.js';
import { GROUP_COLORS, type ChartSpec } from './render.js';

export interface ToyOptions {
  dim?: number;
  queue?: number;
  N?: number;
  s?: number;
  sPrime?: number;
  seed?: number;
}

export type ToyGroup = 'queue' | 'hardest' | 'mixed' | 'query_mixed' | 'query';

export interface ToyPoint {
  group: ToyGroup;
  /** q·x. */
  x: number;
  /** Orthogonal coordinate (see the file's comment). */
  y: number;
}

export interface ToyResult {
  settings: Required<ToyOptions>;
  /** Queue items outside the N hardest, the N hardest, h, h′, then q. */
  points: ToyPoint[];
  /** Largest q·n over the queue. */
  hardestReal: number;
  /** Mean q·n over the N hardest. */
  meanHardest: number;
  /** Mean q·h and q·h′ (null when s or s′ is 0). */
  meanH: number | null;
  meanHPrime: number | null;
  /** How many h and h′ are harder than the hardest real negative. */
  harderH: number;
  harderHPrime: number;
  /** (harderH + harderHPrime) / (s + s′); 0 when there are none. */
  shareHarder: number;
}

function unitRows(rng: Rng, rows: number, dim: number): Float64Array {
  const out = Float64Array.from(rng.normalArray(rows * dim));
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * dim, (r + 1) * dim);
    const norm = Math.hypot(...row);
    for (let e = 0; e < dim; e++) row[e] /= norm;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let t = 0;
  for (let e = 0; e < a.length; e++) t += a[e] * b[e];
  return t;
}

/** v − (q·v) q. */
function residual(v: ArrayLike<number>, q: Float64Array): Float64Array {
  const c = dot(v, q);
  return Float64Array.from(q, (qe, e) => v[e] - c * qe);
}

/** The unit direction of largest Σ (r·u)² over `rows` (power iteration from a seeded start). */
function mainAxis(rows: Float64Array[], dim: number, rng: Rng): Float64Array {
  let u = Float64Array.from(rng.normalArray(dim));
  for (let it = 0; it < 200; it++) {
    const next = new Float64Array(dim);
    for (const r of rows) {
      const c = dot(r, u);
      for (let e = 0; e < dim; e++) next[e] += c * r[e];
    }
    const norm = Math.hypot(...next);
    if (norm < 1e-12) break;
    u = next.map((v) => v / norm);
  }
  return u;
}

const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

export function runToy(options: ToyOptions = {}): ToyResult {
  const fn = 'toy';
  const settings = { dim: 32, queue: 1024, N: 64, s: 32, sPrime: 16, seed: 0, ...options };
  const { dim, queue: K, N, s, sPrime, seed } = settings;
  checkInt(fn, 'dim', dim, 2);
  checkInt(fn, 'queue', K, 1);
  if (N > K) throw new ArgumentError(`${fn}: N must be <= the queue size ${K}, got ${N}`);
  const rng = new Rng(seed);
  const q = unitRows(rng, 1, dim);
  const queue = unitRows(rng, K, dim);
  const row = (data: ArrayLike<number>, r: number) => Array.prototype.slice.call(data, r * dim, (r + 1) * dim) as number[];

  const qT = tf.tensor2d(Float32Array.from(q), [1, dim]);
  const queueT = tf.tensor2d(Float32Array.from(queue), [K, dim]);
  const result = mochi(qT, queueT, { N, s, sPrime, rng });
  const mixed = result.mixed.dataSync();
  const queryMixed = result.queryMixed.dataSync();
  tf.dispose([qT, queueT, result.mixed, result.queryMixed, result.logits]);

  const hardest = Array.from(result.hardest);
  const isHardest = new Set(hardest);
  const groups: [ToyGroup, number[][]][] = [
    ['queue', Array.from({ length: K }, (_v, r) => r).filter((r) => !isHardest.has(r)).map((r) => row(queue, r))],
    ['hardest', hardest.map((r) => row(queue, r))],
    ['mixed', Array.from({ length: s }, (_v, t) => row(mixed, t))],
    ['query_mixed', Array.from({ length: sPrime }, (_v, t) => row(queryMixed, t))],
  ];
  const axis = mainAxis(groups[1][1].map((v) => residual(v, q)), dim, rng);
  const points: ToyPoint[] = [];
  for (const [group, vectors] of groups) for (const v of vectors) points.push({ group, x: dot(v, q), y: dot(residual(v, q), axis) });
  points.push({ group: 'query', x: 1, y: 0 });

  const sims = (group: ToyGroup) => points.filter((p) => p.group === group).map((p) => p.x);
  const hardestReal = Math.max(...sims('hardest'));
  const harderH = sims('mixed').filter((x) => x > hardestReal).length;
  const harderHPrime = sims('query_mixed').filter((x) => x > hardestReal).length;
  return {
    settings,
    points,
    hardestReal,
    meanHardest: mean(sims('hardest'))!,
    meanH: mean(sims('mixed')),
    meanHPrime: mean(sims('query_mixed')),
    harderH,
    harderHPrime,
    shareHarder: s + sPrime === 0 ? 0 : (harderH + harderHPrime) / (s + sPrime),
  };
}

/** The toy's scatter plot: four groups and the query, with the hardest real similarity marked. */
export function toySpec(toy: ToyResult): ChartSpec {
  const { dim, queue, N, s, sPrime } = toy.settings;
  const labels: Record<ToyGroup, string> = {
    queue: `queue (other ${queue - N})`,
    hardest: `hardest N = ${N}`,
    mixed: `mixed h (s = ${s})`,
    query_mixed: `query-mixed h′ (s′ = ${sPrime})`,
    query: 'query q',
  };
  const order: ToyGroup[] = ['queue', 'hardest', 'mixed', 'query_mixed', 'query'];
  const domain = order.map((g) => labels[g]);
  const scale = (range: (string | number)[]) => ({ type: 'ordinal', domain, range });
  const synthetic = s + sPrime;
  const share = synthetic === 0 ? 'no synthetic negatives' : `${toy.harderH + toy.harderHPrime} of ${synthetic} synthetic negatives (${(100 * toy.shareHarder).toFixed(1)}%) are harder than the hardest real one`;
  return {
    title: {
      text: `MoCHi toy (Figure 1): D = ${dim}, queue ${queue}, N = ${N}, s = ${s}, s′ = ${sPrime}`,
      subtitle: [`x: similarity to the query; y: the orthogonal rest, along the hardest negatives’ main axis`, share],
    },
    width: 560,
    height: 400,
    config: { legend: { labelLimit: 320 } },
    layer: [
      {
        data: { values: toy.points.map((p) => ({ ...p, label: labels[p.group] })) },
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'similarity to the query q·x', scale: { domain: [Math.min(-0.6, ...toy.points.map((p) => p.x)), 1.05] } },
          y: { field: 'y', type: 'quantitative', title: 'orthogonal coordinate' },
          color: { field: 'label', type: 'nominal', title: null, scale: scale(order.map((g) => GROUP_COLORS[g])), sort: domain },
          shape: { field: 'label', type: 'nominal', title: null, scale: scale(['circle', 'triangle-up', 'diamond', 'square', 'cross']), sort: domain },
          size: { field: 'label', type: 'nominal', title: null, scale: scale([16, 80, 80, 80, 260]), sort: domain },
          opacity: { field: 'label', type: 'nominal', title: null, scale: scale([0.45, 0.9, 0.9, 0.9, 1]), sort: domain },
        },
      },
      {
        data: { values: [{ x: toy.hardestReal, text: `hardest real: ${toy.hardestReal.toFixed(3)}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 4], color: GROUP_COLORS.hardest }, encoding: { x: { field: 'x', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 11, color: GROUP_COLORS.hardest },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 8 }, text: { field: 'text' } },
          },
        ],
      },
    ],
  } as ChartSpec;
}
