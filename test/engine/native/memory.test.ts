import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { axpbyInPlace, momentumInPlace } from '../../../src/engine/native/inPlace.js';
import { poolStats } from '../../../src/engine/native/memory.js';
import { nativeSkip, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

const N = 1000;
/** A fresh native output (a pooled array) of N values. */
const fresh = (v: number) => tf.add(tf.fill([N], v), 0);
/** A variable holding a fresh native output alone (the initial tensor disposed). */
function variable(v: number): tf.Variable {
  const init = fresh(v);
  const out = tf.variable(init);
  init.dispose();
  return out;
}
/** Churns the pool: many outputs of N values, disposed. */
const churn = () => tf.tidy(() => { for (let i = 0; i < 20; i++) fresh(123 + i); });

test('disposed outputs return to the pool and are reused', { skip }, () => {
  const t = fresh(1);
  const before = poolStats().arrays;
  t.dispose();
  assert.equal(poolStats().arrays, before + 1);
  const u = fresh(2);
  assert.equal(poolStats().arrays, before);
  u.dispose();
});

test('arrays read by dataSync, views from slice/split/unstack and clones are never recycled or written in place', { skip }, () => {
  const read = fresh(1);
  const values = read.dataSync();
  read.dispose();
  churn();
  assert.ok(values.every((v) => v === 1), 'an array handed out by dataSync changed after dispose');

  const parent = fresh(2);
  const [view] = tf.split(parent, 2);
  const slice = tf.slice(parent, [0], [N]);
  const [row] = tf.unstack(tf.reshape(parent, [1, N]));
  parent.dispose();
  churn();
  for (const t of [view, slice, row]) assert.ok(t.dataSync().every((v) => v === 2), 'a view changed after its parent was disposed');
  tf.dispose([view, slice, row]);

  const original = variable(3);
  const copy = tf.clone(original);
  assert.equal(axpbyInPlace(original, 2, original, 0), false, 'in place on data shared with a clone');
  copy.dispose();
  assert.equal(axpbyInPlace(original, 2, original, 0), true);
  assert.ok(original.dataSync().every((v) => v === 6));
  assert.equal(axpbyInPlace(original, 2, original, 0), false, 'in place after dataSync handed the array out');
  original.dispose();
});

test('in-place updates compute a·y + b·x and the momentum step (all or none), and refuse tensors of other backends', { skip }, async () => {
  const y = variable(1);
  const x = fresh(4);
  assert.equal(axpbyInPlace(y, 0.5, x, 0.25), true);
  assert.ok(y.dataSync().every((e) => e === 1.5));

  const [a, va, w, v] = [variable(1), variable(0), variable(1), variable(2)];
  const shared = tf.clone(v);
  assert.equal(momentumInPlace([{ w: a, v: va, g: x }, { w, v: shared, g: x }], 0.1, 0.9, false), false, 'one target shared: none written');
  shared.dispose();
  assert.equal(momentumInPlace([{ w: a, v: va, g: x }, { w, v, g: x }], 0.1, 0.9, false), true);
  assert.ok(a.dataSync().every((e) => Math.abs(e - 0.6) < 1e-6), 'written once, not twice'); // v = 0 + 4, a = 1 − 0.4
  assert.ok(v.dataSync().every((e) => Math.abs(e - 5.8) < 1e-6)); // v = 0.9·2 + 4
  assert.ok(w.dataSync().every((e) => Math.abs(e - 0.42) < 1e-6)); // w = 1 − 0.58

  await tf.setBackend('cpu');
  const other = tf.variable(tf.add(tf.fill([N], 1), 0));
  assert.equal(axpbyInPlace(other, 1, other, 1), false);
  other.dispose();
  await tf.setBackend('native');
  tf.dispose([y, x, a, va, w, v]);
});
