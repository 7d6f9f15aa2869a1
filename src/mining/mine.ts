/**
 * Corpus-scale hard-negative mining, the engine of `hardneg mine`:
 *
 * 1. Read the queries (all held: vectors `[Q, D]`, encoded if they are texts) and the qrels.
 * 2. Search: stream the corpus in shards of `shardSize` rows; per shard, encode texts if need be,
 *    find every query's top `candidates` rows (exact or HNSW) and store the lists on disk
 *    (`ShardStore`: a finished shard is not redone when a run resumes); merge the shards' lists.
 * 3. Collect: a second streaming pass picks up what the lists point at (ids, texts, labels of
 *    candidate rows; the positives' vectors for their scores) and checks that every judged
 *    document exists.
 * 4. Select negatives per query (`CorpusSelector`: filters, then sampling) and write
 *    `anchor, positive, negative_1..n` JSONL (sentence-transformers' n-tuple layout), one row per
 *    positive pair, plus a summary JSON, both atomically.
 * Memory: the query vectors, the merged lists `[Q, candidates]`, one shard, and the texts of
 * candidate rows; never the whole corpus.
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import type { FilterOptions } from '../negatives/falseNegativeFilter.js';
import { l2Normalize } from '../ops/normalize.js';
import { AtomicFileWriter, removeOrphanTemps, writeFileAtomic } from '../util/atomicWrite.js';
import { acquireLock } from '../util/lock.js';
import { exactTopK } from './exactSearch.js';
import { hnswTopK, type HnswOptions } from './hnswSearch.js';
import { readQrels } from '../data/qrels.js';
import { openRecords, type RecordItem, type RecordFile } from '../data/records.js';
import { CorpusSelector, type SelectionSummary } from './corpusSelector.js';
import { ShardStore } from './shardStore.js';
import { emptyTopK, mergeTopK, type TopK } from './topK.js';
import { readValues } from '../ops/readValues.js';

/** Turns texts into vectors `[n, dim]` (row-major); `fingerprint` identifies it for resuming. */
export interface TextEmbedder {
  dim: number;
  encode(texts: string[]): Float32Array;
  fingerprint: unknown;
}

export interface CorpusMineOptions extends FilterOptions {
  queries: string;
  corpus: string;
  qrels: string;
  /** Output JSONL; the summary goes beside it as `<name>.summary.json`. */
  output: string;
  /** Needed when the queries or the corpus are texts. */
  encoder?: TextEmbedder;
  /** 'exact' (default) or 'hnsw'. */
  index?: 'exact' | 'hnsw';
  hnsw?: HnswOptions;
  /** Candidates searched per query (default: rangeMax, else 100, plus the most positives any query has). */
  candidates?: number;
  /** Negatives per output row (default 3, as sentence-transformers). */
  negatives?: number;
  sampling?: 'hardest' | 'random';
  /** Drop candidates with the query's label (records must carry "label"). */
  labels?: boolean;
  /** Corpus rows per shard (default 100,000). */
  shardSize?: number;
  /** Where finished shards are kept (default `<output>.shards`). */
  workDir?: string;
  /** Seed of random sampling (default 0). */
  seed?: number;
  /** Write ids instead of texts. */
  ids?: boolean;
  /** Keep the shard files after a finished run (default false: they are removed; a later run with other filters then searches again). */
  keepShards?: boolean;
  /** Receives warnings (a corrupt shard computed again); default `console.warn`. */
  warn?: (message: string) => void;
  progress?: (phase: 'search' | 'collect', done: number, total: number) => void;
}

export interface MineSummary extends SelectionSummary {
  queries: number;
  queriesWithPositives: number;
  corpus: number;
  shards: number;
  shardsReused: number;
  index: 'exact' | 'hnsw';
  candidatesPerQuery: number;
  rowsWritten: number;
  /** 'text' when every column holds a text; 'ids' when ids stand in (asked for, or a record has no text). */
  columns: 'text' | 'ids';
  output: string;
  seconds: { search: number; total: number };
}

