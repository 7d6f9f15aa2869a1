/**
 * Retrieval metrics for ranked result lists against relevance judgements (qrels):
 *
 *   Recall@k = |relevant ∩ top-k| / |relevant|
 *   MRR@k    = 1 / rank of the first relevant result within the top k (0 if none)
 *   nDCG@k   = DCG@k / IDCG@k,  DCG@k = Σ_{r ≤ k} gain(doc_r) / log₂(r + 1)
 * with binary gains unless graded relevance is given (gain = the grade, as in TREC / BEIR's
 * pytrec_eval default). Each metric is the mean over queries that have at least one relevant doc.
 */
import type { Qrels } from '../data/qrels.js';

export type { Qrels };

export interface RetrievalMetrics {
  [metric: string]: number;
}

/** `ranked`: query id → doc ids, best first. `qrels`: query id → (doc id → grade > 0). */
export function retrievalMetrics(ranked: Map<string, string[]>, qrels: Qrels, ks: number[] = [1, 10, 100]): RetrievalMetrics {
  const sums: Record<string, number> = {};
  const add = (name: string, v: number) => (sums[name] = (sums[name] ?? 0) + v);
  let counted = 0;
  for (const [query, judged] of qrels) {
    const relevant = [...judged].filter(([, g]) => g > 0);
    if (relevant.length === 0) continue;
    counted++;
    const results = ranked.get(query) ?? [];
    for (const k of ks) {
      const top = results.slice(0, k);
      add(`recall@${k}`, top.filter((d) => (judged.get(d) ?? 0) > 0).length / relevant.length);
    }
    const first = results.slice(0, 10).findIndex((d) => (judged.get(d) ?? 0) > 0);
    add('mrr@10', first < 0 ? 0 : 1 / (first + 1));
    const dcg = results.slice(0, 10).reduce((s, d, r) => s + (judged.get(d) ?? 0) / Math.log2(r + 2), 0);
    const ideal = relevant.map(([, g]) => g).sort((a, b) => b - a).slice(0, 10).reduce((s, g, r) => s + g / Math.log2(r + 2), 0);
    add('ndcg@10', dcg / ideal);
  }
  if (counted === 0) throw new Error('retrievalMetrics: no query has a relevant document');
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / counted]));
}
