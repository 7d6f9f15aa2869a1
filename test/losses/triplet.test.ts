import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { tripletBatchHard, tripletSemiHard, type BatchHardOptions } from '../../src/losses/triplet.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as pw from '../reference/pairwise.js';
import { pairwiseFixtures } from '../reference/pairwiseFixtures.js';

before(() => setup('wasm'));

type Kind = 'batchHard' | 'semiHard';
const rng = new Rng(67);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());
const loss = (kind: Kind) => (kind === 'batchHard' ? tripletBatchHard : tripletSemiHard);
const reference = (kind: Kind) => (kind === 'batchHard' ? pw.tripletBatchHard : pw.tripletSemiHard);
const slackOf = (kind: Kind) => (kind === 'batchHard' ? pw.tripletBatchHardSlack : pw.tripletSemiHardSlack);
const full = (o: BatchHardOptions): pw.TripletRef => ({ margin: 0.2, ...o });
const value = (kind: Kind, x: ref.Matrix, labels: number[], o: BatchHardOptions = {}) =>
  loss(kind)(tf.tensor2d(x), tf.tensor1d(labels, 'int32'), o).dataSync()[0];
const gradient = (kind: Kind, x: ref.Matrix, labels: number[], o: BatchHardOptions = {}) =>
  tf.grad((e: tf.Tensor) => loss(kind)(e as tf.Tensor2D, tf.tensor1d(labels, 'int32'), o))(tf.tensor2d(x)).dataSync();

/** A random batch whose mining has no near-tie and whose hinges no near-kink (slack > `minSlack`). */
function smoothPoint(kind: Kind, B: number, D: number, classes: number, o: BatchHardOptions, minSlack = 1e-3): { x: ref.Matrix; labels: number[] } {
  for (let attempt = 0; attempt < 200; attempt++) {
    const x = mat(B, D);
    const labels = Array.from(rng.intArray(B, classes));
    if (slackOf(kind)(x, labels, full(o)) > minSlack) return { x, labels };
  }
  throw new Error('no smooth point found');
}

const settings: [Kind, BatchHardOptions][] = [
  ['batchHard', {}],
  ['batchHard', { soft: true }],
  ['batchHard', { margin: 0.5, distance: 'squaredEuclidean' }],
  ['batchHard', { margin: 0.1, distance: 'cosine' }],
  ['batchHard', { margin: 1, normalize: false }],
  ['semiHard', {}],
  ['semiHard', { margin: 0.5 }],
  ['semiHard', { margin: 0.3, distance: 'cosine' }],
  ['semiHard', { margin: 2, normalize: false }],
];

test('equal the float64 reference over shapes, options and label layouts', () => {
  for (const [B, D, classes] of [[6, 4, 2], [12, 8, 4], [32, 16, 6]]) {
    for (const [kind, o] of settings) {
      const { x, labels } = smoothPoint(kind, B, D, classes, o, 1e-5);
      assertClose([value(kind, x, labels, o)], [reference(kind)(x, labels, full(o))], 1e-5, `${kind} B=${B} ${JSON.stringify(o)}`);
    }
  }
});

test('gradients match finite differences of the reference at several random points', () => {
  for (const [kind, o] of settings) {
    for (let point = 0; point < 2; point++) {
      const { x, labels } = smoothPoint(kind, 8, 4, 3, o);
      const want = ref.numericGradient((e) => reference(kind)(e, labels, full(o)), x).flat();
      assertClose(gradient(kind, x, labels, o), want, 1e-4, `${kind} ${JSON.stringify(o)} point ${point}`);
    }
  }
});

test('semi-hard rule by hand: the band (d_ap, d_ap + margin) first, else the hardest negative', () => {
  // Unnormalised 2-D points; anchor a = origin and positive p at distance 1 (label 0); the
  // negatives have labels of their own (no positives: they are not anchors).
  const a = [0, 0];
  const p = [1, 0];
  const inBand = [0, 1.1]; // d(a) = 1.1 ∈ (1, 1.3)
  const hard = [-0.5, 0]; // d(a) = 0.5
  const easy = [0, -3]; // d(a) = 3
  const o = { margin: 0.3, normalize: false };
  // (a, p): the band negative, 1 − 1.1 + 0.3 = 0.2; (p, a): no band negative (1.487, 1.5, 3.16),
  // the hardest is 1.487 and the hinge is 0. Mean over the two pairs: 0.1.
  assertClose([value('semiHard', [a, p, inBand, hard, easy], [0, 0, 1, 2, 3], o)], [0.1], 1e-6, 'band');
  // Without the band negative, (a, p) falls back to the hardest, 1 − 0.5 + 0.3 = 0.8; (p, a) 0.
  // (TF-addons would take the nearest negative beyond d_ap here, the easy one: loss 0.)
  assertClose([value('semiHard', [a, p, hard, easy], [0, 0, 2, 3], o)], [0.4], 1e-6, 'fallback to the hardest');
  // Batch-hard on the first batch: anchor a takes the hard negative (0.8), anchor p its nearest (1.487): 0.
  assertClose([value('batchHard', [a, p, inBand, hard, easy], [0, 0, 1, 2, 3], o)], [0.4], 1e-6, 'batch-hard');
});

