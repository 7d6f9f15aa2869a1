import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/engine/random.js';
import { assertClose, nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

async function sameAsCpu(f: () => tf.Tensor | tf.Tensor[], what: string): Promise<void> {
  const native = await on('native', f);
  const cpu = await on('cpu', f);
  assert.equal(native.length, cpu.length, `${what}: outputs`);
  native.forEach((v, i) => assertClose(v, cpu[i], 1e-6, `${what} (output ${i})`));
}

test('GatherV2 equals the cpu kernel on every axis, with batch dims, and empty indices; a bad index is an error', { skip }, async () => {
  const rng = new Rng(1);
  const x = randn(rng, 4 * 5 * 6);
  const cases: { axis: number; batchDims: number; idx: number[]; idxShape: number[] }[] = [
    { axis: 0, batchDims: 0, idx: [3, 0, 0, 2], idxShape: [4] },
    { axis: 1, batchDims: 0, idx: [4, 1, 1, 0, 2, 3], idxShape: [2, 3] },
    { axis: 2, batchDims: 0, idx: [5, 0], idxShape: [2] },
    { axis: 1, batchDims: 1, idx: [0, 4, 1, 1, 2, 3, 4, 4], idxShape: [4, 2] },
    { axis: 2, batchDims: 1, idx: [5, 0, 1, 2], idxShape: [4, 1] },
    { axis: 0, batchDims: 0, idx: [], idxShape: [0] },
  ];
  for (const c of cases) {
    await sameAsCpu(() => tf.gather(tf.tensor3d(x, [4, 5, 6]), tf.tensor(c.idx, c.idxShape, 'int32'), c.axis, c.batchDims), `gather axis ${c.axis} batchDims ${c.batchDims}`);
  }
  assert.throws(() => tf.gather(tf.tensor2d(x.slice(0, 6), [3, 2]), tf.tensor1d([3], 'int32')), /GatherV2: the index value 3 is not in \[0, 2\]/);
});

test('UnsortedSegmentSum (the gradient of gather) equals the cpu kernel, repeated and dropped ids included', { skip }, async () => {
  const rng = new Rng(2);
  const x = randn(rng, 7 * 3);
  const ids = [2, 0, 2, 5, 9, 0, 2]; // 9 is outside [0, 6): dropped, as on cpu
  await sameAsCpu(() => tf.unsortedSegmentSum(tf.tensor2d(x, [7, 3]), tf.tensor1d(ids, 'int32'), 6), 'unsortedSegmentSum');
  await sameAsCpu(() => tf.unsortedSegmentSum(tf.tensor1d(x.slice(0, 7)), tf.tensor1d(ids, 'int32'), 10), 'unsortedSegmentSum 1-D');
  const table = randn(rng, 10 * 4);
  await sameAsCpu(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 1, 8, 3], 'int32')))))(tf.tensor2d(table, [10, 4])), 'gradient of a gather');
});

test('Slice, SplitV and PadV2 equal the cpu kernels (contiguous and strided, every rank, empty pieces)', { skip }, async () => {
  const rng = new Rng(3);
  const x = randn(rng, 3 * 4 * 5 * 2);
  const x4 = () => tf.tensor4d(x, [3, 4, 5, 2]);
  const slices: [number[], number[]][] = [
    [[0, 1, 0, 0], [3, 2, 5, 2]], [[1, 0, 2, 1], [2, 4, 3, 1]], [[0, 0, 0, 0], [1, 4, 5, 2]], [[2, 3, 4, 1], [1, 1, 1, 1]], [[0, 0, 1, 0], [3, 4, 0, 2]],
  ];
  for (const [b, s] of slices) await sameAsCpu(() => tf.slice(x4(), b, s), `slice [${b}] [${s}]`);
  await sameAsCpu(() => tf.slice(tf.tensor2d(x.slice(0, 24), [4, 6]), [1, 2], [2, 3]), 'slice 2-D');
  for (const axis of [0, 1, 2, 3]) await sameAsCpu(() => tf.split(x4(), [1, -1], axis), `split axis ${axis}`);
  await sameAsCpu(() => tf.split(x4(), 5, 2), 'split into 5 along axis 2');
  await sameAsCpu(() => tf.split(tf.tensor2d(x.slice(0, 24), [4, 6]), [2, 0, 4], 1), 'split with an empty piece');
  const pads: [number, number][][] = [[[1, 2], [0, 0], [3, 0], [1, 1]], [[0, 0], [0, 0], [0, 0], [0, 0]], [[2, 2], [1, 1], [0, 0], [0, 0]]];
  for (const p of pads) await sameAsCpu(() => tf.pad(x4(), p, 0.5), `pad ${JSON.stringify(p)}`);
  await sameAsCpu(() => tf.pad(tf.tensor1d(x.slice(0, 5)), [[3, 1]]), 'pad 1-D');
  const [av, bv] = [randn(rng, 6 * 4), randn(rng, 6 * 3)];
  await sameAsCpu(
    () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.slice(tf.concat([a, b], 1), [1, 2], [4, 4]))))([tf.tensor2d(av, [6, 4]), tf.tensor2d(bv, [6, 3])]),
    'gradients through concat and slice (split and pad)',
  );
});
