import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { EmbeddingTable } from '../../src/models/embeddingBag.js';
import { SparseAdam } from '../../src/optim/sparseAdam.js';
import { assertClose, setup } from '../helpers.js';

before(() => setup('wasm'));

test('lazy Adam equals a float64 Adam run on the touched rows only; untouched rows keep their values', () => {
  const rng = new Rng(0);
  const [rows, dim, lr, b1, b2, eps] = [6, 3, 0.05, 0.9, 0.999, 1e-8];
  const table = new EmbeddingTable(rows, dim, rng);
  const start = Float64Array.from(table.values);
  const opt = new SparseAdam(table, { lr });
  const steps = [[0, 2], [2, 5], [2]].map((ids) => ({ ids: Int32Array.from(ids), grad: rng.normalArray(ids.length * dim) }));

  // Reference written from the formula, in float64, with a global step count t.
  const theta = Array.from(start);
  const m = new Array(rows * dim).fill(0);
  const v = new Array(rows * dim).fill(0);
  steps.forEach(({ ids, grad }, s) => {
    const t = s + 1;
    ids.forEach((id, u) => {
      for (let d = 0; d < dim; d++) {
        const [i, g] = [id * dim + d, grad[u * dim + d]];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        theta[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      }
    });
    const g = tf.tensor2d(grad, [ids.length, dim]);
    opt.apply(ids, g);
    g.dispose();
  });
  assertClose(table.values, theta, 1e-6);
  for (const untouched of [1, 3, 4]) assert.deepEqual(table.values.subarray(untouched * dim, (untouched + 1) * dim), Float32Array.from(start.subarray(untouched * dim, (untouched + 1) * dim)));
  assert.throws(() => opt.apply(Int32Array.from([0]), tf.zeros([2, dim]) as tf.Tensor2D), /gradient must have shape \[1, 3\], got \[2, 3\]/);
});

test("Adam's first step moves each touched coordinate by lr against the gradient's sign", () => {
  const table = new EmbeddingTable(4, 2, new Float32Array(8));
  const opt = new SparseAdam(table, { lr: 0.1 });
  const g = tf.tensor2d([[3, -0.001]], [1, 2]);
  opt.apply(Int32Array.from([2]), g);
  assertClose(table.values, [0, 0, 0, 0, -0.1, 0.1, 0, 0], 1e-4);
  g.dispose();
});
