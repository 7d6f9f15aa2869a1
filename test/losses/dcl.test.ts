import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { dcl, type DCLOptions } from '../../src/losses/dcl.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as pw from '../reference/pairwise.js';
import { pairwiseFixtures } from '../reference/pairwiseFixtures.js';

before(() => setup('wasm'));

const rng = new Rng(53);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());
const t2 = (m: ref.Matrix) => tf.tensor2d(m);
const value = (z1: ref.Matrix, z2: ref.Matrix, o: DCLOptions = {}) => dcl(t2(z1), t2(z2), o).dataSync()[0];
const gradients = (z1: ref.Matrix, z2: ref.Matrix, o: DCLOptions = {}) =>
  tf.grads((a: tf.Tensor, b: tf.Tensor) => dcl(a as tf.Tensor2D, b as tf.Tensor2D, o))([t2(z1), t2(z2)]).map((g) => g.dataSync());
const full = (o: Partial<pw.DCLRef>): pw.DCLRef => ({ temperature: 0.1, ...o });

test('DCL and DCLW equal the float64 reference over shapes and options', () => {
  const settings: DCLOptions[] = [{}, { sigma: 0.5 }, { sigma: 0.5, detachWeights: true }, { temperature: 0.5, sigma: 1 }, { detachWeights: true }];
  for (const [B, D] of [[2, 3], [5, 8], [16, 32]]) {
    for (const o of settings) {
      const [z1, z2] = [mat(B, D), mat(B, D)];
      assertClose([value(z1, z2, o)], [pw.dcl(z1, z2, full(o))], 1e-5, `B=${B} D=${D} ${JSON.stringify(o)}`);
    }
  }
  const [z1, z2] = [mat(4, 6).map((r) => r.map((v) => v * 0.3)), mat(4, 6).map((r) => r.map((v) => v * 0.3))];
  assertClose([value(z1, z2, { normalize: false, sigma: 0.5 })], [pw.dcl(z1, z2, full({ normalize: false, sigma: 0.5 }))], 1e-5, 'normalize: false');
});

test('gradients match finite differences (w differentiated by default, constant with detachWeights)', () => {
  for (const o of [{}, { sigma: 0.5 }, { temperature: 0.3, sigma: 0.2 }] as DCLOptions[]) {
    const [z1, z2] = [mat(4, 5), mat(4, 5)];
    const [g1, g2] = gradients(z1, z2, o);
    assertClose(g1, ref.numericGradient((x) => pw.dcl(x, z2, full(o)), z1).flat(), 1e-4, `∂z1 ${JSON.stringify(o)}`);
    assertClose(g2, ref.numericGradient((x) => pw.dcl(z1, x, full(o)), z2).flat(), 1e-4, `∂z2 ${JSON.stringify(o)}`);
  }
  const [z1, z2] = [mat(5, 4), mat(5, 4)];
  const o = { sigma: 0.5, detachWeights: true };
  const weights = pw.dclWeights(z1, z2, 0.5); // frozen at this point
  const [g1, g2] = gradients(z1, z2, o);
  assertClose(g1, ref.numericGradient((x) => pw.dcl(x, z2, full({ ...o, weights })), z1).flat(), 1e-4, '∂z1 detached');
  assertClose(g2, ref.numericGradient((x) => pw.dcl(z1, x, full({ ...o, weights })), z2).flat(), 1e-4, '∂z2 detached');
  // and it is not the differentiated-w gradient (halved): detaching changes the direction
  const [h1] = gradients(z1, z2, { sigma: 0.5 });
  assert.ok(ref.norm(Array.from(g1, (v, i) => v - h1[i] / 2)) > 1e-3, 'detaching w changed nothing');
});

test('the positive is not in the denominator: the value is −w·pos + log-sum-exp over the 2B − 2 negatives only', () => {
  const B = 5;
  const [z1, z2] = [mat(B, 6), mat(B, 6)];
  const tau = 0.2;
  const [a, b] = [z1.map(ref.unit), z2.map(ref.unit)];
  // Direction z1→z2 from explicit lists (by symmetry of the lists, z2→z1 swaps the views).
  const oneWay = (x: ref.Matrix, y: ref.Matrix, xs: ref.Matrix, ys: ref.Matrix, withPositive: boolean) =>
    ref.mean(
      x.map((xi, i) => {
        const negatives = pw.dclNegatives(xs, ys, i, tau).concat(withPositive ? [ref.dot(xi, y[i]) / tau] : []);
        return -ref.dot(xi, y[i]) / tau + ref.logSumExp(negatives);
      }),
    );
  assert.equal(pw.dclNegatives(z1, z2, 0, tau).length, 2 * B - 2);
  const decoupled = oneWay(a, b, z1, z2, false) + oneWay(b, a, z2, z1, false);
  const coupled = oneWay(a, b, z1, z2, true) + oneWay(b, a, z2, z1, true);
  const got = value(z1, z2, { temperature: tau });
  assertClose([got], [decoupled], 1e-5, 'DCL = explicit decoupled form');
  assert.ok(Math.abs(got - coupled) > 100 * 1e-5 * Math.abs(coupled), `indistinguishable from the coupled (NT-Xent) form: ${got} vs ${coupled}`);
  // As the views align the NT-Xent term vanishes, the DCL term keeps falling linearly in the positive logit.
  const aligned = value(z1, z1, { temperature: tau });
  assertClose([aligned], [2 * (-1 / tau) + 2 * ref.mean(z1.map((_, i) => ref.logSumExp(pw.dclNegatives(z1, z1, i, tau))))], 1e-5, 'aligned views');
});

