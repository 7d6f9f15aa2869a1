import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { supCon } from '../../src/losses/supCon.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as sup from '../reference/supervised.js';

before(() => setup('wasm'));

const rng = new Rng(31);
const features = (B: number, V: number, D: number, scale = 1) => sup.randomFeatures(B, V, D, () => scale * rng.normal());
const value = (t: tf.Scalar) => t.dataSync()[0];
const int32 = (labels: number[]) => tf.tensor1d(labels, 'int32');

/** The float64 reference on a [B][V][D] batch. */
function reference(x: number[][][], labels: number[], tau: number, baseTau: number, normalize = true): number {
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  return sup.supCon(anchors, anchorLabels, tau, baseTau, normalize);
}

// [B, V, D, labels, τ, τ_base]: one view with classes of one, two and three views, one class only.
const cases: [number, number, number, number[], number, number][] = [
  [6, 1, 5, [0, 0, 1, 2, 2, 3], 0.07, 0.07],
  [5, 2, 4, [0, 1, 2, 3, 4], 0.1, 0.07],
  [8, 2, 6, [0, 1, 0, 1, 2, 2, 2, 3], 0.5, 0.07],
  [4, 3, 3, [1, 1, 0, 5], 0.2, 0.1],
  [5, 2, 8, [3, 3, 3, 3, 3], 0.1, 0.07],
];

test('value equals the float64 reference (V = 1, 2, 3; classes of one; one class only)', () => {
  for (const [B, V, D, labels, tau, baseTau] of cases) {
    const x = features(B, V, D);
    const got = value(supCon(tf.tensor3d(x), int32(labels), { temperature: tau, baseTemperature: baseTau }));
    assertClose([got], [reference(x, labels, tau, baseTau)], 1e-5, `B=${B} V=${V} labels=${labels}`);
  }
  const x = features(6, 1, 4, 0.3);
  const labels = [0, 1, 1, 0, 2, 2];
  const flat = tf.tensor2d(x.map((v) => v[0]));
  assertClose([value(supCon(flat, int32(labels), { temperature: 0.5, normalize: false }))], [reference(x, labels, 0.5, 0.07, false)], 1e-5, '[B, D] input, normalize: false');
});

test('gradient equals finite differences of the reference at several random points', () => {
  for (const [B, V, D, labels, tau, baseTau] of cases) {
    const x = features(B, V, D);
    const g = tf.grad((t: tf.Tensor) => supCon(t as tf.Tensor3D, int32(labels), { temperature: tau, baseTemperature: baseTau }))(tf.tensor3d(x));
    const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
    const numeric = ref.numericGradient((a) => sup.supCon(a, anchorLabels, tau, baseTau), anchors);
    assertClose(g.dataSync(), numeric.flat(), 1e-4, `gradient B=${B} V=${V} labels=${labels}`);
  }
});

test('anchors without positives are left out of the mean; none at all gives loss 0 and gradient 0', () => {
  // Labels [0, 0, 1, 2]: anchors 2 and 3 have no positive; the loss is the mean of ℓ_0 and ℓ_1
  // (each still contrasted against all three other anchors), not their sum over 4 anchors.
  const x = features(4, 1, 5);
  const z = x.map((v) => ref.unit(v[0]));
  const s = (i: number, j: number) => ref.dot(z[i], z[j]) / 0.1;
  const ell = (i: number, p: number) => -(0.1 / 0.07) * (s(i, p) - ref.logSumExp([0, 1, 2, 3].filter((a) => a !== i).map((a) => s(i, a))));
  const got = value(supCon(tf.tensor3d(x), int32([0, 0, 1, 2]), { temperature: 0.1 }));
  assertClose([got], [(ell(0, 1) + ell(1, 0)) / 2], 1e-5, 'mean over the anchors with a positive');
  assertClose([sup.supConZeroFilled(sup.anchorsOf(x, [0, 0, 1, 2]).anchors, [0, 0, 1, 2], 0.1, 0.07)], [(ell(0, 1) + ell(1, 0)) / 4], 1e-12, 'SupContrast convention');
  for (const [x2, labels] of [[features(5, 1, 3), [0, 1, 2, 3, 4]], [features(1, 1, 3), [7]]] as const) {
    const f = (t: tf.Tensor) => supCon(t as tf.Tensor3D, int32([...labels]), { temperature: 0.1 });
    assert.equal(value(f(tf.tensor3d(x2))), 0);
    assert.ok(tf.grad(f)(tf.tensor3d(x2)).dataSync().every((v) => v === 0), 'zero gradient');
  }
});

test('invariances: consistent batch permutation, view permutation, input scaling', () => {
  const x = features(8, 2, 6);
  const labels = [0, 1, 0, 1, 2, 2, 2, 3];
  const base = value(supCon(tf.tensor3d(x), int32(labels)));
  const perm = Array.from(rng.permutation(8));
  const permuted = value(supCon(tf.tensor3d(perm.map((i) => x[i])), int32(perm.map((i) => labels[i]))));
  const viewsSwapped = value(supCon(tf.tensor3d(x.map((v) => [v[1], v[0]])), int32(labels)));
  const scaled = value(supCon(tf.mul(tf.tensor3d(x), 13) as tf.Tensor3D, int32(labels)));
  assertClose([permuted, viewsSwapped, scaled], [base, base, base], 1e-5);
});

