import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { cnn } from '../../src/models/cnn.js';
import { mlp } from '../../src/models/mlp.js';
import { momentumCopy } from '../../src/models/momentumEncoder.js';
import { projectionHead, withHead } from '../../src/models/projectionHead.js';
import { encodeKeys, encodeQueries, hasBatchNorm } from '../../src/models/shuffledBatchNorm.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const B = 8;
const rowDiff = (a: tf.Tensor, b: tf.Tensor, row: number): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(a, [row, 0], [1, -1]), tf.slice(b, [row, 0], [1, -1])))).dataSync()[0]);

/** `base` with rows `rows` replaced by other random images. */
function changeRows(base: Float32Array, rows: number[], rng: Rng): tf.Tensor4D {
  const values = Float32Array.from(base);
  for (const r of rows) values.set(rng.normalArray(64, 0.5, 2), r * 64);
  return tf.tensor4d(values, [B, 8, 8, 1]);
}

function encoders() {
  const query = cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: true }, new Rng(1));
  // Non-trivial moving statistics, so that inference mode would differ from training mode.
  query.apply(tf.tensor4d(new Rng(2).normalArray(B * 64, 1, 3), [B, 8, 8, 1]), { training: true });
  return { query, key: momentumCopy(query) };
}

test('the leak: with whole-batch statistics a key changes when only its batch mates change', () => {
  const { key } = encoders();
  const base = new Rng(3).normalArray(B * 64, 0.5, 2);
  const a = tf.tensor4d(base, [B, 8, 8, 1]);
  const b = changeRows(base, [1, 2, 3, 4, 5, 6, 7], new Rng(4));
  const diff = rowDiff(encodeKeys(key, a), encodeKeys(key, b), 0);
  assert.ok(diff > 1e-2, `key 0 should depend on its batch mates, max |Δ| = ${diff}`);
});

test('shuffled BN: a key depends only on the samples of its shuffled sub-batch (groups of B/G drawn by the rng)', () => {
  const { key } = encoders();
  const G = 4;
  const base = new Rng(5).normalArray(B * 64, 0.5, 2);
  // The sub-batch of each row under the permutation that encodeKeys draws from Rng(6).
  const order = new Rng(6).permutation(B);
  const groupOf = new Int32Array(B);
  order.forEach((row, i) => (groupOf[row] = Math.floor(i / (B / G))));
  const row = 0;
  const mates = [...Array(B).keys()].filter((r) => r !== row && groupOf[r] === groupOf[row]);
  const others = [...Array(B).keys()].filter((r) => r !== row && groupOf[r] !== groupOf[row]);
  assert.equal(mates.length, B / G - 1);
  const reference = encodeKeys(key, tf.tensor4d(base, [B, 8, 8, 1]), { groups: G, rng: new Rng(6) });
  const outside = encodeKeys(key, changeRows(base, others, new Rng(7)), { groups: G, rng: new Rng(6) });
  const inside = encodeKeys(key, changeRows(base, mates, new Rng(7)), { groups: G, rng: new Rng(6) });
  assert.ok(rowDiff(reference, outside, row) < 1e-6, `changing other sub-batches moved key ${row}: ${rowDiff(reference, outside, row)}`);
  assert.ok(rowDiff(reference, inside, row) > 1e-2, `changing its sub-batch should move key ${row}: ${rowDiff(reference, inside, row)}`);
});

test('encodeQueries: sub-batches are blocks of B/G consecutive samples', () => {
  const { query } = encoders();
  const base = new Rng(8).normalArray(B * 64, 0.5, 2);
  const reference = encodeQueries(query, tf.tensor4d(base, [B, 8, 8, 1]), 2);
  const otherBlock = encodeQueries(query, changeRows(base, [4, 5, 6, 7], new Rng(9)), 2);
  const sameBlock = encodeQueries(query, changeRows(base, [1, 2, 3], new Rng(9)), 2);
  assert.ok(rowDiff(reference, otherBlock, 0) < 1e-6);
  assert.ok(rowDiff(reference, sameBlock, 0) > 1e-2);
  assert.throws(() => encodeQueries(query, tf.tensor4d(base, [B, 8, 8, 1]), 3), /batchNormGroups must be a positive integer dividing the batch size 8, got 3/);
});

test('keys come back in batch order: with one sub-batch, or without BatchNorm, the shuffle changes nothing', () => {
  const x = tf.tensor4d(new Rng(10).normalArray(B * 64), [B, 8, 8, 1]);
  const { key } = encoders();
  const plain = key.apply(x, { training: true, batchNormGroups: 1 }) as tf.Tensor;
  const close = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]) < 1e-5;
  assert.ok(close(encodeKeys(key, x, { groups: 1, rng: new Rng(11) }), plain));
  const noBN = cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: false }, new Rng(12));
  assert.ok(close(encodeKeys(noBN, x, { groups: 4, rng: new Rng(13) }), noBN.predict(x) as tf.Tensor));
});

test('hasBatchNorm finds BatchNorm layers, also inside a model with a head', () => {
  const rng = new Rng(14);
  const bn = cnn({ inputShape: [8, 8, 1], widths: [4], blocks: 0, batchNorm: true }, rng);
  assert.equal(hasBatchNorm(withHead(bn, projectionHead(4, { hiddenDim: 4, outputDim: 2 }, rng))), true);
  assert.equal(hasBatchNorm(cnn({ inputShape: [8, 8, 1], widths: [4], blocks: 0, batchNorm: false }, rng)), false);
  assert.equal(hasBatchNorm(mlp({ inputDim: 3, hidden: [4], outputDim: 2 }, rng)), false);
  const stock = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()] });
  assert.equal(hasBatchNorm(stock), true);
  // tf.layers' BatchNormalization cannot split its statistics: an error, not a silent leak.
  assert.throws(() => encodeKeys(stock, tf.zeros([4, 3]), { groups: 2 }), /encodeKeys: the encoder uses tf\.layers\.batchNormalization, which cannot normalise per sub-batch/);
  assert.throws(() => encodeQueries(stock, tf.zeros([4, 3]), 2), /encodeQueries: the encoder uses tf\.layers\.batchNormalization/);
});
