import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { mlp } from '../../src/models/mlp.js';
import { momentumCopy, momentumUpdate } from '../../src/models/momentumEncoder.js';
import { MemoryQueue } from '../../src/negatives/memoryQueue.js';
import type { MochiConfig } from '../../src/negatives/mochi.js';
import { mocoStep, type MocoState } from '../../src/train/mocoStep.js';
import { buildEncoder } from '../../src/models/encoder.js';
import { buildOptimizer } from '../../src/optim/optimizers.js';
import { nativeSkip, setup } from '../helpers.js';

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

/** 40 MoCo steps on a toy task on the current backend: two noisy views of random "images" drawn from 1,000. */
function toyMoco(optimizer: tf.Optimizer, mochi?: MochiConfig): { losses: number[]; filled: number } {
  const rng = new Rng(3);
  const base = tf.tensor2d(rng.normalArray(1000 * 20), [1000, 20]);
  let rows = tf.tensor1d([0], 'int32');
  const view = () => tf.tidy(() => tf.add(tf.gather(base, rows), tf.tensor2d(rng.normalArray(32 * 20, 0, 0.3), [32, 20])));
  const queryEncoder = mlp({ inputDim: 20, hidden: [64], outputDim: 16 }, rng);
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(80, 16),
    optimizer,
    momentum: 0.9,
    temperature: 0.2,
    mochi: mochi && { ...mochi, rng: new Rng(4) },
  };
  const losses: number[] = [];
  for (let i = 0; i < 40; i++) {
    rows.dispose();
    rows = tf.tensor1d(rng.intArray(32, 1000), 'int32');
    const [a, b] = [view(), view()];
    losses.push(mocoStep(state, a, b));
    tf.dispose([a, b]);
  }
  const filled = state.queue.filled;
  tf.dispose([base, rows]);
  state.queue.dispose();
  queryEncoder.dispose();
  state.keyEncoder.dispose();
  optimizer.dispose();
  return { losses, filled };
}

function assertLearns(losses: number[]): void {
  const first = losses.slice(3, 8).reduce((s, v) => s + v) / 5; // the queue is full from step 3
  const last = losses.slice(-5).reduce((s, v) => s + v) / 5;
  assert.ok(last < 0.85 * first, `loss did not fall enough: ${first.toFixed(3)} → ${last.toFixed(3)}`);
}

test('MoCo steps on a toy task lower the loss by over 15% and fill the queue (seeded, deterministic)', () => {
  const { losses, filled } = toyMoco(tf.train.momentum(0.1, 0.9));
  assert.equal(filled, 80);
  assertLearns(losses);
});

const skip = await nativeSkip();
test('the same MoCo training runs end to end on the native backend (in-place EMA and SGD) and tracks wasm', { skip }, async () => {
  const wasm = toyMoco(buildOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 }));
  await tf.setBackend('native');
  try {
    const numTensors = tf.memory().numTensors;
    const native = toyMoco(buildOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 }));
    assert.equal(native.filled, 80);
    assertLearns(native.losses);
    assert.equal(tf.memory().numTensors, numTensors, 'tensors leaked');
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(native.losses[i] - wasm.losses[i]) <= 1e-4 * Math.abs(wasm.losses[i]), `step ${i}: ${native.losses[i]} vs ${wasm.losses[i]}`);
  } finally {
    await tf.setBackend('wasm');
  }
});

test('MoCo with MoCHi mixing trains on the native backend and tracks wasm', { skip }, async () => {
  const mochi = { N: 16, s: 8, sPrime: 4 };
  const wasm = toyMoco(buildOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 }), mochi);
  await tf.setBackend('native');
  try {
    const native = toyMoco(buildOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 }), mochi);
    assertLearns(native.losses);
    for (let i = 3; i < 6; i++) assert.ok(Math.abs(native.losses[i] - wasm.losses[i]) <= 1e-4 * Math.abs(wasm.losses[i]), `step ${i}: ${native.losses[i]} vs ${wasm.losses[i]}`);
  } finally {
    await tf.setBackend('wasm');
  }
});

/** 40 MoCo steps of a BatchNorm CNN + projection head (shuffled BN, default 4 sub-batches) on 400 small colour "images". */
function bnCnnMoco(): { losses: number[]; state: MocoState } {
  // Each image: a per-image colour plus a spatial pattern; views add noise.
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
  base.dispose();
  return { losses, state };
}

test('MoCo with a BatchNorm CNN + projection head (shuffled BN, default 4 sub-batches) lowers the loss by over 20%', () => {
  const { losses, state } = bnCnnMoco();
  const first = losses.slice(3, 8).reduce((s, v) => s + v) / 5; // the queue is full from step 3
  const last = losses.slice(-5).reduce((s, v) => s + v) / 5;
  assert.ok(last < 0.8 * first, `loss did not fall enough: ${first.toFixed(3)} → ${last.toFixed(3)}`);
  const odd = tf.zeros([30, 8, 8, 3]);
  assert.throws(() => mocoStep(state, odd, odd), /mocoStep: batchNormGroups 4 must divide the batch size 30/);
});

// (Its loss curve is not compared step by step with wasm: cpu and wasm already part after a step,
// the encoder's forward and backward agree to 3e-7 but the early queue amplifies rounding.)
test('the BatchNorm CNN MoCo (convolutions, batch norm, in-place EMA and SGD) trains on the native backend', { skip }, async () => {
  await tf.setBackend('native');
  try {
    const { losses, state } = bnCnnMoco();
    const first = losses.slice(3, 8).reduce((s, v) => s + v) / 5;
    const last = losses.slice(-5).reduce((s, v) => s + v) / 5;
    assert.ok(last < 0.8 * first, `loss did not fall enough: ${first.toFixed(3)} → ${last.toFixed(3)}`);
    state.queue.dispose();
  } finally {
    await tf.setBackend('wasm');
  }
});
