/**
 * Kernels the native backend has beyond TensorFlow.js's set, run through `engine/fused.ts` (which
 * composes stock ops on other backends):
 * - `HardnegSoftmaxLse`: logits `[…, C]` → [softmax `[…, C]`, log-sum-exp `[…, 1]`], one pass for both.
 */
import type * as tf from '@tensorflow/tfjs';
import { requireAddon } from './addon.js';
import { allocate } from './memory.js';
import { floatValues, output, sizeOf, type CpuBackend } from './kernelCall.js';

export const SOFTMAX_LSE = 'HardnegSoftmaxLse';

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

export const fusedKernels: Record<string, tf.KernelFunc> = { [SOFTMAX_LSE]: softmaxLse };
