import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { hcl, type HCLOptions } from '../../src/losses/hcl.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as pw from '../reference/pairwise.js';
import { pairwiseFixtures } from '../reference/pairwiseFixtures.js';

before(() => setup('wasm'));

const rng = new Rng(41);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());
const t2 = (m: ref.Matrix) => tf.tensor2d(m);
const value = (z1: ref.Matrix, z2: ref.Matrix, o: HCLOptions = {}) => hcl(t2(z1), t2(z2), o).dataSync()[0];
const gradients = (z1: ref.Matrix, z2: ref.Matrix, o: HCLOptions = {}) =>
  tf.grads((a: tf.Tensor, b: tf.Tensor) => hcl(a as tf.Tensor2D, b as tf.Tensor2D, o))([t2(z1), t2(z2)]).map((g) => g.dataSync());
const full = (o: HCLOptions) => ({ temperature: 0.5, beta: 1, tauPlus: 0.1, ...o });

test('equals the float64 reference over shapes and options', () => {
  const settings: HCLOptions[] = [{}, { temperature: 0.2, beta: 0.5, tauPlus: 0.05 }, { temperature: 0.1, beta: 2, tauPlus: 0 }];
  for (const [B, D] of [[2, 3], [5, 8], [16, 32]]) {
    for (const o of settings) {
      const [z1, z2] = [mat(B, D), mat(B, D)];
      assertClose([value(z1, z2, o)], [pw.hcl(z1, z2, full(o))], 1e-5, `B=${B} D=${D} ${JSON.stringify(o)}`);
    }
  }
  // normalize: false, with inputs small enough for the unnormalised similarities to stay moderate
  const [z1, z2] = [mat(4, 6).map((r) => r.map((v) => v * 0.4)), mat(4, 6).map((r) => r.map((v) => v * 0.4))];
  assertClose([value(z1, z2, { normalize: false })], [pw.hcl(z1, z2, full({ normalize: false }))], 1e-5, 'normalize: false');
});

test('gradients match finite differences of the reference at several random points', () => {
  for (const o of [{}, { temperature: 0.3, beta: 0.5, tauPlus: 0.05 }, { beta: 0, tauPlus: 0.2 }] as HCLOptions[]) {
    const [z1, z2] = [mat(4, 5), mat(4, 5)];
    const [g1, g2] = gradients(z1, z2, o);
    assertClose(g1, ref.numericGradient((x) => pw.hcl(x, z2, full(o)), z1).flat(), 1e-4, `∂z1 ${JSON.stringify(o)}`);
    assertClose(g2, ref.numericGradient((x) => pw.hcl(z1, x, full(o)), z2).flat(), 1e-4, `∂z2 ${JSON.stringify(o)}`);
  }
});

test('the clamp at N·e^{−1/τ}: value and gradient match where some views are clamped and others not', () => {
  const z1 = mat(6, 5);
  const z2 = z1.map((r) => r.map((v) => v + 0.5 * rng.normal()));
  const o = { tauPlus: 0.3 };
  const clamped = pw.hclClampedViews(z1, z2, full(o));
  assert.ok(clamped > 0 && clamped < 12, `want a mix of clamped and free views, got ${clamped} of 12 clamped`);
  assertClose([value(z1, z2, o)], [pw.hcl(z1, z2, full(o))], 1e-5, 'value');
  const [g1, g2] = gradients(z1, z2, o);
  assertClose(g1, ref.numericGradient((x) => pw.hcl(x, z2, full(o)), z1).flat(), 1e-4, '∂z1');
  assertClose(g2, ref.numericGradient((x) => pw.hcl(z1, x, full(o)), z2).flat(), 1e-4, '∂z2');
});

test('β = 0, τ⁺ = 0 is NT-Xent with the positive left out of the negatives', () => {
  for (const tau of [0.5, 0.1]) {
    const [z1, z2] = [mat(6, 7), mat(6, 7)];
    assertClose([value(z1, z2, { temperature: tau, beta: 0, tauPlus: 0 })], [pw.ntXent(z1, z2, tau)], 1e-5, `τ=${tau}`);
  }
});

