import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { buildEncoder, describeEncoder, type EncoderConfig } from '../../src/models/encoder.js';
import {
  ACTIVATION_COPIES,
  activationsPerSample,
  largestBatchWithin,
  modelActivationsPerSample,
  trainingStepBytes,
  WEIGHT_COPIES,
  weightCount,
} from '../../src/models/encoderMemory.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const configs: EncoderConfig[] = [
  { backbone: { kind: 'mlp', inputDim: 784, hidden: [512, 64], outputDim: 32 } },
  { backbone: { kind: 'mlp', inputDim: 20, hidden: [], outputDim: 8 }, head: { hiddenDim: 16, outputDim: 4 } },
  { backbone: { kind: 'cnn', inputShape: [28, 28, 1], widths: [32, 64, 128], blocks: 0, batchNorm: true }, head: { hiddenDim: 128, outputDim: 128 } },
  { backbone: { kind: 'cnn', inputShape: [32, 32, 3], widths: [8, 16, 32], blocks: 2, batchNorm: true }, head: { hiddenDim: 32, outputDim: 16 } },
  { backbone: { kind: 'cnn', inputShape: [9, 7, 2], widths: [4, 6, 5], blocks: 1, batchNorm: false } },
];

test('activation and weight counts from the config equal those of the built model (odd sizes, blocks, no BN, heads)', () => {
  for (const config of configs) {
    const model = buildEncoder(config, new Rng(1));
    assert.equal(activationsPerSample(config), modelActivationsPerSample(model), describeEncoder(config));
    assert.equal(weightCount(config), model.countParams(), describeEncoder(config));
    model.dispose();
  }
});

test('the counts of the 28×28 CNN, worked by hand', () => {
  // input 784; stage 0: 28·28·32 ×3 (conv, BN, ReLU); pool 14·14·32; stage 1: 14·14·64 ×3; pool 7·7·64;
  // stage 2: 7·7·128 ×3; global pool 128; head 128 + 128.
  assert.equal(activationsPerSample(configs[2]), 784 + 75264 + 6272 + 37632 + 3136 + 18816 + 128 + 256);
  // convs 9·1·32 + 9·32·64 + 9·64·128 and 4 BN weights per channel; head 128·128+128 + 128·128+128.
  assert.equal(weightCount(configs[2]), 288 + 18432 + 73728 + 4 * (32 + 64 + 128) + 2 * (128 * 128 + 128));
});

test('step bytes are linear in the batch; the largest batch that fits is the last multiple that does', () => {
  const config = configs[3];
  const [a, w] = [activationsPerSample(config), weightCount(config)];
  assert.equal(trainingStepBytes(config, 10), 4 * (ACTIVATION_COPIES * a * 10 + WEIGHT_COPIES * w));
  const limit = trainingStepBytes(config, 37) + 1;
  assert.equal(largestBatchWithin(config, limit), 37);
  assert.equal(largestBatchWithin(config, limit, 4), 36);
  assert.equal(largestBatchWithin(config, trainingStepBytes(config, 37) - 1), 36);
  assert.equal(largestBatchWithin(config, 100), 0);
});

test('describeEncoder names the backbone, its blocks and input, and the head', () => {
  assert.equal(describeEncoder(configs[0]), 'MLP 784→512→64→32');
  assert.equal(describeEncoder(configs[3]), 'CNN [8,16,32], 2 residual blocks per stage, on 32×32×3 + head 32→32→16');
  assert.equal(describeEncoder(configs[2]), 'CNN [32,64,128] on 28×28×1 + head 128→128→128');
});

test('the estimate bounds the tensor memory that a MoCo-style step holds at its peak on wasm', async () => {
  const { mocoStep } = await import('../../src/train/mocoStep.js');
  const { momentumCopy } = await import('../../src/models/momentumEncoder.js');
  const { MemoryQueue } = await import('../../src/negatives/memoryQueue.js');
  const { buildOptimizer } = await import('../../src/optim/optimizers.js');
  const config = configs[3];
  const batch = 16;
  const rng = new Rng(2);
  const queryEncoder = buildEncoder(config, rng);
  const state = {
    queryEncoder, keyEncoder: momentumCopy(queryEncoder), queue: new MemoryQueue(64, 16),
    optimizer: buildOptimizer({ kind: 'sgd', lr: 0.03, momentum: 0.9 }), momentum: 0.99, temperature: 0.2, rng,
  };
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 3);
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => void mocoStep(state, x, x));
  const used = profile.peakBytes - before;
  const estimate = trainingStepBytes(config, batch);
  assert.ok(used <= estimate, `peak ${used} B above the estimate ${estimate} B`);
  assert.ok(used >= estimate / 3, `peak ${used} B below a third of the estimate ${estimate} B: the estimate is too loose`); // measured: 0.48
  tf.dispose([x]);
  [state.queue, state.queryEncoder, state.keyEncoder, state.optimizer].forEach((t) => t.dispose());
});
