/**
 * An adapter over embeddings a user already has (from any model): a map trained with the
 * contrastive losses so that the adapted vectors retrieve better, without touching the model.
 *
 *   linear:   y = x·W + b                            W = I, b = 0 at the start
 *   residual: y = x + relu(x·W1 + b1)·W2 + b2         W2 = 0, b2 = 0 at the start
 *
 * Both start as the identity, so an untrained adapter returns the input vectors (normalised).
 * Shapes: `[n, D]` → `[n, D]` unit rows.
 */
import * as tf from '../engine/tf.js';
import { defaultRng, type Rng } from '../engine/random.js';
import { l2Normalize } from '../ops/normalize.js';
import { f32, takeF32 } from './safetensors.js';
import { transpose2d } from './torchLayout.js';
import { loadWeightFile, saveWeightFile } from './weightFile.js';

export interface AdapterConfig {
  /** Dimension D of the vectors. */
  dim: number;
  /** Default 'linear'. */
  kind?: 'linear' | 'residual';
  /** Hidden width of the residual map (default D). */
  hidden?: number;
}

export type ResolvedAdapterConfig = Required<AdapterConfig>;

const KIND = 'adapter';

export class Adapter {
  readonly config: ResolvedAdapterConfig;
  /** linear: [W `[D, D]`, b `[D]`]; residual: [W1 `[D, H]`, b1 `[H]`, W2 `[H, D]`, b2 `[D]`]. */
  readonly weights: tf.Variable[];

  constructor(config: AdapterConfig, rng: Rng = defaultRng(), stored?: Float32Array[]) {
    const c: ResolvedAdapterConfig = { kind: 'linear', hidden: config.dim, ...config };
    if (!(Number.isInteger(c.dim) && c.dim > 0)) throw new Error(`Adapter: dim must be a positive integer, got ${c.dim}`);
    if (!(Number.isInteger(c.hidden) && c.hidden > 0)) throw new Error(`Adapter: hidden must be a positive integer, got ${c.hidden}`);
    if (c.kind !== 'linear' && c.kind !== 'residual') throw new Error(`Adapter: kind must be 'linear' or 'residual', got '${String(c.kind)}'`);
    this.config = c;
    const { dim: D, hidden: H } = c;
    const shapes = c.kind === 'linear' ? [[D, D], [D]] : [[D, H], [H], [H, D], [D]];
    const initial = (i: number, size: number): Float32Array => {
      if (c.kind === 'linear' && i === 0) return identity(D);
      if (c.kind === 'residual' && i === 0) {
        const limit = Math.sqrt(6 / D);
        return rng.uniformArray(size, -limit, limit);
      }
      return new Float32Array(size);
    };
    this.weights = shapes.map((shape, i) => {
      const size = shape.reduce((p, d) => p * d, 1);
      const values = stored?.[i] ?? initial(i, size);
      if (values.length !== size) throw new Error(`Adapter: stored weight ${i} has ${values.length} values, expected ${size}`);
      return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
    });
  }

  /** Adapted unit vectors `[n, D]` (differentiable in the weights). */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.config.dim) throw new Error(`Adapter.forward: input must have shape [*, ${this.config.dim}], got [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      if (this.config.kind === 'linear') {
        const [w, b] = this.weights;
        return l2Normalize(tf.add(tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D);
      }
      const [w1, b1, w2, b2] = this.weights;
      const hidden = tf.relu(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
      return l2Normalize(tf.add(x, tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2)) as tf.Tensor2D);
    });
  }

  /** Adapted unit vectors of a row-major `[n, D]` array, `chunk` rows at a time. */
  encode(vectors: Float32Array, chunk = 8192): Float32Array {
    const D = this.config.dim;
    if (vectors.length % D !== 0) throw new Error(`Adapter.encode: ${vectors.length} values are not rows of ${D}`);
    const out = new Float32Array(vectors.length);
    for (let start = 0; start < vectors.length; start += chunk * D) {
      const part = vectors.subarray(start, Math.min(vectors.length, start + chunk * D));
      const y = tf.tidy(() => this.forward(tf.tensor2d(part, [part.length / D, D])));
      out.set(y.dataSync(), start);
      y.dispose();
    }
    return out;
  }

  /** PyTorch names and layout: linear `linear.weight` `[D, D]` (= Wᵀ), `linear.bias`; residual `fc1.*`, `fc2.*`. */
  tensors() {
    const names = this.config.kind === 'linear' ? ['linear'] : ['fc1', 'fc2'];
    return this.weights.flatMap((w, i) => {
      const values = w.dataSync() as Float32Array;
      const layer = names[i >> 1];
      if (i % 2 === 1) return [f32(`${layer}.bias`, w.shape, values)];
      const [rows, cols] = w.shape;
      return [f32(`${layer}.weight`, [cols, rows], transpose2d(values, rows, cols))];
    });
  }

  /** Writes a safetensors file (PyTorch layout, `tensors()`), the config in its metadata. */
  save(path: string): void {
    saveWeightFile(path, { kind: KIND, config: this.config, tensors: this.tensors() });
  }

  static load(path: string): Adapter {
    const { config, contents } = loadWeightFile<ResolvedAdapterConfig>(path, KIND);
    const { dim: D, hidden: H } = config;
    const layers: [string, number, number][] = config.kind === 'linear' ? [['linear', D, D]] : [['fc1', D, H], ['fc2', H, D]];
    const stored = layers.flatMap(([layer, inDim, outDim]) => [
      transpose2d(takeF32(contents, `${layer}.weight`, [outDim, inDim], path), outDim, inDim),
      takeF32(contents, `${layer}.bias`, [outDim], path),
    ]);
    return new Adapter(config, undefined, stored);
  }

  dispose(): void {
    tf.dispose(this.weights);
  }
}

function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}
