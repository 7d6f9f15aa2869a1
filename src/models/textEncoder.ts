/**
 * A hashed n-gram text encoder (fastText-like, with a residual MLP on top):
 *
 *   bag(x) = mean of the table rows of x's hashed features       (`textFeatures`, `embeddingBag`)
 *   y(x)   = bag + relu(bag·W1 + b1)·W2 + b2,   output ŷ = y / ‖y‖
 *
 * W2 and b2 start at zero, so the untrained encoder is the mean of random rows: a random
 * projection of the bag-of-n-grams, whose cosine approximates the bag-of-n-grams cosine.
 * `hidden: 0` leaves the MLP out (a pure fastText bag).
 *
 * Shapes: texts `[n]` → `[n, dim]` unit rows.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { l2Normalize } from '../ops/normalize.js';
import { f32, takeF32 } from './safetensors.js';
import { transpose2d } from './torchLayout.js';
import { loadWeightFile, saveWeightFile } from './weightFile.js';
import { EmbeddingTable, meanBags, packBags, type BagLookup, type Bags } from './embeddingBag.js';
import { DEFAULT_TEXT_FEATURES, textFeatures, type TextFeatureOptions } from './textFeatures.js';

export interface TextEncoderConfig extends TextFeatureOptions {
  /** Embedding (and output) dimension (default 64). */
  dim?: number;
  /** Hidden width of the residual MLP (default 256; 0: no MLP). */
  hidden?: number;
}

export type ResolvedTextEncoderConfig = Required<TextEncoderConfig>;

const KIND = 'hashed-text-encoder';

export class HashedTextEncoder {
  readonly config: ResolvedTextEncoderConfig;
  readonly table: EmbeddingTable;
  /** [W1 `[dim, hidden]`, b1 `[hidden]`, W2 `[hidden, dim]`, b2 `[dim]`], or none when hidden = 0. */
  readonly weights: tf.Variable[];

  constructor(config: TextEncoderConfig = {}, rng: Rng = defaultRng(), stored?: { table: Float32Array; weights: Float32Array[] }) {
    const c = { ...DEFAULT_TEXT_FEATURES, dim: 64, hidden: 256, ...config };
    for (const key of ['buckets', 'dim', 'charMin'] as const) {
      if (!(Number.isInteger(c[key]) && c[key] > 0)) throw new Error(`HashedTextEncoder: ${key} must be a positive integer, got ${c[key]}`);
    }
    if (!(Number.isInteger(c.hidden) && c.hidden >= 0)) throw new Error(`HashedTextEncoder: hidden must be an integer >= 0, got ${c.hidden}`);
    if (!(Number.isInteger(c.charMax) && (c.charMax === 0 || c.charMax >= c.charMin))) {
      throw new Error(`HashedTextEncoder: charMax must be 0 or >= charMin (${c.charMin}), got ${c.charMax}`);
    }
    if (c.wordNgrams !== 1 && c.wordNgrams !== 2) throw new Error(`HashedTextEncoder: wordNgrams must be 1 or 2, got ${String(c.wordNgrams)}`);
    this.config = c;
    this.table = new EmbeddingTable(c.buckets, c.dim, stored?.table ?? rng);
    const shapes = [[c.dim, c.hidden], [c.hidden], [c.hidden, c.dim], [c.dim]];
    this.weights =
      c.hidden === 0
        ? []
        : shapes.map((shape, i) => {
            const size = shape.reduce((p, d) => p * d, 1);
            const init = stored?.weights[i] ?? (i === 0 ? heUniform(size, c.dim, rng) : new Float32Array(size));
            return tf.tidy(() => tf.variable(tf.tensor(init, shape)));
          });
  }

  /** Hashed feature ids of a text. */
  features(text: string): Int32Array {
    return textFeatures(text, this.config);
  }

  /** Unit embeddings `[n, dim]` of the looked-up bags from their gathered rows `[U, dim]` (differentiable in rows and weights). */
  forward(rows: tf.Tensor2D, lookup: BagLookup): tf.Tensor2D {
    return tf.tidy(() => {
      const bag = meanBags(rows, lookup);
      if (this.weights.length === 0) return l2Normalize(bag);
      const [w1, b1, w2, b2] = this.weights;
      const hidden = tf.relu(tf.add(tf.matMul(bag, w1 as tf.Tensor2D), b1));
      return l2Normalize(tf.add(bag, tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2)) as tf.Tensor2D);
    });
  }

  /** Unit embeddings of bags, as a tensor (no gradient kept). */
  embedBags(bags: Bags): tf.Tensor2D {
    const lookup = this.table.lookup(bags);
    const rows = this.table.gather(lookup.unique);
    const out = this.forward(rows, lookup);
    rows.dispose();
    return out;
  }

  /** Unit embeddings `[n, dim]` (row-major) of texts or feature lists, `chunk` at a time. */
  encode(items: (string | Int32Array)[], chunk = 2048): Float32Array {
    const out = new Float32Array(items.length * this.config.dim);
    for (let start = 0; start < items.length; start += chunk) {
      const part = items.slice(start, start + chunk).map((x) => (typeof x === 'string' ? this.features(x) : x));
      const emb = this.embedBags(packBags(part));
      out.set(emb.dataSync(), start * this.config.dim);
      emb.dispose();
    }
    return out;
  }

  /**
   * PyTorch names and layout: `embedding.weight` `[buckets, dim]` (an `nn.EmbeddingBag` in mean
   * mode), `fc1.weight` `[hidden, dim]`, `fc1.bias`, `fc2.weight` `[dim, hidden]`, `fc2.bias`.
   */
  tensors() {
    const { buckets, dim, hidden } = this.config;
    const out = [f32('embedding.weight', [buckets, dim], this.table.values)];
    if (hidden === 0) return out;
    const [w1, b1, w2, b2] = this.weights.map((w) => w.dataSync() as Float32Array);
    return [
      ...out,
      f32('fc1.weight', [hidden, dim], transpose2d(w1, dim, hidden)),
      f32('fc1.bias', [hidden], b1),
      f32('fc2.weight', [dim, hidden], transpose2d(w2, hidden, dim)),
      f32('fc2.bias', [dim], b2),
    ];
  }

  /** Writes a safetensors file (PyTorch layout, `tensors()`), the config in its metadata. */
  save(path: string): void {
    saveWeightFile(path, { kind: KIND, config: this.config, tensors: this.tensors() });
  }

  static load(path: string): HashedTextEncoder {
    const { config, contents } = loadWeightFile<ResolvedTextEncoderConfig>(path, KIND);
    const { buckets, dim, hidden } = config;
    const table = takeF32(contents, 'embedding.weight', [buckets, dim], path);
    const weights =
      hidden === 0
        ? []
        : [
            transpose2d(takeF32(contents, 'fc1.weight', [hidden, dim], path), hidden, dim),
            takeF32(contents, 'fc1.bias', [hidden], path),
            transpose2d(takeF32(contents, 'fc2.weight', [dim, hidden], path), dim, hidden),
            takeF32(contents, 'fc2.bias', [dim], path),
          ];
    return new HashedTextEncoder(config, undefined, { table, weights });
  }

  dispose(): void {
    tf.dispose(this.weights);
  }
}

/** He-uniform draws for a ReLU layer with `fanIn` inputs. */
function heUniform(n: number, fanIn: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  return rng.uniformArray(n, -limit, limit);
}
