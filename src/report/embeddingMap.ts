/**
 * A 2-D map of test embeddings coloured by class: a seeded subsample of at most `maxPoints` rows,
 * L2-normalised (so Euclidean neighbours are cosine neighbours, as in the kNN monitor), embedded
 * with UMAP (`umap-js`, every random choice from a seeded `Rng`). The neighbour graph UMAP starts
 * from is exact, from chunked similarity products on the tensor backend (umap-js's approximate
 * search took longer than the whole layout).
 */
import * as tf from '../engine/tf.js';
import { UMAP } from 'umap-js';
import { Rng } from '../engine/random.js';
import { hardestIndicesIn } from '../engine/hostKernels.js';
import { type ChartSpec } from './render.js';

export interface MapOptions {
  /** Most points drawn (default 2,000). */
  maxPoints?: number;
  /** Seed of the subsample and of UMAP (default 0). */
  seed?: number;
  /** UMAP neighbours (default 15, capped at n − 1). */
  neighbors?: number;
  /** UMAP optimisation epochs (default 200, umap-learn's choice for large data). */
  epochs?: number;
}

export interface MapPoint {
  x: number;
  y: number;
  label: number;
}

/** Fewest rows a map is drawn for. */
export const MIN_MAP_POINTS = 3;

/** `min(n, max)` distinct row indices, ascending; all rows when n ≤ max. */
export function subsampleRows(n: number, max: number, rng: Rng): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_v, i) => i);
  return rng.permutation(n).slice(0, max).sort();
}

/**
 * The `k` nearest rows of each unit row (itself first) of `unit` `[n, dim]` by cosine similarity:
 * indices and Euclidean distances √(2 − 2 cos), as `umap-js` takes them.
 */
export function exactNeighbors(unit: Float32Array, n: number, dim: number, k: number, chunk = 256): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  const all = tf.tensor2d(unit, [n, dim]);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const sims = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [rows, dim]), all, false, true));
    const s = sims.dataSync() as Float32Array;
    sims.dispose();
    for (let r = 0; r < rows; r++) s[r * n + start + r] = 2; // itself first, whatever the rounding
    const nearest = hardestIndicesIn(s, rows, n, k, [-1.001, 2]);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(nearest.subarray(r * k, (r + 1) * k));
      indices.push(row);
      distances.push(row.map((j, t) => (t === 0 ? 0 : Math.sqrt(Math.max(0, 2 - 2 * s[r * n + j])))));
    }
  }
  all.dispose();
  return { indices, distances };
}

/** UMAP coordinates of a subsample of `embeddings` `[rows, dim]` with their labels `[rows]`. */
export async function embeddingMap(embeddings: { rows: number; dim: number; data: Float32Array }, labels: Int32Array, options: MapOptions = {}): Promise<MapPoint[]> {
  const { maxPoints = 2000, seed = 0, neighbors = 15, epochs = 200 } = options;
  const { rows, dim, data } = embeddings;
  if (rows < MIN_MAP_POINTS) throw new Error(`embeddingMap: needs at least ${MIN_MAP_POINTS} embeddings, got ${rows}`);
  await tf.ready();
  const rng = new Rng(seed);
  const picked = subsampleRows(rows, maxPoints, rng);
  const n = picked.length;
  const unit = new Float32Array(n * dim);
  picked.forEach((r, i) => {
    const row = data.subarray(r * dim, (r + 1) * dim);
    let norm = 0;
    for (const v of row) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let e = 0; e < dim; e++) unit[i * dim + e] = row[e] / norm;
  });
  const k = Math.min(neighbors, n - 1);
  const { indices, distances } = exactNeighbors(unit, n, dim, k);
  const umap = new UMAP({ nComponents: 2, nNeighbors: k, minDist: 0.1, nEpochs: epochs, random: () => rng.uniform() });
  umap.setPrecomputedKNN(indices, distances);
  const xy = umap.fit(Array.from({ length: n }, (_v, i) => Array.from(unit.subarray(i * dim, (i + 1) * dim))));
  return Array.from(picked, (r, i) => ({ x: xy[i][0], y: xy[i][1], label: labels[r] }));
}

/** Scatter plot of a map, one colour per class. */
export function embeddingMapSpec(run: string, points: MapPoint[], total: number): ChartSpec {
  const classes = [...new Set(points.map((p) => p.label))].sort((a, b) => a - b);
  const shown = points.length < total ? `${points.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}` : `all ${total.toLocaleString('en-US')}`;
  return {
    title: { text: `Test embeddings — ${run}`, subtitle: `UMAP of ${shown} test points, coloured by class` },
    width: 380,
    height: 380,
    data: { values: points },
    mark: { type: 'circle', size: 14, opacity: 0.75, aria: false }, // no per-point labels: they would double the page's size
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { zero: false } },
      color: { field: 'label', type: 'nominal', title: 'class', sort: classes, scale: { scheme: classes.length > 10 ? 'tableau20' : 'category10' } },
    },
  } as ChartSpec;
}
