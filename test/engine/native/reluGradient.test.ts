import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/engine/random.js';
import { nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 90, -90];

/** Values of x and dy that cover every case of dy·step(x): each special x against each special dy, then random pairs. */
function inputs(): { x: Float32Array; dy: Float32Array } {
  const rng = new Rng(3);
  const pairs = specials.flatMap((x) => specials.map((dy) => [x, dy]));
  const random = randn(rng, 2 * 1000);
  const x = Float32Array.from([...pairs.map((p) => p[0]), ...random.slice(0, 1000)]);
  const dy = Float32Array.from([...pairs.map((p) => p[1]), ...random.slice(1000)]);
  return { x, dy };
}

/** The gradient of Σ dy·relu(x) with respect to x, by tf.grad on the active backend. */
const reluGradient = (x: Float32Array, dy: Float32Array, shape: number[]) => () =>
  tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(dy, shape))))(tf.tensor(x, shape));

test('ReLU gradient on native is the fused kernel and equals the stock Step·Cast·Multiply on cpu bit for bit', { skip }, async () => {
  const { x, dy } = inputs();
  for (const shape of [[x.length], [47, 23]]) { // 1,081 = 47·23
    const [native] = await on('native', reluGradient(x, dy, shape));
    const [cpu] = await on('cpu', reluGradient(x, dy, shape));
    assert.equal(native.length, cpu.length);
    for (let i = 0; i < cpu.length; i++) {
      assert.ok(Object.is(native[i], cpu[i]) || (Number.isNaN(native[i]) && Number.isNaN(cpu[i])), `[${i}] x=${x[i]} dy=${dy[i]}: native ${native[i]}, cpu ${cpu[i]}`);
    }
  }
  await tf.setBackend('native');
  const kernels = (await tf.profile(() => reluGradient(x, dy, [x.length])())).kernelNames;
  assert.ok(kernels.includes('HardnegReluGrad'), `kernels: ${kernels.join(', ')}`);
  assert.ok(!kernels.includes('Step'), `the stock Step ran: ${kernels.join(', ')}`);
});
