import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { EmbeddingTable, meanBags, packBags } from '../../src/models/embeddingBag.js';
import { assertClose, setup } from '../helpers.js';
import { numericGradient, type Matrix } from '../reference/float64.js';

before(() => setup('wasm'));

const lists = [[5, 2, 5], [7], [], [2, 9, 9, 9]];

test('packBags and lookup: distinct ids ascending, each feature mapped to its row and its bag', () => {
  const bags = packBags(lists);
  assert.deepEqual(Array.from(bags.offsets), [0, 3, 4, 4, 8]);
  const table = new EmbeddingTable(10, 3, new Rng(0));
  const l = table.lookup(bags);
  assert.deepEqual(Array.from(l.unique), [2, 5, 7, 9]);
  assert.deepEqual(Array.from(l.local), [1, 0, 1, 2, 0, 3, 3, 3]);
  assert.deepEqual(Array.from(l.segments), [0, 0, 0, 1, 3, 3, 3, 3]);
  assertClose(l.inverseSizes, [1 / 3, 1, 0, 1 / 4], 1e-7);
  // A second lookup does not see the first one's ids.
  assert.deepEqual(Array.from(table.lookup(packBags([[9, 1]])).unique), [1, 9]);
  assert.throws(() => table.lookup(packBags([[3, 10]])), /id 10 at 1 is outside \[0, 10\)/);
});

/** Float64 mean of each bag's table rows (0 for an empty bag). */
function meanBagsRef(table: Matrix, bags: number[][]): Matrix {
  return bags.map((ids) => table[0].map((_, d) => (ids.length === 0 ? 0 : ids.reduce((s, id) => s + table[id][d], 0) / ids.length)));
}

test('meanBags equals the float64 mean of the rows; its gradient matches finite differences', () => {
  const rng = new Rng(1);
  const dim = 4;
  const table = new EmbeddingTable(10, dim, rng);
  const l = table.lookup(packBags(lists));
  const tableRef: Matrix = Array.from({ length: 10 }, (_, r) => Array.from(table.values.subarray(r * dim, (r + 1) * dim)));
  const rows = table.gather(l.unique);
  const out = meanBags(rows, l);
  assertClose(out.dataSync(), meanBagsRef(tableRef, lists).flat(), 1e-6);

  const weights = rng.normalArray(lists.length * dim);
  const w = tf.tensor2d(weights, [lists.length, dim]);
  const grad = tf.grad((r: tf.Tensor) => tf.sum(tf.mul(meanBags(r as tf.Tensor2D, l), w)))(rows);
  // Reference: the weighted sum as a function of the U distinct rows.
  const f = (u: Matrix) => {
    const full = tableRef.map((r) => [...r]);
    l.unique.forEach((id, i) => (full[id] = u[i]));
    return meanBagsRef(full, lists).reduce((s, row, b) => s + row.reduce((t, v, d) => t + v * weights[b * dim + d], 0), 0);
  };
  const expected = numericGradient(f, Array.from(l.unique, (id) => tableRef[id]));
  assertClose(grad.dataSync(), expected.flat(), 1e-4, 'gradient');
  tf.dispose([rows, out, w, grad]);
});

test('EmbeddingTable: rows from N(0, 1/dim), given values, gather and scatter; bad shapes are errors', () => {
  const t = new EmbeddingTable(2000, 16, new Rng(2));
  const sd = Math.sqrt(t.values.reduce((s, v) => s + v * v, 0) / t.values.length);
  assert.ok(Math.abs(sd - 0.25) < 0.01, `sd ${sd}`);
  const small = new EmbeddingTable(3, 2, Float32Array.from([0, 1, 2, 3, 4, 5]));
  const g = small.gather(Int32Array.from([2, 0]));
  assert.deepEqual(Array.from(g.dataSync()), [4, 5, 0, 1]);
  g.dispose();
  small.scatter(Int32Array.from([1]), Float32Array.from([9, 8]));
  assert.deepEqual(Array.from(small.values), [0, 1, 9, 8, 4, 5]);
  assert.throws(() => new EmbeddingTable(3, 2, new Float32Array(5)), /values must have 6 entries, got 5/);
  assert.throws(() => new EmbeddingTable(0, 2, new Rng(0)), /rows and dim must be positive integers, got 0 and 2/);
});
