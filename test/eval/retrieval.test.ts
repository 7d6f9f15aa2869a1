import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retrievalMetrics, type Qrels } from '../../src/eval/retrieval.js';

const qrels = (o: Record<string, Record<string, number>>): Qrels => new Map(Object.entries(o).map(([q, d]) => [q, new Map(Object.entries(d))]));

test('hand-computed Recall@k, MRR@10 and nDCG@10 (binary)', () => {
  const ranked = new Map([
    ['q1', ['a', 'x', 'b', 'y']], // relevant a (rank 1), b (rank 3)
    ['q2', ['x', 'y', 'c']], // relevant c (rank 3)
  ]);
  const m = retrievalMetrics(ranked, qrels({ q1: { a: 1, b: 1 }, q2: { c: 1 } }), [1, 2, 3]);
  assert.equal(m['recall@1'], (0.5 + 0) / 2);
  assert.equal(m['recall@3'], (1 + 1) / 2);
  assert.ok(Math.abs(m['mrr@10'] - (1 + 1 / 3) / 2) < 1e-12);
  const ndcg1 = (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3));
  const ndcg2 = 1 / Math.log2(4);
  assert.ok(Math.abs(m['ndcg@10'] - (ndcg1 + ndcg2) / 2) < 1e-12);
});

test('graded relevance uses the grade as gain; queries without relevant docs are left out; a perfect ranking scores 1', () => {
  const m = retrievalMetrics(new Map([['q', ['b', 'a']]]), qrels({ q: { a: 3, b: 1 }, empty: { z: 0 } }), [1]);
  const dcg = 1 + 3 / Math.log2(3);
  const idcg = 3 + 1 / Math.log2(3);
  assert.ok(Math.abs(m['ndcg@10'] - dcg / idcg) < 1e-12);
  const perfect = retrievalMetrics(new Map([['q', ['a', 'b']]]), qrels({ q: { a: 3, b: 1 } }), [2]);
  assert.equal(perfect['ndcg@10'], 1);
  assert.equal(perfect['recall@2'], 1);
  assert.throws(() => retrievalMetrics(new Map(), qrels({ q: { a: 0 } })), /no query has a relevant document/);
});
