import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { buildEncoder, embeddingDim, featureDim, parseEncoderConfig, type EncoderConfig } from '../../src/models/encoder.js';
import { backboneOf } from '../../src/models/projectionHead.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const cnnConfig: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [4, 8], blocks: 1, batchNorm: true },
  head: { hiddenDim: 8, outputDim: 5 },
};
const mlpConfig: EncoderConfig = { backbone: { kind: 'mlp', inputDim: 6, hidden: [10], outputDim: 7 } };

test('buildEncoder builds mlp and cnn encoders with and without a head, with the dims the config states', () => {
  const withHead = buildEncoder(cnnConfig, new Rng(1));
  assert.deepEqual((withHead.predict(tf.zeros([2, 8, 8, 1])) as tf.Tensor).shape, [2, embeddingDim(cnnConfig)]);
  assert.deepEqual((backboneOf(withHead).predict(tf.zeros([2, 8, 8, 1])) as tf.Tensor).shape, [2, featureDim(cnnConfig)]);
  assert.deepEqual([featureDim(cnnConfig), embeddingDim(cnnConfig)], [8, 5]);
  const plain = buildEncoder(mlpConfig, new Rng(1));
  assert.deepEqual((plain.predict(tf.zeros([3, 6])) as tf.Tensor).shape, [3, 7]);
  assert.deepEqual([featureDim(mlpConfig), embeddingDim(mlpConfig)], [7, 7]);
  assert.equal(backboneOf(plain), plain);
  const mlpHead = buildEncoder({ ...mlpConfig, head: { hiddenDim: 7, outputDim: 3 } }, new Rng(1));
  // mlp 6→10→7 and head 7→7→3
  assert.equal(mlpHead.countParams(), 6 * 10 + 10 + 10 * 7 + 7 + 7 * 7 + 7 + 7 * 3 + 3);
});

test('the config survives JSON: rebuilding from the stored JSON with the same seed gives identical outputs', () => {
  const stored = JSON.parse(JSON.stringify(cnnConfig)) as unknown;
  const a = buildEncoder(cnnConfig, new Rng(9));
  const b = buildEncoder(parseEncoderConfig(stored), new Rng(9));
  const x = tf.tensor4d(new Rng(10).normalArray(3 * 64), [3, 8, 8, 1]);
  assert.deepEqual((a.predict(x) as tf.Tensor).dataSync(), (b.predict(x) as tf.Tensor).dataSync());
});

test('an invalid config is a one-line error naming the field and the value', () => {
  const bad = (patch: Record<string, unknown>) => ({ ...cnnConfig, backbone: { ...cnnConfig.backbone, ...patch } });
  assert.throws(() => buildEncoder(bad({ widths: [4, 0] }) as EncoderConfig), /buildEncoder: config\.backbone\.widths\[1\]: .*>=1, got 0/);
  assert.throws(() => buildEncoder(bad({ kind: 'rnn' }) as unknown as EncoderConfig), /config\.backbone\.kind: .*'mlp' \| 'cnn', got "rnn"/);
  assert.throws(() => buildEncoder(bad({ depth: 3 }) as EncoderConfig), /config\.backbone: Unrecognized key: "depth"/);
  assert.throws(() => parseEncoderConfig({ ...mlpConfig, head: { hiddenDim: 2.5, outputDim: 2 } }), /config\.head\.hiddenDim: .*int.*, got 2\.5/);
  assert.throws(() => parseEncoderConfig(bad({ inputShape: [4, 4, 1], widths: [1, 2, 3, 4] })), /widths: 4 stages halve a 4×4 image/);
});
