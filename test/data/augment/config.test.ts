import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGIT_AUGMENT, STEP_DEFAULTS, augmentConfig } from '../../../src/data/augment/config.js';

test('the digit defaults: crop, half-time rotation, jitter and blur; no flip, noise or erasing', () => {
  assert.deepEqual(DIGIT_AUGMENT, {
    size: null,
    crop: { scale: [0.3, 1], ratio: [3 / 4, 4 / 3] },
    affine: { p: 0.5, degrees: 15, shear: 0, translate: 0 },
    flip: false,
    jitter: { p: 0.8, brightness: 0.4, contrast: 0.4 },
    blur: { p: 0.5, kernelSize: 3, sigma: [0.1, 2] },
    noise: false,
    erasing: false,
  });
  assert.deepEqual(augmentConfig(), DIGIT_AUGMENT);
});

test('overrides merge per step; a step turned on starts from its defaults; false turns it off', () => {
  const c = augmentConfig({ jitter: { contrast: 0 }, erasing: { value: 1 }, blur: false, size: [32, 32] });
  assert.deepEqual(c.jitter, { p: 0.8, brightness: 0.4, contrast: 0 });
  assert.deepEqual(c.erasing, { ...STEP_DEFAULTS.erasing, value: 1 });
  assert.equal(c.blur, false);
  assert.deepEqual(c.size, [32, 32]);
  assert.deepEqual(DIGIT_AUGMENT.jitter, { p: 0.8, brightness: 0.4, contrast: 0.4 }, 'defaults untouched');
  assert.throws(() => {
    (STEP_DEFAULTS.crop.scale as number[])[0] = 0.1;
  }, TypeError, 'the defaults are frozen');
});

test('bad options name the option, the expected and the actual value', () => {
  assert.throws(() => augmentConfig({ jitter: { p: 1.5 } }), /augmentConfig: jitter.p must be a number in \[0, 1\], got 1.5/);
  assert.throws(() => augmentConfig({ crop: { scale: [0.5, 0.2] } }), /augmentConfig: crop.scale\[1\] must be a number in \[0.5, 1\], got 0.2/);
  assert.throws(() => augmentConfig({ blur: { kernelSize: 4 } }), /augmentConfig: blur.kernelSize must be an odd integer >= 1, got 4/);
  assert.throws(() => augmentConfig({ erasing: { value: 2 } }), /augmentConfig: erasing.value must be a number in \[0, 1\], got 2/);
  assert.throws(() => augmentConfig({ size: [0, 3] }), /augmentConfig: size\[0\] must be an integer >= 1, got 0/);
  assert.throws(() => augmentConfig({ hue: {} } as never), /augmentConfig: unknown step 'hue', expected one of size, crop, affine, flip, jitter, blur, noise, erasing/);
});
