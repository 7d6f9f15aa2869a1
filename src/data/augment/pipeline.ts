/**
 * Augmented views of a batch of images, as plain typed-array work (no tensors). For each image,
 * in this order: the crop, affine and flip are composed into one map and sampled once
 * (bilinear); then brightness/contrast jitter, Gaussian blur, Gaussian noise and random erasing,
 * each applied with its probability p. All draws come from the given `Rng`, image by image, so a
 * batch is a pure function of (images, indices, rng state, config).
 */
import type { Rng } from '../../engine/random.js';
import { ArgumentError } from '../../ops/validate.js';
import { blurInPlace, checkKernelSize, drawSigma, gaussianKernel } from './blur.js';
import { drawJitter, jitterInPlace } from './colorJitter.js';
import { type AugmentConfig, DIGIT_AUGMENT, checkAugmentConfig } from './config.js';
import { drawErasingBox, fillBox } from './erasing.js';
import { drawAffine, drawCropBox, geometricMatrix } from './geometric.js';
import { noiseInPlace } from './noise.js';
import { warpAffine } from './warp.js';

/** Images `[n, H, W, C]` in [0, 1] (an `ImageDataset` is one). */
export interface ImageSource {
  images: Float32Array;
  shape: [number, number, number, number];
}

/**
 * One augmented view of the images `indices` of `source`: `[indices.length, H', W', C]`, where
 * `[H', W']` is `config.size` or the source's size. Writes into `out` when given.
 */
export function augmentBatch(source: ImageSource, indices: ArrayLike<number>, rng: Rng, config: AugmentConfig = DIGIT_AUGMENT, out?: Float32Array): Float32Array {
  checkAugmentConfig(config);
  const [n, h, w, channels] = source.shape;
  const [outH, outW] = config.size ?? [h, w];
  const inSize = h * w * channels;
  const outSize = outH * outW * channels;
  const result = out ?? new Float32Array(indices.length * outSize);
  if (result.length !== indices.length * outSize) {
    throw new ArgumentError(`augmentBatch: out must have ${indices.length * outSize} values, got ${result.length}`);
  }
  if (config.blur) checkKernelSize('augmentBatch', config.blur.kernelSize, outH, outW);
  const whole = { top: 0, left: 0, height: h, width: w };
  const scratch = config.blur ? new Float32Array(outSize) : null;
  const { crop, affine, flip, jitter, blur, noise, erasing } = config;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new ArgumentError(`augmentBatch: indices[${k}] must be an integer in [0, ${n - 1}], got ${i}`);
    const o = k * outSize;
    const box = crop ? drawCropBox(rng, h, w, crop) : whole;
    const turn = affine && rng.uniform() < affine.p ? drawAffine(rng, outH, outW, affine) : null;
    const mirror = flip !== false && rng.uniform() < flip.p;
    warpAffine(source.images, i * inSize, h, w, channels, geometricMatrix(box, outH, outW, turn, mirror), result, o, outH, outW);
    if (jitter && rng.uniform() < jitter.p) {
      const [b, c] = drawJitter(rng, jitter);
      jitterInPlace(result, o, outSize, channels, b, c);
    }
    if (blur && scratch && rng.uniform() < blur.p) {
      blurInPlace(result, o, outH, outW, channels, gaussianKernel(blur.kernelSize, drawSigma(rng, blur)), scratch);
    }
    if (noise && rng.uniform() < noise.p) noiseInPlace(result, o, outSize, noise.std, rng);
    if (erasing && rng.uniform() < erasing.p) {
      const rect = drawErasingBox(rng, outH, outW, erasing);
      if (rect) fillBox(result, o, outW, channels, rect, erasing.value);
    }
  }
  return result;
}

/** Two independent views of the same images (the query and key views of MoCo), drawn in turn from `rng`. */
export function twoViews(source: ImageSource, indices: ArrayLike<number>, rng: Rng, config: AugmentConfig = DIGIT_AUGMENT): [Float32Array, Float32Array] {
  return [augmentBatch(source, indices, rng, config), augmentBatch(source, indices, rng, config)];
}
