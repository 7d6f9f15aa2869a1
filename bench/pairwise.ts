/**
 * `node --import tsx bench/pairwise.ts`: forward + backward time of each pairwise loss (HCL, DCL, DCLW,
 * batch-hard and semi-hard triplet, MNRL) on hardneg's backend, and of the same losses in
 * PyTorch (`bench/reference/pairwise_losses.py`, 1 thread) when it is installed, with the ratio.
 *
 * Options: [--backend wasm --batch 256 --dim 128 --hard 4 --runs 20]
 * Gradients are taken w.r.t. every input embedding (both views; queries, positives and hard
 * negatives), as in training.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initEngine, describeEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { dcl } from '../src/losses/dcl.js';
import { hcl } from '../src/losses/hcl.js';
import { mnrl } from '../src/losses/mnrl.js';
import { tripletBatchHard, tripletSemiHard } from '../src/losses/triplet.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '256' },
    dim: { type: 'string', default: '128' },
    hard: { type: 'string', default: '4' },
    classes: { type: 'string', default: '32' },
    runs: { type: 'string', default: '20' },
  },
});
const [B, D, H, classes, runs] = [values.batch, values.dim, values.hard, values.classes, values.runs].map(Number);
const info = await initEngine({ backend: values.backend });
const rng = new Rng(0);
const z1 = tf.tensor2d(rng.normalArray(B * D), [B, D]);
const z2 = tf.tensor2d(rng.normalArray(B * D), [B, D]);
const hardNegatives = tf.tensor3d(rng.normalArray(B * H * D), [B, H, D]);
const labels = tf.tensor1d(rng.intArray(B, classes), 'int32');

type Loss = (...xs: tf.Tensor[]) => tf.Scalar;
const cases: [string, Loss, tf.Tensor[]][] = [
  ['hcl', (a, b) => hcl(a as tf.Tensor2D, b as tf.Tensor2D), [z1, z2]],
  ['dcl', (a, b) => dcl(a as tf.Tensor2D, b as tf.Tensor2D), [z1, z2]],
  ['dclw', (a, b) => dcl(a as tf.Tensor2D, b as tf.Tensor2D, { sigma: 0.5 }), [z1, z2]],
  ['triplet-batch-hard', (a) => tripletBatchHard(a as tf.Tensor2D, labels), [z1]],
  ['triplet-semi-hard', (a) => tripletSemiHard(a as tf.Tensor2D, labels), [z1]],
  ['mnrl', (q, p, h) => mnrl(q as tf.Tensor2D, p as tf.Tensor2D, { hardNegatives: h as tf.Tensor3D }), [z1, z2, hardNegatives]],
];

/** Median ms of one forward + backward pass, the gradients read back. */
function time(loss: Loss, inputs: tf.Tensor[]): number {
  const step = () => {
    const grads = tf.grads(loss)(inputs);
    for (const g of grads) g.dataSync();
    tf.dispose(grads);
  };
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

const hardneg: Record<string, number> = {};
for (const [name, loss, inputs] of cases) hardneg[name] = time(loss, inputs);

const pinned = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
const args = ['bench/reference/pairwise_losses.py', '--batch', `${B}`, '--dim', `${D}`, '--hard', `${H}`, '--classes', `${classes}`, '--runs', `${runs}`];
const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: pinned });
const torch: Record<string, number> | undefined = py.status === 0 ? JSON.parse(py.stdout.trim().split('\n').pop()!).ms : undefined;

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; ${describeEngine(info)}`);
console.log(`forward + backward, B=${B} D=${D} H=${H} (mnrl), ${classes} classes (triplet); median of ${runs}${torch ? '; torch on 1 thread' : ' (PyTorch not found: no comparison)'}`);
for (const [name] of cases) {
  const t = torch?.[name];
  console.log(`${name.padEnd(20)} hardneg ${hardneg[name].toFixed(2).padStart(8)} ms` + (t === undefined ? '' : `   torch ${t.toFixed(2).padStart(8)} ms   ratio torch/hardneg ${(t / hardneg[name]).toFixed(2)}`));
}
console.log(JSON.stringify({ bench: 'pairwise', backend: info.backend, batch: B, dim: D, hard: H, hardneg_ms: hardneg, torch_ms: torch ?? null }));