export interface MineResult {
  summary: MineSummary;
  /** Every query's merged candidate list (`[Q, candidatesPerQuery]`, queries in file order). */
  candidates: TopK;
}

export function summaryPath(output: string): string {
  return `${output.replace(/\.jsonl$/, '')}.summary.json`;
}

/**
 * Mines under a lock on the output (`<output>.lock`): a second run to the same output fails with
 * a one-line error naming the lock and its holder. Temporary files a killed run left beside the
 * output are removed first.
 */
export function mine(options: CorpusMineOptions): MineResult {
  const lock = acquireLock(`${options.output}.lock`, `mining output ${options.output}`);
  try {
    removeOrphanTemps(dirname(resolve(options.output)), [basename(options.output), basename(summaryPath(options.output))]);
    return mineLocked(options);
  } finally {
    lock.release();
  }
}

function mineLocked(options: CorpusMineOptions): MineResult {
  const t0 = performance.now();
  const { index = 'exact', negatives = 3, shardSize = 100_000, seed = 0 } = options;
  if (!(Number.isInteger(shardSize) && shardSize >= 1)) throw new Error(`shard size must be an integer >= 1, got ${shardSize}`);
  const judgements = readQrels(options.qrels);
  const queryFile = openRecords(options.queries);
  const corpusFile = openRecords(options.corpus);
  const dim = checkDimensions(queryFile, corpusFile, options.encoder);

  // 1. Queries.
  const cursor = queryFile.open();
  const { items: queries, vectors: queryVectors0 } = cursor.take(Infinity);
  cursor.close();
  checkUniqueIds(queries, queryFile.path);
  const queryVectors = queryVectors0 ?? options.encoder!.encode(queries.map((q) => q.text!));
  const queryIndex = new Map(queries.map((q, i) => [q.id, i]));
  const positivesOf = new Map<number, string[]>();
  for (const j of judgements) {
    const q = queryIndex.get(j.query);
    if (q === undefined) throw new Error(`${options.qrels}:${j.line}: unknown query id '${j.query}' (not in ${queryFile.path})`);
    if (j.grade > 0) (positivesOf.get(q) ?? positivesOf.set(q, []).get(q)!).push(j.doc);
  }
  if (positivesOf.size === 0) throw new Error(`${options.qrels}: no query has a positive (score > 0)`);
  const maxPositives = Math.max(...[...positivesOf.values()].map((p) => p.length));
  const k = options.candidates ?? (options.rangeMax ?? 100) + maxPositives;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`candidates must be an integer >= 1, got ${k}`);

  // 2. Search, shard by shard.
  const store = new ShardStore(options.workDir ?? `${options.output}.shards`, {
    queries: stamp(queryFile.path),
    corpus: stamp(corpusFile.path),
    encoder: options.encoder?.fingerprint ?? null,
    index,
    hnsw: index === 'hnsw' ? (options.hnsw ?? {}) : null,
    k,
    shardSize,
  }, options.warn);
  const search = (corpus: Float32Array, first: number): TopK =>
    index === 'hnsw' ? hnswTopK(queryVectors, corpus, dim, k, first, options.hnsw) : exactTopK(queryVectors, corpus, dim, k, first);
  let merged = emptyTopK(queries.length, k);
  let rows = 0;
  let shards = 0;
  let reused = 0;
  const corpusCursor = corpusFile.open();
  for (;;) {
    const stored = store.load(shards);
    if (stored !== undefined && stored.start === rows && corpusCursor.skip(stored.end - stored.start) === stored.end - stored.start) {
      merged = mergeTopK(merged, stored.top);
      [rows, shards, reused] = [stored.end, shards + 1, reused + 1];
    } else {
      const batch = corpusCursor.take(shardSize);
      if (batch.items.length === 0) break;
      const vectors = batch.vectors ?? options.encoder!.encode(batch.items.map((item) => item.text!));
      const top = search(vectors, rows);
      store.save(shards, rows, rows + batch.items.length, top);
      merged = mergeTopK(merged, top);
      [rows, shards] = [rows + batch.items.length, shards + 1];
    }
    options.progress?.('search', corpusCursor.bytesRead, corpusFile.bytes);
  }
  corpusCursor.close();
  const searchSeconds = (performance.now() - t0) / 1000;

  // 3. Collect what the lists and the qrels point at.
  const collected = collect(corpusFile, merged, new Set(judgements.map((j) => j.doc)), options);
  for (const j of judgements) {
    if (!collected.judged.has(j.doc)) throw new Error(`${options.qrels}:${j.line}: unknown corpus id '${j.doc}' (not in ${corpusFile.path})`);
  }
  const positiveScores = scorePositives(queryVectors, dim, positivesOf, collected.judged, options.encoder);
  const labelIds = new Map<string, number>();
  const labelId = (label: string | undefined, where: string): number => {
    if (label === undefined) throw new Error(`${where}: record has no "label" (needed to filter by labels)`);
    return labelIds.get(label) ?? labelIds.set(label, labelIds.size).get(label)!;
  };

  // 4. Select and write.
  const selector = new CorpusSelector({ ...options, negatives }, new Rng(seed));
  let idsWritten = false;
  const textOrId = (x: { id: string; text?: string }): string => {
    if (!options.ids && x.text !== undefined) return x.text;
    idsWritten = true;
    return x.id;
  };
  const writer = new AtomicFileWriter(options.output);
  let rowsWritten = 0;
  try {
    for (const [q, docs] of [...positivesOf].sort((a, b) => a[0] - b[0])) {
      const chosen = selector.select({
        rows: merged.rows.subarray(q * k, (q + 1) * k),
        scores: merged.scores.subarray(q * k, (q + 1) * k),
        positives: new Set(docs.map((d) => collected.judged.get(d)!.row)),
        positiveScore: positiveScores.get(q),
        ...(options.labels
          ? {
              label: labelId(queries[q].label, `${queryFile.path}:${queries[q].line}`),
              labelOf: (row: number) => labelId(collected.candidates.get(row)!.label, `${corpusFile.path}:${collected.candidates.get(row)!.line}`),
            }
          : {}),
      });
      if (chosen === undefined) continue;
      const negativeColumns = Object.fromEntries(chosen.map((c, i) => [`negative_${i + 1}`, textOrId(collected.candidates.get(c.index)!)]));
      for (const d of docs) {
        writer.write(`${JSON.stringify({ anchor: textOrId(queries[q]), positive: textOrId(collected.judged.get(d)!), ...negativeColumns })}\n`);
        rowsWritten++;
      }
    }
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const summary: MineSummary = {
    queries: queries.length,
    queriesWithPositives: positivesOf.size,
    corpus: rows,
    shards,
    shardsReused: reused,
    index,
    candidatesPerQuery: k,
    ...selector.summary(),
    rowsWritten,
    columns: idsWritten ? 'ids' : 'text',
    output: options.output,
    seconds: { search: round(searchSeconds), total: round((performance.now() - t0) / 1000) },
  };
  writeFileAtomic(summaryPath(options.output), `${JSON.stringify(summary, null, 2)}\n`);
  if (!options.keepShards) store.clear();
  return { summary, candidates: merged };
}

