import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { infoNCE } from '../../src/losses/infoNCE.js';
import { mochiLoss } from '../../src/losses/mochiLoss.js';
import { mochi } from '../../src/negatives/mochi.js';
import type { MochiDraws } from '../../src/negatives/mochiDraws.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';
import * as refMochi from '../reference/mochi.js';

before(() => setup('wasm'));

const rng = new Rng(21);
const mat = (r: number, c: number) => ref.randomMatrix(r, c, () => rng.normal());

/** Random explicit draws, as nested arrays (reference) and flat (hardneg). */
function draws(B: number, N: number, s: number, sp: number): { nested: refMochi.Draws; flat: MochiDraws } {
  const nested: refMochi.Draws = {
    i: Array.from({ length: B }, () => Array.from({ length: s }, () => rng.int(N))),
    j: Array.from({ length: B }, () => Array.from({ length: s }, () => rng.int(N))),
    alpha: Array.from({ length: B }, () => Array.from({ length: s }, () => rng.uniform())),
    k: Array.from({ length: B }, () => Array.from({ length: sp }, () => rng.int(N))),
    beta: Array.from({ length: B }, () => Array.from({ length: sp }, () => 0.5 * rng.uniform())),
  };
  const flat: MochiDraws = { i: nested.i.flat(), j: nested.j.flat(), alpha: nested.alpha.flat(), k: nested.k.flat(), beta: nested.beta.flat() };
  return { nested, flat };
}

test('mochi with explicit draws equals the float64 reference: hardest lists, h, h′ and their logits', () => {
  const [B, K, D, N, s, sp] = [5, 64, 16, 6, 7, 4]; // N much smaller than K, distinct queries
  const [q, queue] = [mat(B, D), mat(K, D)];
  const { nested, flat } = draws(B, N, s, sp);
  const out = mochi(tf.tensor2d(q), tf.tensor2d(queue), { N, s, sPrime: sp, draws: flat });
  const expected = refMochi.synthetic(q.map(ref.unit), queue.map(ref.unit), N, nested);
  assert.deepEqual([...out.hardest], expected.hard.flat());
  assertClose(out.mixed.dataSync(), expected.h.flat(2), 1e-5, 'h');
  assertClose(out.queryMixed.dataSync(), expected.hp.flat(2), 1e-5, 'h′');
  const Q = q.map(ref.unit);
  const logits = Q.map((qb, b) => [...expected.h[b].map((x) => ref.dot(qb, x)), ...expected.hp[b].map((x) => ref.dot(qb, x))]);
  assertClose(out.logits.dataSync(), logits.flat(), 1e-5, 'logits');
});

test("each query mixes its OWN hardest negatives (catches the flattened-[B·N] indexing bug)", () => {
  // Queries point in different directions, so their hardest lists are disjoint.
  const [B, K, D, N] = [4, 200, 8, 5];
  const queue = mat(K, D);
  const q = Array.from({ length: B }, (_, b) => Array.from({ length: D }, (_, e) => (e === b ? 1 : 0)));
  const out = mochi(tf.tensor2d(q), tf.tensor2d(queue), { N, s: 16, sPrime: 0, rng: new Rng(1) });
  const hard = refMochi.hardest(q, queue.map(ref.unit), N);
  const mixed = out.mixed.arraySync();
  for (let b = 1; b < B; b++) {
    // Every h of query b lies in the span of query b's hardest items: its similarity to q_b is
    // at least the smallest similarity among them (a convex mixture of unit vectors, renormalised).
    const floor = Math.min(...hard[b].map((idx) => ref.dot(q[b], ref.unit(queue[idx]))));
    for (const h of mixed[b]) assert.ok(ref.dot(q[b], h) >= floor - 1e-5, `query ${b} mixed a negative from another query's list`);
  }
});

test('fast (logit-space) and exact paths agree in value and gradient; both equal the float64 reference', () => {
  const [B, K, D, N, s, sp, tau] = [6, 50, 12, 8, 10, 5, 0.2];
  const [q, k, queue] = [mat(B, D), mat(B, D), mat(K, D)];
  const { nested, flat } = draws(B, N, s, sp);
  const run = (path: 'logits' | 'exact') =>
    tf.valueAndGrad((x: tf.Tensor) => mochiLoss(x as tf.Tensor2D, tf.tensor2d(k), tf.tensor2d(queue), { temperature: tau, N, s, sPrime: sp, draws: flat, path }))(tf.tensor2d(q));
  const fast = run('logits');
  const exact = run('exact');
  const expected = refMochi.mochiLoss(q, k, queue, tau, N, nested);
  assertClose(fast.value.dataSync(), [expected], 1e-5, 'fast value');
  assertClose(exact.value.dataSync(), [expected], 1e-5, 'exact value');
  assertClose(fast.grad.dataSync(), exact.grad.dataSync(), 1e-4, 'fast vs exact gradient');
  const numeric = ref.numericGradient((x) => refMochi.mochiLoss(x, k, queue, tau, N, nested, q), q);
  assertClose(fast.grad.dataSync(), numeric.flat(), 1e-4, 'gradient vs finite differences');
});

