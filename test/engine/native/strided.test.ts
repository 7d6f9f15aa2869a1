import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resetStockFallbacks, stockFallbacks } from '../../../src/engine/native/kernelCall.js';
import { stridedBroadcast, stridedReduction } from '../../../src/engine/native/strided.js';
import { Rng } from '../../../src/engine/random.js';
import { assertClose, nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Runs f on native (asserting that no native kernel handed its call to a stock one) and on cpu. */
async function nativeAndCpu(f: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  resetStockFallbacks();
  const native = await on('native', f);
  assert.deepEqual([...stockFallbacks()], [], 'a native kernel fell back to its stock twin');
  return [native, await on('cpu', f)];
}

/** The same NaNs and infinities at the same places, the finite values to `tol` relative. */
function assertMatches(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const finite = (_: number, i: number) => Number.isFinite(expected[i]);
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(expected[i])) assert.ok(Object.is(actual[i], expected[i]), `${what}: [${i}] is ${actual[i]}, expected ${expected[i]}`);
  }
  assertClose(actual.filter(finite), expected.filter(finite), tol, what);
}

/** A random shape of rank 1–5 (sides 1–5) and, for an operand, the same with random sides set to 1 and leading axes dropped. */
function randomShapes(rng: Rng): [number[], number[]] {
  const out = Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(5));
  const operand = out.slice(rng.int(out.length)).map((d) => (rng.uniform() < 0.4 ? 1 : d));
  return rng.uniform() < 0.5 ? [out, operand] : [operand, out];
}

test('stridedBroadcast merges the axes both operands walk alike (NHWC by [C], by [G, 1, 1, C], outer products)', () => {
  const nhwc = stridedBroadcast([8, 5, 5, 16], [16])!;
  assert.deepEqual([...nhwc.view, ...nhwc.aStrides, ...nhwc.bStrides], [200, 16, 16, 1, 0, 1]);
  const groups = stridedBroadcast([4, 2, 9, 16], [4, 1, 1, 16])!;
  assert.deepEqual([[...groups.view], [...groups.aStrides], [...groups.bStrides]], [[4, 18, 16], [288, 16, 1], [16, 0, 1]]);
  const outer = stridedBroadcast([3, 1], [1, 5])!;
  assert.deepEqual([[...outer.view], [...outer.aStrides], [...outer.bStrides]], [[3, 5], [1, 0], [0, 1]]);
  assert.deepEqual([...stridedBroadcast([1, 1], [1])!.view], [1]);
  const reduction = stridedReduction([8, 5, 5, 16], [1, 2])!;
  assert.deepEqual([[...reduction.view], [...reduction.reduced]], [[8, 25, 16], [0, 1, 0]]);
  assert.deepEqual([...stridedReduction([2, 1, 3, 4], [0, 1, 3])!.reduced], [1, 0, 1]);
});

test('binary kernels equal the cpu kernels on 60 random broadcast patterns, natively', { skip }, async () => {
  const rng = new Rng(11);
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
  ];
  for (let trial = 0; trial < 60; trial++) {
    const [as, bs] = randomShapes(rng);
    const [name, op] = ops[trial % ops.length];
    const [av, bv] = [randn(rng, size(as)), randn(rng, size(bs)).map((v) => v + 3)];
    if (av.length > 2) av.set([NaN, -Infinity], 0);
    const [[native], [cpu]] = await nativeAndCpu(() => op(tf.tensor(av, as), tf.tensor(bv, bs)));
    assert.equal(native.length, cpu.length);
    for (let i = 0; i < cpu.length; i++) {
      const ok = Number.isFinite(cpu[i]) ? Math.abs(native[i] - cpu[i]) <= 1e-5 * Math.max(1, Math.abs(cpu[i])) : Object.is(native[i], cpu[i]) || (Number.isNaN(native[i]) && Number.isNaN(cpu[i]));
      assert.ok(ok, `${name} [${as}] [${bs}] at ${i}: ${native[i]} vs ${cpu[i]}`);
    }
  }
});

