/**
 * MoCHi's fused host path (engine/hostKernels.ts: mochiMix, mochiScatterAdd, drawInts/drawUniform)
 * against what it replaced: the logit-space synthetic logits composed from tf ops (one gather of
 * the queue logits, products with host-computed weights), whose gradient TensorFlow.js derived.
 * Values and gradients must agree bit for bit on each backend; C and JavaScript twins agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { drawInts, drawUniform, mochiMix, mochiScatterAdd, pairDots } from '../../src/engine/hostKernels.js';
import { mixJs, scatterAddJs, type MochiMixed } from '../../src/engine/host/mochiMix.js';
import { Rng } from '../../src/engine/random.js';
import { queueInfoNCE } from '../../src/losses/infoNCE.js';
import { mochiExtraLogits } from '../../src/losses/mochiLoss.js';
import { planMochi, type MochiConfig, type MochiPlan } from '../../src/negatives/mochi.js';
import { l2Normalize } from '../../src/ops/normalize.js';
import { stopGradient } from '../../src/ops/stopGradient.js';
import { assertClose, nativeSkip } from '../helpers.js';

const skip = await nativeSkip();

/** The synthetic logits as they were composed before the fused op (tf ops; the gradient is TensorFlow.js's). */
function composedLogits(plan: MochiPlan, neg: tf.Tensor2D, qScaled: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor2D {
  const { B, K, s, sPrime, draws } = plan;
  const [nS, nP] = [B * s, B * sPrime];
  const offsets = new Int32Array(2 * nS + nP);
  const [wA, wB, wQ, wD] = [new Float32Array(nS), new Float32Array(nS), new Float32Array(nP), new Float32Array(nP)];
  for (let x = 0; x < nS; x++) {
    const a = draws.alpha[x];
    const norm = Math.max(Math.sqrt(a * a + (1 - a) * (1 - a) + 2 * a * (1 - a) * plan.c[x]), 1e-12);
    [wA[x], wB[x]] = [a / norm, (1 - a) / norm];
    offsets[x] = Math.floor(x / s) * K + plan.rowI[x];
    offsets[nS + x] = Math.floor(x / s) * K + plan.rowJ[x];
  }
  for (let x = 0; x < nP; x++) {
    const be = draws.beta[x];
    const norm = Math.max(Math.sqrt(be * be + (1 - be) * (1 - be) + 2 * be * (1 - be) * plan.d[x]), 1e-12);
    [wQ[x], wD[x]] = [be / norm, (1 - be) / norm];
    offsets[2 * nS + x] = Math.floor(x / sPrime) * K + plan.rowK[x];
  }
  const owners = tf.tensor1d(Int32Array.from({ length: nP }, (_, x) => Math.floor(x / sPrime)), 'int32');
  const picked = tf.gather(tf.reshape(neg, [B * K]), tf.tensor1d(offsets, 'int32'));
  const parts: tf.Tensor2D[] = [];
  if (s > 0) parts.push(tf.reshape(tf.add(tf.mul(tf.slice(picked, 0, nS), tf.tensor1d(wA)), tf.mul(tf.slice(picked, nS, nS), tf.tensor1d(wB))), [B, s]));
  if (sPrime > 0) {
    const qq = tf.sum(tf.mul(qScaled, stopGradient(q)), 1);
    const mixed = tf.add(tf.mul(tf.gather(qq, owners), tf.tensor1d(wQ)), tf.mul(tf.slice(picked, 2 * nS, nP), tf.tensor1d(wD)));
    parts.push(tf.reshape(mixed, [B, sPrime]));
  }
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D);
}

/** Loss and query gradient of MoCo + MoCHi with the fused op (`fused`) or the composed ops. */
function lossAndGrad(cfg: MochiConfig, x: tf.Tensor2D, keys: tf.Tensor2D, queue: tf.Tensor2D, seed: number, fused: boolean): { loss: number[]; grad: number[] } {
  const tau = 0.2;
  const rows = queue.dataSync() as Float32Array;
  const { value, grads } = tf.variableGrads(() =>
    tf.tidy(() => {
      const q = l2Normalize(tf.matMul(x, tf.eye(x.shape[1])) as tf.Tensor2D);
      const rng = new Rng(seed);
      const extra = fused
        ? mochiExtraLogits(cfg, q, queue, rows, tau, 'logits', rng)
        : (neg: tf.Tensor2D, qs: tf.Tensor2D) => [composedLogits(planMochi(cfg, neg.dataSync() as Float32Array, 1 / tau, rows, neg.shape[0], neg.shape[1], q.shape[1], rng), neg, qs, q)];
      return queueInfoNCE(q, keys, queue, tf.transpose(queue), tau, extra);
    }),
  );
  const out = { loss: [...value.dataSync()], grad: [...Object.values(grads)[0].dataSync()] };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

async function fusedEqualsComposed(backend: string): Promise<void> {
  await initEngine({ backend });
  const rng = new Rng(5);
  const [B, K, D] = [12, 96, 16];
  for (const cfg of [{ N: 20, s: 9, sPrime: 5 }, { N: 8, s: 6, sPrime: 0 }, { N: 8, s: 0, sPrime: 7 }]) {
    const x = tf.variable(tf.tensor2d(rng.normalArray(B * D), [B, D]));
    const keys = l2Normalize(tf.tensor2d(rng.normalArray(B * D), [B, D]));
    const queue = l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D]));
    const fused = lossAndGrad(cfg, x, keys, queue, 9, true);
    const composed = lossAndGrad(cfg, x, keys, queue, 9, false);
    assert.deepEqual(fused.loss, composed.loss, `${backend} ${JSON.stringify(cfg)}: loss`);
    assert.deepEqual(fused.grad, composed.grad, `${backend} ${JSON.stringify(cfg)}: gradient`);
    assert.ok(fused.grad.some((g) => g !== 0));
    tf.dispose([x, keys, queue]);
  }
}

