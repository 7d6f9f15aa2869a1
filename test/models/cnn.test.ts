import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { cnn, CNN_DEFAULTS, type CNNConfig } from '../../src/models/cnn.js';
import { on, relativeError, setup } from '../helpers.js';

before(() => setup('wasm'));

test('output is [B, last width] for 28×28×1 and 32×32×3 inputs; parameter counts match the architecture', () => {
  const mnist = cnn({ inputShape: [28, 28, 1], ...CNN_DEFAULTS }, new Rng(1));
  const out = mnist.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
  assert.deepEqual(out.shape, [3, CNN_DEFAULTS.widths[CNN_DEFAULTS.widths.length - 1]]);
  const cifar = cnn({ inputShape: [32, 32, 3], widths: [8, 16, 32, 64], blocks: 1, batchNorm: true }, new Rng(1));
  assert.deepEqual((cifar.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor).shape, [2, 64]);
  // conv 3·3·1·4 + 4 bias, conv 3·3·4·8 + 8 bias
  assert.equal(cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: false }).countParams(), 40 + 296);
  // BN: no conv bias, 4 numbers per channel (γ, β, moving mean, moving variance)
  assert.equal(cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 0, batchNorm: true }).countParams(), 36 + 16 + 288 + 32);
  // + per stage one residual block: two 3×3 w→w convolutions and two BNs
  assert.equal(cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 1, batchNorm: true }).countParams(), 372 + 2 * 144 + 32 + 2 * 576 + 64);
});

test('initialisation is seeded: the same seed gives the same weights, another seed different ones', () => {
  const config: CNNConfig = { inputShape: [8, 8, 2], widths: [4, 8], blocks: 1, batchNorm: true };
  const a = cnn(config, new Rng(7)).getWeights().map((w) => Array.from(w.dataSync()));
  const b = cnn(config, new Rng(7)).getWeights().map((w) => Array.from(w.dataSync()));
  const c = cnn(config, new Rng(8)).getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0], c[0]);
  // He-uniform: |w| ≤ √(6 / fan_in), fan_in = 3·3·2
  assert.ok(a[0].every((v) => Math.abs(v) <= Math.sqrt(6 / 18)));
});

test('each residual block starts as the identity: its last BatchNorm has γ = 0', () => {
  const model = cnn({ inputShape: [8, 8, 1], widths: [4, 8], blocks: 2, batchNorm: true }, new Rng(2));
  const gammas = model.weights.filter((w) => w.originalName.endsWith('/gamma')).map((w) => Array.from(w.read().dataSync()));
  // per stage: stem BN (γ = 1), then per block BN (γ = 1), BN (γ = 0)
  const zeroed = gammas.map((g) => g.every((v) => v === 0));
  assert.deepEqual(zeroed, [false, false, true, false, true, false, false, true, false, true]);
});

test('training-mode gradients of the whole CNN (conv, BatchNorm, pooling, residual) on wasm equal the cpu backend', async () => {
  const rng = new Rng(3);
  const xv = rng.normalArray(4 * 12 * 12 * 2);
  const wv = rng.normalArray(4 * 16);
  for (const batchNorm of [true, false]) {
    const grads = () => {
      const model = cnn({ inputShape: [12, 12, 2], widths: [8, 16], blocks: 1, batchNorm }, new Rng(4));
      // Non-zero γ everywhere, so every branch carries gradient.
      model.weights.filter((w) => w.originalName.endsWith('/gamma')).forEach((w) => w.write(tf.fill(w.shape as number[], 0.7)));
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const x = tf.tensor4d(xv, [4, 12, 12, 2]);
      const { grads: g } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, tf.tensor2d(wv, [4, 16]))) as tf.Scalar,
        vars,
      );
      return vars.map((v) => g[v.name]);
    };
    const wasm = await on('wasm', grads);
    const cpu = await on('cpu', grads);
    // per stage: conv, γ, β, then a block of conv, γ, β, conv, γ, β (without BN: kernel and bias per conv)
    assert.equal(wasm.length, batchNorm ? 18 : 12);
    wasm.forEach((g, i) => assert.ok(relativeError(g, cpu[i]) <= 1e-4, `BN ${batchNorm}, weight ${i}: relative error ${relativeError(g, cpu[i])}`));
  }
});

test('invalid configurations are one-line errors naming the field', () => {
  const base: CNNConfig = { inputShape: [28, 28, 1], widths: [8], blocks: 0, batchNorm: true };
  assert.throws(() => cnn({ ...base, widths: [] }), /cnn: widths must be a non-empty array/);
  assert.throws(() => cnn({ ...base, widths: [8, 0] }), /cnn: widths\[1\] must be an integer >= 1, got 0/);
  assert.throws(() => cnn({ ...base, blocks: -1 }), /cnn: blocks must be an integer >= 0, got -1/);
  assert.throws(() => cnn({ ...base, inputShape: [28, 28] as unknown as [number, number, number] }), /cnn: inputShape must be \[H, W, C\], got \[28,28\]/);
  assert.throws(() => cnn({ ...base, widths: [1, 2, 3, 4, 5, 6] }), /cnn: widths: 6 stages halve a 28×28 image below 1 pixel/);
});
