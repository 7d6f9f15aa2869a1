import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { exactTopK } from '../../src/mining/exactSearch.js';
import { hnswTopK } from '../../src/mining/hnswSearch.js';
import { emptyTopK, mergeTopK, type TopK } from '../../src/mining/topK.js';
import { setup } from '../helpers.js';
import { dot, unit } from '../reference/float64.js';

before(() => setup('wasm'));

/** Float64 brute force: each query's top k rows by cosine, ties to the lower row. */
function bruteForce(queries: Float32Array, corpus: Float32Array, dim: number, k: number): { rows: number[][]; scores: number[][] } {
  const rowsOf = (x: Float32Array) => Array.from({ length: x.length / dim }, (_, i) => unit(Array.from(x.subarray(i * dim, (i + 1) * dim))));
  const C = rowsOf(corpus);
  const lists = rowsOf(queries).map((q) =>
    C.map((c, r) => ({ r, s: dot(q, c) }))
      .sort((a, b) => b.s - a.s || a.r - b.r)
      .slice(0, k),
  );
  return { rows: lists.map((l) => l.map((x) => x.r)), scores: lists.map((l) => l.map((x) => x.s)) };
}

const rowsOf = (t: TopK, q: number) => Array.from(t.rows.subarray(q * t.k, (q + 1) * t.k));

/** Clustered unit-ish vectors: `centres` Gaussian centres plus noise. */
function clustered(rng: Rng, n: number, dim: number, centres: Float32Array, noise: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = rng.int(centres.length / dim);
    for (let d = 0; d < dim; d++) out[i * dim + d] = centres[c * dim + d] + noise * rng.normal();
  }
  return out;
}

test('exact top-k equals float64 brute force (several blocks, query blocks, duplicate vectors tie to the lower row)', () => {
  const rng = new Rng(0);
  const dim = 8;
  const corpus = rng.normalArray(500 * dim);
  corpus.copyWithin(123 * dim, 7 * dim, 8 * dim); // row 123 duplicates row 7
  const queries = rng.normalArray(30 * dim);
  queries.set(corpus.subarray(7 * dim, 8 * dim), 0); // query 0 ties rows 7 and 123 at the top
  const ref = bruteForce(queries, corpus, dim, 20);
  const top = exactTopK(queries, corpus, dim, 20, 0, { block: 64, queryBlock: 7 });
  for (let q = 0; q < 30; q++) {
    assert.deepEqual(rowsOf(top, q), ref.rows[q], `query ${q}`);
    ref.scores[q].forEach((s, t) => assert.ok(Math.abs(top.scores[q * 20 + t] - s) < 1e-5));
  }
  assert.deepEqual(rowsOf(top, 0).slice(0, 2), [7, 123]);
});

test('shards merged equal one pass; k beyond a small corpus leaves empty slots', () => {
  const rng = new Rng(1);
  const dim = 6;
  const corpus = rng.normalArray(301 * dim);
  const queries = rng.normalArray(12 * dim);
  const whole = exactTopK(queries, corpus, dim, 15);
  let merged = emptyTopK(12, 15);
  for (let start = 0; start < 301; start += 40) {
    merged = mergeTopK(merged, exactTopK(queries, corpus.subarray(start * dim, Math.min(301, start + 40) * dim), dim, 15, start, { block: 16 }));
  }
  assert.deepEqual(merged.rows, whole.rows);
  assert.deepEqual(merged.scores, whole.scores);
  const small = exactTopK(queries, corpus.subarray(0, 4 * dim), dim, 6);
  assert.deepEqual(rowsOf(small, 0).slice(4), [-1, -1]);
  assert.deepEqual(Array.from(small.scores.subarray(4, 6)), [-Infinity, -Infinity]);
});

test('mergeTopK: score descending, equal scores by row, the best k of both', () => {
  const a: TopK = { k: 3, rows: Int32Array.from([4, 9, -1]), scores: Float32Array.from([0.9, 0.5, -Infinity]) };
  const b: TopK = { k: 3, rows: Int32Array.from([2, 8, 1]), scores: Float32Array.from([0.9, 0.7, 0.1]) };
  const m = mergeTopK(a, b);
  assert.deepEqual(Array.from(m.rows), [2, 4, 8]);
  assert.deepEqual(Array.from(m.scores), [0.9, 0.9, 0.7].map(Math.fround));
  assert.throws(() => mergeTopK(a, emptyTopK(1, 4)), /lists differ in shape/);
});

test('HNSW finds >= 95% of the exact top-k on clustered vectors, ordered like exact search', () => {
  const rng = new Rng(2);
  const dim = 32;
  const centres = rng.normalArray(50 * dim);
  const corpus = clustered(rng, 5000, dim, centres, 0.5);
  const queries = clustered(rng, 100, dim, centres, 0.5);
  const exact = exactTopK(queries, corpus, dim, 20);
  const approx = hnswTopK(queries, corpus, dim, 20, 1000);
  let found = 0;
  for (let q = 0; q < 100; q++) {
    const truth = new Set(rowsOf(exact, q).map((r) => r + 1000));
    found += rowsOf(approx, q).filter((r) => truth.has(r)).length;
    for (let t = 1; t < 20; t++) assert.ok(approx.scores[q * 20 + t] <= approx.scores[q * 20 + t - 1]);
  }
  assert.ok(found / 2000 >= 0.95, `recall ${found / 2000}`);
  // Scores are cosines, as in exact search.
  assert.ok(Math.abs(approx.scores[0] - exact.scores[0]) < 1e-4);
});
