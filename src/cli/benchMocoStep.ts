/**
 * `hardneg bench moco-step`: times one full MoCo training step (see `train/mocoStep.ts`: momentum
 * update, keys with shuffled BN, query forward and backward, logits against the queue,
 * cross-entropy, SGD, enqueue) on seeded random inputs `[B, size, size, channels]` and a full
 * queue `[K, D]`, with m = 0.99, τ = 0.2, SGD lr 0.03 momentum 0.9, and one of two encoders:
 *
 *   mlp: size²·channels → widths… (ReLU) → D, no weight decay (default widths [512]);
 *   cnn: `models/cnn.ts` (conv3×3 → BN → ReLU stages, `blocks` residual blocks per stage, average
 *        pooling between stages, global average pooling) + MoCo v2 head widths[-1] → widths[-1] → D,
 *        BatchNorm per sub-batch of B/4 (shuffled BN), weight decay 1e-4 (default widths [32, 64, 128]).
 *
 * The same step in PyTorch is `bench/reference/moco_step.py` (same flags); `npm run bench:compare`
 * runs both.
 */
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import { buildEncoder, type EncoderConfig } from '../models/encoder.js';
import { momentumCopy } from '../models/momentumEncoder.js';
import { MemoryQueue } from '../negatives/memoryQueue.js';
import { l2Normalize } from '../ops/normalize.js';
import { checkStepMemory } from '../train/memoryCheck.js';
import { buildOptimizer } from '../optim/optimizers.js';
import { mocoStep, type MocoState } from '../train/mocoStep.js';

export type BenchEncoderKind = 'mlp' | 'cnn';

/** Default layer widths of each bench encoder. */
export const BENCH_WIDTHS: Record<BenchEncoderKind, number[]> = { mlp: [512], cnn: [32, 64, 128] };

/** BatchNorm sub-batches of the CNN's shuffled BN (MoCo's split over 4 GPUs); the batch must be a multiple. */
export const BENCH_BN_GROUPS = 4;

export interface MocoBenchOptions {
  encoder: BenchEncoderKind;
  /** Hidden widths (mlp) or stage widths (cnn). */
  widths: number[];
  /** Residual blocks per stage (cnn only). */
  blocks: number;
  /** Images are size × size × channels (the MLP sees them flattened). */
  size: number;
  channels: number;
  batch: number;
  queue: number;
  dim: number;
  steps: number;
  warmup: number;
  seed: number;
  /** MoCHi (N, s, s′), or none. */
  mochi?: [number, number, number];
}

export interface MocoBenchResult {
  msPerStep: number;
  /** Every timed step, in ms. */
  times: number[];
  finalLoss: number;
}

/** A ready-to-run bench step: the MoCo state, two fixed input batches, and their disposal. */
export interface MocoBenchSetup {
  state: MocoState;
  encoderConfig: EncoderConfig;
  xq: tf.Tensor;
  xk: tf.Tensor;
  dispose(): void;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The encoder the bench times (see the file comment). */
export function benchEncoderConfig(o: Pick<MocoBenchOptions, 'encoder' | 'widths' | 'blocks' | 'size' | 'channels' | 'dim'>): EncoderConfig {
  if (o.encoder === 'mlp') return { backbone: { kind: 'mlp', inputDim: o.size * o.size * o.channels, hidden: o.widths, outputDim: o.dim } };
  const last = o.widths[o.widths.length - 1];
  return {
    backbone: { kind: 'cnn', inputShape: [o.size, o.size, o.channels], widths: o.widths, blocks: o.blocks, batchNorm: true },
    head: { hiddenDim: last, outputDim: o.dim },
  };
}

/**
 * Builds the encoders, a queue filled with unit vectors, and the two input batches, all from
 * `o.seed`; first refuses (one line) a step too big for the backend's memory.
 */
export function setupMocoBench(o: MocoBenchOptions): MocoBenchSetup {
  const encoderConfig = benchEncoderConfig(o);
  checkStepMemory('bench moco-step', encoderConfig, o.batch, o.encoder === 'cnn' ? BENCH_BN_GROUPS : 1);
  const rng = new Rng(o.seed);
  const queryEncoder = buildEncoder(encoderConfig, rng);
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(o.queue, o.dim),
    optimizer: buildOptimizer({ kind: 'sgd', lr: 0.03, momentum: 0.9, weightDecay: o.encoder === 'cnn' ? 1e-4 : 0 }),
    momentum: 0.99,
    temperature: 0.2,
    batchNormGroups: o.encoder === 'cnn' ? BENCH_BN_GROUPS : 1,
    mochi: o.mochi === undefined ? undefined : { N: o.mochi[0], s: o.mochi[1], sPrime: o.mochi[2], rng: rng.fork() },
    rng,
  };
  const fill = tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(o.queue * o.dim), [o.queue, o.dim])));
  state.queue.enqueue(fill);
  fill.dispose();
  const pixels = o.size * o.size * o.channels;
  const shape = o.encoder === 'mlp' ? [o.batch, pixels] : [o.batch, o.size, o.size, o.channels];
  const xq = tf.tensor(rng.uniformArray(o.batch * pixels), shape);
  const xk = tf.tensor(rng.uniformArray(o.batch * pixels), shape);
  return {
    state,
    encoderConfig,
    xq,
    xk,
    dispose() {
      tf.dispose([xq, xk]);
      state.queue.dispose();
      state.queryEncoder.dispose();
      state.keyEncoder.dispose();
      state.optimizer.dispose();
    },
  };
}

/** Runs `o.warmup` untimed then `o.steps` timed MoCo steps; the median is the result. */
export function benchMocoStep(o: MocoBenchOptions, onStep?: (done: number, total: number) => void): MocoBenchResult {
  const bench = setupMocoBench(o);
  const times: number[] = [];
  let finalLoss = NaN;
  const total = o.warmup + o.steps;
  try {
    for (let i = 0; i < total; i++) {
      const t0 = performance.now();
      finalLoss = mocoStep(bench.state, bench.xq, bench.xk);
      const ms = performance.now() - t0;
      if (i >= o.warmup) times.push(ms);
      onStep?.(i + 1, total);
    }
  } finally {
    bench.dispose();
  }
  return { msPerStep: median(times), times, finalLoss };
}
