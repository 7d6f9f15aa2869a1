/**
 * The epoch and step loop the image trainers share, with interruption and resume. `stepPlan`
 * fixes the batches and the per-step learning rate (cosine with linear warm-up); steps run from
 * `start` (a checkpoint's position); after each step `hooks.shouldStop` may end the run, which
 * then saves a checkpoint at the next step and reports itself interrupted; after each epoch the
 * trainer's metrics are appended to the run's `metrics.jsonl`, passed to `hooks.onEpoch`, and a
 * checkpoint is saved at the start of the next epoch.
 *
 * Between steps the loop yields to the event loop, so a Ctrl-C (SIGINT) handler runs within one
 * step. A step that meets a non-finite loss, gradient or weight (`NonFiniteStep`,
 * `optim/guardedStep.ts`) stops the run with a `DivergenceError` naming the epoch, the step and
 * the likely setting; no checkpoint is written after it, so the last good one stays the latest.
 * With `nonFinite: 'skip'` a step whose loss or gradients are non-finite is skipped instead (not
 * applied, counted in the epoch's `skipped_steps`); weights made non-finite always stop the run,
 * as does an epoch whose every step is skipped.
 */
import type * as tf from '../engine/tf.js';
import { BatchSchedule } from '../data/batching.js';
import type { Position } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { setLearningRate } from '../optim/optimizers.js';
import { DivergenceError, divergenceMessage, NonFiniteStep, type NonFinitePolicy } from '../optim/guardedStep.js';
import type { Metrics, RunWriter } from './runWriter.js';
import { cosineWithWarmup } from '../optim/schedule.js';

export interface TrainHooks {
  /** Called after every step. */
  onStep?: (epoch: number, step: number, steps: number, loss: number) => void;
  /** Called with each epoch's metrics line. */
  onEpoch?: (metrics: Metrics & { epoch: number }) => void;
  /** Checked after every step: when true, the run saves a checkpoint and returns (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  run: RunWriter;
  final: Metrics;
  /** True when the run stopped early (`shouldStop`) and can be resumed. */
  interrupted: boolean;
}

/** Batches of `examples` images (seeded, last partial batch dropped), steps per epoch, and the learning rate of each global step. */
export function stepPlan(config: TrainConfig, examples: number, batchSize: number): { schedule: BatchSchedule; steps: number; lr: (step: number) => number } {
  const { seed, epochs } = config;
  const schedule = new BatchSchedule(examples, { batchSize, seed, dropLast: true });
  const steps = schedule.stepsPerEpoch;
  const totalSteps = epochs * steps;
  const lr = cosineWithWarmup({ baseLr: config.optimizer.lr, totalSteps, warmupSteps: Math.min(totalSteps - 1, Math.round(config.warmupEpochs * steps)) });
  return { schedule, steps, lr };
}

/** Whether the test split is evaluated after `epoch` (0-based): every `eval.every` epochs and after the last. */
export function evaluationDue(config: TrainConfig, epoch: number): boolean {
  return (epoch + 1) % config.eval.every === 0 || epoch + 1 === config.epochs;
}

export interface EpochLoop {
  epochs: number;
  stepsPerEpoch: number;
  start: Position;
  run: RunWriter;
  hooks: TrainHooks;
  /** Its learning rate is set to `lr(global step)` before each step. */
  optimizer: tf.Optimizer;
  lr: (step: number) => number;
  /** What a non-finite step does (default 'stop'). */
  nonFinite?: NonFinitePolicy;
  /** The settings that most likely cause a divergence, for its message (e.g. "optimizer.lr 10 too high"). */
  suspects: string;
  /** One training step; returns its loss, or throws `NonFiniteStep` (optim/guardedStep.ts). */
  step(epoch: number, step: number): number;
  /** The metrics line of a finished epoch, given its mean loss and the time it started (`performance.now()`). */
  endEpoch(epoch: number, meanLoss: number, startedAt: number): Metrics & { epoch: number };
  /** Saves a checkpoint that resumes at `position`. */
  save(position: Position): Promise<void>;
}

/** The next macrotask: lets signal handlers (Ctrl-C) and I/O callbacks run between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the remaining epochs; returns true when `hooks.shouldStop` interrupted the run. */
export async function runEpochs(loop: EpochLoop): Promise<boolean> {
  const { epochs, stepsPerEpoch: steps, start, run, hooks, nonFinite = 'stop' } = loop;
  let saved = start;
  const save = async (position: Position) => {
    await loop.save(position);
    saved = position;
  };
  for (let epoch = start.epoch; epoch < epochs; epoch++) {
    const startedAt = performance.now();
    const first = epoch === start.epoch ? start.step : 0;
    let lossSum = epoch === start.epoch ? (start.lossSum ?? 0) : 0;
    let skipped = epoch === start.epoch ? (start.skipped ?? 0) : 0;
    for (let step = first; step < steps; step++) {
      setLearningRate(loop.optimizer, loop.lr(epoch * steps + step));
      let loss: number;
      try {
        loss = loop.step(epoch, step);
        lossSum += loss;
      } catch (err) {
        if (!(err instanceof NonFiniteStep)) throw err;
        if (nonFinite === 'stop' || err.nonFinite === 'weights' || skipped + 1 === steps) {
          const where = `epoch ${epoch + 1}/${epochs} step ${step + 1}/${steps}${skipped + 1 === steps ? ' (every step of the epoch non-finite)' : ''}`;
          const kept = saved.epoch === 0 && saved.step === 0 ? `no checkpoint was written (remove ${run.path} to rerun under this name)` : `the latest checkpoint (resuming at epoch ${saved.epoch + 1} step ${saved.step + 1}) is kept`;
          throw new DivergenceError(divergenceMessage(where, err, loop.suspects, kept));
        }
        loss = err.loss;
        skipped++;
      }
      hooks.onStep?.(epoch, step, steps, loss);
      await yieldToEventLoop();
      if (hooks.shouldStop?.() && step < steps - 1) {
        await save({ epoch, step: step + 1, lossSum, ...(skipped > 0 ? { skipped } : {}) });
        return true;
      }
    }
    // A checkpoint without lossSum (older runs) resumes with the steps run since.
    const counted = epoch === start.epoch && start.lossSum === undefined ? steps - first : steps;
    const metrics = loop.endEpoch(epoch, lossSum / (counted - skipped), startedAt);
    if (nonFinite === 'skip') metrics.skipped_steps = skipped;
    run.appendMetrics(metrics);
    hooks.onEpoch?.(metrics);
    await save({ epoch: epoch + 1, step: 0 });
    if (hooks.shouldStop?.() && epoch < epochs - 1) return true;
  }
  return false;
}