test('Sum, Mean, Max and Min over random axes (any subset, keepDims or not) equal the cpu kernels, natively', { skip }, async () => {
  const rng = new Rng(12);
  const ops: [string, (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor][] = [
    ['sum', (x, a, k) => tf.sum(x, a, k)], ['mean', (x, a, k) => tf.mean(x, a, k)], ['max', (x, a, k) => tf.max(x, a, k)], ['min', (x, a, k) => tf.min(x, a, k)],
  ];
  for (let trial = 0; trial < 48; trial++) {
    const shape = Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(6));
    const axes = shape.map((_, i) => i).filter(() => rng.uniform() < 0.5);
    if (axes.length === 0) axes.push(rng.int(shape.length));
    const [name, op] = ops[trial % ops.length];
    const values = randn(rng, size(shape));
    if (trial % 8 === 3) values[rng.int(values.length)] = NaN;
    const [[native], [cpu]] = await nativeAndCpu(() => op(tf.tensor(values, shape), axes, trial % 2 === 0));
    assertMatches(native, cpu, 1e-5, `${name} [${shape}] axes ${axes}`);
  }
  // Global average pooling of a 4-D batch and the two-thread split over the first axis.
  const big = randn(rng, 64 * 9 * 9 * 33);
  const [[gap], [gapCpu]] = await nativeAndCpu(() => tf.mean(tf.tensor4d(big, [64, 9, 9, 33]), [1, 2]));
  assertClose(gap, gapCpu, 1e-5, 'mean over H, W');
});

test('AvgPool, MaxPool and their gradients equal the cpu kernels (strides, padding, ties), natively', { skip }, async () => {
  const rng = new Rng(13);
  const cases: { x: [number, number, number, number]; filter: number | [number, number]; stride: number | [number, number]; pad: 'valid' | 'same' | number }[] = [
    { x: [3, 8, 8, 5], filter: 2, stride: 2, pad: 'valid' },
    { x: [2, 7, 9, 3], filter: 3, stride: 2, pad: 'same' },
    { x: [2, 6, 5, 4], filter: [2, 3], stride: [1, 2], pad: 1 },
    { x: [4, 10, 1, 16], filter: [10, 1], stride: [10, 1], pad: 'valid' },
    { x: [1, 5, 5, 2], filter: 3, stride: 1, pad: 'same' },
    { x: [40, 12, 12, 8], filter: 2, stride: 2, pad: 'valid' }, // images split over two threads
  ];
  for (const c of cases) {
    const xv = randn(rng, size(c.x));
    for (let i = 0; i < xv.length; i += 7) xv[i] = xv[i + 1 < xv.length ? i + 1 : i]; // ties for the max gradient
    for (const kind of ['avg', 'max'] as const) {
      const pool = (x: tf.Tensor4D) => (kind === 'avg' ? tf.avgPool(x, c.filter, c.stride, c.pad) : tf.maxPool(x, c.filter, c.stride, c.pad));
      const run = () => {
        const x = tf.tensor4d(xv, c.x);
        const y = pool(x);
        const dy = tf.tensor(randn(new Rng(y.size), y.size), y.shape);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x);
        return [y, dx];
      };
      const [native, cpu] = await nativeAndCpu(run);
      ['y', 'dx'].forEach((what, i) => assertMatches(native[i], cpu[i], 1e-5, `${kind}Pool ${what} x [${c.x}] filter ${c.filter} stride ${c.stride} pad ${c.pad}`));
    }
  }
});

test('Concat, Cast to float32 and comparisons equal the cpu kernels, natively', { skip }, async () => {
  const rng = new Rng(14);
  for (const axis of [0, 1, 2, -1]) {
    const shapes = [0, 1, 2].map((k) => [3, 4, 2].map((d, i) => (i === (axis + 3) % 3 ? d + k : d)));
    const values = shapes.map((shape) => randn(rng, size(shape)));
    const [[native], [cpu]] = await nativeAndCpu(() => tf.concat(values.map((v, k) => tf.tensor(v, shapes[k])), axis));
    assertClose(native, cpu, 0, `concat axis ${axis}`);
  }
  const ints = Int32Array.from(randn(rng, 12).map((v) => Math.round(5 * v)));
  const [[castNative], [castCpu]] = await nativeAndCpu(() => tf.mul(tf.cast(tf.tensor(ints, [3, 4], 'int32'), 'float32'), tf.tensor1d([1, 2, 3, 4])));
  assertClose(castNative, castCpu, 0, 'int32 cast to float32, then a native product');
  const x = randn(rng, 24);
  x[5] = NaN;
  const comparisons = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.equal, tf.notEqual];
  for (const other of [[4], [6, 1], [6, 4], []]) {
    const y = randn(rng, size(other));
    y[0] = x[0]; // one tie
    for (const [i, cmp] of comparisons.entries()) {
      const [[native], [cpu]] = await nativeAndCpu(() => tf.cast(cmp(tf.tensor(x, [6, 4]), tf.tensor(y, other)), 'float32'));
      assert.deepEqual([...native], [...cpu], `comparison ${i} against [${other}]`);
    }
  }
});
