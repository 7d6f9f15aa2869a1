/**
 * What MoCHi adds to a MoCo step, measured in one process with the steps interleaved (MoCo,
 * MoCo + MoCHi, MoCo, …) so that a busy machine slows both alike:
 * `node --import tsx bench/mochiOverhead.ts [--backend native|wasm] [--threads 1] [--mochi 256,128,64] [--steps 40]`.
 * Shapes are those of `hardneg bench moco-step` (B=256, K=4096, D=128, MLP 784→512→128). Prints
 * the median step of each and the overhead, median(MoCHi) / median(MoCo) − 1, with `uptime`'s load.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { describeEngine, initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { mlp } from '../src/models/mlp.js';
import { momentumCopy } from '../src/models/momentumEncoder.js';
import { MemoryQueue } from '../src/negatives/memoryQueue.js';
import { l2Normalize } from '../src/ops/normalize.js';
import { SGD } from '../src/optim/optimizers.js';
import { mocoStep, type MocoState } from '../src/train/mocoStep.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '1' },
    mochi: { type: 'string', default: '256,128,64' },
    steps: { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
});
const info = await initEngine({ backend: values.backend, threads: Number(values.threads) });
console.error(describeEngine(info));
const [B, K, D] = [256, 4096, 128];
const [N, s, sPrime] = values.mochi!.split(',').map(Number);

function state(seed: number, withMochi: boolean): MocoState {
  const rng = new Rng(seed);
  const queryEncoder = mlp({ inputDim: 784, hidden: [512], outputDim: D }, rng);
  const queue = new MemoryQueue(K, D);
  queue.enqueue(tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D]))));
  return {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue,
    optimizer: new SGD(0.03, 0.9),
    momentum: 0.99,
    temperature: 0.2,
    mochi: withMochi ? { N, s, sPrime, rng: rng.fork() } : undefined,
  };
}

const rng = new Rng(0);
const xq = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
const xk = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
const [moco, mochi] = [state(1, false), state(1, true)];
for (let i = 0; i < 5; i++) [moco, mochi].forEach((st) => mocoStep(st, xq, xk));
const times: [number[], number[]] = [[], []];
const steps = Number(values.steps);
for (let i = 0; i < steps; i++) {
  [moco, mochi].forEach((st, k) => {
    const t0 = performance.now();
    mocoStep(st, xq, xk);
    times[k].push(performance.now() - t0);
  });
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const [a, b] = times.map(median);
const load = loadavg()[0];
const result = { backend: info.backend, threads: Number(values.threads), mochi: [N, s, sPrime], moco_ms: a, mochi_ms: b, overhead: b / a - 1, load1: load };
console.error(`MoCo ${a.toFixed(2)} ms, MoCo + MoCHi(${N}, ${s}, ${sPrime}) ${b.toFixed(2)} ms: +${(100 * (b / a - 1)).toFixed(1)}% (medians of ${steps} interleaved steps; load ${load.toFixed(2)})`);
if (values.json) console.log(JSON.stringify(result));
