import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/engine/random.js';
import { assertClose, nativeSkip, on, randn, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** [a shape, b shape] as multiplied, before the transposes are applied to them. */
const shapes: [number[], number[]][] = [
  [[7, 5], [5, 4]],
  [[1, 1], [1, 1]],
  [[64, 33], [33, 17]],
  [[3, 6, 5], [3, 5, 4]], // batch
  [[1, 6, 5], [4, 5, 3]], // a broadcast over b's batch
  [[4, 6, 5], [5, 3]], // b (rank 2) broadcast over a's batch
  [[2, 3, 5, 6], [2, 3, 6, 4]], // rank 4
  [[3, 1, 4, 5], [1, 2, 5, 2]], // both broadcast: [3, 2] batch
  [[2, 1, 3, 4, 5], [2, 3, 1, 5, 2]], // rank 5, broadcasts in two dims
  [[0, 5], [5, 4]], // empty M
  [[3, 0], [0, 4]], // empty K: zeros
  [[2, 3, 5], [2, 5, 0]], // empty N
  [[0, 3, 5], [5, 4]], // empty batch
];

/**
 * The cpu kernel, with the batch broadcast made explicit first (the stock kernel indexes batches
 * modulo each operand's batch size, which is wrong when both operands broadcast, e.g. [3, 1] with
 * [1, 2], and returns one batch for an empty batch).
 */
function cpuReference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (size(batch) === 0) return tf.zeros([0]);
  const full = (t: tf.Tensor) => tf.broadcastTo(t, [...batch, ...t.shape.slice(-2)]);
  return tf.matMul(full(a), full(b), ta, tb);
}

/** The shape holding `rows × cols` as its last two axes, stored transposed when `t`. */
const stored = (shape: number[], t: boolean) => (t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);

for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
  test(`BatchMatMul (transposeA=${ta}, transposeB=${tb}) equals the cpu kernel on batched, broadcast, odd and empty shapes`, { skip }, async () => {
    const rng = new Rng(1);
    for (const [as, bs] of shapes) {
      const [sa, sb] = [stored(as, ta), stored(bs, tb)];
      const [av, bv] = [randn(rng, size(sa)), randn(rng, size(sb))];
      const [native] = await on('native', () => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb), ta, tb));
      const [cpu] = await on('cpu', () => cpuReference(tf.tensor(av, sa), tf.tensor(bv, sb), ta, tb));
      assertClose(native, cpu, 1e-4, `[${sa}]·[${sb}]`);
    }
  });
}

test('_FusedMatMul with every transpose, bias shape and activation equals the cpu kernel', { skip }, async () => {
  const rng = new Rng(2);
  const cases: { a: number[]; b: number[]; bias?: number[]; activation: tf.fused.Activation }[] = [
    { a: [6, 5], b: [5, 4], bias: [4], activation: 'relu' },
    { a: [6, 5], b: [5, 4], bias: [1], activation: 'linear' },
    { a: [2, 6, 5], b: [2, 5, 4], bias: [6, 4], activation: 'elu' }, // bias that is not a row: stock Add
    { a: [6, 5], b: [5, 4], activation: 'sigmoid' },
    { a: [6, 5], b: [5, 4], bias: [4], activation: 'relu6' },
    { a: [6, 5], b: [5, 4], bias: [4], activation: 'leakyrelu' },
    { a: [6, 5], b: [5, 4], bias: [4], activation: 'prelu' },
  ];
  for (const c of cases) {
    for (const [ta, tb] of [[false, false], [true, true]]) {
      const [sa, sb] = [stored(c.a, ta), stored(c.b, tb)];
      const [av, bv] = [randn(rng, size(sa)), randn(rng, size(sb))];
      const biasValues = c.bias && randn(rng, size(c.bias));
      const alpha = randn(rng, 4);
      const f = () =>
        tf.fused.matMul({
          a: tf.tensor(av, sa), b: tf.tensor(bv, sb), transposeA: ta, transposeB: tb,
          bias: biasValues && tf.tensor(biasValues, c.bias), activation: c.activation,
          preluActivationWeights: c.activation === 'prelu' ? tf.tensor1d(alpha) : undefined, leakyreluAlpha: 0.3,
        });
      assertClose((await on('native', f))[0], (await on('cpu', f))[0], 1e-4, `${c.activation} [${sa}]·[${sb}]`);
    }
  }
});

test('dense layer gradients (the transposed products of backpropagation) equal the cpu backend', { skip }, async () => {
  const rng = new Rng(3);
  const [xv, wv, bv] = [randn(rng, 9 * 13), randn(rng, 13 * 7), randn(rng, 7)];
  const f = () => {
    const x = tf.tensor2d(xv, [9, 13]);
    const loss = (w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b, activation: 'relu' })));
    return tf.grads(loss)([tf.tensor2d(wv, [13, 7]), tf.tensor1d(bv)]);
  };
  const native = await on('native', f);
  const cpu = await on('cpu', f);
  native.forEach((g, i) => assertClose(g, cpu[i], 1e-4, `gradient ${i}`));
});

test('int32 products fall back to the stock kernel', { skip }, async () => {
  const f = () => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32'));
  assert.deepEqual(Array.from((await on('native', f))[0]), [19, 22, 43, 50]);
});

