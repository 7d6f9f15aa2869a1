/**
 * Geometric augmentations: random resized crop (torchvision's `RandomResizedCrop` draw), small
 * random affine (rotation, shear, translation about the centre) and horizontal flip. Each is an
 * `Affine` from output to source positions, so the pipeline composes them and interpolates once.
 */
import type { Rng } from '../../engine/random.js';
import type { FloatImage } from '../dataset.js';
import { warpAffine } from '../../engine/host/augmentPixels.js';
import { type Affine, type Box, boxMatrix, compose } from './warp.js';

export interface CropOptions {
  /** Range of the crop's area as a fraction of the image's; MoCo v2: [0.2, 1]. */
  scale: [number, number];
  /** Range of the crop's aspect ratio width/height (drawn log-uniformly); default [3/4, 4/3]. */
  ratio: [number, number];
}

export interface AffineOptions {
  /** Rotation angle drawn uniformly in [−degrees, degrees]. */
  degrees: number;
  /** Horizontal shear angle drawn uniformly in [−shear, shear] degrees. */
  shear: number;
  /** Shift drawn uniformly in [−translate, translate] × the side, per axis. */
  translate: number;
}

/**
 * Draws a crop box of an `h × w` image as torchvision does: up to 10 tries of an area fraction
 * uniform in `scale` and a log-uniform aspect in `ratio`, with integer sides (rounded) and a
 * uniform integer position; if no try fits, the central crop with the aspect clamped to `ratio`.
 */
export function drawCropBox(rng: Rng, h: number, w: number, { scale, ratio }: CropOptions): Box {
  const area = h * w;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.uniform());
    const width = Math.round(Math.sqrt(target * aspect));
    const height = Math.round(Math.sqrt(target / aspect));
    if (width > 0 && width <= w && height > 0 && height <= h) {
      return { top: rng.int(h - height + 1), left: rng.int(w - width + 1), height, width };
    }
  }
  const inRatio = w / h;
  let [height, width] = [h, w];
  if (inRatio < ratio[0]) height = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) width = Math.round(h * ratio[1]);
  return { top: Math.floor((h - height) / 2), left: Math.floor((w - width) / 2), height, width };
}

/**
 * Draws a rotation, shear and shift about the centre of an `outH × outW` output and returns the
 * inverse map (output → position before the affine).
 */
export function drawAffine(rng: Rng, outH: number, outW: number, { degrees, shear, translate }: AffineOptions): Affine {
  const angle = ((2 * rng.uniform() - 1) * degrees * Math.PI) / 180;
  const shearAngle = ((2 * rng.uniform() - 1) * shear * Math.PI) / 180;
  const tx = (2 * rng.uniform() - 1) * translate * outW;
  const ty = (2 * rng.uniform() - 1) * translate * outH;
  const [cx, cy] = [outW / 2, outH / 2];
  const [cos, sin, k] = [Math.cos(angle), Math.sin(angle), Math.tan(shearAngle)];
  // forward: p' = c + t + R·S·(p − c), S = [[1, k], [0, 1]]; inverse: p = c + S⁻¹·Rᵀ·(p' − c − t)
  const inverse: Affine = [cos + k * sin, sin - k * cos, 0, -sin, cos, 0];
  const [a, b, , d, e] = inverse;
  const [ux, uy] = [cx + tx, cy + ty];
  return [a, b, cx - a * ux - b * uy, d, e, cy - d * ux - e * uy];
}

/** Mirrors an output of width `outW` left–right. */
export function flipMatrix(outW: number): Affine {
  return [-1, 0, outW, 0, 1, 0];
}

/** The map for a crop `box` resized to `outH × outW`, then the inverse `affine`, then a flip. */
export function geometricMatrix(box: Box, outH: number, outW: number, affine: Affine | null, flip: boolean): Affine {
  let m = boxMatrix(box, outH, outW);
  if (affine) m = compose(m, affine);
  if (flip) m = compose(m, flipMatrix(outW));
  return m;
}

function warped(image: FloatImage, m: Affine, outH = image.height, outW = image.width): FloatImage {
  const data = new Float32Array(outH * outW * image.channels);
  warpAffine(image.data, 0, image.height, image.width, image.channels, m, data, 0, outH, outW);
  return { data, height: outH, width: outW, channels: image.channels };
}

const whole = (image: FloatImage): Box => ({ top: 0, left: 0, height: image.height, width: image.width });

/** A random crop (see `drawCropBox`) resized bilinearly to `size` (default: the image's size). */
export function randomResizedCrop(image: FloatImage, rng: Rng, options: CropOptions, size?: [number, number]): FloatImage {
  const [outH, outW] = size ?? [image.height, image.width];
  return warped(image, boxMatrix(drawCropBox(rng, image.height, image.width, options), outH, outW), outH, outW);
}

/** A random rotation/shear/shift about the centre (see `drawAffine`); uncovered pixels are 0. */
export function randomAffine(image: FloatImage, rng: Rng, options: AffineOptions): FloatImage {
  return warped(image, geometricMatrix(whole(image), image.height, image.width, drawAffine(rng, image.height, image.width, options), false));
}

/** The image mirrored left–right. */
export function horizontalFlip(image: FloatImage): FloatImage {
  return warped(image, flipMatrix(image.width));
}
