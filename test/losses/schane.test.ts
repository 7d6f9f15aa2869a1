import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { ntXent } from '../../src/losses/ntXent.js';
import { schane, schaneObjective } from '../../src/losses/schane.js';
import { assertClose, nativeSkip, on, relativeError, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as sup from '../reference/supervised.js';

before(() => setup('wasm'));

const rng = new Rng(41);
const features = (B: number, V: number, D: number) => sup.randomFeatures(B, V, D, () => rng.normal());
const value = (t: tf.Scalar) => t.dataSync()[0];
const int32 = (labels: number[]) => tf.tensor1d(labels, 'int32');

function reference(x: number[][][], labels: number[], options: sup.SCHaNeReference): number {
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  return sup.schane(anchors, anchorLabels, options);
}

// [B, V, D, labels, τ, β]: one view with classes of one, two and three views, one class only.
const cases: [number, number, number, number[], number, number][] = [
  [6, 1, 5, [0, 0, 1, 2, 2, 3], 0.07, 1],
  [5, 2, 4, [0, 1, 2, 3, 4], 0.1, 1],
  [8, 2, 6, [0, 1, 0, 1, 2, 2, 2, 3], 0.5, 2],
  [4, 3, 3, [1, 1, 0, 5], 0.2, 0.5],
  [5, 2, 8, [3, 3, 3, 3, 3], 0.1, 1],
  [6, 2, 4, [0, 1, 1, 2, 0, 2], 0.2, 0],
];

test('value equals the float64 reference, both forms (V = 1, 2, 3; classes of one; one class only; β = 0, 0.5, 1, 2)', () => {
  for (const positives of ['mean-inside', 'per-positive'] as const) {
    for (const [B, V, D, labels, tau, beta] of cases) {
      const x = features(B, V, D);
      const got = value(schane(tf.tensor3d(x), int32(labels), { temperature: tau, beta, positives }));
      assertClose([got], [reference(x, labels, { tau, beta, positives })], 1e-5, `${positives} B=${B} V=${V} β=${beta} labels=${labels}`);
    }
  }
  const x = features(6, 1, 4).map((v) => [v[0].map((a) => 0.3 * a)]);
  const labels = [0, 1, 1, 0, 2, 2];
  const flat = tf.tensor2d(x.map((v) => v[0]));
  const got = value(schane(flat, int32(labels), { temperature: 0.5, normalize: false }));
  assertClose([got], [reference(x, labels, { tau: 0.5, beta: 1, normalize: false })], 1e-5, '[B, D] input, normalize: false');
});

test('gradient (through the weights) equals finite differences of the reference, both forms', () => {
  for (const positives of ['mean-inside', 'per-positive'] as const) {
    for (const [B, V, D, labels, tau, beta] of cases) {
      const x = features(B, V, D);
      const g = tf.grad((t: tf.Tensor) => schane(t as tf.Tensor3D, int32(labels), { temperature: tau, beta, positives }))(tf.tensor3d(x));
      const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
      const numeric = ref.numericGradient((a) => sup.schane(a, anchorLabels, { tau, beta, positives }), anchors);
      assertClose(g.dataSync(), numeric.flat(), 1e-4, `${positives} gradient B=${B} V=${V} β=${beta}`);
    }
  }
});

test('one positive per anchor: both forms agree; several positives: mean-inside is below per-positive (Jensen)', () => {
  const both = (x: number[][][], labels: number[], beta: number) =>
    (['mean-inside', 'per-positive'] as const).map((positives) => {
      const f = (t: tf.Tensor) => schane(t as tf.Tensor3D, int32(labels), { temperature: 0.2, beta, positives });
      return { value: value(f(tf.tensor3d(x))), grad: tf.grad(f)(tf.tensor3d(x)).dataSync() };
    });
  for (const beta of [0, 1]) {
    const [inside, per] = both(features(6, 2, 5), [0, 1, 2, 3, 4, 5], beta); // V = 2, every label once
    assertClose([inside.value], [per.value], 1e-6, `value, β=${beta}`);
    assertClose(inside.grad, per.grad, 1e-5, `gradient, β=${beta}`);
  }
  const [inside, per] = both(features(8, 2, 5), [0, 1, 0, 1, 2, 2, 2, 3], 1);
  assert.ok(inside.value < per.value - 1e-3, `mean-inside ${inside.value} should be below per-positive ${per.value}`);
  assert.ok(relativeError(inside.grad, per.grad) > 1e-2, 'the gradients were expected to differ');
});

test('detachWeights keeps the value and changes the gradient to the one with the weights held fixed', () => {
  const x = features(6, 2, 5);
  const labels = [0, 1, 1, 2, 0, 2];
  const loss = (detachWeights: boolean) => (t: tf.Tensor) => schane(t as tf.Tensor3D, int32(labels), { temperature: 0.2, beta: 1, detachWeights });
  assert.equal(value(loss(true)(tf.tensor3d(x))), value(loss(false)(tf.tensor3d(x))));
  const detached = tf.grad(loss(true))(tf.tensor3d(x)).dataSync();
  const attached = tf.grad(loss(false))(tf.tensor3d(x)).dataSync();
  assert.ok(relativeError(detached, attached) > 1e-2, 'the gradients were expected to differ');
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  const numeric = ref.numericGradient((a) => sup.schane(a, anchorLabels, { tau: 0.2, beta: 1, weightsFrom: anchors }), anchors);
  assertClose(detached, numeric.flat(), 1e-4, 'detached gradient');
});

test('β = 0 equals the uniform-weight form (w = 1), value and gradient, with or without detached weights', () => {
  const x = features(7, 2, 4);
  const labels = [0, 1, 2, 0, 1, 1, 3];
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  const uniform = (a: ref.Matrix) => sup.schane(a, anchorLabels, { tau: 0.1, beta: 5, uniform: true });
  for (const detachWeights of [false, true]) {
    const f = (t: tf.Tensor) => schane(t as tf.Tensor3D, int32(labels), { temperature: 0.1, beta: 0, detachWeights });
    assertClose([value(f(tf.tensor3d(x)))], [uniform(anchors)], 1e-5, 'value');
    assertClose(tf.grad(f)(tf.tensor3d(x)).dataSync(), ref.numericGradient(uniform, anchors).flat(), 1e-4, 'gradient');
  }
});

test('one positive per anchor and no same-label others: β = 0 is in-batch InfoNCE (NT-Xent)', () => {
  const [z1, z2] = [ref.randomMatrix(6, 5, () => rng.normal()), ref.randomMatrix(6, 5, () => rng.normal())];
  const paired = tf.stack([tf.tensor2d(z1), tf.tensor2d(z2)], 1) as tf.Tensor3D;
  const got = value(schane(paired, tf.range(0, 6, 1, 'int32') as tf.Tensor1D, { temperature: 0.2, beta: 0 }));
  assertClose([got], [sup.ntXent(z1, z2, 0.2)], 1e-5, 'float64 NT-Xent');
  assertClose([got], [value(ntXent(tf.tensor2d(z1), tf.tensor2d(z2), { temperature: 0.2 }))], 1e-6, 'ntXent');
});

test('a one-class batch has no negatives: loss 0 and gradient 0, never NaN', () => {
  const f = (t: tf.Tensor) => schane(t as tf.Tensor3D, int32([4, 4, 4]), { temperature: 0.1 });
  const x = tf.tensor3d(features(3, 2, 4));
  assert.equal(value(f(x)), 0);
  assert.ok(tf.grad(f)(x).dataSync().every((v) => v === 0));
});

test('invariances: consistent batch permutation, view permutation, input scaling', () => {
  const x = features(8, 2, 6);
  const labels = [0, 1, 0, 1, 2, 2, 2, 3];
  const base = value(schane(tf.tensor3d(x), int32(labels)));
  const perm = Array.from(rng.permutation(8));
  const permuted = value(schane(tf.tensor3d(perm.map((i) => x[i])), int32(perm.map((i) => labels[i]))));
  const viewsSwapped = value(schane(tf.tensor3d(x.map((v) => [v[1], v[0]])), int32(labels)));
  const scaled = value(schane(tf.mul(tf.tensor3d(x), 0.02) as tf.Tensor3D, int32(labels)));
  assertClose([permuted, viewsSwapped, scaled], [base, base, base], 1e-5);
});

test('large |z·z/τ| stays finite (τ = 0.01 against the reference); duplicates and a class of one give finite gradients', () => {
  const x = features(6, 2, 4);
  const labels = [0, 0, 1, 1, 2, 3];
  const tiny = (t: tf.Tensor) => schane(t as tf.Tensor3D, int32(labels), { temperature: 0.01, beta: 1 });
  assertClose([value(tiny(tf.tensor3d(x)))], [reference(x, labels, { tau: 0.01, beta: 1 })], 1e-5, 'value at τ = 0.01');
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  const numeric = ref.numericGradient((a) => sup.schane(a, anchorLabels, { tau: 0.01, beta: 1 }), anchors);
  assertClose(tf.grad(tiny)(tf.tensor3d(x)).dataSync(), numeric.flat(), 1e-4, 'gradient at τ = 0.01');
  const huge = (t: tf.Tensor) => schane(tf.mul(t, 100) as tf.Tensor3D, int32(labels), { temperature: 0.1, beta: 2, normalize: false });
  assert.ok(Number.isFinite(value(huge(tf.tensor3d(x)))) && tf.grad(huge)(tf.tensor3d(x)).dataSync().every(Number.isFinite), '1e5 logits');
  const row = x[0][0];
  const duplicated = [[row], [row], [row], [x[1][0]], [x[2][0]]];
  const dupLabels = [0, 0, 1, 1, 2];
  const g = tf.grad((t: tf.Tensor) => schane(t as tf.Tensor3D, int32(dupLabels), { temperature: 0.05 }))(tf.tensor3d(duplicated));
  assert.ok(g.dataSync().every(Number.isFinite));
  assertClose([value(schane(tf.tensor3d(duplicated), int32(dupLabels), { temperature: 0.05 }))], [reference(duplicated, dupLabels, { tau: 0.05, beta: 1 })], 1e-5);
});

test('schaneObjective = (1 − λ)·CE + λ·SCHaNe, value and gradients w.r.t. logits and features', () => {
  const x = features(5, 2, 4);
  const labels = [0, 2, 1, 2, 0];
  const logits = ref.randomMatrix(5, 3, () => 2 * rng.normal());
  const options = { lambda: 0.3, temperature: 0.1, beta: 1 };
  const f = (l: tf.Tensor, t: tf.Tensor) => schaneObjective(l as tf.Tensor2D, int32(labels), t as tf.Tensor3D, options);
  const args = [tf.tensor2d(logits), tf.tensor3d(x)];
  const expected = sup.schaneObjective(logits, x, labels, 0.3, { tau: 0.1, beta: 1 });
  assertClose([value(f(args[0], args[1]))], [expected], 1e-5, 'value');
  const [gLogits, gFeatures] = tf.grads(f)(args);
  assertClose(gLogits.dataSync(), ref.numericGradient((l) => sup.schaneObjective(l, x, labels, 0.3, { tau: 0.1, beta: 1 }), logits).flat(), 1e-4, 'd/dlogits');
  const { anchors, anchorLabels } = sup.anchorsOf(x, labels);
  const numeric = ref.numericGradient((a) => 0.3 * sup.schane(a, anchorLabels, { tau: 0.1, beta: 1 }), anchors);
  assertClose(gFeatures.dataSync(), numeric.flat(), 1e-4, 'd/dfeatures');
  const at = (lambda: number) => value(schaneObjective(args[0] as tf.Tensor2D, int32(labels), args[1] as tf.Tensor3D, { ...options, lambda }));
  assertClose([at(0), at(1)], [ref.crossEntropy(logits, labels), reference(x, labels, { tau: 0.1, beta: 1 })], 1e-5, 'λ = 0 and 1');
});

test('bad input names the argument', () => {
  const x = tf.zeros([3, 2, 4]) as tf.Tensor3D;
  const y = int32([0, 1, 0]);
  assert.throws(() => schane(x, y, { temperature: 0 }), /schane: temperature must be a number > 0, got 0/);
  assert.throws(() => schane(x, y, { beta: -1 }), /schane: beta must be a finite number >= 0, got -1/);
  assert.throws(() => schane(x, y, { positives: 'mean' as 'mean-inside' }), /schane: positives must be one of mean-inside, per-positive, got mean/);
  assert.throws(() => schane(x, int32([0, 1, 2, 3])), /schane: labels must have shape \[3\], got \[4\]/);
  assert.throws(() => schane(x, tf.tensor1d([0, 1, 0])), /schane: labels must be int32, got float32/);
  assert.throws(() => schane(tf.zeros([3]) as unknown as tf.Tensor2D, y), /schane: features must have shape \[B, V, D\] or \[B, D\], got \[3\]/);
  assert.throws(() => schane(tf.fill([3, 2, 4], Infinity) as tf.Tensor3D, y), /schane: features contains NaN or Inf/);
  const logits = tf.zeros([3, 2]) as tf.Tensor2D;
  assert.throws(() => schaneObjective(logits, y, x, { lambda: 1.5 }), /schaneObjective: lambda must be a number in \[0, 1\], got 1.5/);
  assert.throws(() => schaneObjective(tf.zeros([4, 2]) as tf.Tensor2D, y, x, { lambda: 0.5 }), /schaneObjective: logits must have shape \[3, \*\], got \[4, 2\]/);
  assert.throws(() => schaneObjective(logits, int32([0, 2, 1]), x, { lambda: 0.5 }), /schaneObjective: labels must be in \[0, 2\)/);
  assert.throws(() => schaneObjective(logits, y, x, { lambda: 0.5, temperature: -2 }), /schaneObjective: temperature must be a number > 0, got -2/);
});

interface SCHaNeFixture {
  name: string;
  features: number[][][];
  labels: number[];
  temperature: number;
  beta: number;
  loss: number;
  grad: number[][][];
}

const authors = JSON.parse(readFileSync(new URL('../fixtures/schane.json', import.meta.url), 'utf8')) as { reference: string; cases: SCHaNeFixture[] };

/** Checks every case of the authors' fixture on `backend` (value and gradient, 1e-4 relative). */
async function matchesAuthors(backend: string): Promise<void> {
  assert.ok(authors.cases.length >= 10 && authors.reference.startsWith('GLA-IR/SCHaNe'));
  for (const c of authors.cases) {
    const f = (t: tf.Tensor) => schane(t as tf.Tensor3D, int32(c.labels), { temperature: c.temperature, beta: c.beta });
    const [loss, grad] = await on(backend, () => {
      const x = tf.tensor3d(c.features);
      return [f(x), tf.grad(f)(x)];
    });
    assertClose(loss, [c.loss], 1e-4, `${backend} ${c.name}: value`);
    assertClose(grad, c.grad.flat(2), 1e-4, `${backend} ${c.name}: gradient`);
  }
}

test('default equals the authors\' SCHaNe (GLA-IR/SCHaNe, run by bench/reference/fixtures_schane.py) on wasm', () => matchesAuthors('wasm'));
test('default equals the authors\' SCHaNe on cpu', () => matchesAuthors('cpu'));
test('default equals the authors\' SCHaNe on native', { skip: await nativeSkip() }, () => matchesAuthors('native'));

test('the authors\' fixture also equals the float64 reference (the fixture is consistent with the formula)', () => {
  for (const c of authors.cases) {
    assertClose([reference(c.features, c.labels, { tau: c.temperature, beta: c.beta })], [c.loss], 1e-9, c.name);
  }
});

test('leaves no tensor behind, forward or backward', () => {
  const [x, y, logits] = [tf.tensor3d(features(4, 2, 3)), int32([0, 1, 0, 2]), tf.tensor2d(ref.randomMatrix(4, 3, () => rng.normal()))];
  const before = tf.memory().numTensors;
  const objective = (l: tf.Tensor, t: tf.Tensor) => schaneObjective(l as tf.Tensor2D, y, t as tf.Tensor3D, { lambda: 0.5 });
  tf.dispose([schane(x, y), tf.grad((t: tf.Tensor) => schane(t as tf.Tensor3D, y))(x), objective(logits, x), ...tf.grads(objective)([logits, x])]);
  assert.equal(tf.memory().numTensors, before);
});