test('wasm: the fused op gives the composed ops\' loss and gradient bit for bit', () => fusedEqualsComposed('wasm'));

test('native: the fused op gives the composed ops\' loss and gradient bit for bit', { skip }, () => fusedEqualsComposed('native'));

test('native: draws in C follow the Rng stream exactly and advance it the same', { skip }, async () => {
  await initEngine({ backend: 'native' });
  const [a, b] = [new Rng(77), new Rng(77)];
  assert.deepEqual([...drawInts(a, 1000, 37)], [...b.intArray(1000, 37)]);
  assert.deepEqual([...drawUniform(a, 1000, 0, 0.5)], [...b.uniformArray(1000, 0, 0.5)]);
  assert.deepEqual([...drawInts(a, 5, 1 << 30)], [...b.intArray(5, 1 << 30)]);
  for (const max of [(1 << 21) - 1, 1 << 21, 1]) assert.deepEqual([...drawInts(a, 500, max)], [...b.intArray(500, max)], `max ${max}`); // the integer and the floating-point rule
  assert.equal(a.nextUint32(), b.nextUint32());
});

test('native: mix and scatter in C equal their JavaScript twins (pair dots to rounding, the rest exactly)', { skip }, async () => {
  await initEngine({ backend: 'native' });
  const rng = new Rng(6);
  const [B, K, N, s, sPrime, D] = [9, 200, 30, 17, 11, 20];
  const unit = (v: Float32Array) => {
    for (let r = 0; r < v.length / D; r++) {
      const n = Math.hypot(...v.subarray(r * D, (r + 1) * D));
      for (let e = r * D; e < (r + 1) * D; e++) v[e] /= n;
    }
    return v;
  };
  const rows = unit(rng.normalArray(K * D));
  const m = {
    B, K, N, s, sPrime, D, scale: 5, rows,
    scores: rng.uniformArray(B * K, -5, 5),
    hardest: rng.intArray(B * N, K),
    i: rng.intArray(B * s, N), j: rng.intArray(B * s, N), alpha: Float64Array.from(rng.uniformArray(B * s)),
    k: rng.intArray(B * sPrime, N), beta: Float64Array.from(rng.uniformArray(B * sPrime, 0, 0.5)),
    qq: rng.uniformArray(B, 4.9, 5),
  };
  const c = mochiMix(m);
  const js: MochiMixed = { ...c, c: new Float32Array(B * s), d: new Float32Array(B * sPrime), wA: new Float32Array(B * s), wB: new Float32Array(B * s), wQ: new Float32Array(B * sPrime), wD: new Float32Array(B * sPrime), logits: new Float32Array(B * (s + sPrime)), rowI: new Int32Array(B * s), rowJ: new Int32Array(B * s), rowK: new Int32Array(B * sPrime) };
  mixJs(m, js);
  for (const key of ['rowI', 'rowJ', 'rowK', 'd', 'wQ', 'wD'] as const) assert.deepEqual([...c[key]], [...js[key]], key);
  for (const key of ['c', 'wA', 'wB', 'logits'] as const) assertClose(c[key], js[key], 1e-6, key);
  assert.deepEqual([...c.c], [...pairDots(rows, D, c.rowI, c.rowJ)], 'the fused dots are the pair-dot kernel\'s, bit for bit');
  const dy = rng.normalArray(B * (s + sPrime));
  // The scatter alone (added to zeros), then added to a gradient already there (−0 included):
  // base + the dense scatter, element by element, in C and in JavaScript.
  const [dense, dqqJs] = [new Float32Array(B * K), new Float32Array(B)];
  scatterAddJs(B, K, s, sPrime, c, dy, dense, dqqJs);
  assert.ok(dense.some((v) => v !== 0));
  const base = rng.normalArray(B * K).map((v, x) => (x % 5 === 0 ? -0 : v));
  const [addC, addJs, dqqAddC, dqqAddJs] = [base.slice(), base.slice(), new Float32Array(B), new Float32Array(B)];
  mochiScatterAdd(B, K, s, sPrime, c, dy, addC, dqqAddC);
  scatterAddJs(B, K, s, sPrime, c, dy, addJs, dqqAddJs);
  const expected = base.map((v, x) => Math.fround(v + dense[x]));
  assert.ok(addC.every((v, x) => Object.is(v, expected[x])), 'C: base + scatter');
  assert.ok(addJs.every((v, x) => Object.is(v, expected[x])), 'JavaScript: base + scatter');
  assert.deepEqual([...dqqAddC], [...dqqJs]);
  assert.deepEqual([...dqqAddJs], [...dqqJs]);
  assert.throws(() => mochiScatterAdd(B, K, s, sPrime, { ...c, rowI: Int32Array.from(c.rowI, () => K) }, dy, addC, dqqAddC), /queue row is out of range/);
  assert.throws(() => mochiMix({ ...m, hardest: Int32Array.from(m.hardest, () => K) }), /hardest index is out of range/);
});
