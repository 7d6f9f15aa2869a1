/**
 * Gathers and their gradient as contiguous copies on the native backend. The stock cpu
 * `GatherV2` computes every element's coordinates (~0.8 s per MoCHi step) and the stock
 * `UnsortedSegmentSum` (the gradient of every gather) runs one masked sum per segment, which
 * takes minutes for a gradient into a `[B·K]` logit table.
 *
 *   GatherV2:           x `[batch…, outer…, A, slice…]`, indices `[batch…, I…]` → `[batch…, outer…, I…, slice…]`
 *   UnsortedSegmentSum: x `[N…, rest…]`, segmentIds `[N…]` → `[numSegments, rest…]` (ids outside [0, numSegments) are dropped, as on cpu)
 */
import * as tf from '../tf.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend, type KernelArgs } from './kernelCall.js';

/** Copies `n` floats; short runs in a loop (cheaper than a subarray per copy). */
function copy(to: Float32Array, at: number, from: Float32Array, start: number, n: number): void {
  if (n >= 32) to.set(from.subarray(start, start + n), at);
  else for (let k = 0; k < n; k++) to[at + k] = from[start + k];
}

function gatherV2({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims = 0 } = attrs as { axis: number; batchDims?: number };
  const xv = floatValues(cpu, x);
  if (xv === undefined) return runCpu('GatherV2', { inputs, backend: cpu, attrs });
  const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  const idx = cpu.data.get(indices.dataId)!.values as ArrayLike<number>;
  const dim = x.shape[parsedAxis];
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] <= dim - 1)) throw new Error(`GatherV2: the index value ${idx[i]} is not in [0, ${dim - 1}]`);
  }
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, parsedAxis, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize, outputShape } = info;
  const perBatch = idx.length / Math.max(batchSize, 1);
  const out = allocate(sizeOf(outputShape));
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const src = (b * outerSize + o) * dimSize;
      const dst = (b * outerSize + o) * perBatch;
      for (let i = 0; i < perBatch; i++) copy(out, (dst + i) * sliceSize, xv, (src + idx[b * perBatch + i]) * sliceSize, sliceSize);
    }
  }
  return output(cpu, outputShape, out);
}

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const xv = floatValues(cpu, x);
  if (xv === undefined) return runCpu('UnsortedSegmentSum', { inputs, backend: cpu, attrs });
  const ids = cpu.data.get(segmentIds.dataId)!.values as ArrayLike<number>;
  const rest = x.shape.slice(segmentIds.shape.length);
  const row = sizeOf(rest);
  const out = allocate(numSegments * row);
  out.fill(0);
  for (let n = 0; n < ids.length; n++) {
    const s = ids[n];
    if (!(s >= 0 && s < numSegments)) continue;
    for (let k = 0, at = s * row, from = n * row; k < row; k++) out[at + k] += xv[from + k];
  }
  return output(cpu, [numSegments, ...rest], out);
}

export const gatherKernels: Record<string, tf.KernelFunc> = { GatherV2: gatherV2, UnsortedSegmentSum: unsortedSegmentSum };
