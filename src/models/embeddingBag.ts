/**
 * An embedding bag over a hashed feature table: each text is a bag of row ids, embedded as the
 * mean of its rows.
 *
 * The table lives in host memory (a `Float32Array` `[rows, dim]`), not in a tensor: a step
 * touches a few thousand of its 2^18 rows, so only those rows travel. `lookup` finds the batch's
 * distinct ids (U of them) and `gather` sends those rows as one `[U, dim]` tensor; `meanBags` is
 * then tf ops (a gather of the U rows per feature and a segment sum per bag), and the gradient
 * that reaches the rows is `[U, dim]`, which a sparse optimizer writes back with `scatter`
 * (`optim/sparseAdam.ts`). A dense table gradient would be `[rows, dim]` every step.
 *
 * Shapes: rows `[U, dim]` → bags `[n, dim]`.
 */
import * as tf from '../engine/tf.js';
import type { Rng } from '../engine/random.js';

/** n bags of ids, concatenated: bag i is `ids[offsets[i] .. offsets[i + 1])`. */
export interface Bags {
  ids: Int32Array;
  /** `[n + 1]`, starting at 0. */
  offsets: Int32Array;
}

/** Packs per-text id lists into `Bags`. */
export function packBags(lists: ArrayLike<number>[]): Bags {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i] + l.length));
  const ids = new Int32Array(offsets[lists.length]);
  lists.forEach((l, i) => ids.set(l, offsets[i]));
  return { ids, offsets };
}

/** The batch layout `meanBags` needs. */
export interface BagLookup {
  /** The distinct ids, ascending `[U]`. */
  unique: Int32Array;
  /** Each feature's row among `unique` `[F]`. */
  local: Int32Array;
  /** Each feature's bag `[F]`. */
  segments: Int32Array;
  /** 1 / bag size, 0 for an empty bag `[n]`. */
  inverseSizes: Float32Array;
}

export class EmbeddingTable {
  readonly values: Float32Array;
  /** Scratch for `lookup`: the step that last saw each id, and its place among the unique ids. */
  private seenAt: Int32Array;
  private place: Int32Array;
  private lookups = 0;

  /** Rows drawn from N(0, 1/dim) unless `values` are given. */
  constructor(
    readonly rows: number,
    readonly dim: number,
    init: Rng | Float32Array,
  ) {
    if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(dim) && dim > 0)) {
      throw new Error(`EmbeddingTable: rows and dim must be positive integers, got ${rows} and ${dim}`);
    }
    if (init instanceof Float32Array) {
      if (init.length !== rows * dim) throw new Error(`EmbeddingTable: values must have ${rows * dim} entries, got ${init.length}`);
      this.values = init;
    } else {
      this.values = init.normalArray(rows * dim, 0, 1 / Math.sqrt(dim));
    }
    this.seenAt = new Int32Array(rows);
    this.place = new Int32Array(rows);
  }

  /** Distinct ids (ascending, for memory locality) and the per-feature layout of `bags`; ids must lie in [0, rows). */
  lookup(bags: Bags): BagLookup {
    const { ids, offsets } = bags;
    const n = offsets.length - 1;
    const stamp = ++this.lookups;
    const distinct: number[] = [];
    for (let f = 0; f < ids.length; f++) {
      const id = ids[f];
      if (!(id >= 0 && id < this.rows)) throw new Error(`EmbeddingTable.lookup: id ${id} at ${f} is outside [0, ${this.rows})`);
      if (this.seenAt[id] !== stamp) {
        this.seenAt[id] = stamp;
        distinct.push(id);
      }
    }
    const unique = Int32Array.from(distinct).sort();
    unique.forEach((id, u) => (this.place[id] = u));
    const local = new Int32Array(ids.length);
    const segments = new Int32Array(ids.length);
    for (let b = 0; b < n; b++) {
      for (let f = offsets[b]; f < offsets[b + 1]; f++) {
        local[f] = this.place[ids[f]];
        segments[f] = b;
      }
    }
    const inverseSizes = new Float32Array(n);
    for (let b = 0; b < n; b++) inverseSizes[b] = offsets[b + 1] > offsets[b] ? 1 / (offsets[b + 1] - offsets[b]) : 0;
    return { unique, local, segments, inverseSizes };
  }

  /** The rows `ids` as a `[U, dim]` tensor. */
  gather(ids: Int32Array): tf.Tensor2D {
    return tf.tensor2d(gatherRows(this.values, this.dim, ids), [ids.length, this.dim]);
  }

  /** Overwrites the rows `ids` with `values` `[U, dim]`. */
  scatter(ids: Int32Array, values: Float32Array): void {
    scatterRows(this.values, this.dim, ids, values);
  }
}

/**
 * Mean of each bag's rows. `rows` `[U, dim]` are the gathered `lookup.unique` rows → `[n, dim]`.
 * Forward: a gather per feature, a segment sum per bag, times 1/size. Backward (own gradient, the
 * same two ops in reverse): `dRows = segmentSum(gather(dy / size, bag of each feature), row of
 * each feature)`. The autodiff gradient of a segment sum goes through int and bool masks
 * (`greaterEqual`, `logicalAnd`, `where` over `[F, dim]`), ~200 ms a batch on wasm.
 */
export function meanBags(rows: tf.Tensor2D, lookup: BagLookup): tf.Tensor2D {
  const [U] = rows.shape;
  const n = lookup.inverseSizes.length;
  const local = tf.tensor1d(lookup.local, 'int32');
  const segments = tf.tensor1d(lookup.segments, 'int32');
  const inverseSizes = tf.tensor2d(lookup.inverseSizes, [n, 1]);
  const f = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([local, segments, inverseSizes]);
    return {
      value: tf.tidy(() => tf.mul(tf.unsortedSegmentSum(tf.gather(x as tf.Tensor2D, local), segments, n), inverseSizes)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [l, s, inv] = saved as [tf.Tensor1D, tf.Tensor1D, tf.Tensor2D];
        return tf.unsortedSegmentSum(tf.gather(tf.mul(dy, inv), s), l, U);
      },
    };
  });
  const out = f(rows) as tf.Tensor2D;
  tf.dispose([local, segments, inverseSizes]);
  return out;
}

/** Copies rows `ids` of a host matrix `[*, dim]` into a new `[U, dim]` array. */
export function gatherRows(matrix: Float32Array, dim: number, ids: Int32Array): Float32Array {
  const out = new Float32Array(ids.length * dim);
  // Element copies: a `subarray` per row costs ~0.5 µs, 10× a 64-float row copy.
  for (let u = 0; u < ids.length; u++) {
    const from = ids[u] * dim;
    const to = u * dim;
    for (let d = 0; d < dim; d++) out[to + d] = matrix[from + d];
  }
  return out;
}

/** Writes `values` `[U, dim]` into rows `ids` of a host matrix. */
export function scatterRows(matrix: Float32Array, dim: number, ids: Int32Array, values: Float32Array): void {
  for (let u = 0; u < ids.length; u++) {
    const from = u * dim;
    const to = ids[u] * dim;
    for (let d = 0; d < dim; d++) matrix[to + d] = values[from + d];
  }
}
