import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resetStockFallbacks, stockFallbacks } from '../../../src/engine/native/kernelCall.js';
import { BATCH_NORM, BATCH_NORM_GRAD } from '../../../src/engine/native/fusedKernels.js';
import { Rng } from '../../../src/engine/random.js';
import { BatchNorm } from '../../../src/models/batchNorm.js';
import { assertClose, nativeSkip, on, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const EPS = 1e-5;

/**
 * Float64 batch norm of x [G, N, C] per group and channel, forward and the closed-form backward:
 * y = γ·x̂ + β; dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(σ² + ε)·(dy − mean(dy) − x̂·mean(dy·x̂)).
 */
function reference(x: Float32Array, dy: Float32Array, gamma: Float32Array, beta: Float32Array, G: number) {
  const C = gamma.length;
  const N = x.length / G / C;
  const [y, dx] = [new Float64Array(x.length), new Float64Array(x.length)];
  const [mean, variance] = [new Float64Array(G * C), new Float64Array(G * C)];
  const [dgamma, dbeta] = [new Float64Array(C), new Float64Array(C)];
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < C; c++) {
      const at = (r: number) => (g * N + r) * C + c;
      let [m, v, sdy, sdyx] = [0, 0, 0, 0];
      for (let r = 0; r < N; r++) m += x[at(r)] / N;
      for (let r = 0; r < N; r++) v += (x[at(r)] - m) ** 2 / N;
      const inv = 1 / Math.sqrt(v + EPS);
      for (let r = 0; r < N; r++) {
        sdy += dy[at(r)];
        sdyx += dy[at(r)] * (x[at(r)] - m) * inv;
      }
      for (let r = 0; r < N; r++) {
        const xHat = (x[at(r)] - m) * inv;
        y[at(r)] = gamma[c] * xHat + beta[c];
        dx[at(r)] = gamma[c] * inv * (dy[at(r)] - sdy / N - (xHat * sdyx) / N);
      }
      [mean[g * C + c], variance[g * C + c]] = [m, v];
      dgamma[c] += sdyx;
      dbeta[c] += sdy;
    }
  }
  return { y, mean, variance, dx, dgamma, dbeta };
}

test('the fused BatchNorm kernels equal the float64 closed form on random shapes and group counts', { skip }, async () => {
  const rng = new Rng(21);
  const shapes: [number[], number][] = [
    [[8, 3], 1], [[8, 5, 5, 3], 2], [[12, 4, 4, 17], 4], [[4, 1, 1, 40], 4], [[6, 7, 2], 3], [[64, 6, 6, 24], 4], [[2, 9, 9, 1], 1],
  ];
  for (const [shape, G] of shapes) {
    const C = shape[shape.length - 1];
    const size = shape.reduce((p, d) => p * d, 1);
    // Channel offsets far from 0 check the variance against cancellation.
    const x = rng.normalArray(size).map((v, i) => 50 * ((i % C) - 1) + (1 + (i % 3)) * v);
    const dy = rng.normalArray(size);
    const gamma = rng.uniformArray(C, 0.5, 1.5);
    const beta = rng.normalArray(C);
    resetStockFallbacks();
    const out = await on('native', () => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM, { x: tf.tensor(x, shape), gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta) }, { epsilon: EPS, groups: G }) as tf.Tensor[];
      const grads = tf.engine().runKernel(BATCH_NORM_GRAD, { dy: tf.tensor(dy, shape), x: tf.tensor(x, shape), mean, variance, gamma: tf.tensor1d(gamma) }, { epsilon: EPS, groups: G }) as tf.Tensor[];
      assert.deepEqual([y.shape, mean.shape, ...grads.map((t) => t.shape)], [shape, [G, C], shape, [C], [C]]);
      return [y, mean, variance, ...grads];
    });
    assert.equal(stockFallbacks().size, 0);
    const want = reference(x, dy, gamma, beta, G);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const;
    names.forEach((name, i) => assertClose(out[i], want[name], name === 'dx' || name === 'dgamma' ? 1e-4 : 1e-5, `${name} of [${shape}] in ${G} groups`));
  }
});

test('BatchNorm trains the same on native (fused kernels) as on cpu (composed): output, gradients, moving statistics', { skip }, async () => {
  const rng = new Rng(22);
  const shape = [8, 5, 5, 6];
  const xv = rng.normalArray(8 * 5 * 5 * 6).map((v, i) => (i % 6) + v);
  const wv = rng.normalArray(xv.length);
  for (const groups of [1, 4]) {
    const run = () => {
      const layer = new BatchNorm({ momentum: 0.8 });
      layer.apply(tf.input({ shape: shape.slice(1) }));
      layer.setWeights([tf.tensor1d([0.5, 1, 1.5, 2, 0.7, 1.1]), tf.tensor1d([0, 1, -1, 0.5, 0.2, 0]), tf.zeros([6]), tf.ones([6])]);
      const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      const x = tf.tensor(xv, shape);
      const w = tf.tensor(wv, shape);
      const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true, batchNormGroups: groups }) as tf.Tensor, w)) as tf.Scalar;
      const y = layer.apply(x, { training: true, batchNormGroups: groups }) as tf.Tensor;
      const dx = tf.grad(f)(x);
      const { grads } = tf.variableGrads(() => f(x), [gamma, beta]);
      const moving = layer.getWeights().slice(2);
      return [y, dx, grads[gamma.name], grads[beta.name], ...moving];
    };
    const native = await on('native', run);
    const cpu = await on('cpu', run);
    ['y', 'dx', 'dγ', 'dβ', 'moving mean', 'moving variance'].forEach((name, i) => assertClose(native[i], cpu[i], 1e-4, `${name}, ${groups} groups`));
  }
});
