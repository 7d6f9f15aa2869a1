import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { installWasmFixes, removeWasmFixes } from '../../src/engine/wasm/fixes.js';
import { on, setup } from '../helpers.js';

before(() => setup('wasm'));

const values = [0, -0, 0.5, -0.3, 2, -7, NaN, Infinity, 1e-30, ...new Rng(12).normalArray(40)];

async function casts(): Promise<[number[][], number[][]]> {
  const f = () => [
    tf.cast(tf.tensor1d(values), 'bool'),
    tf.cast(tf.tensor2d(values.map((v) => (Number.isFinite(v) ? Math.trunc(3 * v) : 1)), [7, 7], 'int32'), 'bool'),
    tf.cast(tf.tensor1d([true, false, true], 'bool'), 'bool'),
    tf.cast(tf.tensor1d([1.7, -1.7, 2.5]), 'int32'),
    tf.cast(tf.tensor1d([3, -2], 'int32'), 'float32'),
  ];
  const w = (await on('wasm', f)).map((a) => Array.from(a));
  const cpu = (await on('cpu', f)).map((a) => Array.from(a));
  return [w, cpu];
}

test('casts to bool on wasm are x ≠ 0 (NaN true, −0 false) as on the cpu backend; stock wasm truncates', async () => {
  const [w, cpu] = await casts();
  assert.deepEqual(w, cpu);
  assert.deepEqual(w[0].slice(0, 9), [0, 0, 1, 1, 1, 1, 1, 1, 1]);
  removeWasmFixes(['cast-to-bool']);
  try {
    const [stock] = await casts();
    assert.notDeepEqual(stock[0], cpu[0]);
  } finally {
    installWasmFixes(['cast-to-bool']);
  }
});
