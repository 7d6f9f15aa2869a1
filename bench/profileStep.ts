/**
 * `node --import tsx bench/profileStep.ts [--backend native] [--threads 1] [--mochi 256,128,64]`:
 * where a MoCo step's time goes, per kernel (tf.profile over 5 steps after a warm-up), and the
 * step's wall time outside the kernels (autodiff bookkeeping, allocation, host code).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { describeEngine, initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { mlp } from '../src/models/mlp.js';
import { momentumCopy } from '../src/models/momentumEncoder.js';
import { MemoryQueue } from '../src/negatives/memoryQueue.js';
import { l2Normalize } from '../src/ops/normalize.js';
import { momentumSgd } from '../src/train/momentumSgd.js';
import { mocoStep, type MocoState } from '../src/train/mocoStep.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'native' }, threads: { type: 'string', default: '1' }, mochi: { type: 'string' } } });
const info = await initEngine({ backend: values.backend, threads: Number(values.threads) });
console.log(describeEngine(info));
const [B, K, D] = [256, 4096, 128];
const rng = new Rng(0);
const queryEncoder = mlp({ inputDim: 784, hidden: [512], outputDim: D }, rng);
const mochi = values.mochi?.split(',').map(Number);
const state: MocoState = {
  queryEncoder,
  keyEncoder: momentumCopy(queryEncoder),
  queue: new MemoryQueue(K, D),
  optimizer: momentumSgd(0.03, 0.9),
  momentum: 0.99,
  temperature: 0.2,
  mochi: mochi === undefined ? undefined : { N: mochi[0], s: mochi[1], sPrime: mochi[2], rng: rng.fork() },
};
const fill = tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D])));
state.queue.enqueue(fill);
const xq = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
const xk = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
for (let i = 0; i < 5; i++) mocoStep(state, xq, xk);
const steps = 5;
const t0 = performance.now();
const profile = await tf.profile(() => {
  for (let i = 0; i < steps; i++) mocoStep(state, xq, xk);
});
const wall = (performance.now() - t0) / steps;
const byName = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += (k.kernelTimeMs as number) / steps;
  e.calls += 1 / steps;
  byName.set(k.name, e);
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0);
for (const [name, e] of rows) console.log(`${name.padEnd(24)} ${e.ms.toFixed(3).padStart(8)} ms  ${e.calls.toFixed(0).padStart(4)} calls`);
console.log(`kernels ${inKernels.toFixed(2)} ms/step; profiled wall ${wall.toFixed(2)} ms/step`);
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  const s = performance.now();
  mocoStep(state, xq, xk);
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
console.log(`unprofiled median ${times[10].toFixed(2)} ms/step (min ${times[0].toFixed(2)})`);
const walls: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < 40; i++) {
  const c0 = process.cpuUsage();
  const s = performance.now();
  mocoStep(state, xq, xk);
  walls.push(performance.now() - s);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log("wall", walls.map((v) => v.toFixed(1)).join(' '));
console.log('cpu ', cpu.map((v) => v.toFixed(1)).join(' '));
