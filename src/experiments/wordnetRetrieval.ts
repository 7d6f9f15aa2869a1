/**
 * The WordNet reverse-dictionary experiment (`experiments/reverseDictionary.ts`): build a retriever
 * (the hashed text encoder, or a query-side adapter over the untrained encoder's vectors), train
 * it on the train split with a source of negatives, and evaluate on dev/test against the whole
 * corpus of documents (Recall@1/10/100, MRR@10, nDCG@10). `negatives: 'none'` evaluates the
 * untrained model: for the text encoder, the cosine of random projections of the
 * bag-of-n-grams.
 */
import { reverseDictionary, type ReverseDictionary } from './reverseDictionary.js';
import { Rng } from '../engine/random.js';
import { evaluateRetrieval } from '../retrieval/evaluateRetrieval.js';
import type { Qrels, RetrievalMetrics } from '../eval/retrieval.js';
import { Adapter } from '../models/adapter.js';
import { HashedTextEncoder, type TextEncoderConfig } from '../models/textEncoder.js';
import { trainRetrieval, type RetrievalEpochReport, type NegativeSource, type RetrievalTrainOptions } from '../retrieval/retrievalTrainer.js';
import { AdapterRetriever, TextRetriever, type Retriever } from '../retrieval/retrievers.js';

export type Split = 'dev' | 'test';

export interface WordnetRunOptions extends Omit<RetrievalTrainOptions, 'negatives' | 'onEpoch'> {
  onEpoch?: (report: WordnetEpochReport) => void;
  negatives: NegativeSource | 'none';
  /** 'text' (default): train the hashed encoder; 'adapter': a linear query-side adapter over the untrained encoder's vectors. */
  model?: 'text' | 'adapter';
  encoder?: TextEncoderConfig;
  /** Split sizes (defaults 20,000 / 1,000 / 1,000); the split's own seed is fixed at 0. */
  train?: number;
  dev?: number;
  test?: number;
  /** Adam learning rates. */
  lr?: number;
  tableLr?: number;
  /**
   * Where negatives are mined: 'train' (default), the documents of the training synsets; or
   * 'corpus', all documents. Mining the whole corpus makes the dev and test synsets' documents,
   * which are never positives in training, frequent negatives: training only pushes them away
   * from queries, and Recall@10 on dev/test falls below in-batch training (README).
   */
  negativePool?: 'train' | 'corpus';
  /** Splits to evaluate after training (default dev and test). */
  evaluate?: Split[];
  /** A split to evaluate after every epoch too (its metrics come in the epoch's report as `monitor`). */
  monitor?: Split;
  /** The task, if already built (it takes ~2 s to read WordNet). */
  task?: ReverseDictionary;
}

export interface WordnetEpochReport extends RetrievalEpochReport {
  /** Metrics of the `monitor` split after this epoch. */
  monitor?: RetrievalMetrics;
}

export interface WordnetRunResult {
  metrics: Partial<Record<Split, RetrievalMetrics>>;
  epochs: RetrievalEpochReport[];
  /** The trained text encoder (model 'text'), e.g. to save. */
  encoder?: HashedTextEncoder;
  adapter?: Adapter;
  seconds: number;
}

export function runWordnetRetrieval(options: WordnetRunOptions): WordnetRunResult {
  const t0 = performance.now();
  const { model = 'text', seed = 0, evaluate = ['dev', 'test'], negativePool = 'train', monitor } = options;
  const task = options.task ?? reverseDictionary({ train: options.train, dev: options.dev, test: options.test });
  const queries = task.queries.map((q) => q.text);
  const docs = task.docs.map((d) => d.text);
  const rng = new Rng(seed);
  const encoder = new HashedTextEncoder(model === 'adapter' ? { ...options.encoder, hidden: 0 } : options.encoder, rng.fork());
  let retriever: Retriever;
  let adapter: Adapter | undefined;
  if (model === 'adapter') {
    adapter = new Adapter({ dim: encoder.config.dim }, rng.fork());
    retriever = new AdapterRetriever(adapter, encoder.encode(queries), encoder.encode(docs), { lr: options.lr });
  } else {
    retriever = new TextRetriever(encoder, queries, docs, { lr: options.lr, tableLr: options.tableLr });
  }
  try {
    const train = task.split.train;
    const epochs =
      options.negatives === 'none'
        ? []
        : trainRetrieval(
            retriever,
            { queries: train, positives: train.map((q) => task.queries[q].doc), corpusSize: docs.length, traps: (i) => task.lemmaOverlaps(task.queries[train[i]].doc), negativePool: negativePool === 'train' ? [...new Set(train.map((q) => task.queries[q].doc))] : undefined },
            {
              ...options,
              negatives: options.negatives,
              seed: rng.nextUint32(),
              onEpoch: (e) => options.onEpoch?.({ ...e, ...(monitor ? { monitor: evaluateSplit(retriever, task, monitor) } : {}) }),
            },
          );
    const metrics: WordnetRunResult['metrics'] = {};
    for (const split of evaluate) metrics[split] = evaluateSplit(retriever, task, split);
    return { metrics, epochs, encoder: model === 'text' ? encoder : undefined, adapter, seconds: (performance.now() - t0) / 1000 };
  } finally {
    retriever.dispose();
  }
}

/** Metrics of the split's queries against every document. */
export function evaluateSplit(retriever: Retriever, task: ReverseDictionary, split: Split): RetrievalMetrics {
  const ids = task.split[split];
  const qrels: Qrels = new Map(ids.map((q) => [task.queries[q].id, new Map([[task.docs[task.queries[q].doc].id, 1]])]));
  const all = Array.from({ length: task.docs.length }, (_, i) => i);
  return evaluateRetrieval(
    retriever.embedQueries(ids),
    retriever.embedDocs(all),
    retriever.dim,
    ids.map((q) => task.queries[q].id),
    task.docs.map((d) => d.id),
    qrels,
  );
}
