/**
 * `hardneg bench moco-step`: times one full MoCo training step (see `train/mocoStep.ts`) with
 * the query encoder an MLP 784→512→ReLU→dim, m = 0.99, τ = 0.2, SGD lr 0.03 momentum 0.9, on
 * seeded random inputs and a full queue. The same step in PyTorch is
 * `bench/reference/moco_step.py`; `npm run bench:compare` runs both.
 */
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import { mlp } from '../models/mlp.js';
import { momentumCopy } from '../models/momentumEncoder.js';
import { MemoryQueue } from '../negatives/memoryQueue.js';
import { l2Normalize } from '../ops/normalize.js';
import { SGD } from '../optim/optimizers.js';
import { mocoStep, type MocoState } from '../train/mocoStep.js';

export interface MocoBenchOptions {
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

const INPUT_DIM = 784;
const HIDDEN = 512;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function benchMocoStep(o: MocoBenchOptions, onStep?: (done: number, total: number) => void): MocoBenchResult {
  const rng = new Rng(o.seed);
  const queryEncoder = mlp({ inputDim: INPUT_DIM, hidden: [HIDDEN], outputDim: o.dim }, rng);
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(o.queue, o.dim),
    optimizer: new SGD(0.03, 0.9),
    momentum: 0.99,
    temperature: 0.2,
    mochi: o.mochi === undefined ? undefined : { N: o.mochi[0], s: o.mochi[1], sPrime: o.mochi[2], rng: rng.fork() },
  };
  const fill = tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(o.queue * o.dim), [o.queue, o.dim])));
  state.queue.enqueue(fill);
  fill.dispose();
  const xq = tf.tensor2d(rng.uniformArray(o.batch * INPUT_DIM), [o.batch, INPUT_DIM]);
  const xk = tf.tensor2d(rng.uniformArray(o.batch * INPUT_DIM), [o.batch, INPUT_DIM]);

  const times: number[] = [];
  let finalLoss = NaN;
  const total = o.warmup + o.steps;
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    finalLoss = mocoStep(state, xq, xk);
    const ms = performance.now() - t0;
    if (i >= o.warmup) times.push(ms);
    onStep?.(i + 1, total);
  }
  tf.dispose([xq, xk]);
  state.queue.dispose();
  state.queryEncoder.dispose();
  state.keyEncoder.dispose();
  state.optimizer.dispose();
  return { msPerStep: median(times), times, finalLoss };
}
