/**
 * `hardneg bench mine`: times `hardneg mine` on seeded clustered vectors and checks its candidate
 * lists against brute force. Real embeddings are clustered, and uniform random vectors in 256-d
 * are HNSW's worst case, so the corpus is `centres` Gaussian centres plus Gaussian noise (σ = noise
 * per coordinate), normalised. Each query is one corpus vector (before normalising) plus noise of
 * σ = noise / 2, normalised: that vector is its positive. Corpus and
 * queries are written as NPY to a temporary folder, mined end to end (reading, search, filters,
 * output), and the mined top-k lists are compared with usearch's brute-force `exactSearch`
 * (an independent implementation) on the same normalised vectors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchMatches } from 'usearch';
import { Rng } from '../engine/random.js';
import { mine } from '../mining/mine.js';
import type { TopK } from '../mining/topK.js';
import { usearch } from '../mining/usearch.js';
import { writeNpy } from '../data/npyWrite.js';

export interface MineBenchOptions {
  corpus: number;
  queries: number;
  dim: number;
  k: number;
  index: 'exact' | 'hnsw';
  centres: number;
  noise: number;
  seed: number;
}

export interface MineBenchResult {
  /** Wall time of the mining run (read, search, collect, filter, write). */
  seconds: number;
  /** Share of the brute-force top-k rows found in the mined top-k lists. */
  recall: number;
  bruteForceSeconds: number;
  generateSeconds: number;
}

export function benchMine(options: MineBenchOptions): MineBenchResult {
  const { corpus: N, queries: Q, dim: D, k } = options;
  if (Q > N) throw new Error(`--queries (${Q}) must be <= --corpus (${N}): each query copies a corpus vector`);
  const t0 = performance.now();
  const rng = new Rng(options.seed);
  const centres = rng.normalArray(options.centres * D);
  const corpus = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = rng.int(options.centres) * D;
    for (let d = 0; d < D; d++) corpus[i * D + d] = centres[c + d] + options.noise * rng.normal();
  }
  const positives = rng.permutation(N).subarray(0, Q);
  const queries = new Float32Array(Q * D);
  positives.forEach((p, q) => {
    for (let d = 0; d < D; d++) queries[q * D + d] = corpus[p * D + d] + (options.noise / 2) * rng.normal();
  });
  normaliseRows(corpus, D);
  normaliseRows(queries, D);
  const dir = mkdtempSync(join(tmpdir(), 'hardneg-bench-mine-'));
  try {
    writeNpy(join(dir, 'corpus.npy'), corpus, [N, D]);
    writeNpy(join(dir, 'queries.npy'), queries, [Q, D]);
    writeFileSync(join(dir, 'qrels.tsv'), Array.from(positives, (p, q) => `${q}\t${p}\t1\n`).join(''));
    const generateSeconds = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    const { candidates } = mine({
      queries: join(dir, 'queries.npy'),
      corpus: join(dir, 'corpus.npy'),
      qrels: join(dir, 'qrels.tsv'),
      output: join(dir, 'mined.jsonl'),
      index: options.index,
      candidates: k,
    });
    const seconds = (performance.now() - t1) / 1000;

    const t2 = performance.now();
    const { exactSearch, MetricKind } = usearch();
    const truth = exactSearch(corpus, queries, D, k, MetricKind.IP, 0) as BatchMatches;
    const bruteForceSeconds = (performance.now() - t2) / 1000;
    return { seconds, recall: recallOf(candidates, truth, Q, k), bruteForceSeconds, generateSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function recallOf(mined: TopK, truth: BatchMatches, Q: number, k: number): number {
  let found = 0;
  for (let q = 0; q < Q; q++) {
    const rows = new Set(mined.rows.subarray(q * k, (q + 1) * k));
    for (let t = 0; t < k; t++) if (rows.has(Number(truth.keys[q * k + t]))) found++;
  }
  return found / (Q * k);
}

function normaliseRows(x: Float32Array, dim: number): void {
  for (let i = 0; i < x.length; i += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i + d] * x[i + d];
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) x[i + d] *= inv;
  }
}
