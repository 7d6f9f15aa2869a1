/**
 * Retrieval evaluation of embeddings: rank the whole corpus for each query by cosine (exact
 * search) and score the ranking against the qrels with Recall@k, MRR@10 and nDCG@10
 * (`retrieval.ts`).
 *
 * Shapes: queries `[Q, D]`, corpus `[N, D]` (row-major), `queryIds` `[Q]`, `docIds` `[N]`.
 */
import { exactTopK } from '../mining/exactSearch.js';
import { retrievalMetrics, type Qrels, type RetrievalMetrics } from '../eval/retrieval.js';

export interface EvaluateRetrievalOptions {
  /** Recall cut-offs (default 1, 10, 100); the ranking is cut at the largest (and at least 10). */
  ks?: number[];
}

export function evaluateRetrieval(
  queries: Float32Array,
  corpus: Float32Array,
  dim: number,
  queryIds: string[],
  docIds: string[],
  qrels: Qrels,
  options: EvaluateRetrievalOptions = {},
): RetrievalMetrics {
  const { ks = [1, 10, 100] } = options;
  if (queries.length !== queryIds.length * dim) throw new Error(`evaluateRetrieval: ${queryIds.length} query ids for ${queries.length / dim} query vectors`);
  if (corpus.length !== docIds.length * dim) throw new Error(`evaluateRetrieval: ${docIds.length} document ids for ${corpus.length / dim} corpus vectors`);
  const depth = Math.min(docIds.length, Math.max(10, ...ks));
  const top = exactTopK(queries, corpus, dim, depth);
  const ranked = new Map<string, string[]>();
  queryIds.forEach((id, q) => ranked.set(id, Array.from(top.rows.subarray(q * depth, (q + 1) * depth), (r) => docIds[r])));
  return retrievalMetrics(ranked, qrels, ks);
}
