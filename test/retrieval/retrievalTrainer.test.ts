import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Rng } from '../../src/engine/random.js';
import { Adapter } from '../../src/models/adapter.js';
import { trainRetrieval, type RetrievalEpochReport } from '../../src/retrieval/retrievalTrainer.js';
import { AdapterRetriever, type BatchLoss, type Retriever } from '../../src/retrieval/retrievers.js';
import { setup } from '../helpers.js';
import { dot, unit } from '../reference/float64.js';

before(() => setup('wasm'));

// 64 queries over a corpus of 200 documents of dimension 8; query i is document 3i (its positive)
// through a fixed random linear map, plus noise, so that an adapter has something to learn.
const rng = new Rng(0);
const [nQ, nD, D] = [64, 200, 8];
const docs = rng.normalArray(nD * D);
const map = rng.normalArray(D * D);
const positives = Array.from({ length: nQ }, (_, i) => 3 * i);
const queries = new Float32Array(nQ * D);
positives.forEach((p, i) => {
  for (let d = 0; d < D; d++) queries[i * D + d] = 0.3 * rng.normal() + docs.subarray(p * D, (p + 1) * D).reduce((s, v, e) => s + v * map[e * D + d], 0);
});
const pairs = { queries: Array.from({ length: nQ }, (_, i) => i), positives, corpusSize: nD, traps: (i: number) => [3 * i + 1] };

/** A retriever that records the hard negatives it is given (and trains an identity-initialised adapter). */
function recording(): { retriever: Retriever; seen: number[][] } {
  const inner = new AdapterRetriever(new Adapter({ dim: D }, new Rng(1)), queries, docs, { lr: 1e-3 });
  const seen: number[][] = [];
  const retriever: Retriever = {
    dim: D,
    embedQueries: (ix) => inner.embedQueries(ix),
    embedDocs: (ix) => inner.embedDocs(ix),
    step: (q: number[], p: number[], n: number[], loss: BatchLoss) => {
      q.forEach((query, b) => (seen[query] = n.slice((b * n.length) / q.length, ((b + 1) * n.length) / q.length)));
      return inner.step(q, p, n, loss);
    },
    dispose: () => inner.dispose(),
  };
  return { retriever, seen };
}

/** Float64 ranking of the corpus for query i (rows by cosine, descending, ties to the lower row). */
function ranking(i: number): { row: number; score: number }[] {
  const q = unit(Array.from(queries.subarray(i * D, (i + 1) * D)));
  return Array.from({ length: nD }, (_, r) => ({ row: r, score: dot(q, unit(Array.from(docs.subarray(r * D, (r + 1) * D)))) })).sort((a, b) => b.score - a.score || a.row - b.row);
}

test('mined: the H best-scoring documents that are not the positive (first epoch: the untrained adapter = the raw vectors)', () => {
  const { retriever, seen } = recording();
  const [report] = trainRetrieval(retriever, pairs, { negatives: 'mined', epochs: 1, batchSize: 16, hardNegatives: 3, candidates: 20 });
  for (let i = 0; i < nQ; i++) assert.deepEqual(seen[i], ranking(i).filter((c) => c.row !== positives[i]).slice(0, 3).map((c) => c.row), `query ${i}`);
  assert.equal(report.mining!.dropped.positive, positives.filter((p, i) => ranking(i).findIndex((c) => c.row === p) < 20).length);
  assert.equal(report.mining!.randomFill, 0);
  retriever.dispose();
});

test('mined-filtered: traps never, only candidates below relativeMargin × the positive; random fill when too few are left', () => {
  const { retriever, seen } = recording();
  const [report] = trainRetrieval(retriever, pairs, { negatives: 'mined-filtered', epochs: 1, batchSize: 16, hardNegatives: 3, candidates: 20, relativeMargin: 0.9 });
  let filled = 0;
  for (let i = 0; i < nQ; i++) {
    const list = ranking(i).slice(0, 20);
    const pos = ranking(i).find((c) => c.row === positives[i])!.score;
    const kept = list.filter((c) => c.row !== positives[i] && c.row !== 3 * i + 1 && c.score < 0.9 * pos).map((c) => c.row);
    assert.deepEqual(seen[i].slice(0, Math.min(3, kept.length)), kept.slice(0, 3), `query ${i}`);
    assert.ok(!seen[i].includes(positives[i]) && !seen[i].includes(3 * i + 1) && new Set(seen[i]).size === 3);
    filled += Math.max(0, 3 - kept.length);
  }
  assert.equal(report.mining!.randomFill, filled);
  assert.ok(report.mining!.dropped.relativeMargin > 0);
  retriever.dispose();
});

test('in-batch training lowers the loss epoch by epoch; mining happens once per remineEvery epochs', () => {
  const adapter = new Adapter({ dim: D }, new Rng(2));
  const retriever = new AdapterRetriever(adapter, queries, docs, { lr: 0.05 });
  const inBatch = trainRetrieval(retriever, pairs, { negatives: 'in-batch', epochs: 4, batchSize: 16 });
  assert.ok(inBatch[3].meanLoss < 0.5 * inBatch[0].meanLoss, inBatch.map((e) => e.meanLoss).join(' '));
  assert.ok(inBatch.every((e) => e.mining === undefined));
  const mined: RetrievalEpochReport[] = trainRetrieval(retriever, pairs, { negatives: 'mined', epochs: 4, batchSize: 32, remineEvery: 2 });
  assert.deepEqual(mined.map((e) => e.mining !== undefined), [true, false, true, false]);
  assert.throws(() => trainRetrieval(retriever, { ...pairs, queries: [0, 1] , positives: [0, 3] }, { negatives: 'in-batch', batchSize: 16 }), /2 training pairs are fewer than a batch of 16/);
  retriever.dispose();
  adapter.dispose();
});

test('mineFrom: earlier epochs train on in-batch negatives only; negativePool: negatives come from the pool only', () => {
  const { retriever, seen } = recording();
  trainRetrieval(retriever, pairs, { negatives: 'mined', epochs: 1, batchSize: 16, mineFrom: 1 });
  assert.ok(seen.every((n) => n.length === 0));
  const reports = trainRetrieval(retriever, pairs, { negatives: 'mined', epochs: 3, batchSize: 16, mineFrom: 1, remineEvery: 2 });
  assert.deepEqual(reports.map((e) => e.mining !== undefined), [false, true, false]);
  const pool = Array.from({ length: nD / 2 }, (_, i) => 2 * i); // even documents
  const pooled = recording();
  const [report] = trainRetrieval(pooled.retriever, { ...pairs, negativePool: pool }, { negatives: 'mined-filtered', epochs: 1, batchSize: 16, hardNegatives: 3, candidates: 20 });
  for (let i = 0; i < nQ; i++) {
    assert.equal(pooled.seen[i].length, 3);
    assert.ok(pooled.seen[i].every((d) => d % 2 === 0 && d !== positives[i] && d !== 3 * i + 1), `query ${i}: ${pooled.seen[i]}`);
  }
  // The share of negatives that are no training positive, counted over every query's negatives.
  const trainingPositives = new Set(positives);
  const all = Array.from({ length: nQ }, (_, i) => pooled.seen[i]).flat();
  assert.equal(report.mining!.nonPositiveShare, all.filter((d) => !trainingPositives.has(d)).length / all.length);
  assert.throws(
    () => trainRetrieval(pooled.retriever, { ...pairs, negativePool: [0, 1] }, { negatives: 'mined', epochs: 1, batchSize: 16, hardNegatives: 3 }),
    /negative pool of 2 documents has fewer than 3/,
  );
  retriever.dispose();
  pooled.retriever.dispose();
});
