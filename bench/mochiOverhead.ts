/**
 * What MoCHi adds to a MoCo step, measured in one process with the steps interleaved (MoCo,
 * MoCo + MoCHi, MoCo, …) so that a busy machine slows both alike:
 * `node --import tsx bench/mochiOverhead.ts [--backend native|wasm] [--threads 1] [--mochi 256,128,64] [--steps 40]`.
 * Shapes are those of `hardneg bench moco-step` (B=256, K=4096, D=128, MLP 784→512→128). Prints
 * the median step of each and the overhead, median(MoCHi) / median(MoCo) − 1, with `uptime`'s load,
 * for wall time and for the process's CPU time (user + system). On a shared machine the CPU time is
 * the steadier measure of the work (at 1 thread it is the work itself; at n threads it adds the
 * threads' time, and the wall time is what a user waits).
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
const wall: [number[], number[]] = [[], []];
const cpu: [number[], number[]] = [[], []];
const steps = Number(values.steps);
for (let i = 0; i < steps; i++) {
  [moco, mochi].forEach((st, k) => {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    mocoStep(st, xq, xk);
    const c = process.cpuUsage(c0);
    wall[k].push(performance.now() - t0);
    cpu[k].push((c.user + c.system) / 1000);
  });
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const [a, b] = wall.map(median);
const [ca, cb] = cpu.map(median);
const load = loadavg()[0];
const result = {
  backend: info.backend, threads: Number(values.threads), mochi: [N, s, sPrime],
  moco_ms: a, mochi_ms: b, overhead: b / a - 1, moco_cpu_ms: ca, mochi_cpu_ms: cb, cpu_overhead: cb / ca - 1, load1: load,
};
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
console.error(
  `MoCo ${a.toFixed(2)} ms, MoCo + MoCHi(${N}, ${s}, ${sPrime}) ${b.toFixed(2)} ms: ${pct(b / a - 1)} wall; ` +
    `CPU ${ca.toFixed(2)} → ${cb.toFixed(2)} ms: ${pct(cb / ca - 1)} (medians of ${steps} interleaved steps; load ${load.toFixed(2)})`,
);
if (values.json) console.log(JSON.stringify(result));
