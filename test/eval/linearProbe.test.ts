import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/random.js';
import { linearProbe } from '../../src/eval/linearProbe.js';
import { setup } from '../helpers.js';

before(() => setup('wasm'));

test('separable classes are learned perfectly; features of pure noise score near chance', () => {
  const rng = new Rng(71);
  const make = (n: number, signal: number) => {
    const labels = Array.from({ length: n }, () => rng.int(4));
    const x = labels.map((c) => Array.from({ length: 6 }, (_, d) => (d === c ? signal : 0) + rng.normal()));
    return { x: tf.tensor2d(x), labels };
  };
  const [tr, te] = [make(400, 6), make(200, 6)];
  const clean = linearProbe(tr.x, tr.labels, te.x, te.labels, { epochs: 100 });
  assert.ok(clean.top1 > 0.97, `separable: ${clean.top1}`);
  const [ntr, nte] = [make(400, 0), make(400, 0)];
  const noise = linearProbe(ntr.x, ntr.labels, nte.x, nte.labels, { epochs: 100 });
  assert.ok(noise.top1 < 0.4, `noise: ${noise.top1}`);
});

test('bad input names the argument', () => {
  const x = tf.zeros([3, 2]) as tf.Tensor2D;
  assert.throws(() => linearProbe(x, [0, 1], x, [0, 1, 0]), /linearProbe: train must have shape \[2, \*\]/);
  assert.throws(() => linearProbe(x, [0, 0, 0], x, [0, 0, 0]), /needs at least 2 classes/);
});
