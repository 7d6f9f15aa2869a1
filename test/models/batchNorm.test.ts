import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { BatchNorm } from '../../src/models/batchNorm.js';
import { numericGradient, randomMatrix, type Matrix } from '../reference/float64.js';
import { assertClose, setup } from '../helpers.js';

before(() => setup('wasm'));

const EPS = 1e-5;

/** Float64 batch norm over the rows of x [N, C] (per column), biased variance. */
function batchNormReference(x: Matrix, gamma: number[], beta: number[]): Matrix {
  const n = x.length;
  const mean = gamma.map((_, c) => x.reduce((s, r) => s + r[c], 0) / n);
  const variance = gamma.map((_, c) => x.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / n);
  return x.map((r) => r.map((v, c) => (gamma[c] * (v - mean[c])) / Math.sqrt(variance[c] + EPS) + beta[c]));
}

const weightedSum = (y: Matrix, w: Matrix): number => y.reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * w[i][j], 0), 0);

/** A [2, 3, 3, C] input (18 rows of C channels) with channel offsets and scales, and the layer's γ, β. */
function fixture(seed: number, channels: number) {
  const rng = new Rng(seed);
  const x = randomMatrix(18, channels, () => rng.normal()).map((r) => r.map((v, c) => 2 * c - 1 + (1 + c) * v));
  const gamma = Array.from({ length: channels }, () => 0.5 + rng.uniform());
  const beta = Array.from({ length: channels }, () => rng.normal());
  const w = randomMatrix(18, channels, () => rng.normal());
  return { x, gamma, beta, w };
}

function layerWith(gamma: number[], beta: number[], momentum = 0.9): BatchNorm {
  const layer = new BatchNorm({ momentum });
  layer.apply(tf.input({ shape: [3, 3, gamma.length] }));
  layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.zeros([gamma.length]), tf.ones([gamma.length])]);
  return layer;
}

test('training-mode output equals the float64 formula γ(x − μ)/√(σ² + ε) + β', () => {
  const { x, gamma, beta } = fixture(1, 4);
  const layer = layerWith(gamma, beta);
  const y = layer.apply(tf.tensor4d(x.flat(), [2, 3, 3, 4]), { training: true }) as tf.Tensor;
  assertClose(y.dataSync(), batchNormReference(x, gamma, beta).flat(), 1e-5);
});

test('gradients w.r.t. x, γ and β match central differences of the float64 reference', () => {
  const { x, gamma, beta, w } = fixture(2, 3);
  const layer = layerWith(gamma, beta);
  const [gamma_, beta_] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const wT = tf.tensor4d(w.flat(), [2, 3, 3, 3]);
  const xT = tf.tensor4d(x.flat(), [2, 3, 3, 3]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(tf.mul(xT, 1), { training: true }) as tf.Tensor, wT)) as tf.Scalar, [gamma_, beta_]);
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, wT)))(xT);
  assertClose(dx.dataSync(), numericGradient((m) => weightedSum(batchNormReference(m, gamma, beta), w), x).flat(), 1e-4, 'dx');
  const dGamma = numericGradient((m) => weightedSum(batchNormReference(x, m[0], beta), w), [gamma]);
  const dBeta = numericGradient((m) => weightedSum(batchNormReference(x, gamma, m[0]), w), [beta]);
  assertClose(grads[gamma_.name].dataSync(), dGamma[0], 1e-4, 'dγ');
  assertClose(grads[beta_.name].dataSync(), dBeta[0], 1e-4, 'dβ');
});

test('moving statistics move by (1 − m) toward the batch mean and unbiased variance; inference uses them', () => {
  const { x, gamma, beta } = fixture(3, 2);
  const layer = layerWith(gamma, beta, 0.8);
  layer.apply(tf.tensor4d(x.flat(), [2, 3, 3, 2]), { training: true });
  const n = x.length;
  const mean = [0, 1].map((c) => x.reduce((s, r) => s + r[c], 0) / n);
  const unbiased = [0, 1].map((c) => x.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / (n - 1));
  const [, , movingMean, movingVariance] = layer.getWeights().map((t) => Array.from(t.dataSync()));
  assertClose(movingMean, mean.map((m) => 0.2 * m), 1e-5, 'moving mean');
  assertClose(movingVariance, unbiased.map((v) => 0.8 + 0.2 * v), 1e-5, 'moving variance');
  const probe = [[0.5, -2], [3, 1]];
  const y = layer.apply(tf.tensor4d(probe.flat(), [1, 1, 2, 2]), { training: false }) as tf.Tensor;
  const expected = probe.map((r) => r.map((v, c) => (gamma[c] * (v - movingMean[c])) / Math.sqrt(movingVariance[c] + EPS) + beta[c]));
  assertClose(y.dataSync(), expected.flat(), 1e-5, 'inference output');
});

