/**
 * Brightness and contrast jitter (torchvision's `ColorJitter` for these two, applied in this fixed
 * order): brightness multiplies by b; contrast blends with the image's mean grey level m
 * (luma 0.299 R + 0.587 G + 0.114 B for RGB), x ← c·x + (1 − c)·m; each result is clamped to [0, 1].
 * b and c are drawn uniformly in [1 − strength, 1 + strength].
 */
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

/**
 * Applies brightness `b` then contrast `c` in place to the `size`-value image at `offset`.
 * As x ↦ clamp(c·min(1, b·x) + shift) is increasing, it is clamp(c·b·x + shift) to [0, min(1, c + shift)].
 */
export function jitterInPlace(data: Float32Array, offset: number, size: number, channels: number, b: number, c: number): void {
  const end = offset + size;
  if (c === 1) {
    if (b !== 1) for (let i = offset; i < end; i++) data[i] = Math.min(1, data[i] * b);
    return;
  }
  // mean grey level after brightness (luma for RGB)
  let sum = 0;
  if (channels === 3) {
    for (let i = offset; i < end; i += 3) {
      sum += 0.299 * Math.min(1, b * data[i]) + 0.587 * Math.min(1, b * data[i + 1]) + 0.114 * Math.min(1, b * data[i + 2]);
    }
  } else if (b <= 1) {
    for (let i = offset; i < end; i++) sum += data[i];
    sum *= b;
  } else {
    for (let i = offset; i < end; i++) sum += Math.min(1, b * data[i]);
  }
  const shift = (1 - c) * (sum / (channels === 3 ? size / 3 : size));
  const gain = c * b;
  const top = Math.min(1, c + shift);
  for (let i = offset; i < end; i++) {
    const v = gain * data[i] + shift;
    data[i] = v < 0 ? 0 : v > top ? top : v;
  }
}

/** A new image with random brightness and contrast (see `drawJitter`). */
export function colorJitter(image: FloatImage, rng: Rng, options: JitterOptions): FloatImage {
  const data = Float32Array.from(image.data);
  const [b, c] = drawJitter(rng, options);
  jitterInPlace(data, 0, data.length, image.channels, b, c);
  return { ...image, data };
}
