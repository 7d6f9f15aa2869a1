/**
 * Learning-rate schedule per optimizer step: linear warm-up, then cosine decay (SGDR without
 * restarts, Loshchilov & Hutter 2017; MoCo v2 uses the cosine part). For step s = 0, 1, …
 * (the step about to be taken), base rate η, warm-up W steps, T steps in all, final rate η_min:
 *
 *   s < W:       η·(s + 1)/W                                  (step W − 1 runs at η)
 *   W ≤ s < T:   η_min + (η − η_min)·½(1 + cos(π·(s − W)/(T − W)))   (step W runs at η)
 *   s ≥ T:       η_min
 *
 * so the midpoint s = W + (T − W)/2 runs at (η + η_min)/2 and the rate reaches η_min at s = T.
 * Use with `setLearningRate(optimizer, schedule(step))` before each step.
 */
import { checkInt, checkPositive, checkRange } from '../ops/validate.js';

export interface CosineScheduleOptions {
  /** Peak learning rate η (reached at the end of warm-up). */
  baseLr: number;
  /** Total optimizer steps T (epochs × steps per epoch). */
  totalSteps: number;
  /** Linear warm-up steps W, 0 ≤ W < T. Default 0. */
  warmupSteps?: number;
  /** Rate η_min at the end, 0 ≤ η_min ≤ η. Default 0. */
  finalLr?: number;
}

/** The schedule as a function of the 0-based step. */
export function cosineWithWarmup(options: CosineScheduleOptions): (step: number) => number {
  const { baseLr, totalSteps, warmupSteps = 0, finalLr = 0 } = options;
  const fn = 'cosineWithWarmup';
  checkPositive(fn, 'baseLr', baseLr);
  checkInt(fn, 'totalSteps', totalSteps, 1);
  checkInt(fn, 'warmupSteps', warmupSteps, 0, totalSteps - 1);
  checkRange(fn, 'finalLr', finalLr, 0, baseLr);
  return (step: number): number => {
    checkInt('schedule', 'step', step, 0);
    if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
    if (step >= totalSteps) return finalLr;
    const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
    return finalLr + (baseLr - finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}
