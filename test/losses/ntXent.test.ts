import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { ntXent } from '../../src/losses/ntXent.js';
import { supCon } from '../../src/losses/supCon.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as sup from '../reference/supervised.js';

before(() => setup('wasm'));

const rng = new Rng(21);
const mat = (r: number, c: number, scale = 1) => ref.randomMatrix(r, c, () => scale * rng.normal());
const value = (t: tf.Scalar) => t.dataSync()[0];

test('value equals the float64 reference over several shapes and temperatures', () => {
  for (const [B, D, tau] of [[1, 4, 0.5], [4, 8, 0.5], [7, 3, 0.1], [16, 32, 0.2], [5, 6, 0.01]]) {
    const [z1, z2] = [mat(B, D), mat(B, D)];
    const got = value(ntXent(tf.tensor2d(z1), tf.tensor2d(z2), { temperature: tau }));
    assertClose([got], [sup.ntXent(z1, z2, tau)], 1e-5, `B=${B} D=${D} τ=${tau}`);
  }
  const [z1, z2] = [mat(5, 4, 0.3), mat(5, 4, 0.3)];
  const raw = value(ntXent(tf.tensor2d(z1), tf.tensor2d(z2), { temperature: 0.5, normalize: false }));
  assertClose([raw], [sup.ntXent(z1, z2, 0.5, false)], 1e-5, 'normalize: false');
});

test('gradients w.r.t. both views equal finite differences of the reference at several points', () => {
  for (const [B, D, tau] of [[3, 4, 0.5], [6, 5, 0.2], [4, 7, 0.1]]) {
    const [z1, z2] = [mat(B, D), mat(B, D)];
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: tau }))([
      tf.tensor2d(z1),
      tf.tensor2d(z2),
    ]);
    assertClose(g1.dataSync(), ref.numericGradient((x) => sup.ntXent(x, z2, tau), z1).flat(), 1e-4, 'd/dz1');
    assertClose(g2.dataSync(), ref.numericGradient((x) => sup.ntXent(z1, x, tau), z2).flat(), 1e-4, 'd/dz2');
  }
});

test('equals SupCon with each pair its own class and τ_base = τ', () => {
  const [z1, z2] = [mat(6, 5), mat(6, 5)];
  const paired = tf.stack([tf.tensor2d(z1), tf.tensor2d(z2)], 1) as tf.Tensor3D;
  const classes = tf.range(0, 6, 1, 'int32') as tf.Tensor1D;
  const viaSupCon = value(supCon(paired, classes, { temperature: 0.3, baseTemperature: 0.3 }));
  assertClose([value(ntXent(tf.tensor2d(z1), tf.tensor2d(z2), { temperature: 0.3 }))], [viaSupCon], 1e-6);
});

test('invariances: batch permutation, swapping the views, scaling the inputs', () => {
  const [z1, z2] = [mat(8, 6), mat(8, 6)];
  const base = value(ntXent(tf.tensor2d(z1), tf.tensor2d(z2), { temperature: 0.2 }));
  const perm = Array.from(rng.permutation(8));
  const permuted = value(ntXent(tf.tensor2d(perm.map((i) => z1[i])), tf.tensor2d(perm.map((i) => z2[i])), { temperature: 0.2 }));
  const swapped = value(ntXent(tf.tensor2d(z2), tf.tensor2d(z1), { temperature: 0.2 }));
  const scaled = value(ntXent(tf.mul(tf.tensor2d(z1), 7.5) as tf.Tensor2D, tf.mul(tf.tensor2d(z2), 0.01) as tf.Tensor2D, { temperature: 0.2 }));
  assertClose([permuted, swapped, scaled], [base, base, base], 1e-5);
});

test('large |z·z/τ| stays finite: τ = 0.01 against the reference, unnormalised inputs at 1e5 logits', () => {
  const [z1, z2] = [mat(6, 4), mat(6, 4)];
  const x = [tf.tensor2d(z1), tf.tensor2d(z2)];
  const tiny = (a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.01 });
  assertClose([value(tiny(x[0], x[1]))], [sup.ntXent(z1, z2, 0.01)], 1e-5, 'value at τ = 0.01');
  assertClose(tf.grads(tiny)(x)[0].dataSync(), ref.numericGradient((m) => sup.ntXent(m, z2, 0.01), z1).flat(), 1e-4, 'gradient at τ = 0.01');
  const huge = (a: tf.Tensor, b: tf.Tensor) => ntXent(tf.mul(a, 100) as tf.Tensor2D, tf.mul(b, 100) as tf.Tensor2D, { temperature: 0.1, normalize: false });
  assert.ok(Number.isFinite(value(huge(x[0], x[1]))), 'value at 1e5 logits');
  for (const g of tf.grads(huge)(x)) assert.ok(g.dataSync().every(Number.isFinite), 'gradient at 1e5 logits');
});

test('duplicate embeddings give a finite gradient', () => {
  const row = mat(1, 5)[0];
  const z = tf.tensor2d([row, row, row, mat(1, 5)[0]]);
  const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.1 }))([z, z]);
  assert.ok([...g1.dataSync(), ...g2.dataSync()].every(Number.isFinite));
  assertClose([value(ntXent(z, z, { temperature: 0.1 }))], [sup.ntXent(z.arraySync() as number[][], z.arraySync() as number[][], 0.1)], 1e-5);
});

test('bad input names the argument', () => {
  const z = tf.zeros([3, 4]) as tf.Tensor2D;
  assert.throws(() => ntXent(z, z, { temperature: 0 }), /ntXent: temperature must be a number > 0, got 0/);
  assert.throws(() => ntXent(z, z, { temperature: -1 }), /ntXent: temperature must be a number > 0, got -1/);
  assert.throws(() => ntXent(z, tf.zeros([2, 4]) as tf.Tensor2D, { temperature: 0.5 }), /ntXent: z2 must have shape \[3, 4\], got \[2, 4\]/);
  assert.throws(() => ntXent(tf.zeros([3]) as unknown as tf.Tensor2D, z, { temperature: 0.5 }), /ntXent: z1 must have shape \[\*, \*\], got \[3\]/);
  assert.throws(() => ntXent(z, tf.tensor2d([[NaN, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]), { temperature: 0.5 }), /ntXent: z2 contains NaN or Inf/);
});

interface NTXentFixture {
  name: string;
  z1: number[][];
  z2: number[][];
  temperature: number;
  loss: number;
  grad_z1: number[][];
  grad_z2: number[][];
}

test('matches the PyTorch fixtures (value and autograd gradients)', () => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/supervised.json', import.meta.url), 'utf8'));
  const cases = fixtures.ntXent as NTXentFixture[];
  assert.ok(cases.length > 0);
  for (const c of cases) {
    const f = (a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: c.temperature });
    const x = [tf.tensor2d(c.z1), tf.tensor2d(c.z2)];
    assertClose([value(f(x[0], x[1]))], [c.loss], 1e-5, `${c.name}: value`);
    const [g1, g2] = tf.grads(f)(x);
    assertClose(g1.dataSync(), c.grad_z1.flat(), 1e-4, `${c.name}: d/dz1`);
    assertClose(g2.dataSync(), c.grad_z2.flat(), 1e-4, `${c.name}: d/dz2`);
  }
});

test('leaves no tensor behind, forward or backward', () => {
  const [z1, z2] = [tf.tensor2d(mat(4, 3)), tf.tensor2d(mat(4, 3))];
  const before = tf.memory().numTensors;
  tf.dispose([ntXent(z1, z2, { temperature: 0.5 }), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.5 }))([z1, z2])]);
  assert.equal(tf.memory().numTensors, before);
});
