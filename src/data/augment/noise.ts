/** Additive Gaussian noise: x ← clamp(x + std·z, 0, 1), z ~ N(0, 1) per value. */
import type { Rng } from '../../engine/random.js';
import type { FloatImage } from '../dataset.js';

export interface NoiseOptions {
  /** Standard deviation of the noise. */
  std: number;
}

/** Adds drawn noise `values` (std·z each) in place at `offset`, clamped to [0, 1]. */
export function addNoiseInPlace(data: Float32Array, offset: number, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = data[offset + i] + values[i];
    data[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** A new image with Gaussian noise. */
export function gaussianNoise(image: FloatImage, rng: Rng, { std }: NoiseOptions): FloatImage {
  const data = Float32Array.from(image.data);
  if (std !== 0) addNoiseInPlace(data, 0, Float64Array.from(data, () => std * rng.normal()));
  return { ...image, data };
}
