/**
 * Kernels the native backend has beyond TensorFlow.js's set, run through `engine/fused.ts` (which
 * composes stock ops on other backends):
 * - `HardnegSoftmaxLse`: logits `[…, C]` → [softmax `[…, C]`, log-sum-exp `[…, 1]`], one pass for both.
 * - `HardnegBatchNorm`: x `[B, …, C]`, γ, β `[C]`, attrs `{ epsilon, groups }` → [y = γ·(x − μ)/√(σ² + ε) + β
 *   `[B, …, C]`, μ `[G, C]`, σ² `[G, C]`]: training-mode statistics per channel over each of G groups of
 *   B/G consecutive samples (biased variance).
 * - `HardnegBatchNormGrad`: dy, x `[B, …, C]`, μ, σ² `[G, C]`, γ `[C]`, same attrs → [dx, dγ `[C]`, dβ `[C]`].
 * Both run in `native/batchNorm.c` (`models/batchNormOps.ts` uses them).
 * - `HardnegReluGrad`: a = dy, b = x (same shape) → dy·step(x), ReLU's gradient in one pass instead of
 *   Step, Cast and Multiply over the activation (`engine/reluGradient.ts`); a binary op of
 *   `elementwise.ts`.
 */
import type * as tf from '../tf.js';
import { requireAddon } from './addon.js';
import { allocate } from './memory.js';
import { floatValues, output, sizeOf, type CpuBackend } from './kernelCall.js';

export const SOFTMAX_LSE = 'HardnegSoftmaxLse';
export const BATCH_NORM = 'HardnegBatchNorm';
export const BATCH_NORM_GRAD = 'HardnegBatchNormGrad';
export const RELU_GRAD = 'HardnegReluGrad';

const softmaxLse: tf.KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as CpuBackend;
  const logits = inputs.logits as tf.TensorInfo;
  const values = floatValues(cpu, logits) ?? Float32Array.from(cpu.data.get(logits.dataId)!.values as ArrayLike<number>);
  const cols = logits.shape[logits.shape.length - 1] ?? 1;
  const rows = sizeOf(logits.shape.slice(0, -1));
  const probs = allocate(values.length);
  const lse = allocate(rows);
  if (cols === 0) lse.fill(-Infinity); // log of an empty sum
  else requireAddon().softmaxRows(values, probs, lse, rows, cols);
  return [output(cpu, logits.shape, probs), output(cpu, [...logits.shape.slice(0, -1), 1], lse)];
};

interface BatchNormAttrs {
  epsilon: number;
  groups: number;
}

/** The values of float32 inputs, or an error naming the kernel (these kernels have no stock twin to fall back to). */
function floats(cpu: CpuBackend, kernel: string, tensors: Record<string, tf.TensorInfo>): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => {
      const values = floatValues(cpu, t);
      if (values === undefined) throw new Error(`${kernel}: ${name} must be a float32 tensor, got ${t.dtype}`);
      return [name, values];
    }),
  );
}

const batchNorm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const { epsilon, groups } = attrs as unknown as BatchNormAttrs;
  const v = floats(cpu, BATCH_NORM, { x, gamma, beta });
  const C = x.shape[x.shape.length - 1];
  const [y, mean, variance] = [allocate(v.x.length), allocate(groups * C), allocate(groups * C)];
  requireAddon().batchNorm(v.x, v.gamma, v.beta, epsilon, groups, C, y, mean, variance);
  return [output(cpu, x.shape, y), output(cpu, [groups, C], mean), output(cpu, [groups, C], variance)];
};

const batchNormGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const { dy, x, mean, variance, gamma } = inputs as Record<string, tf.TensorInfo>;
  const { epsilon, groups } = attrs as unknown as BatchNormAttrs;
  const v = floats(cpu, BATCH_NORM_GRAD, { dy, x, mean, variance, gamma });
  const C = x.shape[x.shape.length - 1];
  const [dx, dgamma, dbeta] = [allocate(v.x.length), allocate(C), allocate(C)];
  requireAddon().batchNormGrad(v.dy, v.x, v.mean, v.variance, v.gamma, epsilon, groups, C, dx, dgamma, dbeta);
  return [output(cpu, x.shape, dx), output(cpu, [C], dgamma), output(cpu, [C], dbeta)];
};

export const fusedKernels: Record<string, tf.KernelFunc> = { [SOFTMAX_LSE]: softmaxLse, [BATCH_NORM]: batchNorm, [BATCH_NORM_GRAD]: batchNormGrad };
