/**
 * Times hardneg's augmentations: two views (MoCo's query and key) of a batch of MNIST digits
 * with the default digit config, the same work step by step, and the same views in PyTorch
 * (`bench/reference/augment_views.py`, 1 thread) when it is installed, with the ratio.
 *
 * On the native backend the pixel work runs in C (`native/augment.c`); `--backend wasm` (or cpu)
 * times the JavaScript path. Usage: node --import tsx bench/augment.ts [--backend native]
 * [--threads 1] [--batch 256] [--reps 50] [--json]
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type AugmentOverrides, augmentConfig } from '../src/data/augment/config.js';
import { twoViews } from '../src/data/augment/pipeline.js';
import { loadMnist } from '../src/data/mnist.js';
import { initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, threads: { type: 'string', default: '1' }, batch: { type: 'string', default: '256' }, reps: { type: 'string', default: '50' }, json: { type: 'boolean' } },
});
const engine = await initEngine({ backend: values.backend, threads: Number(values.threads) });
const batch = Number(values.batch);
const reps = Number(values.reps);
const { train } = await loadMnist();
const indices = Int32Array.from({ length: batch }, (_v, i) => i);

/** Median and minimum ms of two views, after 10 warm-up calls. */
function time(overrides: AugmentOverrides): { median: number; min: number } {
  const config = augmentConfig(overrides);
  const rng = new Rng(0);
  for (let i = 0; i < 10; i++) twoViews(train, indices, rng, config);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    twoViews(train, indices, rng, config);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0] };
}

const off = { affine: false, jitter: false, blur: false } as const;
const steps: [string, AugmentOverrides][] = [
  ['crop (resample only)', off],
  ['crop + rotation', { ...off, affine: {} }],
  ['crop + jitter', { ...off, jitter: {} }],
  ['crop + blur', { ...off, blur: {} }],
];
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}`);
const full = time({});
console.log(`hardneg (${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'}): two views of ${batch} MNIST images, default digit config: median ${full.median.toFixed(2)} ms, min ${full.min.toFixed(2)} ms`);
for (const [name, overrides] of steps) {
  const t = time(overrides);
  console.log(`  ${name.padEnd(22)} median ${t.median.toFixed(2)} ms, min ${t.min.toFixed(2)} ms`);
}

const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
const torch = spawnSync('/usr/bin/python3', ['bench/reference/augment_views.py', '--batch', `${batch}`, '--reps', `${reps}`, '--threads', '1', '--json'], { encoding: 'utf8', env });
let torchMs: number | null = null;
if (torch.status === 0) {
  const result = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { torch: string; ms_two_views: number };
  torchMs = result.ms_two_views;
  console.log(`torch ${result.torch} (1 thread, batched tensor ops): median ${torchMs.toFixed(2)} ms`);
  console.log(`ratio torch_ms / hardneg_ms = ${(torchMs / full.median).toFixed(2)}`);
} else {
  console.log('PyTorch reference skipped (/usr/bin/python3 with torch not found: apt-get install -y python3-torch)');
}
if (values.json) console.log(JSON.stringify({ bench: 'augment-views', backend: engine.backend, batch, hardneg_ms: full.median, hardneg_min_ms: full.min, torch_ms: torchMs }));
