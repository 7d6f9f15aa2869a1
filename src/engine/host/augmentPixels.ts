/**
 * The augmentation pipeline's pixel loops (the JavaScript twins of `native/augment.c`): bilinear
 * affine resampling, brightness/contrast jitter and separable Gaussian blur with reflected
 * borders, in place on flat `[H, W, C]` images inside larger arrays. The draws and the formulas'
 * derivation live with the transforms in `data/augment/` (warp.ts, colorJitter.ts, blur.ts).
 */
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
  m: ArrayLike<number>,
  dst: Float32Array,
  dstOffset: number,
  outH: number,
  outW: number,
  fill = 0,
): void {
  const [a, b, c, d, e, f] = [m[0], m[1], m[2], m[3], m[4], m[5]];
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
