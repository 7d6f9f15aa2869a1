/**
 * `node --import tsx bench/cnnMocoStep.ts`: times one MoCo step with the CNN
 * encoder + MoCo v2 head (`buildEncoder`, BatchNorm, shuffled BN with 4 sub-batches) at B = 256,
 * K = 4096, D = 128 on seeded random images, then the same step in PyTorch
 * (`bench/reference/cnn_moco_step.py`, 1 thread like hardneg's wasm), and prints both, the ratio,
 * the projected time of an MNIST MoCo epoch (8,000 images: 31.25 steps of 256 pairs) and the
 * split of the hardneg step into encoder forward + backward and key forward.
 *
 * Usage: node --import tsx bench/cnnMocoStep.ts [--widths 32,64,128] [--blocks 0] [--size 28]
 *        [--channels 1] [--steps 10] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { buildEncoder, type EncoderConfig } from '../src/models/encoder.js';
import { momentumCopy } from '../src/models/momentumEncoder.js';
import { encodeKeys, encodeQueries } from '../src/models/shuffledBatchNorm.js';
import { MemoryQueue } from '../src/negatives/memoryQueue.js';
import { l2Normalize } from '../src/ops/normalize.js';
import { buildOptimizer } from '../src/optim/optimizers.js';
import { mocoStep, type MocoState } from '../src/train/mocoStep.js';

const { values } = parseArgs({
  options: {
    widths: { type: 'string', default: '32,64,128' },
    blocks: { type: 'string', default: '0' },
    size: { type: 'string', default: '28' },
    channels: { type: 'string', default: '1' },
    steps: { type: 'string', default: '10' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const B = 256, K = 4096, D = 128, EPOCH_IMAGES = 8000, GROUPS = 4;
const widths = values.widths!.split(',').map(Number);
const [size, channels, steps] = [Number(values.size), Number(values.channels), Number(values.steps)];
const config: EncoderConfig = {
  backbone: { kind: 'cnn', inputShape: [size, size, channels], widths, blocks: Number(values.blocks), batchNorm: true },
  head: { hiddenDim: widths[widths.length - 1], outputDim: D },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function timed(f: () => void, runs: number): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const engine = await initEngine({ backend: 'wasm' });
const rng = new Rng(0);
const queryEncoder = buildEncoder(config, rng);
const state: MocoState = {
  queryEncoder,
  keyEncoder: momentumCopy(queryEncoder),
  queue: new MemoryQueue(K, D),
  optimizer: buildOptimizer({ kind: 'sgd', lr: 0.03, momentum: 0.9, weightDecay: 1e-4 }),
  momentum: 0.99,
  temperature: 0.2,
  batchNormGroups: GROUPS,
  rng,
};
const fill = tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D])));
state.queue.enqueue(fill);
fill.dispose();
const xq = tf.tensor4d(rng.uniformArray(B * size * size * channels), [B, size, size, channels]);
const xk = tf.tensor4d(rng.uniformArray(B * size * size * channels), [B, size, size, channels]);
const vars = queryEncoder.trainableWeights.map((w) => w.read() as tf.Variable);
const stepMs = timed(() => mocoStep(state, xq, xk), steps);
const trainMs = timed(() => {
  const loss = state.optimizer.minimize(() => tf.mean(tf.square(encodeQueries(queryEncoder, xq, GROUPS))) as tf.Scalar, true, vars);
  loss?.dataSync();
  loss?.dispose();
}, steps);
const keyMs = timed(() => tf.tidy(() => void encodeKeys(state.keyEncoder, xk, { groups: GROUPS, rng }).dataSync()), steps);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; ${describeEngine(engine)}`);
console.log(`encoder: ${JSON.stringify(config)} (${queryEncoder.countParams()} weights)`);
console.log(`hardneg: ${stepMs.toFixed(1)} ms/step (encoder forward+backward+SGD ${trainMs.toFixed(1)} ms, key forward ${keyMs.toFixed(1)} ms); MNIST MoCo epoch ≈ ${((stepMs * EPOCH_IMAGES) / B / 1000).toFixed(1)} s`);
const result: Record<string, unknown> = { bench: 'cnn-moco-step', widths, blocks: Number(values.blocks), size, channels, hardneg_ms: stepMs, train_ms: trainMs, key_ms: keyMs };
if (!values['no-torch']) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
  const args = ['bench/reference/cnn_moco_step.py', '--widths', values.widths!, '--size', `${size}`, '--channels', `${channels}`, '--steps', `${steps}`, '--json'];
  if (Number(values.blocks) !== 0) {
    console.log('torch reference: residual blocks are not mirrored there; skipped');
  } else {
    const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env });
    if (r.status !== 0) {
      console.log(`torch reference failed (needs apt-get install -y python3-torch): ${r.stderr.trim().split('\n').pop()}`);
    } else {
      const torch = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number; torch: string };
      console.log(`torch ${torch.torch} (cpu, 1 thread): ${torch.ms_per_step.toFixed(1)} ms/step; ratio torch_ms / hardneg_ms = ${(torch.ms_per_step / stepMs).toFixed(3)}`);
      result.torch_ms = torch.ms_per_step;
      result.ratio = Number((torch.ms_per_step / stepMs).toFixed(3));
    }
  }
}
console.log(JSON.stringify(result));
