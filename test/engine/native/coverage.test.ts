/**
 * The native backend's coverage rule (docs/engine.md): every kernel that a training step of a
 * shipped encoder runs is a native one. A kernel the backend does not replace runs TensorFlow.js's
 * stock cpu code, 10–100× slower (a CNN MoCo step once spent 5 s in the stock AvgPoolGrad), so a
 * new model or loss that reaches a slow stock kernel fails here instead of in a user's run.
 *
 * Each step runs twice under `tf.profile` (the first step also creates the optimizer's slots), at
 * small sizes: the kernel set is what matters, not the time. A step fails when a kernel that ran
 * is neither native nor on the short allow-list of stock kernels that are views or single
 * typed-array loops, or when a native kernel handed a call to its stock twin (`stockFallbacks`).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resetStockFallbacks, stockFallbacks } from '../../../src/engine/native/kernelCall.js';
import { nativeKernelNames, NATIVE_BACKEND } from '../../../src/engine/native/nativeBackend.js';
import {
  Adapter, AdapterTrainer, buildEncoder, buildOptimizer, HashedTextEncoder, l2Normalize, MemoryQueue, mnrl, mocoStep, momentumCopy, packBags, Rng, TextEncoderTrainer,
  type EncoderConfig, type MocoState,
} from '../../../src/index.js';
import { nativeSkip, setup } from '../../helpers.js';

const skip = await nativeSkip();
before(async () => {
  if (!skip) await setup('native');
});

/** Stock kernels allowed in a training step, and why each is cheap. */
const CHEAP_STOCK_KERNELS: Record<string, string> = {
  Reshape: 'a view of its input (shares the data)',
  Identity: 'a view of its input (shares the data)',
  ZerosLike: 'one zero-filled typed array',
  OnesLike: 'one filled typed array',
  Fill: 'one filled typed array',
  Range: 'one loop over its output',
  OneHot: 'one fill and one loop over the indices',
};

const B = 16;

/** Kernels that ran in `step` (twice) on the native backend and are not native, with the stock fallbacks taken. */
async function stockKernelsOf(step: () => unknown): Promise<{ stock: string[]; fallbacks: string[] }> {
  const native = new Set(nativeKernelNames());
  const ran = new Set<string>();
  resetStockFallbacks();
  for (let i = 0; i < 2; i++) {
    const profile = await tf.profile(() => {
      step();
      return tf.scalar(0);
    });
    for (const k of profile.kernels) ran.add(k.name);
  }
  // Names without a registered kernel are customGrad / runKernelFunc scopes, not kernels.
  const kernels = [...ran].filter((name) => tf.getKernel(name, NATIVE_BACKEND) !== undefined);
  assert.ok(kernels.some((name) => native.has(name)), 'the profile saw no native kernel: is the native backend active?');
  const stock = kernels.filter((name) => !native.has(name) && CHEAP_STOCK_KERNELS[name] === undefined).sort();
  return { stock, fallbacks: [...stockFallbacks()].map(([name, calls]) => `${name} ×${calls}`) };
}

/** One MoCo step (MoCHi mixing on) of an encoder built from `config`, inputs `[B, …input]`. */
function mocoStepOf(config: EncoderConfig, input: number[]): () => number {
  const rng = new Rng(1);
  const [K, D] = [64, 16];
  const queryEncoder = buildEncoder(config, rng);
  const state: MocoState = {
    queryEncoder,
    keyEncoder: momentumCopy(queryEncoder),
    queue: new MemoryQueue(K, D),
    optimizer: buildOptimizer({ kind: 'sgd', lr: 0.03, momentum: 0.9, weightDecay: 1e-4 }),
    momentum: 0.99,
    temperature: 0.2,
    mochi: { N: 16, s: 8, sPrime: 4, rng: rng.fork() },
    rng,
  };
  const fill = tf.tidy(() => l2Normalize(tf.tensor2d(rng.normalArray(K * D), [K, D])));
  state.queue.enqueue(fill);
  fill.dispose();
  const size = input.reduce((p, d) => p * d, 1);
  const [xq, xk] = [tf.tensor(rng.uniformArray(B * size), [B, ...input]), tf.tensor(rng.uniformArray(B * size), [B, ...input])];
  return () => mocoStep(state, xq, xk);
}

const head = { hiddenDim: 16, outputDim: 16 };
const halves = (e: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] => [e.slice([0, 0], [B, -1]), e.slice([B, 0], [B, -1])];

const steps: Record<string, () => () => unknown> = {
  'MLP (MoCo + MoCHi)': () => mocoStepOf({ backbone: { kind: 'mlp', inputDim: 20, hidden: [24], outputDim: 16 }, head }, [20]),
  'CNN with BatchNorm (MoCo + MoCHi, shuffled BN)': () =>
    mocoStepOf({ backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [8, 16], blocks: 0, batchNorm: true }, head }, [8, 8, 1]),
  'CNN with residual blocks (MoCo + MoCHi, shuffled BN)': () =>
    mocoStepOf({ backbone: { kind: 'cnn', inputShape: [8, 8, 3], widths: [8, 16], blocks: 1, batchNorm: true }, head }, [8, 8, 3]),
  'CNN with residual blocks, no BatchNorm': () =>
    mocoStepOf({ backbone: { kind: 'cnn', inputShape: [8, 8, 1], widths: [8, 16], blocks: 1, batchNorm: false }, head }, [8, 8, 1]),
  'hashed text encoder (MNRL)': () => {
    const encoder = new HashedTextEncoder({ buckets: 1 << 10, dim: 16, hidden: 32 }, new Rng(2));
    const trainer = new TextEncoderTrainer(encoder);
    const bags = packBags(Array.from({ length: 2 * B }, (_, i) => encoder.features(`text ${i} of the batch, word ${i * 7}`)));
    return () => trainer.step(bags, (e) => mnrl(...halves(e)));
  },
  ...Object.fromEntries(
    (['linear', 'residual'] as const).map((kind) => [
      `${kind} adapter (MNRL)`,
      () => {
        const rng = new Rng(3);
        const trainer = new AdapterTrainer(new Adapter({ dim: 16, kind }, rng));
        const vectors = tf.tensor2d(rng.normalArray(2 * B * 16), [2 * B, 16]);
        return () => trainer.step(vectors, (e) => mnrl(...halves(e)));
      },
    ]),
  ),
};

for (const [name, make] of Object.entries(steps)) {
  test(`a training step of the ${name} runs native kernels only`, { skip }, async () => {
    const { stock, fallbacks } = await stockKernelsOf(make());
    assert.deepEqual(stock, [], `stock cpu kernels ran: ${stock.join(', ')} (make them native, or add a cheap one to CHEAP_STOCK_KERNELS)`);
    assert.deepEqual(fallbacks, [], `native kernels fell back to their stock twins: ${fallbacks.join(', ')}`);
  });
}
