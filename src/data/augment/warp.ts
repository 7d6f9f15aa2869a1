/**
 * Affine resampling of `[H, W, C]` images with bilinear interpolation. Coordinates are continuous
 * with pixel (y, x) covering [x, x+1) × [y, y+1), so its centre is (x + ½, y + ½). An `Affine`
 * maps an output position to the source position it reads:
 * `sx = a·ox + b·oy + c`, `sy = d·ox + e·oy + f`.
 * A sample inside the source's area is interpolated with its edge pixels replicated half a pixel
 * outwards; a sample outside gets the fill value. Integer-aligned samples return pixels exactly.
 */
import { warpAffine } from '../../engine/host/augmentPixels.js';
import type { FloatImage } from '../dataset.js';

/** `[a, b, c, d, e, f]`: output (ox, oy) → source (a·ox + b·oy + c, d·ox + e·oy + f). */
export type Affine = [number, number, number, number, number, number];

/** A rectangle in pixels. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** `outer ∘ inner`: apply `inner` to the output position, then `outer`. */
export function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Reads `box` of the source stretched over an `outH × outW` output. */
export function boxMatrix(box: Box, outH: number, outW: number): Affine {
  return [box.width / outW, 0, box.left, 0, box.height / outH, box.top];
}

/** The largest box of aspect `outW / outH` centred in an `h × w` image (sides rounded). */
export function centerBox(h: number, w: number, outH: number, outW: number): Box {
  if (w * outH > h * outW) {
    const width = Math.round((h * outW) / outH);
    return { top: 0, left: Math.floor((w - width) / 2), height: h, width };
  }
  const height = Math.round((w * outH) / outW);
  return { top: Math.floor((h - height) / 2), left: 0, height, width: w };
}


/** A new image: the central crop of `image` with the aspect of `outH × outW`, resized bilinearly (no antialiasing). */
export function resizeCenterCrop(image: FloatImage, outH: number, outW: number): FloatImage {
  const data = new Float32Array(outH * outW * image.channels);
  const box = centerBox(image.height, image.width, outH, outW);
  warpAffine(image.data, 0, image.height, image.width, image.channels, boxMatrix(box, outH, outW), data, 0, outH, outW);
  return { data, height: outH, width: outW, channels: image.channels };
}
