/**
 * Brightness and contrast jitter (torchvision's `ColorJitter` for these two, applied in this fixed
 * order): brightness multiplies by b; contrast blends with the image's mean grey level m
 * (luma 0.299 R + 0.587 G + 0.114 B for RGB), x ← c·x + (1 − c)·m; each result is clamped to [0, 1].
 * b and c are drawn uniformly in [1 − strength, 1 + strength].
 */
import { jitterInPlace } from '../../engine/host/augmentPixels.js';
import type { Rng } from '../../engine/random.js';
import type { FloatImage } from '../dataset.js';

export interface JitterOptions {
  /** Brightness strength: factor in [max(0, 1 − brightness), 1 + brightness]. */
  brightness: number;
  /** Contrast strength: factor in [max(0, 1 − contrast), 1 + contrast]. */
  contrast: number;
}

/** Draws the brightness and contrast factors. */
export function drawJitter(rng: Rng, { brightness, contrast }: JitterOptions): [number, number] {
  const factor = (s: number) => Math.max(0, 1 - s) + (1 + s - Math.max(0, 1 - s)) * rng.uniform();
  const b = factor(brightness);
  return [b, factor(contrast)];
}

/** A new image with random brightness and contrast (see `drawJitter`). */
export function colorJitter(image: FloatImage, rng: Rng, options: JitterOptions): FloatImage {
  const data = Float32Array.from(image.data);
  const [b, c] = drawJitter(rng, options);
  jitterInPlace(data, 0, data.length, image.channels, b, c);
  return { ...image, data };
}
