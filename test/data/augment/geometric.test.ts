import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FloatImage } from '../../../src/data/dataset.js';
import { drawAffine, drawCropBox, horizontalFlip, randomAffine, randomResizedCrop } from '../../../src/data/augment/geometric.js';
import { Rng } from '../../../src/engine/random.js';

const image = (rows: number[][], channels = 1): FloatImage => ({
  data: Float32Array.from(rows.flat()),
  height: rows.length,
  width: rows[0].length / channels,
  channels,
});
const values = (img: FloatImage) => Array.from(img.data);
/** An Rng whose uniform() returns the given values in turn. */
const scripted = (...u: number[]) => ({ uniform: () => u.shift()! }) as unknown as Rng;
const random = (h: number, w: number, c = 1, seed = 1): FloatImage => ({ data: new Rng(seed).uniformArray(h * w * c), height: h, width: w, channels: c });

test('horizontal flip mirrors each row, keeping channel order', () => {
  assert.deepEqual(values(horizontalFlip(image([[1, 2, 3], [4, 5, 6]]))), [3, 2, 1, 6, 5, 4]);
  assert.deepEqual(values(horizontalFlip(image([[1, 2, 3, 4, 5, 6]], 3))), [4, 5, 6, 1, 2, 3]);
});

test('a crop at scale 1 and ratio 1 of a square image is the identity', () => {
  const img = random(28, 28);
  assert.deepEqual(values(randomResizedCrop(img, new Rng(5), { scale: [1, 1], ratio: [1, 1] })), values(img));
});

test('crop boxes: area and aspect in range, inside the image; the fallback is the central crop', () => {
  const rng = new Rng(9);
  for (let i = 0; i < 500; i++) {
    const box = drawCropBox(rng, 28, 28, { scale: [0.3, 1], ratio: [3 / 4, 4 / 3] });
    assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= 28 && box.left + box.width <= 28, JSON.stringify(box));
    const area = (box.width * box.height) / 784;
    assert.ok(area > 0.3 - 0.08 && area <= 1, `area ${area}`); // sides are rounded
    const aspect = box.width / box.height;
    assert.ok(aspect > 0.75 * 0.9 && aspect < (4 / 3) * 1.1, `aspect ${aspect}`);
  }
  // aspect 2 cannot fit at full area: after 10 tries, the central crop with the aspect clamped to 2
  assert.deepEqual(drawCropBox(new Rng(0), 28, 28, { scale: [1, 1], ratio: [2, 2] }), { top: 7, left: 0, height: 14, width: 28 });
});

test('a crop reads exactly its box: scale-1 boxes are sub-images', () => {
  const img = random(8, 8, 1, 3);
  const options = { scale: [0.25, 0.25] as [number, number], ratio: [1, 1] as [number, number] };
  const box = drawCropBox(new Rng(4), 8, 8, options);
  assert.deepEqual([box.height, box.width], [4, 4]);
  const out = randomResizedCrop(img, new Rng(4), options, [4, 4]);
  const expected = [];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expected.push(img.data[(box.top + y) * 8 + box.left + x]);
  assert.deepEqual(values(out), expected);
});

test('crops are seeded and stay in [0, 1]', () => {
  const img = random(28, 28, 3);
  const options = { scale: [0.2, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number] };
  assert.deepEqual(values(randomResizedCrop(img, new Rng(1), options)), values(randomResizedCrop(img, new Rng(1), options)));
  assert.notDeepEqual(values(randomResizedCrop(img, new Rng(1), options)), values(randomResizedCrop(img, new Rng(2), options)));
  assert.ok(values(randomResizedCrop(img, new Rng(1), options, [14, 20])).every((v) => v >= 0 && v <= 1));
});

test('affine at zero strength is the identity; rotation, shift and shear move pixels exactly', () => {
  const img = random(5, 5);
  assert.deepEqual(values(randomAffine(img, new Rng(3), { degrees: 0, shear: 0, translate: 0 })), values(img));
  const g = image([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  // uniform() = 1 draws the largest angle: +90° turns the image clockwise on screen (out[r][c] = in[2 − c][r])
  const turned = values(randomAffine(g, scripted(1, 0.5, 0.5, 0.5), { degrees: 90, shear: 0, translate: 0 }));
  [7, 4, 1, 8, 5, 2, 9, 6, 3].forEach((v, i) => assert.ok(Math.abs(turned[i] - v) < 1e-5, `rotated ${turned}`));
  // the largest shift, 1/3 of 3 pixels, moves the image one pixel right and down; uncovered pixels are 0
  assert.deepEqual(values(randomAffine(g, scripted(0.5, 0.5, 1, 1), { degrees: 10, shear: 10, translate: 1 / 3 })), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
  // a 45° shear reads one pixel right on the top row and one pixel left on the bottom row
  const sheared = values(randomAffine(g, scripted(0.5, 1, 0.5, 0.5), { degrees: 0, shear: 45, translate: 0 }));
  [2, 3, 0, 4, 5, 6, 0, 7, 8].forEach((v, i) => assert.ok(Math.abs(sheared[i] - v) < 1e-6, `sheared ${sheared}`));
});

test('drawAffine at zero strength is the exact identity map', () => {
  assert.deepEqual(drawAffine(new Rng(1), 28, 28, { degrees: 0, shear: 0, translate: 0 }).map((v) => v + 0), [1, 0, 0, 0, 1, 0]);
});
