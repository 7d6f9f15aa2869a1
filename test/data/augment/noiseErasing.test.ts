import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawErasingBox, fillBox, randomErasing } from '../../../src/data/augment/erasing.js';
import { gaussianNoise } from '../../../src/data/augment/noise.js';
import { Rng } from '../../../src/engine/random.js';

const random = (h: number, w: number, c = 1, seed = 1) => ({ data: new Rng(seed).uniformArray(h * w * c), height: h, width: w, channels: c });

test('noise: std 0 is the identity; otherwise x + std·z from the seed, clamped to [0, 1]', () => {
  const img = random(6, 6);
  assert.deepEqual(Array.from(gaussianNoise(img, new Rng(1), { std: 0 }).data), Array.from(img.data));
  const half = { data: new Float32Array(16).fill(0.5), height: 4, width: 4, channels: 1 };
  const z = new Rng(7);
  assert.deepEqual(Array.from(gaussianNoise(half, new Rng(7), { std: 0.01 }).data), Array.from({ length: 16 }, () => Math.fround(0.5 + 0.01 * z.normal())));
  const loud = gaussianNoise(img, new Rng(2), { std: 5 });
  assert.ok(loud.data.every((v) => v >= 0 && v <= 1) && loud.data.some((v) => v === 0) && loud.data.some((v) => v === 1));
});

test('fillBox fills exactly the rectangle in every channel', () => {
  const data = new Float32Array(4 * 5 * 2).fill(1);
  fillBox(data, 0, 5, 2, { top: 1, left: 2, height: 2, width: 3 }, 0.25);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 5; x++) {
      const inside = y >= 1 && y < 3 && x >= 2 && x < 5;
      for (let ch = 0; ch < 2; ch++) assert.equal(data[(y * 5 + x) * 2 + ch], inside ? 0.25 : 1, `(${y}, ${x}, ${ch})`);
    }
  }
});

test('random erasing fills the drawn box and nothing else; scale 0 is the identity', () => {
  const img = random(28, 28, 1, 5);
  const options = { scale: [0.02, 0.33] as [number, number], ratio: [0.3, 3.3] as [number, number], value: 0.5 };
  for (const seed of [1, 2, 3]) {
    const box = drawErasingBox(new Rng(seed), 28, 28, options);
    if (box === null) throw new Error('no box drawn');
    assert.ok(box.height < 28 && box.width < 28 && box.top + box.height <= 28 && box.left + box.width <= 28);
    const out = randomErasing(img, new Rng(seed), options);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const inside: boolean = y >= box.top && y < box.top + box.height && x >= box.left && x < box.left + box.width;
        assert.equal(out.data[y * 28 + x], inside ? 0.5 : img.data[y * 28 + x]);
      }
    }
  }
  assert.deepEqual(Array.from(randomErasing(img, new Rng(1), { ...options, scale: [0, 0] }).data), Array.from(img.data));
  // an area that can never fit (the whole image): nothing is erased
  assert.equal(drawErasingBox(new Rng(1), 4, 4, { ...options, scale: [1, 1], ratio: [1, 1] }), null);
});
