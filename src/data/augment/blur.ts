/**
 * Gaussian blur (torchvision's `GaussianBlur`): a separable, symmetric kernel of odd size k with weights
 * exp(−j²/(2σ²)), j = −(k−1)/2 … (k−1)/2, normalised to sum 1, σ drawn uniformly in a range, and
 * reflected borders (… 2 1 | 0 1 2 …). MoCo v2 uses k ≈ 10% of the side and σ ∈ [0.1, 2].
 */
import { blurInPlace } from '../../engine/host/augmentPixels.js';
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
