/**
 * Gaussian blur (torchvision's `GaussianBlur`): a separable, symmetric kernel of odd size k with weights
 * exp(−j²/(2σ²)), j = −(k−1)/2 … (k−1)/2, normalised to sum 1, σ drawn uniformly in a range, and
 * reflected borders (… 2 1 | 0 1 2 …). MoCo v2 uses k ≈ 10% of the side and σ ∈ [0.1, 2].
 */
import type { Rng } from '../../engine/random.js';
import { ArgumentError } from '../../ops/validate.js';
import type { FloatImage } from '../dataset.js';

export interface BlurOptions {
  /** Odd kernel size, smaller than twice each side. */
  kernelSize: number;
  /** Range of σ in pixels. */
  sigma: [number, number];
}

/** The normalised 1-D kernel (σ = 0: the identity kernel). */
export function gaussianKernel(kernelSize: number, sigma: number): Float64Array {
  const r = (kernelSize - 1) / 2;
  const weights = new Float64Array(kernelSize);
  if (sigma === 0) {
    weights[r] = 1;
    return weights;
  }
  let sum = 0;
  for (let j = -r; j <= r; j++) sum += weights[j + r] = Math.exp(-(j * j) / (2 * sigma * sigma));
  for (let j = 0; j < kernelSize; j++) weights[j] /= sum;
  return weights;
}

/** Reflects index `q` into 0..n−1 without repeating the edge (… 2 1 | 0 1 2 …). */
function reflect(q: number, n: number): number {
  return q < 0 ? -q : q >= n ? 2 * (n - 1) - q : q;
}

/**
 * Blurs the `h × w × channels` image at `offset` in place with the symmetric `weights` (odd
 * length, less than twice each side); `scratch` holds at least h·w·channels values. Away from the
 * borders each output adds symmetric pairs of taps, w₀·x + Σⱼ wⱼ·(x₋ⱼ + x₊ⱼ), without reflection.
 */
export function blurInPlace(data: Float32Array, offset: number, h: number, w: number, channels: number, weights: Float64Array, scratch: Float32Array): void {
  if (weights.length === 3) {
    blur3InPlace(data, offset, h, w, channels, weights[1], weights[0], scratch);
    return;
  }
  const r = (weights.length - 1) / 2;
  const w0 = weights[r];
  const row = w * channels;
  for (let y = 0; y < h; y++) {
    const src = offset + y * row;
    const o = y * row;
    for (let i = r * channels; i < (w - r) * channels; i++) {
      let sum = w0 * data[src + i];
      for (let j = 1; j <= r; j++) sum += weights[r + j] * (data[src + i - j * channels] + data[src + i + j * channels]);
      scratch[o + i] = sum;
    }
    for (let x = 0; x < Math.min(r, w); x++) blurEdgeColumn(data, src, x, w, channels, weights, scratch, o);
    for (let x = Math.max(r, w - r); x < w; x++) blurEdgeColumn(data, src, x, w, channels, weights, scratch, o);
  }
  for (let y = 0; y < h; y++) {
    const at = y * row;
    const o = offset + at;
    if (y >= r && y < h - r) {
      for (let i = 0; i < row; i++) {
        let sum = w0 * scratch[at + i];
        for (let j = 1; j <= r; j++) sum += weights[r + j] * (scratch[at + i - j * row] + scratch[at + i + j * row]);
        data[o + i] = sum;
      }
    } else {
      for (let i = 0; i < row; i++) {
        let sum = w0 * scratch[at + i];
        for (let j = 1; j <= r; j++) sum += weights[r + j] * (scratch[reflect(y - j, h) * row + i] + scratch[reflect(y + j, h) * row + i]);
        data[o + i] = sum;
      }
    }
  }
}

/** `blurInPlace` for the 3-tap kernel [side, centre, side] (the digit default), without tap loops. */
function blur3InPlace(data: Float32Array, offset: number, h: number, w: number, channels: number, centre: number, side: number, scratch: Float32Array): void {
  const row = w * channels;
  const last = row - channels;
  for (let y = 0; y < h; y++) {
    const src = offset + y * row;
    const o = y * row;
    for (let i = channels; i < last; i++) scratch[o + i] = centre * data[src + i] + side * (data[src + i - channels] + data[src + i + channels]);
    for (let ch = 0; ch < channels; ch++) {
      // reflected borders: the missing neighbour mirrors the one inside
      scratch[o + ch] = centre * data[src + ch] + 2 * side * data[src + channels + ch];
      scratch[o + last + ch] = centre * data[src + last + ch] + 2 * side * data[src + last - channels + ch];
    }
  }
  for (let y = 0; y < h; y++) {
    const at = y * row;
    const up = (y === 0 ? 1 : y - 1) * row;
    const down = (y === h - 1 ? h - 2 : y + 1) * row;
    for (let i = 0, o = offset + at; i < row; i++, o++) data[o] = centre * scratch[at + i] + side * (scratch[up + i] + scratch[down + i]);
  }
}

/** The horizontal pass at border column `x` of the row at `src`, with reflected taps. */
function blurEdgeColumn(data: Float32Array, src: number, x: number, w: number, channels: number, weights: Float64Array, scratch: Float32Array, o: number): void {
  const r = (weights.length - 1) / 2;
  for (let ch = 0; ch < channels; ch++) {
    let sum = weights[r] * data[src + x * channels + ch];
    for (let j = 1; j <= r; j++) sum += weights[r + j] * (data[src + reflect(x - j, w) * channels + ch] + data[src + reflect(x + j, w) * channels + ch]);
    scratch[o + x * channels + ch] = sum;
  }
}

/** The kernel must be odd and its radius below each side (borders reflect within the image). */
export function checkKernelSize(fn: string, kernelSize: number, h: number, w: number): void {
  if (!(Number.isInteger(kernelSize) && kernelSize >= 1 && kernelSize % 2 === 1 && kernelSize < 2 * Math.min(h, w))) {
    throw new ArgumentError(`${fn}: blur kernelSize must be an odd integer below ${2 * Math.min(h, w)} (twice the ${h}×${w} image's side), got ${kernelSize}`);
  }
}

/** Draws σ uniformly in `sigma`. */
export function drawSigma(rng: Rng, { sigma }: BlurOptions): number {
  return sigma[0] + (sigma[1] - sigma[0]) * rng.uniform();
}

/** A new image blurred with a random σ. */
export function gaussianBlur(image: FloatImage, rng: Rng, options: BlurOptions): FloatImage {
  checkKernelSize('gaussianBlur', options.kernelSize, image.height, image.width);
  const data = Float32Array.from(image.data);
  const weights = gaussianKernel(options.kernelSize, drawSigma(rng, options));
  blurInPlace(data, 0, image.height, image.width, image.channels, weights, new Float32Array(data.length));
  return { ...image, data };
}
