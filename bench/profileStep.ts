/**
 * Where a MoCo step's time goes: `node --import tsx bench/profileStep.ts [--backend native]
 * [--threads 1] [--mochi 256,128,64] [--steps 30]`. Every kernel of the backend is wrapped with a
 * timer (after a warm-up), so the report lists each kernel's ms per step and calls per step, and
 * the rest of the step: TensorFlow.js's bookkeeping (tape, scopes, tensor tracking) and host code.
 * Shapes are those of `hardneg bench moco-step` (B=256, K=4096, D=128, MLP 784→512→128).
 */
import * as tf from '@tensorflow/tfjs';
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
  options: { backend: { type: 'string', default: 'native' }, threads: { type: 'string', default: '1' }, mochi: { type: 'string' }, steps: { type: 'string', default: '30' } },
});
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
  optimizer: new SGD(0.03, 0.9),
  momentum: 0.99,
  temperature: 0.2,
  mochi: mochi === undefined ? undefined : { N: mochi[0], s: mochi[1], sPrime: mochi[2], rng: rng.fork() },
};
state.queue.enqueue(tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D]))));
const xq = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
const xk = tf.tensor2d(rng.uniformArray(B * 784), [B, 784]);
for (let i = 0; i < 5; i++) mocoStep(state, xq, xk);

const kernelMs = new Map<string, { ms: number; calls: number }>();
for (const config of tf.getKernelsForBackend(info.backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, info.backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const t0 = performance.now();
      const out = inner(args);
      const entry = kernelMs.get(config.kernelName) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - t0;
      entry.calls++;
      kernelMs.set(config.kernelName, entry);
      return out;
    },
  });
}

const steps = Number(values.steps);
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  mocoStep(state, xq, xk);
  times.push(performance.now() - t0);
}
const total = times.reduce((s, t) => s + t, 0) / steps;
const rows = [...kernelMs.entries()].map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps })).sort((a, b) => b.ms - a.ms);
const inKernels = rows.reduce((s, r) => s + r.ms, 0);
for (const r of rows.filter((r) => r.ms >= 0.01)) console.log(`${r.name.padEnd(26)} ${r.ms.toFixed(3).padStart(8)} ms ${r.calls.toFixed(1).padStart(6)} calls`);
times.sort((a, b) => a - b);
console.log(`step: mean ${total.toFixed(2)} ms (median ${times[steps >> 1].toFixed(2)}, min ${times[0].toFixed(2)}); kernels ${inKernels.toFixed(2)} ms in ${rows.reduce((s, r) => s + r.calls, 0).toFixed(0)} calls; outside kernels ${(total - inKernels).toFixed(2)} ms`);