interface Collected {
  /** Judged documents by id: their row, text and (vector content) vector. */
  judged: Map<string, { row: number; id: string; text?: string; vector?: Float32Array }>;
  /** Candidate rows: id, text, label, line. */
  candidates: Map<number, RecordItem>;
}

function collect(file: RecordFile, merged: TopK, judgedIds: Set<string>, options: CorpusMineOptions): Collected {
  const wanted = new Set<number>();
  for (const r of merged.rows) if (r >= 0) wanted.add(r);
  const judged: Collected['judged'] = new Map();
  const candidates = new Map<number, RecordItem>();
  const lineOf = file.path.endsWith('.npy') ? undefined : new Map<string, number>();
  const cursor = file.open();
  for (let batch = cursor.take(8192); batch.items.length > 0; batch = cursor.take(8192)) {
    batch.items.forEach((item, i) => {
      if (lineOf !== undefined) {
        const first = lineOf.get(item.id);
        if (first !== undefined) throw new Error(`${file.path}:${item.line}: duplicate id '${item.id}' (first on line ${first})`);
        lineOf.set(item.id, item.line);
      }
      if (judgedIds.has(item.id)) {
        const vector = batch.vectors?.slice(i * file.dim!, (i + 1) * file.dim!);
        judged.set(item.id, { row: item.row, id: item.id, text: item.text, vector });
      }
      if (wanted.has(item.row)) candidates.set(item.row, item);
    });
    options.progress?.('collect', cursor.bytesRead, file.bytes);
  }
  cursor.close();
  return { judged, candidates };
}

