/**
 * The augmentation config: one entry per step, each `false` (off) or its options with the
 * probability `p` of applying it to an image. `DIGIT_AUGMENT` is the MoCo-v2-like default for
 * 28×28 digits; `augmentConfig(overrides)` fills in what an override leaves out and checks it.
 */
import { ArgumentError, checkInt, checkRange } from '../../ops/validate.js';
import type { BlurOptions } from './blur.js';
import type { JitterOptions } from './colorJitter.js';
import type { ErasingOptions } from './erasing.js';
import type { AffineOptions, CropOptions } from './geometric.js';
import type { NoiseOptions } from './noise.js';

type Step<T> = (T & { p: number }) | false;

export interface AugmentConfig {
  /** Output `[H, W]`; default (null) the input's size. */
  size: [number, number] | null;
  /** Random resized crop (always applied when on). */
  crop: CropOptions | false;
  affine: Step<AffineOptions>;
  /** Horizontal flip: off for digits (a mirrored 2 or 7 is not a digit). */
  flip: { p: number } | false;
  jitter: Step<JitterOptions>;
  blur: Step<BlurOptions>;
  noise: Step<NoiseOptions>;
  erasing: Step<ErasingOptions>;
}

/** `value` with every nested object and array frozen. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

/** Options of each step when it is on (the defaults an override starts from). */
export const STEP_DEFAULTS = deepFreeze({
  crop: { scale: [0.3, 1], ratio: [3 / 4, 4 / 3] } as CropOptions,
  affine: { p: 0.5, degrees: 15, shear: 0, translate: 0 },
  flip: { p: 0.5 },
  jitter: { p: 0.8, brightness: 0.4, contrast: 0.4 },
  blur: { p: 0.5, kernelSize: 3, sigma: [0.1, 2] } as BlurOptions & { p: number },
  noise: { p: 0.5, std: 0.05 },
  erasing: { p: 0.5, scale: [0.02, 0.33], ratio: [0.3, 3.3], value: 0 } as ErasingOptions & { p: number },
});

/** MoCo-v2-like views of 28×28 digits: crop, small rotation, jitter and blur (see the README's table). */
export const DIGIT_AUGMENT: Readonly<AugmentConfig> = Object.freeze({
  size: null,
  crop: STEP_DEFAULTS.crop,
  affine: STEP_DEFAULTS.affine,
  flip: false,
  jitter: STEP_DEFAULTS.jitter,
  blur: STEP_DEFAULTS.blur,
  noise: false,
  erasing: false,
});

/** Per-step overrides: options left out come from the default config (or the step's defaults). */
export interface AugmentOverrides {
  size?: [number, number] | null;
  crop?: Partial<CropOptions> | false;
  affine?: Partial<AffineOptions & { p: number }> | false;
  flip?: { p?: number } | false;
  jitter?: Partial<JitterOptions & { p: number }> | false;
  blur?: Partial<BlurOptions & { p: number }> | false;
  noise?: Partial<NoiseOptions & { p: number }> | false;
  erasing?: Partial<ErasingOptions & { p: number }> | false;
}

/** `DIGIT_AUGMENT` with `overrides` merged per step (`false` turns a step off), checked. */
export function augmentConfig(overrides: AugmentOverrides = {}): AugmentConfig {
  const config = { ...DIGIT_AUGMENT } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DIGIT_AUGMENT)) throw new ArgumentError(`augmentConfig: unknown step '${key}', expected one of ${Object.keys(DIGIT_AUGMENT).join(', ')}`);
    if (value === undefined) continue;
    const base = config[key] || STEP_DEFAULTS[key as keyof typeof STEP_DEFAULTS];
    config[key] = value === false || value === null || key === 'size' ? value : { ...(base as object), ...value };
  }
  checkAugmentConfig(config as unknown as AugmentConfig);
  return config as unknown as AugmentConfig;
}

/** Throws an `ArgumentError` naming the first bad option. */
export function checkAugmentConfig(c: AugmentConfig): void {
  const fn = 'augmentConfig';
  const range = (name: string, r: unknown, lo: number, hi: number) => {
    if (!Array.isArray(r) || r.length !== 2) throw new ArgumentError(`${fn}: ${name} must be a [min, max] pair, got ${JSON.stringify(r)}`);
    checkRange(fn, `${name}[0]`, r[0], lo, hi);
    checkRange(fn, `${name}[1]`, r[1], r[0], hi);
  };
  if (c.size !== null) {
    if (!Array.isArray(c.size) || c.size.length !== 2) throw new ArgumentError(`${fn}: size must be [H, W] or null, got ${JSON.stringify(c.size)}`);
    c.size.forEach((s, i) => checkInt(fn, `size[${i}]`, s, 1));
  }
  for (const step of ['affine', 'flip', 'jitter', 'blur', 'noise', 'erasing'] as const) {
    const options = c[step];
    if (options !== false) checkRange(fn, `${step}.p`, options.p, 0, 1);
  }
  if (c.crop) {
    range('crop.scale', c.crop.scale, 0, 1);
    if (c.crop.scale[1] === 0) throw new ArgumentError(`${fn}: crop.scale[1] must be > 0, got 0`);
    range('crop.ratio', c.crop.ratio, 1e-3, 1e3);
  }
  if (c.affine) {
    checkRange(fn, 'affine.degrees', c.affine.degrees, 0, 180);
    checkRange(fn, 'affine.shear', c.affine.shear, 0, 60);
    checkRange(fn, 'affine.translate', c.affine.translate, 0, 1);
  }
  if (c.jitter) {
    checkRange(fn, 'jitter.brightness', c.jitter.brightness, 0, 10);
    checkRange(fn, 'jitter.contrast', c.jitter.contrast, 0, 10);
  }
  if (c.blur) {
    if (!(Number.isInteger(c.blur.kernelSize) && c.blur.kernelSize >= 1 && c.blur.kernelSize % 2 === 1)) {
      throw new ArgumentError(`${fn}: blur.kernelSize must be an odd integer >= 1, got ${c.blur.kernelSize}`);
    }
    range('blur.sigma', c.blur.sigma, 0, 100);
  }
  if (c.noise) checkRange(fn, 'noise.std', c.noise.std, 0, 10);
  if (c.erasing) {
    range('erasing.scale', c.erasing.scale, 0, 1);
    range('erasing.ratio', c.erasing.ratio, 1e-3, 1e3);
    checkRange(fn, 'erasing.value', c.erasing.value, 0, 1);
  }
}