test('anchors with no positive or no negative are left out of the mean; none left: 0 with zero gradient', () => {
  const { x, labels } = smoothPoint('batchHard', 8, 4, 2, {});
  const nextLabel = Math.max(...labels) + 1;
  for (const kind of ['batchHard', 'semiHard'] as Kind[]) {
    const o = { normalize: false };
    const base = value(kind, x, labels, o);
    // A singleton far from everyone is no one's chosen negative, and as an anchor it has no
    // positive: the mean is unchanged (it would shrink if the singleton counted as a 0 term).
    const far = [...x.map((r) => [...r, 0]), [...x[0].map(() => 0), 100]];
    assertClose([value(kind, far, [...labels, nextLabel], o)], [base], 1e-5, `${kind}: singleton left out`);
    assertClose([value(kind, x.slice(0, 5), labels.slice(0, 5))], [reference(kind)(x.slice(0, 5), labels.slice(0, 5), full({}))], 1e-5, `${kind}: subset`);
    for (const lab of [[0, 1, 2, 3], [5, 5, 5, 5]]) {
      const pts = mat(4, 3);
      assert.equal(value(kind, pts, lab), 0, `${kind} ${lab}: loss`);
      assert.ok(gradient(kind, pts, lab).every((g) => g === 0), `${kind} ${lab}: gradient`);
    }
  }
});

test('duplicate embeddings (distance 0 chosen) give finite gradients and the right value; no tensors leak', () => {
  const x = mat(6, 4);
  x[1] = [...x[0]]; // class 0 is exactly these two: d_ap = 0
  x[5] = [...x[2]]; // same point in classes 1 and 2: d_an = 0
  const labels = [0, 0, 1, 1, 2, 2];
  for (const [kind, o] of [['batchHard', {}], ['batchHard', { soft: true }], ['semiHard', {}], ['batchHard', { distance: 'squaredEuclidean' }]] as [Kind, BatchHardOptions][]) {
    const before = tf.memory().numTensors;
    const [e, l] = [tf.tensor2d(x), tf.tensor1d(labels, 'int32')];
    const { value: v, grad } = tf.valueAndGrad((t: tf.Tensor) => loss(kind)(t as tf.Tensor2D, l, o))(e);
    assertClose([v.dataSync()[0]], [reference(kind)(x, labels, full(o))], 1e-5, `${kind} ${JSON.stringify(o)}: value`);
    assert.ok(grad.dataSync().every(Number.isFinite), `${kind} ${JSON.stringify(o)}: gradient not finite`);
    tf.dispose([v, grad, e, l]);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  }
});

test('invariances: batch permutation, renaming the labels, rescaling the inputs', () => {
  for (const kind of ['batchHard', 'semiHard'] as Kind[]) {
    const { x, labels } = smoothPoint(kind, 10, 5, 3, {});
    const base = value(kind, x, labels);
    const perm = Array.from(rng.permutation(10));
    assertClose([value(kind, perm.map((i) => x[i]), perm.map((i) => labels[i]))], [base], 1e-5, `${kind}: permutation`);
    assertClose([value(kind, x, labels.map((c) => 100 - 7 * c))], [base], 1e-6, `${kind}: labels renamed`);
    assertClose([value(kind, x.map((r, i) => r.map((v) => v * (0.5 + i))), labels)], [base], 1e-5, `${kind}: scaling`);
  }
});

test('match PyTorch batch-hard (Hermans et al.) and semi-hard (fixtures)', () => {
  for (const c of pairwiseFixtures.triplet) {
    const o = c.options as BatchHardOptions;
    assert.ok(slackOf(c.kind)(c.embeddings, c.labels, full(o)) > 1e-4, `${c.name}: fixture at a near-tie`);
    assertClose([value(c.kind, c.embeddings, c.labels, o)], [c.loss], 1e-5, `${c.name}: loss`);
    assertClose(gradient(c.kind, c.embeddings, c.labels, o), (c.grad.embeddings as ref.Matrix).flat(), 1e-4, `${c.name}: gradient`);
  }
});

test('bad input names the argument', () => {
  const x = tf.ones([4, 3]) as tf.Tensor2D;
  const labels = tf.tensor1d([0, 0, 1, 1], 'int32');
  for (const [fn, f] of [['tripletBatchHard', tripletBatchHard], ['tripletSemiHard', tripletSemiHard]] as const) {
    assert.throws(() => f(x, tf.tensor1d([0, 1, 1], 'int32')), new RegExp(`^ArgumentError: ${fn}: labels must have shape \\[4\\], got \\[3\\]$`));
    assert.throws(() => f(x, tf.tensor1d([0, 0, 1, 1], 'float32') as tf.Tensor1D), new RegExp(`${fn}: labels must be int32, got float32`));
    assert.throws(() => f(x, labels, { margin: -0.1 }), new RegExp(`${fn}: margin must be a number in \\[0, Infinity\\], got -0.1`));
    assert.throws(() => f(x, labels, { distance: 'manhattan' as 'cosine' }), new RegExp(`${fn}: distance must be one of euclidean, squaredEuclidean, cosine, got manhattan`));
    assert.throws(() => f(tf.ones([4]) as unknown as tf.Tensor2D, labels), new RegExp(`${fn}: embeddings must have shape \\[\\*, \\*\\], got \\[4\\]`));
    assert.throws(() => f(tf.tensor2d([[NaN, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]), labels), new RegExp(`${fn}: embeddings contains NaN or Inf`));
  }
});
