import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { infoNCE } from '../../src/losses/infoNCE.js';
import { mochiLoss } from '../../src/losses/mochiLoss.js';
import { mochi } from '../../src/negatives/mochi.js';
import { assertClose, nativeSkip, setup } from '../helpers.js';

before(() => setup('wasm'));

interface Case {
  B: number; K: number; D: number; N: number; s: number; sPrime: number; temperature: number;
  query: number[]; key: number[]; queue: number[];
  draws: { i: number[]; j: number[]; alpha: number[]; k: number[]; beta: number[] };
  hardest: number[]; loss: number; grad_query: number[];
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/mochi.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Every fixture case on the active backend. */
function checkFixtures(): void {
  for (const c of fixtures.cases) {
    const q = tf.tensor2d(c.query, [c.B, c.D]);
    const k = tf.tensor2d(c.key, [c.B, c.D]);
    const queue = tf.tensor2d(c.queue, [c.K, c.D]);
    assert.deepEqual([...mochi(q, queue, { N: c.N, s: c.s, sPrime: c.sPrime, draws: c.draws }).hardest], c.hardest);
    for (const path of ['logits', 'exact'] as const) {
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
        mochiLoss(x as tf.Tensor2D, k, queue, { temperature: c.temperature, N: c.N, s: c.s, sPrime: c.sPrime, draws: c.draws, path }),
      )(q);
      assertClose(value.dataSync(), [c.loss], 1e-5, `${path} loss (N=${c.N}, s=${c.s}, s′=${c.sPrime})`);
      assertClose(grad.dataSync(), c.grad_query, 1e-4, `${path} gradient`);
    }
    if (c.s + c.sPrime === 0) {
      assertClose(infoNCE(q, k, { temperature: c.temperature, negatives: queue }).dataSync(), [c.loss], 1e-5, 'infoNCE');
    }
  }
}

test('MoCHi with explicit draws matches PyTorch (paper-style synthetic tensors): hardest lists, loss, gradient, both paths', checkFixtures);

test('on the native backend (selection and n_i·n_j in C) MoCHi matches PyTorch too', { skip: await nativeSkip() }, async () => {
  await tf.setBackend('native');
  try {
    checkFixtures();
  } finally {
    await tf.setBackend('wasm');
  }
});
