/**
 * Training an adapter over embeddings a user already has (`hardneg train-adapter`): query and
 * corpus vectors from any model (JSONL `{"id","vector"}` or NPY), positives from qrels. The queries
 * with positives are split with a seed into training and held-out queries; the adapter
 * (`models/adapter.ts`, identity at the start, applied to queries only) trains with MNRL on the
 * training pairs and in-batch, mined or mined + filtered negatives (`retrievalTrainer.ts`); the
 * held-out queries are ranked against the whole corpus with the raw vectors and with the adapter.
 *
 * Shapes: queries `[nQ, D]`, corpus `[nD, D]`, row-major.
 */
import { Rng } from '../engine/random.js';
import { evaluateRetrieval } from './evaluateRetrieval.js';
import type { Qrels, RetrievalMetrics } from '../eval/retrieval.js';
import { openRecords } from '../data/records.js';
import type { Judgement } from '../data/qrels.js';
import { Adapter, type AdapterConfig } from '../models/adapter.js';
import { trainRetrieval, type RetrievalEpochReport, type RetrievalTrainOptions } from './retrievalTrainer.js';
import { AdapterRetriever } from './retrievers.js';

/** Ids and vectors of a file, row-major `[ids.length, dim]`. */
export interface VectorSet {
  path: string;
  ids: string[];
  vectors: Float32Array;
  dim: number;
}

/** Reads every record of a JSONL or NPY vector file (see `data/records.ts`); texts are an error. */
export function readVectorSet(path: string): VectorSet {
  const file = openRecords(path);
  if (file.content !== 'vector') throw new Error(`${path}: records need a "vector" (train-adapter works on precomputed embeddings), got texts`);
  const dim = file.dim!;
  const cursor = file.open();
  const ids: string[] = [];
  const parts: Float32Array[] = [];
  try {
    for (let batch = cursor.take(4096); batch.items.length > 0; batch = cursor.take(4096)) {
      ids.push(...batch.items.map((item) => item.id));
      parts.push(batch.vectors!);
    }
  } finally {
    cursor.close();
  }
  const vectors = new Float32Array(ids.length * dim);
  let at = 0;
  for (const p of parts) {
    vectors.set(p, at);
    at += p.length;
  }
  return { path, ids, vectors, dim };
}

export interface VectorAdapterOptions extends Omit<RetrievalTrainOptions, 'onEpoch'> {
  adapter?: Omit<AdapterConfig, 'dim'>;
  /** Share of the queries with positives held out for evaluation (default 0.2). */
  holdout?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Where negatives are mined: 'train' (default), the training queries' positives; or 'corpus', all documents. */
  negativePool?: 'train' | 'corpus';
  onEpoch?: (report: RetrievalEpochReport) => void;
}

export interface VectorAdapterResult {
  adapter: Adapter;
  /** Held-out metrics of the raw vectors and of the adapted queries. */
  raw: RetrievalMetrics;
  adapted: RetrievalMetrics;
  heldOutQueries: number;
  trainingPairs: number;
  epochs: RetrievalEpochReport[];
}

export function trainVectorAdapter(
  queries: VectorSet,
  corpus: VectorSet,
  judgements: Judgement[],
  qrelsPath: string,
  options: VectorAdapterOptions,
): VectorAdapterResult {
  const { holdout = 0.2, seed = 0, negativePool = 'train' } = options;
  if (queries.dim !== corpus.dim) throw new Error(`${queries.path}: vectors have dimension ${queries.dim}, but ${corpus.path}'s have ${corpus.dim}`);
  if (!(holdout > 0 && holdout < 1)) throw new Error(`trainVectorAdapter: holdout must be in (0, 1), got ${holdout}`);
  const queryRow = rowsById(queries);
  const docRow = rowsById(corpus);
  const positives = new Map<number, number[]>(); // query row → positive doc rows
  for (const j of judgements) {
    if (j.grade <= 0) continue;
    const q = queryRow.get(j.query);
    const d = docRow.get(j.doc);
    if (q === undefined) throw new Error(`${qrelsPath}:${j.line}: query id '${j.query}' is not in ${queries.path}`);
    if (d === undefined) throw new Error(`${qrelsPath}:${j.line}: corpus id '${j.doc}' is not in ${corpus.path}`);
    const list = positives.get(q) ?? positives.set(q, []).get(q)!;
    if (!list.includes(d)) list.push(d);
  }
  const judged = [...positives.keys()];
  const rng = new Rng(seed);
  const order = Array.from(rng.permutation(judged.length), (i) => judged[i]);
  const nHeld = Math.max(1, Math.round(holdout * judged.length));
  if (judged.length - nHeld < 2) throw new Error(`${qrelsPath}: ${judged.length} queries with positives are too few to hold out ${nHeld} and train on the rest`);
  const heldOut = order.slice(0, nHeld);
  const train = order.slice(nHeld);

  const pairQueries = train.flatMap((q) => positives.get(q)!.map(() => q));
  const pairDocs = train.flatMap((q) => positives.get(q)!);
  const batchSize = options.batchSize ?? Math.min(128, pairQueries.length);
  if (batchSize > pairQueries.length) {
    throw new Error(`trainVectorAdapter: batchSize (train-adapter --batch) must be <= the ${pairQueries.length} training pairs (the queries not held out), got ${batchSize}`);
  }
  const adapter = new Adapter({ ...options.adapter, dim: queries.dim }, rng.fork());
  const retriever = new AdapterRetriever(adapter, queries.vectors, corpus.vectors, { lr: options.lr });
  const qrels: Qrels = new Map(heldOut.map((q) => [queries.ids[q], new Map(positives.get(q)!.map((d) => [corpus.ids[d], 1]))]));
  const evaluate = (vectors: Float32Array) =>
    evaluateRetrieval(vectors, corpus.vectors, queries.dim, heldOut.map((q) => queries.ids[q]), corpus.ids, qrels);
  try {
    const raw = evaluate(rowsOf(queries, heldOut));
    const epochs = trainRetrieval(
      retriever,
      {
        queries: pairQueries,
        positives: pairDocs,
        corpusSize: corpus.ids.length,
        traps: (i) => positives.get(pairQueries[i])!,
        negativePool: negativePool === 'train' ? [...new Set(pairDocs)] : undefined,
      },
      { ...options, batchSize, seed: rng.nextUint32() },
    );
    const adapted = evaluate(retriever.embedQueries(heldOut));
    return { adapter, raw, adapted, heldOutQueries: heldOut.length, trainingPairs: pairQueries.length, epochs };
  } finally {
    retriever.dispose();
  }
}

function rowsById(set: VectorSet): Map<string, number> {
  const map = new Map<string, number>();
  set.ids.forEach((id, row) => {
    if (map.has(id)) throw new Error(`${set.path}: id '${id}' appears twice (rows ${map.get(id)! + 1} and ${row + 1})`);
    map.set(id, row);
  });
  return map;
}

function rowsOf(set: VectorSet, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * set.dim);
  rows.forEach((r, i) => out.set(set.vectors.subarray(r * set.dim, (r + 1) * set.dim), i * set.dim));
  return out;
}