test('conventions: detachWeights halves the value (mean of directions); DCLW with σ → ∞ is DCL', () => {
  const [z1, z2] = [mat(6, 5), mat(6, 5)];
  assertClose([value(z1, z2, { sigma: 0.5, detachWeights: true })], [value(z1, z2, { sigma: 0.5 }) / 2], 1e-6, 'DCLW halves');
  assertClose([value(z1, z2, { detachWeights: true })], [value(z1, z2) / 2], 1e-6, 'DCL halves');
  assertClose([value(z1, z2, { sigma: 1e6 })], [value(z1, z2)], 1e-5, 'σ → ∞');
  const w = pw.dclWeights(z1, z2, 0.5);
  assertClose([ref.mean(w)], [1], 1e-12, 'mean weight 1');
});

test('invariances: batch permutation, swapping the views, rescaling the inputs', () => {
  const [z1, z2] = [mat(7, 5), mat(7, 5)];
  for (const o of [{}, { sigma: 0.5 }] as DCLOptions[]) {
    const base = value(z1, z2, o);
    const perm = Array.from(rng.permutation(7));
    assertClose([value(perm.map((i) => z1[i]), perm.map((i) => z2[i]), o)], [base], 1e-5, 'permutation');
    assertClose([value(z2, z1, o)], [base], 1e-5, 'swap');
    assertClose([value(z1.map((r, i) => r.map((v) => v * (0.2 + i))), z2.map((r) => r.map((v) => v * 9)), o)], [base], 1e-5, 'scaling');
  }
});

test('duplicate embeddings give finite gradients; no tensors leak', () => {
  const z1 = mat(4, 3);
  z1[2] = [...z1[0]];
  const z2 = [[...z1[0]], ...mat(3, 3)];
  const before = tf.memory().numTensors;
  const [a, b] = [t2(z1), t2(z2)];
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => dcl(x as tf.Tensor2D, y as tf.Tensor2D, { sigma: 0.5 }))([a, b]);
  for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), 'gradient not finite');
  tf.dispose([...grads, a, b]);
  assert.equal(tf.memory().numTensors, before);
});

test("matches the DCL authors' code and lightly's convention in PyTorch (fixtures)", () => {
  for (const c of pairwiseFixtures.dcl) {
    const o = c.options as DCLOptions;
    assertClose([value(c.z1, c.z2, o)], [c.loss], 1e-5, `${c.name}: loss`);
    const [g1, g2] = gradients(c.z1, c.z2, o);
    assertClose(g1, (c.grad.z1 as ref.Matrix).flat(), 1e-4, `${c.name}: ∂z1`);
    assertClose(g2, (c.grad.z2 as ref.Matrix).flat(), 1e-4, `${c.name}: ∂z2`);
  }
});

test('bad input names the argument', () => {
  const ok = tf.ones([3, 2]) as tf.Tensor2D;
  assert.throws(() => dcl(ok, ok, { temperature: -0.1 }), /^ArgumentError: dcl: temperature must be a number > 0, got -0.1$/);
  assert.throws(() => dcl(ok, ok, { sigma: 0 }), /dcl: sigma must be a number > 0, got 0/);
  assert.throws(() => dcl(ok, tf.ones([3, 4]) as tf.Tensor2D), /dcl: z2 must have shape \[3, 2\], got \[3, 4\]/);
  assert.throws(() => dcl(tf.ones([1, 2]) as tf.Tensor2D, tf.ones([1, 2]) as tf.Tensor2D), /dcl: z1 must have at least 2 rows/);
  assert.throws(() => dcl(tf.tensor2d([[NaN, 0], [1, 0], [0, 1]]), ok), /dcl: z1 contains NaN or Inf/);
  assert.throws(() => dcl(ok, tf.tensor2d([[1, 0], [1, 0], [0, 1]], [3, 2], 'int32') as tf.Tensor2D), /dcl: z2 must be float32, got int32/);
});