test('MoCHi with s = s′ = 0 is exactly MoCo InfoNCE', () => {
  const [q, k, queue] = [tf.tensor2d(mat(4, 8)), tf.tensor2d(mat(4, 8)), tf.tensor2d(mat(30, 8))];
  const a = mochiLoss(q, k, queue, { temperature: 0.2, N: 10, s: 0, sPrime: 0 }).dataSync()[0];
  const b = infoNCE(q, k, { temperature: 0.2, negatives: queue }).dataSync()[0];
  assert.equal(a, b);
});

test('every h′ is at least as close to its query as the n_k it mixes; the synthetic points carry no gradient', () => {
  const [B, K, D, N, sp] = [3, 40, 10, 6, 20];
  const [q, queue] = [mat(B, D), mat(K, D)];
  const out = mochi(tf.tensor2d(q), tf.tensor2d(queue), { N, s: 2, sPrime: sp, rng: new Rng(2) });
  const hp = out.queryMixed.arraySync();
  const Q = q.map(ref.unit);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < sp; t++) {
      const nk = ref.unit(queue[out.hardest[b * N + Number(out.draws.k[b * sp + t])]]);
      assert.ok(ref.dot(Q[b], hp[b][t]) >= ref.dot(Q[b], nk) - 1e-6);
    }
  }
  const g = tf.grad((x: tf.Tensor) => tf.sum(mochi(x as tf.Tensor2D, tf.tensor2d(queue), { N, s: 2, sPrime: 2, rng: new Rng(3) }).queryMixed));
  assert.equal(tf.max(tf.abs(g(tf.tensor2d(q)))).dataSync()[0], 0);
});

test('ties rank the lower queue index first; the same seed gives the same mixing', () => {
  const row = [1, 0, 0];
  const queue = tf.tensor2d([[0, 1, 0], row, [0, 0, 1], row, row, [0.9, 0.1, 0]]);
  const q = tf.tensor2d([[1, 0, 0]]);
  assert.deepEqual([...mochi(q, queue, { N: 4, s: 1, sPrime: 1, rng: new Rng(1) }).hardest], [1, 3, 4, 5]);
  const a = mochi(q, queue, { N: 3, s: 5, sPrime: 5, rng: new Rng(9) }).logits.dataSync();
  const b = mochi(q, queue, { N: 3, s: 5, sPrime: 5, rng: new Rng(9) }).logits.dataSync();
  assert.deepEqual(a, b);
});

test('bad input is a clear error naming the argument', () => {
  const q = tf.tensor2d(mat(2, 4));
  const queue = tf.tensor2d(mat(5, 4));
  const k = tf.tensor2d(mat(2, 4));
  assert.throws(() => mochi(q, queue, { N: 6, s: 1, sPrime: 0 }), /mochi: N must be <= the queue size 5, got 6/);
  assert.throws(() => mochi(q, queue, { N: 1, s: 1, sPrime: 0 }), /s > 0 mixes two hard negatives and needs N >= 2/);
  assert.throws(() => mochi(q, queue, { N: 2, s: 1, sPrime: 0, normalize: false }), /query must be unit length/);
  assert.throws(() => mochi(q, queue, { N: 2, s: 1, sPrime: 0, draws: { i: [0, 2], j: [0, 0], alpha: [0.5, 0.5], k: [], beta: [] } }), /draws.i\[1\] must be an integer rank in \[0, 2\), got 2/);
  assert.throws(() => mochi(q, queue, { N: 2, s: 0, sPrime: 1, draws: { i: [], j: [], alpha: [], k: [0, 1], beta: [0.2, 0.7] } }), /draws.beta\[1\] must be in \[0, 0.5\]/);
  assert.throws(() => mochi(q, tf.tensor2d([[NaN, 0, 0, 0]]), { N: 1, s: 0, sPrime: 0 }), /mochi: queue contains NaN or Inf/);
  assert.throws(() => mochiLoss(q, k, queue, { temperature: -1, N: 2, s: 1, sPrime: 1 }), /mochiLoss: temperature must be a number > 0/);
  assert.throws(() => mochi(q, queue, { N: 2.5, s: 1, sPrime: 0 }), /mochi: N must be an integer >= 1, got 2.5/);
});