test('small τ and large β do not overflow (neg^{1+β} = e^{200} here)', () => {
  const [z1, z2] = [mat(5, 4), mat(5, 4)];
  const o = { temperature: 0.02, beta: 3, tauPlus: 0.1 };
  const v = value(z1, z2, o);
  assert.ok(Number.isFinite(v));
  assertClose([v], [pw.hcl(z1, z2, full(o))], 1e-5, 'value');
  for (const g of gradients(z1, z2, o)) assert.ok(g.every(Number.isFinite), 'gradient not finite');
});

test('invariances: batch permutation, swapping the views, rescaling the inputs', () => {
  const [z1, z2] = [mat(7, 5), mat(7, 5)];
  const base = value(z1, z2);
  const perm = Array.from(rng.permutation(7));
  assertClose([value(perm.map((i) => z1[i]), perm.map((i) => z2[i]))], [base], 1e-5, 'permutation');
  assertClose([value(z2, z1)], [base], 1e-5, 'swap');
  assertClose([value(z1.map((r, i) => r.map((v) => v * (0.1 + i))), z2.map((r) => r.map((v) => v * 30)))], [base], 1e-5, 'scaling');
});

test('duplicate embeddings give finite gradients; no tensors leak', () => {
  const z1 = mat(4, 3);
  z1[1] = [...z1[0]];
  const z2 = [z1[0], [...z1[0]], ...mat(2, 3)];
  const before = tf.memory().numTensors;
  const [a, b] = [t2(z1), t2(z2)];
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => hcl(x as tf.Tensor2D, y as tf.Tensor2D))([a, b]);
  for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), 'gradient not finite');
  assertClose(grads[0].dataSync(), ref.numericGradient((x) => pw.hcl(x, z2, full({})), z1).flat(), 1e-4, '∂z1');
  tf.dispose([...grads, a, b]);
  assert.equal(tf.memory().numTensors, before);
});

test('matches the official PyTorch code (fixtures)', () => {
  for (const c of pairwiseFixtures.hcl) {
    const o = c.options as HCLOptions;
    assertClose([value(c.z1, c.z2, o)], [c.loss], 1e-5, `${c.name}: loss`);
    const [g1, g2] = gradients(c.z1, c.z2, o);
    assertClose(g1, (c.grad.z1 as ref.Matrix).flat(), 1e-4, `${c.name}: ∂z1`);
    assertClose(g2, (c.grad.z2 as ref.Matrix).flat(), 1e-4, `${c.name}: ∂z2`);
  }
  assert.ok(pairwiseFixtures.hcl.some((c) => c.clampedViews > 0), 'no fixture exercises the clamp');
});

test('bad input names the argument', () => {
  const z = tf.zeros([3, 2]) as tf.Tensor2D;
  const ok = tf.ones([3, 2]) as tf.Tensor2D;
  assert.throws(() => hcl(ok, ok, { temperature: 0 }), /^ArgumentError: hcl: temperature must be a number > 0, got 0$/);
  assert.throws(() => hcl(ok, ok, { beta: -1 }), /hcl: beta must be a number in \[0, Infinity\], got -1/);
  assert.throws(() => hcl(ok, ok, { tauPlus: 1 }), /hcl: tauPlus must be a number in \[0, 1\), got 1/);
  assert.throws(() => hcl(ok, tf.zeros([2, 2]) as tf.Tensor2D), /hcl: z2 must have shape \[3, 2\], got \[2, 2\]/);
  assert.throws(() => hcl(tf.zeros([3]) as unknown as tf.Tensor2D, ok), /hcl: z1 must have shape \[\*, \*\], got \[3\]/);
  assert.throws(() => hcl(tf.ones([1, 2]) as tf.Tensor2D, tf.ones([1, 2]) as tf.Tensor2D), /hcl: z1 must have at least 2 rows/);
  assert.throws(() => hcl(tf.tensor2d([[NaN, 0], [1, 0], [0, 1]]), z), /hcl: z1 contains NaN or Inf/);
  assert.throws(() => hcl(ok, tf.tensor2d([[Infinity, 0], [1, 0], [0, 1]])), /hcl: z2 contains NaN or Inf/);
});
