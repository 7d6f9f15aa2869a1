/**
 * MoCo's memory queue: a FIFO of detached keys, oldest out.
 *
 * The queue starts EMPTY (not from random vectors as in MoCo's code): `keys()` returns only the
 * `filled` rows written so far, so a loss over `keys()` is exact from the first step. Once full,
 * each `enqueue` overwrites the oldest rows, wrapping around when `size % B ≠ 0`. Row r of
 * `keys()` is storage slot r (the write order), which fixes MoCHi's tie-breaking by index.
 * Optional integer labels are stored beside the keys for false-negative diagnostics.
 *
 * Keys live in host memory in both layouts (`[size, D]` and `[D, size]`), so an enqueue is a row
 * and column copy and both `N` and `Nᵀ` are available to the logits without a transpose kernel.
 * `keys()` and `keysT()` return tensors that the queue owns and caches until the next enqueue:
 * do not dispose them.
 */
import * as tf from '../engine/tf.js';
import { ArgumentError, checkInt, checkShape } from '../ops/validate.js';

export class MemoryQueue {
  readonly size: number;
  readonly dim: number;
  private rows: Float32Array; // [size, D]
  private cols: Float32Array; // [D, size]
  private labelStore: Int32Array;
  private ptr = 0;
  private count = 0;
  private cachedKeys?: tf.Tensor2D;
  private cachedKeysT?: tf.Tensor2D;

  constructor(size: number, dim: number) {
    checkInt('MemoryQueue', 'size', size, 1);
    checkInt('MemoryQueue', 'dim', dim, 1);
    this.size = size;
    this.dim = dim;
    this.rows = new Float32Array(size * dim);
    this.cols = new Float32Array(size * dim);
    this.labelStore = new Int32Array(size).fill(-1);
  }

  /** Number of valid rows (grows to `size`, then stays). */
  get filled(): number {
    return this.count;
  }

  /** Slot the next key is written to. */
  get pointer(): number {
    return this.ptr;
  }

  /** The valid keys `[filled, D]`; owned by the queue (do not dispose), valid until the next enqueue. */
  keys(): tf.Tensor2D {
    if (this.cachedKeys === undefined || this.cachedKeys.isDisposed) {
      this.cachedKeys = tf.keep(tf.tensor2d(this.rows.subarray(0, this.count * this.dim), [this.count, this.dim]));
    }
    return this.cachedKeys;
  }

  /** The valid keys transposed, `[D, filled]`; owned by the queue like `keys()`. */
  keysT(): tf.Tensor2D {
    if (this.cachedKeysT === undefined || this.cachedKeysT.isDisposed) {
      let values = this.cols;
      if (this.count < this.size) {
        values = new Float32Array(this.dim * this.count);
        for (let d = 0; d < this.dim; d++) values.set(this.cols.subarray(d * this.size, d * this.size + this.count), d * this.count);
      }
      this.cachedKeysT = tf.keep(tf.tensor2d(values, [this.dim, this.count]));
    }
    return this.cachedKeysT;
  }

  /** Host copy of the valid keys, row-major `[filled, D]` (a view: do not modify). */
  keyValues(): Float32Array {
    return this.rows.subarray(0, this.count * this.dim);
  }

  /** Labels of the valid keys (−1 where none was given). */
  labels(): Int32Array {
    return this.labelStore.slice(0, this.count);
  }

  /** Appends keys `[B, D]` (their values; no gradient is kept), oldest out; `labels` `[B]` optional. B <= size. */
  enqueue(keys: tf.Tensor2D, labels?: ArrayLike<number>): void {
    checkShape('MemoryQueue.enqueue', 'keys', keys, [-1, this.dim]);
    const B = keys.shape[0];
    if (B > this.size) throw new ArgumentError(`MemoryQueue.enqueue: keys has ${B} rows, more than the queue size ${this.size}`);
    if (labels !== undefined && labels.length !== B) {
      throw new ArgumentError(`MemoryQueue.enqueue: labels must have length ${B}, got ${labels.length}`);
    }
    if (B === 0) return;
    const values = keys.dataSync() as Float32Array;
    const { dim, size, ptr } = this;
    // Rows in at most two runs (the write may wrap around), then each column as runs of slots.
    const first = Math.min(B, size - ptr);
    this.rows.set(values.subarray(0, first * dim), ptr * dim);
    if (first < B) this.rows.set(values.subarray(first * dim, B * dim), 0);
    for (let d = 0; d < dim; d++) {
      const col = d * size;
      for (let b = 0; b < first; b++) this.cols[col + ptr + b] = values[b * dim + d];
      for (let b = first; b < B; b++) this.cols[col + b - first] = values[b * dim + d];
    }
    for (let b = 0; b < B; b++) this.labelStore[(ptr + b) % size] = labels === undefined ? -1 : labels[b];
    this.ptr = (this.ptr + B) % size;
    this.count = Math.min(size, this.count + B);
    this.dropCache();
  }

  /** Everything needed to restore the queue exactly (for checkpoints). */
  snapshot(): { size: number; dim: number; pointer: number; filled: number; rows: Float32Array; labels: Int32Array } {
    return { size: this.size, dim: this.dim, pointer: this.ptr, filled: this.count, rows: this.rows.slice(), labels: this.labelStore.slice() };
  }

  /** A queue equal to the one `snapshot` was taken from. */
  static restore(s: { size: number; dim: number; pointer: number; filled: number; rows: Float32Array; labels: Int32Array }): MemoryQueue {
    const q = new MemoryQueue(s.size, s.dim);
    if (s.rows.length !== s.size * s.dim || s.labels.length !== s.size) throw new ArgumentError('MemoryQueue.restore: snapshot sizes do not match');
    q.rows.set(s.rows);
    for (let slot = 0; slot < s.size; slot++) {
      for (let d = 0; d < s.dim; d++) q.cols[d * s.size + slot] = s.rows[slot * s.dim + d];
    }
    q.labelStore.set(s.labels);
    q.ptr = s.pointer;
    q.count = s.filled;
    return q;
  }

  private dropCache(): void {
    this.cachedKeys?.dispose();
    this.cachedKeysT?.dispose();
    this.cachedKeys = this.cachedKeysT = undefined;
  }

  dispose(): void {
    this.dropCache();
  }
}
