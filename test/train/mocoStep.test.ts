import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { mlp } from '../../src/models/mlp.js';
import { momentumCopy, momentumUpdate } from '../../src/models/momentumEncoder.js';
import { MemoryQueue } from '../../src/negatives/memoryQueue.js';
import { mocoStep, type MocoState } from '../../src/train/mocoStep.js';
import { buildEncoder } from '../../src/models/encoder.js';
import { buildOptimizer } from '../../src/train/optimizers.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('momentumUpdate moves the key weights by (1 − m) toward the query weights; the copy shares no memory', () => {
  const q = mlp({ inputDim: 3, hidden: [4], outputDim: 2 }, new Rng(1));
  const k = momentumCopy(q);
  const before = k.getWeights().map((w) => w.arraySync());
  q.setWeights(q.getWeights().map((w) => tf.add(w, 1)));
  assert.deepEqual(k.getWeights().map((w) => w.arraySync()), before, 'copy changed with its source');
  momentumUpdate(k, q, 0.9);
  const after = k.getWeights().map((w) => w.dataSync());
  const src = q.getWeights().map((w) => w.dataSync());
  before.forEach((w, i) => {
    const flat = [w].flat(3) as number[];
    flat.forEach((v, j) => assert.ok(Math.abs(after[i][j] - (0.9 * v + 0.1 * src[i][j])) < 1e-6));
  });
  assert.equal(k.trainableWeights.length, 0);
});

test('MoCo steps on a toy task lower the loss by over 15% and fill the queue (seeded, deterministic)', () => {
  // Two noisy views of random "images" drawn from 1,000: the encoder must learn to match views.
  const rng = new Rng(3);
  const base = tf.tensor2d(rng.normalArray(1000 * 20), [1000, 20]);
  let rows = tf.tensor1d([0], 'int32');
  const view = () => tf.add(tf.gather(base, rows), tf.tensor2d(rng.normalArray(32 * 20, 0, 0.3), [32, 20]));
  const queryEncoder = mlp({ inputDim: 20, hidden: [64], outputDim: 16 }, rng);
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(80, 16),
    optimizer: tf.train.momentum(0.1, 0.9),
    momentum: 0.9,
    temperature: 0.2,
  };
  const losses: number[] = [];
  for (let i = 0; i < 40; i++) {
    rows.dispose();
    rows = tf.tensor1d(rng.intArray(32, 1000), 'int32');
    const [a, b] = [view(), view()];
    losses.push(mocoStep(state, a, b));
    tf.dispose([a, b]);
  }
  assert.equal(state.queue.filled, 80);
  const first = losses.slice(3, 8).reduce((s, v) => s + v) / 5; // the queue is full from step 3
  const last = losses.slice(-5).reduce((s, v) => s + v) / 5;
  assert.ok(last < 0.85 * first, `loss did not fall enough: ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

test('MoCo with a BatchNorm CNN + projection head (shuffled BN, default 4 sub-batches) lowers the loss by over 20%', () => {
  // 400 small colour "images": a per-image colour plus a spatial pattern; views add noise.
  const rng = new Rng(4);
  const base = tf.tidy(() =>
    tf.add(tf.tensor4d(rng.normalArray(400 * 3), [400, 1, 1, 3]), tf.tensor4d(rng.normalArray(400 * 192, 0, 0.5), [400, 8, 8, 3])),
  );
  const queryEncoder = buildEncoder(
    { backbone: { kind: 'cnn', inputShape: [8, 8, 3], widths: [8, 16], blocks: 0, batchNorm: true }, head: { hiddenDim: 16, outputDim: 16 } },
    rng,
  );
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(96, 16),
    optimizer: buildOptimizer({ kind: 'sgd', lr: 0.03, momentum: 0.9, weightDecay: 1e-4 }),
    momentum: 0.9,
    temperature: 0.2,
  };
  const losses: number[] = [];
  for (let i = 0; i < 40; i++) {
    const rows = tf.tensor1d(rng.intArray(32, 400), 'int32');
    const view = () => tf.tidy(() => tf.add(tf.gather(base, rows), tf.tensor4d(rng.normalArray(32 * 192, 0, 0.3), [32, 8, 8, 3])));
    const [a, b] = [view(), view()];
    losses.push(mocoStep(state, a, b));
    tf.dispose([a, b, rows]);
  }
  const first = losses.slice(3, 8).reduce((s, v) => s + v) / 5; // the queue is full from step 3
  const last = losses.slice(-5).reduce((s, v) => s + v) / 5;
  assert.ok(last < 0.8 * first, `loss did not fall enough: ${first.toFixed(3)} → ${last.toFixed(3)}`);
  const odd = tf.zeros([30, 8, 8, 3]);
  assert.throws(() => mocoStep(state, odd, odd), /mocoStep: batchNormGroups 4 must divide the batch size 30/);
});
