import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorJitter, drawJitter } from '../../../src/data/augment/colorJitter.js';
import { Rng } from '../../../src/engine/random.js';

const scripted = (...u: number[]) => ({ uniform: () => u.shift() ?? NaN }) as unknown as Rng;
const grey = (data: number[], height = 1, width = data.length) => ({ data: Float32Array.from(data), height, width, channels: 1 });

test('zero strength is the identity', () => {
  const img = grey(Array.from(new Rng(1).uniformArray(20)));
  assert.deepEqual(Array.from(colorJitter(img, new Rng(2), { brightness: 0, contrast: 0 }).data), Array.from(img.data));
});

test('brightness then contrast, clamped: a hand-computed grey case', () => {
  // b = 1.5: [0, 0.375, 0.75, min(1.5, 1) = 1], mean 0.53125; c = 1.5: 1.5·x − 0.5·0.53125, clamped
  const out = colorJitter(grey([0, 0.25, 0.5, 1]), scripted(1, 1), { brightness: 0.5, contrast: 0.5 });
  assert.deepEqual(Array.from(out.data), [0, 0.296875, 0.859375, 1]);
  // b = 0.5 (u = 0), contrast off (c = 1)
  assert.deepEqual(Array.from(colorJitter(grey([0.5, 1]), scripted(0, 0.5), { brightness: 0.5, contrast: 0 }).data), [0.25, 0.5]);
});

test('RGB contrast blends towards the mean luma', () => {
  // one red and one white pixel; luma 0.299 and 1, mean m = 0.6495; c = 0.5: 0.5·x + 0.5·m
  const img = { data: Float32Array.of(1, 0, 0, 1, 1, 1), height: 1, width: 2, channels: 3 };
  const out = colorJitter(img, scripted(0.5, 0), { brightness: 0.4, contrast: 0.5 });
  const m = (0.299 + 1) / 2;
  assert.deepEqual(Array.from(out.data), [0.5 + m / 2, m / 2, m / 2, 0.5 + m / 2, 0.5 + m / 2, 0.5 + m / 2].map(Math.fround));
});

test('factors lie in [max(0, 1 − s), 1 + s]; outputs stay in [0, 1]; seeded', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 1000; i++) {
    const [b, c] = drawJitter(rng, { brightness: 0.4, contrast: 2 });
    assert.ok(b >= 0.6 && b <= 1.4 && c >= 0 && c <= 3, `${b} ${c}`);
  }
  const img = grey(Array.from(new Rng(3).uniformArray(64)), 8, 8);
  const a = colorJitter(img, new Rng(7), { brightness: 0.8, contrast: 0.8 });
  assert.deepEqual(Array.from(a.data), Array.from(colorJitter(img, new Rng(7), { brightness: 0.8, contrast: 0.8 }).data));
  assert.ok(a.data.every((v) => v >= 0 && v <= 1));
});
