import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/engine/random.js';
import { warpAffine } from '../../../src/engine/host/augmentPixels.js';
import { type Affine, IDENTITY, boxMatrix, centerBox, compose, resizeCenterCrop } from '../../../src/data/augment/warp.js';

function warp(src: number[], h: number, w: number, c: number, m: Affine, outH: number, outW: number, fill = 0): number[] {
  const dst = new Float32Array(outH * outW * c);
  warpAffine(Float32Array.from(src), 0, h, w, c, m, dst, 0, outH, outW, fill);
  return Array.from(dst);
}

test('the identity map returns the image exactly (any channels)', () => {
  const rng = new Rng(2);
  const image = Array.from(rng.uniformArray(5 * 4 * 3));
  assert.deepEqual(warp(image, 5, 4, 3, IDENTITY, 5, 4), Array.from(Float32Array.from(image)));
});

test('bilinear upsampling matches half-pixel-centre resizing with clamped edges', () => {
  // 1×2 → 1×4: output centres 0.5..3.5 read source positions 0.25..1.75, i.e. indices −0.25, 0.25, 0.75, 1.25
  assert.deepEqual(warp([0, 1], 1, 2, 1, boxMatrix({ top: 0, left: 0, height: 1, width: 2 }, 1, 4), 1, 4), [0, 0.25, 0.75, 1]);
  // 2×2 → 1×1 reads the centre: the mean
  assert.deepEqual(warp([0, 0.5, 0.25, 1], 2, 2, 1, boxMatrix({ top: 0, left: 0, height: 2, width: 2 }, 1, 1), 1, 1), [0.4375]);
});

test('samples outside the source get the fill value; an integer box at scale 1 is a plain crop', () => {
  const shift: Affine = [1, 0, -2, 0, 1, 0]; // output x reads source x − 2
  assert.deepEqual(warp([0.1, 0.2, 0.3, 0.4], 1, 4, 1, shift, 1, 4, 0.5).map(Math.fround), [0.5, 0.5, 0.1, 0.2].map(Math.fround));
  const image = Array.from({ length: 16 }, (_v, i) => i / 16);
  assert.deepEqual(warp(image, 4, 4, 1, boxMatrix({ top: 1, left: 2, height: 2, width: 2 }, 2, 2), 2, 2), [6, 7, 10, 11].map((v) => v / 16));
});

test('compose applies the inner map first', () => {
  const outer: Affine = [2, 0, 1, 0, 3, -1];
  const inner: Affine = [0, 1, 0.5, -1, 0, 2];
  const apply = (m: Affine, x: number, y: number) => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
  const [x, y] = apply(inner, 0.3, 1.7);
  assert.deepEqual(apply(compose(outer, inner), 0.3, 1.7), apply(outer, x, y));
});

test('centre crop to the output aspect, then resize', () => {
  assert.deepEqual(centerBox(4, 8, 2, 2), { top: 0, left: 2, height: 4, width: 4 });
  assert.deepEqual(centerBox(9, 3, 1, 1), { top: 3, left: 0, height: 3, width: 3 });
  assert.deepEqual(centerBox(5, 7, 5, 7), { top: 0, left: 0, height: 5, width: 7 });
  const image = { data: Float32Array.from({ length: 8 }, (_v, i) => i / 8), height: 2, width: 4, channels: 1 };
  const out = resizeCenterCrop(image, 1, 1); // central 2×2 (columns 1, 2), averaged
  assert.deepEqual(Array.from(out.data), [Math.fround((1 + 2 + 5 + 6) / 32)]);
});

test('resizing matches PyTorch F.interpolate(mode="bilinear", align_corners=False) (torch 1.13)', () => {
  // torch.manual_seed(0); x = torch.round(torch.rand(1, 1, 5, 7) * 64) / 64
  const x = [
    0.5, 0.765625, 0.09375, 0.125, 0.3125, 0.640625, 0.484375, 0.890625, 0.453125, 0.625, 0.34375, 0.40625, 0.015625, 0.171875, 0.296875, 0.515625,
    0.703125, 0.796875, 0.15625, 0.28125, 0.6875, 0.921875, 0.390625, 0.875, 0.421875, 0.546875, 0.953125, 0.03125, 0.1875, 0.375, 0.3125, 0.9375,
    0.171875, 0.265625, 0.15625,
  ];
  const down = [
    0.6419270634651184, 0.26171875, 0.3255208432674408, 0.3997395932674408, 0.37890625, 0.71484375, 0.2363281399011612, 0.5351561903953552,
    0.412760466337204, 0.5332031846046448, 0.3554687798023224, 0.2571614682674408,
  ];
  const up = [
    0.5, 0.6770833, 0.4670139, 0.1006944, 0.125, 0.2708333, 0.4947917, 0.5885416, 0.484375, 0.6708984, 0.6429036, 0.4943576, 0.3027344, 0.2207031,
    0.3240018, 0.3611111, 0.3606771, 0.3476562, 0.8535156, 0.5891927, 0.5338542, 0.5725911, 0.3720703, 0.3865017, 0.1915147, 0.0895182, 0.2041016,
    0.4824219, 0.4915365, 0.577257, 0.6735026, 0.6552734, 0.3279079, 0.2143012, 0.3076172, 0.5263672, 0.4921875, 0.4817708, 0.6011285, 0.7396919,
    0.6796874, 0.367513, 0.3965929, 0.4882812, 0.4824219, 0.8828125, 0.5598958, 0.6054688, 0.7711588, 0.4453125, 0.5053169, 0.7383898, 0.6315103,
    0.0722656, 0.5087891, 0.4241537, 0.460395, 0.592665, 0.711914, 0.4194878, 0.4639757, 0.4114583, 0.1015625, 0.1875, 0.3125, 0.3472222, 0.4513889,
    0.9374999, 0.3420138, 0.2239583, 0.2291667, 0.15625,
  ];
  const whole = { top: 0, left: 0, height: 5, width: 7 };
  const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
  assert.ok(close(warp(x, 5, 7, 1, boxMatrix(whole, 3, 4), 3, 4), down), 'downsampling 5×7 → 3×4');
  assert.ok(close(warp(x, 5, 7, 1, boxMatrix(whole, 8, 9), 8, 9), up), 'upsampling 5×7 → 8×9');
});
