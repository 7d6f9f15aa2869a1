/**
 * Where a MoCo step's time goes: `node --import tsx bench/profileStep.ts [--backend native]
 * [--threads 1] [--encoder mlp|cnn] [--widths 32,64,128] [--blocks 0] [--size 28] [--channels 1]
 * [--batch 256] [--mochi 256,128,64] [--steps 30]`. Every kernel of the backend is wrapped with a
 * timer (after a warm-up), so the report lists each kernel's ms per step and calls per step, and
 * the rest of the step: TensorFlow.js's bookkeeping (tape, scopes, tensor tracking) and host code.
 * The step and its shapes are those of `hardneg bench moco-step` (`src/cli/benchMocoStep.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { BENCH_WIDTHS, setupMocoBench, type BenchEncoderKind } from '../src/cli/benchMocoStep.js';
import { describeEngine, initEngine } from '../src/engine/backend.js';
import { mocoStep } from '../src/train/mocoStep.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '1' },
    encoder: { type: 'string', default: 'mlp' },
    widths: { type: 'string' },
    blocks: { type: 'string', default: '0' },
    size: { type: 'string', default: '28' },
    channels: { type: 'string', default: '1' },
    batch: { type: 'string', default: '256' },
    mochi: { type: 'string' },
    steps: { type: 'string', default: '30' },
  },
});
const info = await initEngine({ backend: values.backend, threads: Number(values.threads) });
console.log(describeEngine(info));
const encoder = values.encoder as BenchEncoderKind;
const mochi = values.mochi?.split(',').map(Number) as [number, number, number] | undefined;
const steps = Number(values.steps);
const { state, xq, xk } = setupMocoBench({
  encoder,
  widths: values.widths?.split(',').map(Number) ?? BENCH_WIDTHS[encoder],
  blocks: Number(values.blocks),
  size: Number(values.size),
  channels: Number(values.channels),
  batch: Number(values.batch),
  queue: 4096,
  dim: 128,
  steps,
  warmup: 0,
  seed: 0,
  mochi,
});
for (let i = 0; i < 3; i++) mocoStep(state, xq, xk);

// A kernel that calls other kernels (the wasm fixes do) is timed as a whole; the kernels it calls
// are listed as `(inside)` rows and left out of the kernel total.
const kernelMs = new Map<string, { ms: number; calls: number; inside: boolean }>();
let depth = 0;
for (const config of tf.getKernelsForBackend(info.backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, info.backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const name = depth > 0 ? `${config.kernelName} (inside)` : config.kernelName;
      const t0 = performance.now();
      depth++;
      try {
        return inner(args);
      } finally {
        depth--;
        const entry = kernelMs.get(name) ?? { ms: 0, calls: 0, inside: depth > 0 };
        entry.ms += performance.now() - t0;
        entry.calls++;
        kernelMs.set(name, entry);
      }
    },
  });
}

const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  mocoStep(state, xq, xk);
  times.push(performance.now() - t0);
}
const total = times.reduce((s, t) => s + t, 0) / steps;
const rows = [...kernelMs.entries()].map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps, inside: e.inside })).sort((a, b) => b.ms - a.ms);
const inKernels = rows.filter((r) => !r.inside).reduce((s, r) => s + r.ms, 0);
for (const r of rows.filter((r) => r.ms >= 0.01)) console.log(`${r.name.padEnd(34)} ${r.ms.toFixed(3).padStart(8)} ms ${r.calls.toFixed(1).padStart(6)} calls`);
times.sort((a, b) => a - b);
console.log(`step: mean ${total.toFixed(2)} ms (median ${times[steps >> 1].toFixed(2)}, min ${times[0].toFixed(2)}); kernels ${inKernels.toFixed(2)} ms in ${rows.filter((r) => !r.inside).reduce((s, r) => s + r.calls, 0).toFixed(0)} calls; outside kernels ${(total - inKernels).toFixed(2)} ms`);
