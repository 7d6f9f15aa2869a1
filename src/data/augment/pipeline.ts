/**
 * Augmented views of a batch of images, as plain typed-array work (no tensors). For each image,
 * in this order: the crop, affine and flip are composed into one map and sampled once
 * (bilinear); then brightness/contrast jitter, Gaussian blur, Gaussian noise and random erasing,
 * each applied with its probability p. All draws come from the given `Rng`, image by image, so a
 * batch is a pure function of (images, indices, rng state, config). The draws are made first (in
 * JavaScript, always); the warp, jitter and blur then run as one host kernel (`augmentPixels`: C
 * on the native backend, the same views either way).
 */
import { augmentPixels } from '../../engine/hostKernels.js';
import type { Rng } from '../../engine/random.js';
import { ArgumentError } from '../../ops/validate.js';
import { checkKernelSize, drawSigma, gaussianKernel } from './blur.js';
import { drawJitter } from './colorJitter.js';
import { type AugmentConfig, DIGIT_AUGMENT, checkAugmentConfig } from './config.js';
import { drawErasingBox, fillBox } from './erasing.js';
import { drawAffine, drawCropBox, geometricMatrix } from './geometric.js';
import { addNoiseInPlace } from './noise.js';
import type { Affine, Box } from './warp.js';

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
  const outSize = outH * outW * channels;
  const result = out ?? new Float32Array(indices.length * outSize);
  if (result.length !== indices.length * outSize) {
    throw new ArgumentError(`augmentBatch: out must have ${indices.length * outSize} values, got ${result.length}`);
  }
  if (config.blur) checkKernelSize('augmentBatch', config.blur.kernelSize, outH, outW);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new ArgumentError(`augmentBatch: indices[${k}] must be an integer in [0, ${n - 1}], got ${i}`);
  }
  const plans = Array.from(indices, () => drawImagePlan(rng, config, h, w, outH, outW, outSize));
  augmentPixels(source.images, h, w, channels, indices, plans, config.blur ? config.blur.kernelSize : 0, result, outH, outW);
  plans.forEach((plan, k) => {
    const o = k * outSize;
    if (plan.noise) addNoiseInPlace(result, o, plan.noise);
    if (plan.erase) fillBox(result, o, outW, channels, plan.erase, config.erasing ? config.erasing.value : 0);
  });
  return result;
}

/** What one image's view does, drawn from `rng` in the pipeline's order. */
interface ImagePlan {
  matrix: Affine;
  /** Brightness and contrast factors, or null (not applied). */
  jitter: [number, number] | null;
  /** Blur kernel weights, or null. */
  blur: Float64Array | null;
  /** std·z per value, or null. */
  noise: Float64Array | null;
  erase: Box | null;
}

function drawImagePlan(rng: Rng, config: AugmentConfig, h: number, w: number, outH: number, outW: number, outSize: number): ImagePlan {
  const { crop, affine, flip, jitter, blur, noise, erasing } = config;
  const box = crop ? drawCropBox(rng, h, w, crop) : { top: 0, left: 0, height: h, width: w };
  const turn = affine && rng.uniform() < affine.p ? drawAffine(rng, outH, outW, affine) : null;
  const mirror = flip !== false && rng.uniform() < flip.p;
  const plan: ImagePlan = { matrix: geometricMatrix(box, outH, outW, turn, mirror), jitter: null, blur: null, noise: null, erase: null };
  if (jitter && rng.uniform() < jitter.p) plan.jitter = drawJitter(rng, jitter);
  if (blur && rng.uniform() < blur.p) plan.blur = gaussianKernel(blur.kernelSize, drawSigma(rng, blur));
  if (noise && rng.uniform() < noise.p && noise.std !== 0) plan.noise = Float64Array.from({ length: outSize }, () => noise.std * rng.normal());
  if (erasing && rng.uniform() < erasing.p) plan.erase = drawErasingBox(rng, outH, outW, erasing);
  return plan;
}

/** Two independent views of the same images (the query and key views of MoCo), drawn in turn from `rng`. */
export function twoViews(source: ImageSource, indices: ArrayLike<number>, rng: Rng, config: AugmentConfig = DIGIT_AUGMENT): [Float32Array, Float32Array] {
  return [augmentBatch(source, indices, rng, config), augmentBatch(source, indices, rng, config)];
}
