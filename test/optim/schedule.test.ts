import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineWithWarmup } from '../../src/optim/schedule.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

test('warm-up rises linearly from η/W to η at step W − 1; cosine starts at η on step W', () => {
  const lr = cosineWithWarmup({ baseLr: 0.3, totalSteps: 110, warmupSteps: 10, finalLr: 0.01 });
  close(lr(0), 0.03, 'first warm-up step');
  close(lr(4), 0.15, 'warm-up step 4');
  close(lr(9), 0.3, 'last warm-up step');
  close(lr(10), 0.3, 'first cosine step');
});

test('cosine midpoint is (η + η_min)/2, quarter points follow ½(1 + cos), the rate reaches η_min at T and stays', () => {
  const lr = cosineWithWarmup({ baseLr: 0.3, totalSteps: 110, warmupSteps: 10, finalLr: 0.01 });
  close(lr(60), 0.155, 'midpoint');
  close(lr(35), 0.01 + 0.29 * 0.5 * (1 + Math.SQRT1_2), 'quarter');
  close(lr(85), 0.01 + 0.29 * 0.5 * (1 - Math.SQRT1_2), 'three quarters');
  close(lr(109), 0.01 + 0.29 * 0.5 * (1 + Math.cos(Math.PI * 0.99)), 'last step');
  close(lr(110), 0.01, 'step T');
  close(lr(500), 0.01, 'past T');
  const values = Array.from({ length: 110 }, (_, s) => lr(s));
  assert.ok(values.slice(10).every((v, i, a) => i === 0 || v < a[i - 1]), 'cosine part must decrease');
});

test('without warm-up the schedule is MoCo v2 cosine decay to 0: η·½(1 + cos(π s / T))', () => {
  const lr = cosineWithWarmup({ baseLr: 0.06, totalSteps: 200 });
  close(lr(0), 0.06, 'start');
  close(lr(50), 0.06 * 0.5 * (1 + Math.cos(Math.PI / 4)), 'step 50');
  close(lr(100), 0.03, 'midpoint');
  close(lr(200), 0, 'end');
});

test('bad options and steps are one-line errors', () => {
  assert.throws(() => cosineWithWarmup({ baseLr: 0, totalSteps: 10 }), /cosineWithWarmup: baseLr must be a number > 0, got 0/);
  assert.throws(() => cosineWithWarmup({ baseLr: 1, totalSteps: 10, warmupSteps: 10 }), /warmupSteps must be an integer in \[0, 9\], got 10/);
  assert.throws(() => cosineWithWarmup({ baseLr: 1, totalSteps: 10, finalLr: 2 }), /finalLr must be a number in \[0, 1\], got 2/);
  assert.throws(() => cosineWithWarmup({ baseLr: 1, totalSteps: 10 })(-1), /schedule: step must be an integer >= 0, got -1/);
});
