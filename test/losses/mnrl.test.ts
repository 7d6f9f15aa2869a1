import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { mnrl, type MNRLOptions } from '../../src/losses/mnrl.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as pw from '../reference/pairwise.js';
import { pairwiseFixtures } from '../reference/pairwiseFixtures.js';

before(() => setup('wasm'));

const rng = new Rng(79);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());
const cube = (b: number, h: number, d: number) => Array.from({ length: b }, () => mat(h, d));

/** Options with hard negatives given as plain arrays `[B][H][D]`. */
type Opts = Omit<MNRLOptions, 'hardNegatives'> & { hard?: ref.Matrix[] };
const tensorOptions = ({ hard, ...o }: Opts): MNRLOptions => ({ ...o, hardNegatives: hard && tf.tensor3d(hard) });
const refOptions = ({ hard, ...o }: Opts): pw.MNRLRef => ({ scale: 20, ...o, hardNegatives: hard });
const value = (q: ref.Matrix, p: ref.Matrix, o: Opts = {}) => mnrl(tf.tensor2d(q), tf.tensor2d(p), tensorOptions(o)).dataSync()[0];

/** Gradients w.r.t. queries, positives and (if given) hard negatives, flattened. */
function gradients(q: ref.Matrix, p: ref.Matrix, o: Opts): Float32Array[] {
  const { hard, ...rest } = o;
  const inputs = [tf.tensor2d(q), tf.tensor2d(p), ...(hard ? [tf.tensor3d(hard)] : [])];
  const f = (...xs: tf.Tensor[]) => mnrl(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, { ...rest, hardNegatives: xs[2] as tf.Tensor3D | undefined });
  return tf.grads(f)(inputs).map((g) => g.dataSync() as Float32Array);
}

