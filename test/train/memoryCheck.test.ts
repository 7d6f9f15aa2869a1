import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { WASM_HEAP_LIMIT_BYTES } from '../../src/engine/wasm/memoryLimit.js';
import type { EncoderConfig } from '../../src/models/encoder.js';
import { largestBatchWithin, trainingStepBytes } from '../../src/models/encoderMemory.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { checkStepMemory } from '../../src/train/memoryCheck.js';
import { train } from '../../src/train/train.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const resnet: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [32, 32, 3], widths: [64, 128, 256], blocks: 2, batchNorm: true },
  head: { hiddenDim: 256, outputDim: 128 },
};
const cnn28: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [28, 28, 1], widths: [32, 64, 128], blocks: 0, batchNorm: true },
  head: { hiddenDim: 128, outputDim: 128 },
};

test('the 32×32×3 ResNet at B = 256 is refused on wasm in one line: batch, encoder, memory, the way out', () => {
  const fits = largestBatchWithin(resnet, WASM_HEAP_LIMIT_BYTES, 4);
  assert.ok(fits > 0 && fits % 4 === 0 && fits < 256);
  assert.ok(trainingStepBytes(resnet, fits) <= WASM_HEAP_LIMIT_BYTES && trainingStepBytes(resnet, fits + 4) > WASM_HEAP_LIMIT_BYTES);
  const needed = (trainingStepBytes(resnet, 256) / 2 ** 30).toFixed(1);
  assert.throws(
    () => checkStepMemory('bench', resnet, 256, 4, 'wasm'),
    (e: Error) => {
      assert.equal(e.message.split('\n').length, 1);
      assert.equal(
        e.message,
        `bench: batch size 256 with the encoder CNN [64,128,256], 2 residual blocks per stage, on 32×32×3 + head 256→256→128 needs about ${needed} GiB ` +
          `per training step, more than the wasm backend's 4.0 GiB; use a batch size of at most ${fits}, or the native backend (--backend native)`,
      );
      return true;
    },
  );
  checkStepMemory('bench', resnet, fits, 4, 'wasm');
});

test('steps that fit, and backends without a fixed ceiling, pass', () => {
  checkStepMemory('bench', cnn28, 256, 4, 'wasm');
  checkStepMemory('bench', resnet, 256, 4, 'native');
  checkStepMemory('bench', resnet, 256, 4, 'cpu');
});

test('train() refuses the step before it reads data or writes the run directory', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'hardneg-memory-'));
  const config = parseTrainConfig({
    name: 'too-big', task: 'moco', data: { dataset: 'mnist', limit: 256 },
    encoder: { backbone: { kind: 'cnn', inputShape: [28, 28, 1], widths: [64, 128, 256], blocks: 3, batchNorm: true } },
    epochs: 1, batchSize: 512, optimizer: { kind: 'sgd', lr: 0.1 },
  });
  await assert.rejects(train(config, { runsDir: runs }), /^ArgumentError: train: batch size 512 with the encoder CNN \[64,128,256\], 3 residual blocks per stage, on 28×28×1 needs about [\d.]+ GiB .*use a batch size of at most \d+, or the native backend/);
  assert.equal(existsSync(join(runs, 'too-big')), false);
});

test('kNN features are computed in chunks that fit: 500 images, fewer for a big encoder on wasm', async () => {
  const { featureChunk, FEATURE_CHUNK } = await import('../../src/train/features.js');
  const { buildEncoder } = await import('../../src/models/encoder.js');
  const { modelActivationsPerSample } = await import('../../src/models/encoderMemory.js');
  const small = buildEncoder(cnn28);
  assert.equal(featureChunk(small, 'wasm'), FEATURE_CHUNK);
  small.dispose();
  const big = buildEncoder({ backbone: resnet.backbone });
  const perImage = 4 * modelActivationsPerSample(big);
  const chunk = featureChunk(big, 'wasm');
  assert.equal(chunk, Math.floor(WASM_HEAP_LIMIT_BYTES / 4 / perImage));
  assert.ok(chunk < FEATURE_CHUNK && chunk * perImage <= WASM_HEAP_LIMIT_BYTES / 4, `${chunk} images of ${perImage} B`);
  assert.equal(featureChunk(big, 'native'), FEATURE_CHUNK);
  big.dispose();
});
