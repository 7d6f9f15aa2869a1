/**
 * Retrieval models as the retrieval trainer sees them: queries and documents by index, embedded
 * for mining and evaluation, and one optimisation step on a batch of (query, positive,
 * hard negatives) indices.
 *
 * - `TextRetriever`: one hashed text encoder for both sides (features cached per text).
 * - `AdapterRetriever`: precomputed query and document vectors; a query-side adapter is trained
 *   and the documents keep their vectors, so a corpus already indexed need not be re-embedded.
 */
import * as tf from '../engine/tf.js';
import type { Adapter } from '../models/adapter.js';
import { packBags } from '../models/embeddingBag.js';
import type { HashedTextEncoder } from '../models/textEncoder.js';
import { l2Normalize } from '../ops/normalize.js';
import { AdapterTrainer, TextEncoderTrainer, type TrainerOptions } from './retrievalStep.js';
import { readValues } from '../ops/readValues.js';

/** A loss of the batch's unit embeddings: queries `[B, D]`, positives `[B, D]`, negatives `[B, H, D]` (H may be 0). */
export type BatchLoss = (queries: tf.Tensor2D, positives: tf.Tensor2D, negatives: tf.Tensor3D | undefined) => tf.Scalar;

export interface Retriever {
  readonly dim: number;
  /** Unit embeddings `[n, D]` of the queries `indices`. */
  embedQueries(indices: number[]): Float32Array;
  /** Unit embeddings `[n, D]` of the documents `indices`. */
  embedDocs(indices: number[]): Float32Array;
  /** One step; `negatives` holds H document indices per query (`[B·H]`). Returns the loss. */
  step(queries: number[], positives: number[], negatives: number[], loss: BatchLoss): number;
  dispose(): void;
}

export class TextRetriever implements Retriever {
  private readonly queryFeatures: Int32Array[];
  private readonly docFeatures: Int32Array[];
  private readonly trainer: TextEncoderTrainer;

  constructor(
    readonly encoder: HashedTextEncoder,
    queries: string[],
    docs: string[],
    options: TrainerOptions = {},
  ) {
    this.queryFeatures = queries.map((t) => encoder.features(t));
    this.docFeatures = docs.map((t) => encoder.features(t));
    this.trainer = new TextEncoderTrainer(encoder, options);
  }

  get dim(): number {
    return this.encoder.config.dim;
  }

  embedQueries(indices: number[]): Float32Array {
    return this.encoder.encode(indices.map((i) => this.queryFeatures[i]));
  }

  embedDocs(indices: number[]): Float32Array {
    return this.encoder.encode(indices.map((i) => this.docFeatures[i]));
  }

  step(queries: number[], positives: number[], negatives: number[], loss: BatchLoss): number {
    const B = queries.length;
    const H = negatives.length / B;
    const bags = packBags([...queries.map((i) => this.queryFeatures[i]), ...[...positives, ...negatives].map((i) => this.docFeatures[i])]);
    return this.trainer.step(bags, (e) => {
      const q = tf.slice(e, [0, 0], [B, -1]);
      const p = tf.slice(e, [B, 0], [B, -1]);
      const n = H > 0 ? (tf.reshape(tf.slice(e, [2 * B, 0], [B * H, -1]), [B, H, -1]) as tf.Tensor3D) : undefined;
      return loss(q, p, n);
    });
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

export class AdapterRetriever implements Retriever {
  private readonly trainer: AdapterTrainer;

  /** `queries` `[nQ, D]` and `docs` `[nD, D]` row-major. */
  constructor(
    readonly adapter: Adapter,
    private readonly queries: Float32Array,
    private readonly docs: Float32Array,
    options: TrainerOptions = {},
  ) {
    const D = adapter.config.dim;
    if (queries.length % D !== 0 || docs.length % D !== 0) throw new Error(`AdapterRetriever: vectors are not rows of the adapter's dimension ${D}`);
    this.trainer = new AdapterTrainer(adapter, options);
  }

  get dim(): number {
    return this.adapter.config.dim;
  }

  embedQueries(indices: number[]): Float32Array {
    return this.adapter.encode(this.rows(this.queries, indices));
  }

  embedDocs(indices: number[]): Float32Array {
    return unitRows(this.rows(this.docs, indices), this.dim);
  }

  step(queries: number[], positives: number[], negatives: number[], loss: BatchLoss): number {
    const [B, D] = [queries.length, this.dim];
    const H = negatives.length / B;
    const p = tf.tensor2d(this.rows(this.docs, positives), [B, D]);
    const n = H > 0 ? tf.tensor3d(this.rows(this.docs, negatives), [B, H, D]) : undefined;
    const q = tf.tensor2d(this.rows(this.queries, queries), [B, D]);
    const value = this.trainer.step(q, (aq) => loss(aq, p, n));
    tf.dispose([p, q, ...(n ? [n] : [])]);
    return value;
  }

  dispose(): void {
    this.trainer.dispose();
  }

  private rows(matrix: Float32Array, indices: number[]): Float32Array {
    const D = this.dim;
    const out = new Float32Array(indices.length * D);
    indices.forEach((i, r) => out.set(matrix.subarray(i * D, (i + 1) * D), r * D));
    return out;
  }
}

/** Rows scaled to unit length (zero rows stay zero). */
function unitRows(x: Float32Array, dim: number): Float32Array {
  return readValues(() => l2Normalize(tf.tensor2d(x, [x.length / dim, dim])));
}
