/**
 * Fix (c), gathers: `UnsortedSegmentSum`, which stock tfjs-wasm does not register, is the
 * gradient of every gather (an embedding table, a row lookup). It is the stock `ScatterNd`, which
 * adds the updates of repeated indices: out[s, …] = Σ_{n: ids[n] = s} x[n, …].
 *
 * Shapes: x `[S…, R…]`, segmentIds `[S…]` int32 in [0, numSegments) → out `[numSegments, R…]`.
 */
import type * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, replaceKernel, reshape, runStock } from './kernelCall.js';

const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const n = segmentIds.shape.reduce((p, d) => p * d, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= numSegments) {
      throw new Error(`unsortedSegmentSum: segment id ${ids[i]} at ${i} is outside [0, ${numSegments})`);
    }
  }
  const indices = reshape(wasm, segmentIds, [n, 1]);
  const updates = reshape(wasm, x, [n, ...rest]);
  const out = runStock(wasm, 'ScatterNd', { indices, updates }, { shape: [numSegments, ...rest] });
  free(wasm, indices, updates);
  return out;
};

export const segmentSumFix = {
  name: 'segment-sum',
  kernels: ['UnsortedSegmentSum'],
  install(): void {
    replaceKernel('UnsortedSegmentSum', unsortedSegmentSum);
  },
};
