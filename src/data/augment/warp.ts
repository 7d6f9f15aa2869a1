/**
 * Affine resampling of `[H, W, C]` images with bilinear interpolation. Coordinates are continuous
 * with pixel (y, x) covering [x, x+1) × [y, y+1), so its centre is (x + ½, y + ½). An `Affine`
 * maps an output position to the source position it reads:
 * `sx = a·ox + b·oy + c`, `sy = d·ox + e·oy + f`.
 * A sample inside the source's area is interpolated with its edge pixels replicated half a pixel
 * outwards; a sample outside gets the fill value. Integer-aligned samples return pixels exactly.
 */
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

/**
 * Writes the `outH × outW` image read from `src` through `m` into `dst` at `dstOffset`.
 * `src` holds an `h × w × channels` image at `srcOffset`.
 */
export function warpAffine(
  src: Float32Array,
  srcOffset: number,
  h: number,
  w: number,
  channels: number,
  m: Affine,
  dst: Float32Array,
  dstOffset: number,
  outH: number,
  outW: number,
  fill = 0,
): void {
  const [a, b, c, d, e, f] = m;
  if (b === 0 && d === 0) {
    warpAxisAligned(src, srcOffset, h, w, channels, a, c, e, f, dst, dstOffset, outH, outW, fill);
    return;
  }
  const maxX = w - 1;
  const maxY = h - 1;
  let o = dstOffset;
  for (let oy = 0; oy < outH; oy++) {
    // index-space source position (pixel centres at integers) of output pixel (0, oy)
    let x = a * 0.5 + b * (oy + 0.5) + c - 0.5;
    let y = d * 0.5 + e * (oy + 0.5) + f - 0.5;
    for (let ox = 0; ox < outW; ox++, x += a, y += d) {
      if (!(x >= -0.5 && x <= w - 0.5 && y >= -0.5 && y <= h - 0.5)) {
        for (let k = 0; k < channels; k++) dst[o++] = fill;
        continue;
      }
      const xc = x < 0 ? 0 : x > maxX ? maxX : x;
      const yc = y < 0 ? 0 : y > maxY ? maxY : y;
      const x0 = xc | 0; // floor: xc >= 0
      const y0 = yc | 0;
      const fx = xc - x0;
      const fy = yc - y0;
      const dx = x0 < maxX ? channels : 0;
      const dy = y0 < maxY ? w * channels : 0;
      let p = srcOffset + (y0 * w + x0) * channels;
      for (let k = 0; k < channels; k++, p++) {
        const p00 = src[p];
        const p10 = src[p + dy];
        const top = p00 + (src[p + dx] - p00) * fx;
        dst[o++] = top + (p10 + (src[p + dy + dx] - p10) * fx - top) * fy;
      }
    }
  }
}

/** Per output column of an axis-aligned warp: source offset (−1: outside), x weight, step to the right neighbour. */
let columnOffset = new Int32Array(64);
let columnWeight = new Float64Array(64);
let columnStep = new Int32Array(64);

/**
 * `warpAffine` for maps without rotation or shear (crops, resizes, flips): each output column
 * reads the same source columns on every row, so the x interpolation is set up once per image.
 */
function warpAxisAligned(
  src: Float32Array,
  srcOffset: number,
  h: number,
  w: number,
  channels: number,
  a: number,
  c: number,
  e: number,
  f: number,
  dst: Float32Array,
  dstOffset: number,
  outH: number,
  outW: number,
  fill: number,
): void {
  if (columnOffset.length < outW) [columnOffset, columnWeight, columnStep] = [new Int32Array(outW), new Float64Array(outW), new Int32Array(outW)];
  const maxX = w - 1;
  const maxY = h - 1;
  for (let ox = 0; ox < outW; ox++) {
    const x = a * (ox + 0.5) + c - 0.5;
    const xc = x < 0 ? 0 : x > maxX ? maxX : x;
    const x0 = xc | 0;
    columnOffset[ox] = x >= -0.5 && x <= w - 0.5 ? x0 * channels : -1;
    columnWeight[ox] = xc - x0;
    columnStep[ox] = x0 < maxX ? channels : 0;
  }
  let o = dstOffset;
  for (let oy = 0; oy < outH; oy++) {
    const y = e * (oy + 0.5) + f - 0.5;
    if (!(y >= -0.5 && y <= h - 0.5)) {
      dst.fill(fill, o, o + outW * channels);
      o += outW * channels;
      continue;
    }
    const yc = y < 0 ? 0 : y > maxY ? maxY : y;
    const y0 = yc | 0;
    const fy = yc - y0;
    const dy = y0 < maxY ? w * channels : 0;
    const row = srcOffset + y0 * w * channels;
    for (let ox = 0; ox < outW; ox++) {
      const column = columnOffset[ox];
      if (column < 0) {
        for (let k = 0; k < channels; k++) dst[o++] = fill;
        continue;
      }
      const fx = columnWeight[ox];
      const dx = columnStep[ox];
      for (let k = 0, p = row + column; k < channels; k++, p++) {
        const p00 = src[p];
        const p10 = src[p + dy];
        const top = p00 + (src[p + dx] - p00) * fx;
        dst[o++] = top + (p10 + (src[p + dy + dx] - p10) * fx - top) * fy;
      }
    }
  }
}

/** A new image: the central crop of `image` with the aspect of `outH × outW`, resized bilinearly (no antialiasing). */
export function resizeCenterCrop(image: FloatImage, outH: number, outW: number): FloatImage {
  const data = new Float32Array(outH * outW * image.channels);
  const box = centerBox(image.height, image.width, outH, outW);
  warpAffine(image.data, 0, image.height, image.width, image.channels, boxMatrix(box, outH, outW), data, 0, outH, outW);
  return { data, height: outH, width: outW, channels: image.channels };
}
