import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/engine/random.js';
import { planBroadcast } from '../../../src/engine/native/elementwise.js';
import { assertClose, nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Same NaNs and infinities at the same places, the finite values to 1e-4 relative. */
function assertSame(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const finite: [number[], number[]] = [[], []];
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(expected[i])) {
      finite[0].push(actual[i]);
      finite[1].push(expected[i]);
    } else {
      assert.ok(Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i])), `${what}: [${i}] is ${actual[i]}, expected ${expected[i]}`);
    }
  }
  assertClose(finite[0], finite[1], 1e-4, what);
}

async function sameAsCpu(f: () => tf.Tensor, what: string): Promise<void> {
  const [native] = await on('native', f);
  const [cpu] = await on('cpu', f);
  assertSame(native, cpu, what);
}

const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, 90, -90, 1e30];

test('unary kernels equal the cpu kernels, NaN and infinities included', { skip }, async () => {
  const rng = new Rng(1);
  const values = Float32Array.from([...randn(rng, 61).map((v) => 4 * v), ...specials]);
  const positive = values.map(Math.abs);
  const ops: [string, (x: tf.Tensor) => tf.Tensor, Float32Array][] = [
    ['exp', tf.exp, values], ['log', tf.log, positive], ['neg', tf.neg, values], ['sqrt', tf.sqrt, positive],
    ['square', tf.square, values], ['relu', tf.relu, values], ['step', (x) => tf.step(x, 0.25), values], ['abs', tf.abs, values],
    ['rsqrt', tf.rsqrt, positive], ['reciprocal', tf.reciprocal, values], ['sigmoid', tf.sigmoid, values], ['tanh', tf.tanh, values],
  ];
  for (const [name, op, input] of ops) {
    for (const shape of [[70], [7, 10], [0, 3]]) {
      await sameAsCpu(() => op(tf.tensor(input.slice(0, size(shape)), shape)), `${name} [${shape}]`);
    }
  }
});

const broadcasts: [number[], number[]][] = [
  [[5, 7], [5, 7]], // full
  [[5, 7], []], // scalar
  [[], [5, 7]],
  [[5, 7], [7]], // one row repeated
  [[7], [5, 7]],
  [[5, 7], [5, 1]], // one value per row
  [[5, 1], [1, 7]], // outer
  [[2, 3, 4], [3, 4]],
  [[2, 3, 4], [2, 3, 1]],
  [[2, 3, 4], [2, 1, 1]],
  [[2, 3, 4], [1, 3, 1]], // no plain layout: the stock kernel
  [[0, 3], [3]], // empty
  [[1], [1]],
];

test('binary kernels equal the cpu kernels on every broadcast layout (and the stock fallback)', { skip }, async () => {
  const rng = new Rng(2);
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
  ];
  for (const [name, op] of ops) {
    for (const [as, bs] of broadcasts) {
      const [av, bv] = [randn(rng, size(as)), randn(rng, size(bs))];
      if (av.length > 3) av.set([NaN, Infinity, 0], 0);
      await sameAsCpu(() => op(tf.tensor(av, as), tf.tensor(bv, bs)), `${name} [${as}] [${bs}]`);
    }
  }
  await sameAsCpu(() => tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')), 'int32 add');
});

test('planBroadcast finds the [rows, cols] layout of each operand, or none', { skip }, () => {
  assert.deepEqual(planBroadcast([2, 3, 4], [3, 4]), { shape: [2, 3, 4], rows: 2, cols: 12, a: 0, b: 1 });
  assert.deepEqual(planBroadcast([5, 1], [1, 7]), { shape: [5, 7], rows: 5, cols: 7, a: 2, b: 1 });
  assert.deepEqual(planBroadcast([6], []), { shape: [6], rows: 1, cols: 6, a: 0, b: 3 });
  assert.equal(planBroadcast([2, 3, 4], [1, 3, 1]), undefined);
});

