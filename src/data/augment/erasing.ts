/**
 * Random erasing (torchvision's `RandomErasing`): up to 10 tries of a rectangle whose area is a
 * uniform fraction in `scale` of the image's and whose aspect h/w is log-uniform in `ratio`, with
 * rounded sides strictly smaller than the image's and a uniform position; the first that fits is
 * filled with `value` in every channel. If none fits, nothing is erased.
 */
import type { Rng } from '../../engine/random.js';
import type { FloatImage } from '../dataset.js';
import type { Box } from './warp.js';

export interface ErasingOptions {
  /** Range of the erased area as a fraction of the image's; torchvision: [0.02, 0.33]. */
  scale: [number, number];
  /** Range of the rectangle's aspect height/width; torchvision: [0.3, 3.3]. */
  ratio: [number, number];
  /** Fill value in [0, 1]. */
  value: number;
}

/** Draws the rectangle to erase, or null when no try fits. */
export function drawErasingBox(rng: Rng, h: number, w: number, { scale, ratio }: ErasingOptions): Box | null {
  const area = h * w;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.uniform());
    const height = Math.round(Math.sqrt(target * aspect));
    const width = Math.round(Math.sqrt(target / aspect));
    if (height < h && width < w) return { top: rng.int(h - height + 1), left: rng.int(w - width + 1), height, width };
  }
  return null;
}

/** Fills `box` of the `h × w × channels` image at `offset` with `value`. */
export function fillBox(data: Float32Array, offset: number, w: number, channels: number, box: Box, value: number): void {
  for (let y = box.top; y < box.top + box.height; y++) {
    const start = offset + (y * w + box.left) * channels;
    data.fill(value, start, start + box.width * channels);
  }
}

/** A new image with a random rectangle erased. */
export function randomErasing(image: FloatImage, rng: Rng, options: ErasingOptions): FloatImage {
  const data = Float32Array.from(image.data);
  const box = drawErasingBox(rng, image.height, image.width, options);
  if (box) fillBox(data, 0, image.width, image.channels, box, options.value);
  return { ...image, data };
}
