import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { hcl } from '../../src/losses/hcl.js';
import { LOSSES, lossEntry, lossNames } from '../../src/losses/registry.js';
import { schane } from '../../src/losses/schane.js';
import { tripletBatchHard } from '../../src/losses/triplet.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

const rng = new Rng(7);
const random = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
const value = (t: tf.Scalar) => t.dataSync()[0];

const base = {
  name: 'x',
  encoder: { backbone: { kind: 'mlp', inputDim: 784, hidden: [16], outputDim: 8 } },
  epochs: 1,
  optimizer: { kind: 'sgd', lr: 0.1 },
};

test('kinds: the config schema offers queue/pair losses to moco and labelled losses to supervised', () => {
  assert.deepEqual(lossNames('queue', 'pair'), ['infonce', 'ntxent', 'hcl', 'dcl']);
  assert.deepEqual(lossNames('labelled'), ['supcon', 'schane', 'triplet-batch-hard', 'triplet-semi-hard']);
  for (const name of Object.keys(LOSSES)) assert.ok(LOSSES[name as keyof typeof LOSSES].options.safeParse({}).success, `${name} accepts no options`);
});

test('a pair entry is its function with the block temperature and the config options', () => {
  const z1 = random([6, 5]) as tf.Tensor2D;
  const z2 = random([6, 5]) as tf.Tensor2D;
  const options = { temperature: 0.3, beta: 0.5, tauPlus: 0.05 };
  assert.equal(value(lossEntry('hcl', 'pair').fn(z1, z2, options)), value(hcl(z1, z2, options)));
});

test('a labelled entry takes [B, V, D] views; triplets see the views as anchors with repeated labels', () => {
  const f = random([4, 2, 5]) as tf.Tensor3D;
  const y = tf.tensor1d([0, 1, 0, 1], 'int32');
  assert.equal(value(lossEntry('schane', 'labelled').fn(f, y, { temperature: 0.2, beta: 2 })), value(schane(f, y, { temperature: 0.2, beta: 2 })));
  const flat = tf.reshape(f, [8, 5]) as tf.Tensor2D;
  const repeated = tf.tensor1d([0, 0, 1, 1, 0, 0, 1, 1], 'int32');
  assert.equal(value(lossEntry('triplet-batch-hard', 'labelled').fn(f, y, { temperature: 1, margin: 0.5 })), value(tripletBatchHard(flat, repeated, { margin: 0.5 })));
  assert.throws(() => lossEntry('schane', 'pair'), /not a pair loss/);
});

test('configs set every registry option; unknown or wrong options are one line naming the key', () => {
  const hclConfig = parseTrainConfig({ ...base, task: 'moco', moco: { loss: 'hcl', lossOptions: { beta: 0.5, tauPlus: 0.2 } } });
  assert.deepEqual(hclConfig.moco.lossOptions, { beta: 0.5, tauPlus: 0.2 });
  const triplet = parseTrainConfig({ ...base, task: 'supervised', supervised: { loss: 'triplet-semi-hard', lossOptions: { margin: 0.3 } } });
  assert.deepEqual(triplet.supervised.lossOptions, { margin: 0.3 });
  assert.throws(() => parseTrainConfig({ ...base, task: 'moco', moco: { loss: 'hcl', lossOptions: { sigma: 1 } } }), /^ArgumentError: config\.moco\.lossOptions: .*sigma/);
  assert.throws(() => parseTrainConfig({ ...base, task: 'moco', moco: { loss: 'hcl', lossOptions: { tauPlus: 1 } } }), /config\.moco\.lossOptions\.tauPlus: /);
  assert.throws(() => parseTrainConfig({ ...base, task: 'supervised', supervised: { loss: 'ce', lossOptions: { beta: 1 } } }), /config\.supervised\.lossOptions: loss "ce" takes no options, got beta/);
  assert.throws(() => parseTrainConfig({ ...base, task: 'supervised', supervised: { loss: 'hcl' } }), /config\.supervised\.loss: /);
});
