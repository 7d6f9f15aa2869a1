/**
 * The training-mode arithmetic of `BatchNorm` (`batchNorm.ts`), per channel over each of G
 * groups of B/G consecutive samples (MoCo's shuffled BN), N = (B/G)·positions rows per group:
 *
 *   forward:  μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β;
 *   backward: dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + ε) · (dy − mean(dy) − x̂·mean(dy·x̂)),
 *             means per group, sums over every row of every group.
 *
 * One fused kernel per direction where the backend has them (the native backend,
 * `HardnegBatchNorm` / `HardnegBatchNormGrad` in `native/batchNorm.c`); elsewhere the same
 * values composed from stock ops, with every per-channel mean as two average poolings (the
 * wasm backend pools along rows ~20× faster than it reduces over leading axes). Neither form
 * records gradients: call them inside `tf.customGrad`.
 *
 * Shapes: x, dy `[B, …, C]`; γ, β `[C]`; μ, σ² `[G, C]`.
 */
import * as tf from '../engine/tf.js';
import { BATCH_NORM, BATCH_NORM_GRAD } from '../engine/native/fusedKernels.js';

export interface BatchNormForward {
  y: tf.Tensor;
  /** Per group and channel `[G, C]`: the batch mean and biased variance. */
  mean: tf.Tensor;
  variance: tf.Tensor;
  /** What `batchNormBackward` needs (keep it with the customGrad's `save`). */
  saved: tf.Tensor[];
  /** Whether the fused kernels ran (then `saved` is [x, μ, σ², γ], else [x̂, 1/√(σ² + ε), γ]). */
  fused: boolean;
}

/**
 * Per-group, per-channel means of `x [G, P, S, C]` (G groups of P samples of S positions) as
 * `[G, 1, 1, C]`: average pooling over the S positions of each sample, then over the P samples.
 */
function groupChannelMeans(x: tf.Tensor4D): tf.Tensor4D {
  const [groups, perGroup, positions, channels] = x.shape;
  let t = tf.reshape(x, [groups * perGroup, positions, 1, channels]) as tf.Tensor4D;
  if (positions > 1) t = tf.avgPool(t, [positions, 1], [positions, 1], 'valid');
  t = tf.reshape(t, [groups, perGroup, 1, channels]);
  if (perGroup > 1) t = tf.avgPool(t, [perGroup, 1], [perGroup, 1], 'valid');
  return t;
}

/** `[G, P, S, C]`: x `[B, …, C]` as G groups of P = B/G samples of S positions. */
function groupView(shape: number[], groups: number): [number, number, number, number] {
  const positions = shape.slice(1, -1).reduce((p, d) => p * d, 1);
  return [groups, shape[0] / groups, positions, shape[shape.length - 1]];
}

const fusedAvailable = (): boolean => tf.getKernel(BATCH_NORM, tf.getBackend()) !== undefined;

/** Normalizes x with its own statistics per group (G must divide B). */
export function batchNormForward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, epsilon: number): BatchNormForward {
  const channels = x.shape[x.shape.length - 1];
  if (fusedAvailable()) {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM, { x, gamma, beta }, { epsilon, groups }) as tf.Tensor[];
    return { y, mean, variance, saved: [x, mean, variance, gamma], fused: true };
  }
  return tf.tidy(() => {
    const input = tf.reshape(x, groupView(x.shape, groups)) as tf.Tensor4D;
    const mean = groupChannelMeans(input);
    const centered = tf.sub(input, mean);
    const variance = groupChannelMeans(tf.square(centered) as tf.Tensor4D);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xHat = tf.mul(centered, invStd);
    const y = tf.reshape(tf.add(tf.mul(xHat, gamma), beta), x.shape);
    return { y, mean: tf.reshape(mean, [groups, channels]), variance: tf.reshape(variance, [groups, channels]), saved: [xHat, invStd, gamma], fused: false };
  });
}

/** [dx `[B, …, C]`, dγ `[C]`, dβ `[C]`] from dy and a forward pass's `saved` / `fused`. */
export function batchNormBackward(dy: tf.Tensor, saved: tf.Tensor[], fused: boolean, groups: number, epsilon: number): tf.Tensor[] {
  if (fused) {
    const [x, mean, variance, gamma] = saved;
    return tf.engine().runKernel(BATCH_NORM_GRAD, { dy, x, mean, variance, gamma }, { epsilon, groups }) as tf.Tensor[];
  }
  return tf.tidy(() => {
    const [xHat, invStd, gamma] = saved;
    const view = groupView(dy.shape, groups);
    const n = view[1] * view[2];
    const grad = tf.reshape(dy, view) as tf.Tensor4D;
    const meanDy = groupChannelMeans(grad);
    const meanDyXHat = groupChannelMeans(tf.mul(grad, xHat) as tf.Tensor4D);
    const dx = tf.mul(tf.sub(tf.sub(grad, meanDy), tf.mul(xHat, meanDyXHat)), tf.mul(gamma, invStd));
    const total = (t: tf.Tensor) => tf.mul(tf.sum(tf.reshape(t, [groups, view[3]]), 0), n);
    return [tf.reshape(dx, dy.shape), total(meanDyXHat), total(meanDy)];
  });
}