test('equals the float64 reference over shapes and options', () => {
  for (const [B, H, D] of [[1, 2, 3], [4, 3, 8], [16, 4, 32]]) {
    const settings: Opts[] = [
      {},
      { hard: cube(B, H, D) },
      { hard: cube(B, H, D), shareHardNegatives: true },
      { hard: cube(B, H, D), symmetric: true },
      { symmetric: true, scale: 5 },
      { hard: cube(B, H, D), normalize: false, scale: 1 },
    ];
    for (const o of settings) {
      const [q, p] = [mat(B, D), mat(B, D)];
      const name = `B=${B} H=${H} ${JSON.stringify({ ...o, hard: o.hard !== undefined })}`;
      // Absolute 1e-5 below a loss of 1: float32 cross-entropy (log Σ − logit) has an absolute
      // error near 1e-7, so a near-zero loss (B = 1, the positive far ahead) has no relative accuracy.
      const [got, want] = [value(q, p, o), pw.mnrl(q, p, refOptions(o))];
      assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${name}: ${got} vs ${want}`);
    }
  }
});

test('gradients w.r.t. queries, positives and hard negatives match finite differences', () => {
  for (const o of [{ hard: cube(4, 2, 5) }, { hard: cube(4, 2, 5), shareHardNegatives: true, symmetric: true }, { scale: 3, symmetric: true }] as Opts[]) {
    const [q, p] = [mat(4, 5), mat(4, 5)];
    const g = gradients(q, p, o);
    const name = JSON.stringify({ ...o, hard: o.hard !== undefined });
    assertClose(g[0], ref.numericGradient((x) => pw.mnrl(x, p, refOptions(o)), q).flat(), 1e-4, `∂queries ${name}`);
    assertClose(g[1], ref.numericGradient((x) => pw.mnrl(q, x, refOptions(o)), p).flat(), 1e-4, `∂positives ${name}`);
    if (o.hard !== undefined) {
      const H = o.hard[0].length;
      const flatHard = o.hard.flat();
      const unflatten = (m: ref.Matrix) => Array.from({ length: m.length / H }, (_, b) => m.slice(b * H, (b + 1) * H));
      const want = ref.numericGradient((x) => pw.mnrl(q, p, refOptions({ ...o, hard: unflatten(x) })), flatHard).flat();
      assertClose(g[2], want, 1e-4, `∂hardNegatives ${name}`);
    }
  }
});

test('symmetric is the mean of the query→positive and positive→query losses', () => {
  const [q, p, hard] = [mat(6, 4), mat(6, 4), cube(6, 2, 4)];
  assertClose([value(q, p, { symmetric: true })], [(value(q, p) + value(p, q)) / 2], 1e-6, 'pairs');
  // hard negatives join the query→positive direction only
  assertClose([value(q, p, { hard, symmetric: true })], [(value(q, p, { hard }) + value(p, q)) / 2], 1e-6, 'with hard negatives');
});

test("own vs shared hard negatives: shared adds the others' as extra negatives; B = 1 makes them equal", () => {
  const [q, p, hard] = [mat(5, 4), mat(5, 4), cube(5, 3, 4)];
  const own = value(q, p, { hard });
  const shared = value(q, p, { hard, shareHardNegatives: true });
  assert.ok(shared > own + 1e-3, `shared ${shared} should exceed own ${own}`);
  assert.ok(own > value(q, p) + 1e-3, 'hard negatives should raise the loss');
  const one = [q.slice(0, 1), p.slice(0, 1), hard.slice(0, 1)] as const;
  assertClose([value(one[0], one[1], { hard: one[2] })], [value(one[0], one[1], { hard: one[2], shareHardNegatives: true })], 1e-6, 'B = 1');
  assert.equal(value(one[0], one[1], { symmetric: true }), 0, 'B = 1 without hard negatives: one candidate');
  assert.ok(gradients(one[0], one[1], { symmetric: true }).every((g) => g.every((v) => v === 0)), 'B = 1: zero gradient');
});

test('invariances: batch permutation, rescaling the inputs', () => {
  const [q, p, hard] = [mat(7, 5), mat(7, 5), cube(7, 2, 5)];
  for (const o of [{ hard }, { hard, shareHardNegatives: true, symmetric: true }] as Opts[]) {
    const base = value(q, p, o);
    const perm = Array.from(rng.permutation(7));
    assertClose([value(perm.map((i) => q[i]), perm.map((i) => p[i]), { ...o, hard: perm.map((i) => hard[i]) })], [base], 1e-5, 'permutation');
    const scaled = { ...o, hard: hard.map((m) => m.map((r) => r.map((v) => v * 4))) };
    assertClose([value(q.map((r, i) => r.map((v) => v * (0.3 + i))), p.map((r) => r.map((v) => v * 0.1)), scaled)], [base], 1e-5, 'scaling');
  }
});

test('duplicate queries and positives give finite gradients; no tensors leak', () => {
  const q = mat(4, 3);
  q[1] = [...q[0]];
  const p = [[...q[0]], [...q[0]], ...mat(2, 3)];
  const before = tf.memory().numTensors;
  const inputs = [tf.tensor2d(q), tf.tensor2d(p), tf.tensor3d([p, p, p, p].map((m) => m.slice(0, 2)))];
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, h: tf.Tensor) => mnrl(a as tf.Tensor2D, b as tf.Tensor2D, { hardNegatives: h as tf.Tensor3D, symmetric: true }))(inputs);
  for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), 'gradient not finite');
  tf.dispose([...grads, ...inputs]);
  assert.equal(tf.memory().numTensors, before);
});

test('matches sentence-transformers (Symmetric)MultipleNegativesRankingLoss in PyTorch (fixtures)', () => {
  for (const c of pairwiseFixtures.mnrl) {
    const o: Opts = { ...(c.options as MNRLOptions), hard: c.hardNegatives };
    assertClose([value(c.queries, c.positives, o)], [c.loss], 1e-5, `${c.name}: loss`);
    const g = gradients(c.queries, c.positives, o);
    assertClose(g[0], (c.grad.queries as ref.Matrix).flat(), 1e-4, `${c.name}: ∂queries`);
    assertClose(g[1], (c.grad.positives as ref.Matrix).flat(), 1e-4, `${c.name}: ∂positives`);
    if (c.hardNegatives) assertClose(g[2], (c.grad.hardNegatives as ref.Matrix[]).flat(2), 1e-4, `${c.name}: ∂hardNegatives`);
  }
});

test('bad input names the argument', () => {
  const q = tf.ones([3, 2]) as tf.Tensor2D;
  assert.throws(() => mnrl(q, q, { scale: 0 }), /^ArgumentError: mnrl: scale must be a number > 0, got 0$/);
  assert.throws(() => mnrl(q, tf.ones([2, 2]) as tf.Tensor2D), /mnrl: positives must have shape \[3, 2\], got \[2, 2\]/);
  assert.throws(() => mnrl(q, q, { hardNegatives: tf.ones([3, 2]) as unknown as tf.Tensor3D }), /mnrl: hardNegatives must have shape \[3, \*, 2\], got \[3, 2\]/);
  assert.throws(() => mnrl(q, q, { hardNegatives: tf.ones([3, 4, 5]) as tf.Tensor3D }), /mnrl: hardNegatives must have shape \[3, \*, 2\], got \[3, 4, 5\]/);
  assert.throws(() => mnrl(q, q, { shareHardNegatives: true }), /mnrl: 'shareHardNegatives' needs 'hardNegatives'/);
  assert.throws(() => mnrl(tf.tensor2d([[NaN, 0], [1, 0], [0, 1]]), q), /mnrl: queries contains NaN or Inf/);
  assert.throws(() => mnrl(q, q, { hardNegatives: tf.fill([3, 1, 2], NaN) as tf.Tensor3D }), /mnrl: hardNegatives contains NaN or Inf/);
});
