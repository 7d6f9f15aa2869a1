import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blurInPlace } from '../../../src/engine/host/augmentPixels.js';
import { gaussianBlur, gaussianKernel } from '../../../src/data/augment/blur.js';
import { Rng } from '../../../src/engine/random.js';

const image = (data: number[], height: number, width: number, channels = 1) => ({ data: Float32Array.from(data), height, width, channels });
const near = (a: ArrayLike<number>, b: number[], tol = 1e-6) => a.length === b.length && b.every((v, i) => Math.abs(a[i] - v) <= tol);

test('the kernel is exp(−j²/2σ²) normalised; σ = 0 is the identity kernel', () => {
  const e = Math.exp(-0.5);
  assert.ok(near(gaussianKernel(3, 1), [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)], 1e-15));
  assert.deepEqual(Array.from(gaussianKernel(5, 0)), [0, 0, 1, 0, 0]);
  const k = gaussianKernel(7, 2);
  assert.ok(Math.abs(k.reduce((s, v) => s + v, 0) - 1) < 1e-15);
});

test('σ = 0 and a tiny σ leave the image unchanged; a constant image stays constant', () => {
  const img = image(Array.from(new Rng(1).uniformArray(30)), 5, 6);
  assert.deepEqual(Array.from(gaussianBlur(img, new Rng(1), { kernelSize: 3, sigma: [0, 0] }).data), Array.from(img.data));
  assert.deepEqual(Array.from(gaussianBlur(img, new Rng(1), { kernelSize: 5, sigma: [1e-3, 1e-3] }).data), Array.from(img.data));
  const flat = image(Array(48).fill(0.3), 4, 4, 3);
  assert.ok(near(gaussianBlur(flat, new Rng(2), { kernelSize: 3, sigma: [0.5, 2] }).data, Array(48).fill(0.3)));
});

test('an impulse spreads as the outer product of the kernel, with reflected borders', () => {
  const [s, c] = [gaussianKernel(3, 1)[0], gaussianKernel(3, 1)[1]];
  // centre of 5×5: the kernel's outer product
  const centre = image(Array.from({ length: 25 }, (_v, i) => (i === 12 ? 1 : 0)), 5, 5);
  const h5 = [0, s, c, s, 0];
  assert.ok(near(gaussianBlur(centre, new Rng(0), { kernelSize: 3, sigma: [1, 1] }).data, h5.flatMap((a) => h5.map((b) => a * b))));
  // centre of 3×3: each border tap reflects onto the centre (… 1 | 0 1 2 | 1 …), so the edges get 2s
  const small = image([0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3);
  const h3 = [2 * s, c, 2 * s];
  assert.ok(near(gaussianBlur(small, new Rng(0), { kernelSize: 3, sigma: [1, 1] }).data, h3.flatMap((a) => h3.map((b) => a * b))));
});

test('channels blur independently; σ is drawn from the seed; bad kernels are errors', () => {
  // channel 0: an impulse at the centre; channel 1: constant 0.5; channel 2: zero
  const rgb = image(Array.from({ length: 27 }, (_v, i) => (i % 3 === 1 ? 0.5 : i === 12 ? 1 : 0)), 3, 3, 3);
  const out = gaussianBlur(rgb, new Rng(0), { kernelSize: 3, sigma: [1, 1] });
  const [s, c] = [gaussianKernel(3, 1)[0], gaussianKernel(3, 1)[1]];
  const h3 = [2 * s, c, 2 * s];
  assert.ok(near(out.data, h3.flatMap((a) => h3.flatMap((b) => [a * b, 0.5, 0]))), Array.from(out.data).join(' '));
  const img = image(Array.from(new Rng(4).uniformArray(49)), 7, 7);
  const options = { kernelSize: 5, sigma: [0.1, 2] as [number, number] };
  assert.deepEqual(Array.from(gaussianBlur(img, new Rng(8), options).data), Array.from(gaussianBlur(img, new Rng(8), options).data));
  assert.notDeepEqual(Array.from(gaussianBlur(img, new Rng(8), options).data), Array.from(gaussianBlur(img, new Rng(9), options).data));
  assert.throws(() => gaussianBlur(img, new Rng(0), { kernelSize: 4, sigma: [1, 1] }), /gaussianBlur: blur kernelSize must be an odd integer below 14 \(twice the 7×7 image's side\), got 4/);
  assert.throws(() => gaussianBlur(image([0, 0], 1, 2), new Rng(0), { kernelSize: 3, sigma: [1, 1] }), /below 2 .* got 3/);
});

test('the 3-tap fast path equals the general path (a 5-tap kernel with zero outer taps)', () => {
  const [s, c] = [gaussianKernel(3, 0.8)[0], gaussianKernel(3, 0.8)[1]];
  for (const [h, w, ch] of [[6, 7, 2], [2, 2, 1], [5, 3, 3]]) {
    const data = new Rng(h * w * ch).uniformArray(h * w * ch);
    const fast = Float32Array.from(data);
    const general = Float32Array.from(data);
    blurInPlace(fast, 0, h, w, ch, Float64Array.of(s, c, s), new Float32Array(data.length));
    if (Math.min(h, w) >= 3) {
      blurInPlace(general, 0, h, w, ch, Float64Array.of(0, s, c, s, 0), new Float32Array(data.length));
      assert.deepEqual(fast, general, `${h}×${w}×${ch}`);
    }
    // and both equal the definition: reflected separable sums, computed here in float64
    const at = (y: number, x: number, k: number) => data[(y * w + x) * ch + k];
    const refl = (q: number, n: number) => (q < 0 ? -q : q >= n ? 2 * (n - 1) - q : q);
    const expected: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < ch; k++) {
          let sum = 0;
          for (const [dy, wy] of [[-1, s], [0, c], [1, s]]) {
            for (const [dx, wx] of [[-1, s], [0, c], [1, s]]) sum += wy * wx * at(refl(y + dy, h), refl(x + dx, w), k);
          }
          expected.push(sum);
        }
      }
    }
    assert.ok(near(fast, expected, 1e-6), `${h}×${w}×${ch}`);
  }
});