test('reductions over leading or trailing axes equal the cpu kernels; other axes use the stock kernel', { skip }, async () => {
  const rng = new Rng(3);
  const x = randn(rng, 3 * 4 * 5);
  const withNaN = Float32Array.from(x);
  withNaN[7] = NaN;
  const axes: (number | number[] | undefined)[] = [-1, 2, [1, 2], 0, [0, 1], 1, [0, 2], undefined];
  const ops: [string, (t: tf.Tensor, axis: number | number[] | undefined, keep: boolean) => tf.Tensor][] = [
    ['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min],
  ];
  for (const [name, op] of ops) {
    for (const axis of axes) {
      for (const keep of [false, true]) {
        for (const [label, v] of [['', x], [' with a NaN', withNaN]] as const) {
          await sameAsCpu(() => op(tf.tensor3d(v, [3, 4, 5]), axis, keep), `${name} axis ${JSON.stringify(axis)} keepDims ${keep}${label}`);
        }
      }
    }
    await sameAsCpu(() => op(tf.zeros([0, 3]), 1, false), `${name} of an empty tensor`);
  }
});

test('large tensors, split across two threads, equal the cpu kernels', { skip }, async () => {
  const { initEngine } = await import('../../../src/engine/backend.js');
  await initEngine({ backend: 'native', threads: 2 });
  const rng = new Rng(5);
  const [rows, cols] = [301, 1009];
  const x = randn(rng, rows * cols);
  const y = randn(rng, rows * cols);
  const col = randn(rng, rows);
  const X = () => tf.tensor2d(x, [rows, cols]);
  await sameAsCpu(() => tf.exp(X()), 'exp');
  await sameAsCpu(() => tf.mul(X(), tf.tensor2d(y, [rows, cols])), 'mul');
  await sameAsCpu(() => tf.sub(X(), tf.tensor2d(col, [rows, 1])), 'sub a column');
  await sameAsCpu(() => tf.softmax(X()), 'softmax');
  for (const op of [tf.sum, tf.max, tf.min, tf.mean]) {
    await sameAsCpu(() => op(X(), 1), `${op.name} of rows`);
    await sameAsCpu(() => op(X(), 0), `${op.name} of columns`);
  }
  await initEngine({ backend: 'native' });
});

test('softmax and the fused softmax + log-sum-exp equal the cpu backend', { skip }, async () => {
  const rng = new Rng(4);
  const { softmaxLse } = await import('../../../src/engine/fused.js');
  for (const shape of [[5, 7], [2, 3, 9], [1, 1], [3, 33]]) {
    const v = randn(rng, size(shape)).map((t) => 10 * t);
    if (v.length > 7) v[3] = -Infinity;
    await sameAsCpu(() => tf.softmax(tf.tensor(v, shape)), `softmax [${shape}]`);
    const [probs, lse] = await on('native', () => { const r = softmaxLse(tf.tensor(v, shape)); return [r.probs, r.lse]; });
    const [probsCpu, lseCpu] = await on('cpu', () => [tf.softmax(tf.tensor(v, shape)), tf.logSumExp(tf.tensor(v, shape), -1, true)]);
    assertSame(probs, probsCpu, `softmaxLse probs [${shape}]`);
    assertSame(lse, lseCpu, `softmaxLse lse [${shape}]`);
  }
  await sameAsCpu(() => tf.softmax(tf.tensor2d([1, NaN, 2, 3, 4, 5], [2, 3])), 'softmax with a NaN');
  const [emptyProbs, emptyLse] = await on('native', () => { const r = softmaxLse(tf.zeros([3, 0])); return [r.probs, r.lse]; });
  assert.deepEqual([emptyProbs.length, Array.from(emptyLse)], [0, [-Infinity, -Infinity, -Infinity]]);
  const [intProbs] = await on('native', () => softmaxLse(tf.cast(tf.tensor1d([1, 2, 3], 'int32'), 'float32')).probs);
  assertSame(intProbs, (await on('cpu', () => tf.softmax(tf.tensor1d([1, 2, 3]))))[0], 'softmaxLse of a cast int tensor');
});
