/** Additive Gaussian noise: x ← clamp(x + std·z, 0, 1), z ~ N(0, 1) per value. */
import type { Rng } from '../../engine/random.js';
import type { FloatImage } from '../dataset.js';

export interface NoiseOptions {
  /** Standard deviation of the noise. */
  std: number;
}

/** Adds noise in place to `size` values at `offset`. */
export function noiseInPlace(data: Float32Array, offset: number, size: number, std: number, rng: Rng): void {
  if (std === 0) return;
  for (let i = offset; i < offset + size; i++) {
    const v = data[i] + std * rng.normal();
    data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** A new image with Gaussian noise. */
export function gaussianNoise(image: FloatImage, rng: Rng, { std }: NoiseOptions): FloatImage {
  const data = Float32Array.from(image.data);
  noiseInPlace(data, 0, data.length, std, rng);
  return { ...image, data };
}
