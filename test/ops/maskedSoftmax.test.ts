import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { maskedSoftmax } from '../../src/ops/maskedSoftmax.js';
import { assertClose, setup } from '../helpers.js';
import * as ref from '../reference/float64.js';

before(() => setup('wasm'));

const rng = new Rng(51);

test('equals the float64 softmax and log-sum-exp over the kept entries; an empty row gives 0 and −∞', () => {
  for (const scale of [1, 30, 1e4]) {
    const x = ref.randomMatrix(5, 9, () => scale * rng.normal());
    const mask = x.map((row, i) => row.map((_, j) => (i === 4 ? 0 : Number(rng.uniform() < 0.5 || j === i))));
    const { probs, logSumExp } = maskedSoftmax(tf.tensor2d(x), tf.tensor2d(mask));
    const p = probs.arraySync();
    const lse = logSumExp.arraySync().map((r) => r[0]);
    for (let i = 0; i < 4; i++) {
      const kept = x[i].filter((_, j) => mask[i][j] === 1);
      const expected = ref.logSumExp(kept);
      assertClose([lse[i]], [expected], 1e-6, `log-sum-exp row ${i} at scale ${scale}`);
      assertClose(p[i], x[i].map((v, j) => (mask[i][j] === 1 ? Math.exp(v - expected) : 0)), 1e-5, `probs row ${i}`);
    }
    assert.deepEqual(p[4], new Array(9).fill(0));
    assert.equal(lse[4], -Infinity);
  }
});