test('large |z·z/τ| stays finite (τ = 0.01 against the reference); duplicates and a class of one give finite gradients', () => {
  const x = features(6, 2, 4);
  const labels = [0, 0, 1, 1, 2, 3];
  const tiny = (t: tf.Tensor) => supCon(t as tf.Tensor3D, int32(labels), { temperature: 0.01 });
  assertClose([value(tiny(tf.tensor3d(x)))], [reference(x, labels, 0.01, 0.07)], 1e-5, 'value at τ = 0.01');
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  const numeric = ref.numericGradient((a) => sup.supCon(a, anchorLabels, 0.01, 0.07), anchors);
  assertClose(tf.grad(tiny)(tf.tensor3d(x)).dataSync(), numeric.flat(), 1e-4, 'gradient at τ = 0.01');
  const huge = (t: tf.Tensor) => supCon(tf.mul(t, 100) as tf.Tensor3D, int32(labels), { temperature: 0.1, normalize: false });
  assert.ok(Number.isFinite(value(huge(tf.tensor3d(x)))) && tf.grad(huge)(tf.tensor3d(x)).dataSync().every(Number.isFinite), '1e5 logits');
  const row = x[0][0];
  const duplicated = [[row], [row], [row], [x[1][0]], [x[2][0]]];
  const dupLabels = [0, 0, 1, 1, 2]; // a duplicate across classes, and class 2 of one
  const g = tf.grad((t: tf.Tensor) => supCon(t as tf.Tensor3D, int32(dupLabels), { temperature: 0.05 }))(tf.tensor3d(duplicated));
  assert.ok(g.dataSync().every(Number.isFinite));
  assertClose([value(supCon(tf.tensor3d(duplicated), int32(dupLabels), { temperature: 0.05 }))], [reference(duplicated, dupLabels, 0.05, 0.07)], 1e-5);
});

test('bad input names the argument', () => {
  const x = tf.zeros([3, 2, 4]) as tf.Tensor3D;
  const y = int32([0, 1, 0]);
  assert.throws(() => supCon(x, y, { temperature: 0 }), /supCon: temperature must be a number > 0, got 0/);
  assert.throws(() => supCon(x, y, { baseTemperature: -0.1 }), /supCon: baseTemperature must be a number > 0, got -0.1/);
  assert.throws(() => supCon(x, int32([0, 1])), /supCon: labels must have shape \[3\], got \[2\]/);
  assert.throws(() => supCon(x, tf.tensor1d([0, 1, 0])), /supCon: labels must be int32, got float32/);
  assert.throws(() => supCon(tf.zeros([3, 2, 4, 1]) as unknown as tf.Tensor3D, y), /supCon: features must have shape \[B, V, D\] or \[B, D\], got \[3, 2, 4, 1\]/);
  assert.throws(() => supCon(tf.fill([3, 2, 4], NaN) as tf.Tensor3D, y), /supCon: features contains NaN or Inf/);
});

interface SupConFixture {
  name: string;
  features: number[][][];
  labels: number[];
  temperature: number;
  base_temperature: number;
  anchors_with_positive: number;
  loss: number;
  grad: number[][][];
}

test('matches SupContrast semantics from PyTorch: equal with two views, ours × (anchors with a positive)/(all anchors) otherwise', () => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/supervised.json', import.meta.url), 'utf8'));
  const cases = fixtures.supConSupContrast as SupConFixture[];
  assert.ok(cases.some((c) => c.anchors_with_positive < c.labels.length * c.features[0].length), 'a case where the conventions differ');
  for (const c of cases) {
    const anchors = c.labels.length * c.features[0].length;
    const share = c.anchors_with_positive / anchors;
    const f = (t: tf.Tensor) => supCon(t as tf.Tensor3D, int32(c.labels), { temperature: c.temperature, baseTemperature: c.base_temperature });
    const ours = value(f(tf.tensor3d(c.features)));
    assertClose([ours * share], [c.loss], 1e-5, `${c.name}: value`);
    const g = tf.grad(f)(tf.tensor3d(c.features)).dataSync().map((v) => v * share);
    assertClose(g, c.grad.flat(2), 1e-4, `${c.name}: gradient`);
    if (share < 1) assert.ok(Math.abs(ours - c.loss) > 1e-3, `${c.name}: the conventions were expected to differ`);
  }
});

test('leaves no tensor behind, forward or backward', () => {
  const [x, y] = [tf.tensor3d(features(4, 2, 3)), int32([0, 1, 0, 2])];
  const before = tf.memory().numTensors;
  tf.dispose([supCon(x, y), tf.grad((t: tf.Tensor) => supCon(t as tf.Tensor3D, y))(x)]);
  assert.equal(tf.memory().numTensors, before);
});