/** Per query, the best cosine similarity among its positives. */
function scorePositives(queryVectors: Float32Array, dim: number, positivesOf: Map<number, string[]>, judged: Collected['judged'], encoder?: TextEmbedder): Map<number, number> {
  const pairs = [...positivesOf].flatMap(([q, docs]) => docs.map((d) => [q, d] as const));
  const docs = [...new Set(pairs.map(([, d]) => d))];
  const docIndex = new Map(docs.map((d, i) => [d, i]));
  const first = judged.get(docs[0])!;
  const vectors = first.vector !== undefined ? concat(docs.map((d) => judged.get(d)!.vector!), dim) : encoder!.encode(docs.map((d) => judged.get(d)!.text!));
  const scores = readValues(() => {
    const q = tf.gather(l2Normalize(tf.tensor2d(queryVectors, [queryVectors.length / dim, dim])), tf.tensor1d(pairs.map(([qi]) => qi), 'int32'));
    const p = tf.gather(l2Normalize(tf.tensor2d(vectors, [docs.length, dim])), tf.tensor1d(pairs.map(([, d]) => docIndex.get(d)!), 'int32'));
    return tf.sum(tf.mul(q, p), 1);
  });
  const best = new Map<number, number>();
  pairs.forEach(([q], i) => best.set(q, Math.max(best.get(q) ?? -Infinity, scores[i])));
  return best;
}

function checkDimensions(queries: RecordFile, corpus: RecordFile, encoder?: TextEmbedder): number {
  if (queries.content !== corpus.content) {
    throw new Error(`${queries.path} holds ${queries.content}s but ${corpus.path} holds ${corpus.content}s: give both as texts or both as vectors`);
  }
  if (queries.content === 'text') {
    if (encoder === undefined) throw new Error(`${queries.path} and ${corpus.path} hold texts: an encoder is needed to embed them`);
    return encoder.dim;
  }
  if (queries.dim !== corpus.dim) throw new Error(`${corpus.path}: vectors have dimension ${corpus.dim}, but those of ${queries.path} have ${queries.dim}`);
  return queries.dim!;
}

function checkUniqueIds(items: RecordItem[], path: string): void {
  const lineOf = new Map<string, number>();
  for (const item of items) {
    const first = lineOf.get(item.id);
    if (first !== undefined) throw new Error(`${path}:${item.line}: duplicate id '${item.id}' (first on line ${first})`);
    lineOf.set(item.id, item.line);
  }
}

function stamp(path: string): { path: string; size: number; mtimeMs: number } {
  const s = statSync(path);
  return { path: resolve(path), size: s.size, mtimeMs: s.mtimeMs };
}

function concat(parts: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(parts.length * dim);
  parts.forEach((p, i) => out.set(p, i * dim));
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