test('batchNormGroups: G sub-batches are normalised separately (output and gradients), moving statistics average them', () => {
  // [4, 3, 3, 2]: samples 0–1 (rows 0–17) and 2–3 (rows 18–35) form the two groups.
  const a = fixture(5, 2);
  const b = fixture(6, 2);
  const x = [...a.x, ...b.x.map((r) => r.map((v) => 3 * v + 1))];
  const w = [...a.w, ...b.w];
  const { gamma, beta } = a;
  const grouped = (m: Matrix) => [...batchNormReference(m.slice(0, 18), gamma, beta), ...batchNormReference(m.slice(18), gamma, beta)];
  const layer = layerWith(gamma, beta, 0.5);
  const xT = tf.tensor4d(x.flat(), [4, 3, 3, 2]);
  const wT = tf.tensor4d(w.flat(), [4, 3, 3, 2]);
  const y = layer.apply(xT, { training: true, batchNormGroups: 2 }) as tf.Tensor;
  assertClose(y.dataSync(), grouped(x).flat(), 1e-5, 'output');
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true, batchNormGroups: 2 }) as tf.Tensor, wT)))(xT);
  assertClose(dx.dataSync(), numericGradient((m) => weightedSum(grouped(m), w), x).flat(), 1e-4, 'dx');
  const [gammaVar, betaVar] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xT, { training: true, batchNormGroups: 2 }) as tf.Tensor, wT)) as tf.Scalar, [gammaVar, betaVar]);
  const groupedWith = (g: number[], bt: number[]) => [...batchNormReference(x.slice(0, 18), g, bt), ...batchNormReference(x.slice(18), g, bt)];
  assertClose(grads[gammaVar.name].dataSync(), numericGradient((m) => weightedSum(groupedWith(m[0], beta), w), [gamma])[0], 1e-4, 'dγ');
  assertClose(grads[betaVar.name].dataSync(), numericGradient((m) => weightedSum(groupedWith(gamma, m[0]), w), [beta])[0], 1e-4, 'dβ');

  const fresh = layerWith(gamma, beta, 0.5);
  fresh.apply(xT, { training: true, batchNormGroups: 2 });
  const stats = (rows: Matrix) => {
    const mean = [0, 1].map((c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
    return { mean, variance: [0, 1].map((c) => rows.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / (rows.length - 1)) };
  };
  const [s1, s2] = [stats(x.slice(0, 18)), stats(x.slice(18))];
  const [, , movingMean, movingVariance] = fresh.getWeights().map((t) => Array.from(t.dataSync()));
  assertClose(movingMean, [0, 1].map((c) => 0.5 * 0 + 0.5 * ((s1.mean[c] + s2.mean[c]) / 2)), 1e-5, 'moving mean');
  assertClose(movingVariance, [0, 1].map((c) => 0.5 * 1 + 0.5 * ((s1.variance[c] + s2.variance[c]) / 2)), 1e-5, 'moving variance');
  assert.throws(() => layer.apply(xT, { training: true, batchNormGroups: 3 }), /batchNormGroups must be a positive integer dividing the batch size 4, got 3/);
});

test('fromConfig keeps momentum, ε and the γ initializer', () => {
  const layer = new BatchNorm({ momentum: 0.7, epsilon: 1e-3, gammaInitializer: 'zeros' });
  const copy = BatchNorm.fromConfig(BatchNorm, layer.getConfig()) as BatchNorm;
  assert.deepEqual([copy.momentum, copy.epsilon, copy.gammaInit], [0.7, 1e-3, 'zeros']);
  copy.apply(tf.input({ shape: [3] }));
  assert.deepEqual(Array.from(copy.getWeights()[0].dataSync()), [0, 0, 0]);
});

