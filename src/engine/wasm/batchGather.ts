/**
 * Fix (b): `GatherV2` on wasm.
 *
 * With `batchDims > 0`, stock tfjs-wasm returns wrong rows for every batch after the first (and
 * reads out of bounds on large inputs). The gather is rewritten as a plain gather (batchDims 0)
 * over the batch-flattened input with offset indices `b·A + idx[b, …]`, which is correct on every
 * backend. Indices are checked against the axis length, so a bad index is an error rather than a
 * silent zero.
 *
 * The plain gather itself is stock wasm's per-element loop (~50 ns an element measured: 35 ms for
 * 10,240 rows of 64 floats, the size of one embedding-bag lookup); here it copies whole slices
 * inside the wasm heap instead (one `copyWithin`, a memmove, per gathered slice), 10–20× faster.
 *
 * Shapes: x `[B…, P…, A, T…]` (batch dims, then dims before `axis`, the axis, dims after),
 * indices `[B…, I…]` → out `[B…, P…, I…, T…]`.
 */
import type * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, makeTensor, replaceKernel, reshape, runStock } from './kernelCall.js';

const prod = (dims: number[]): number => dims.reduce((p, d) => p * d, 1);

function gatherV2({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis: rawAxis, batchDims: rawBatchDims } = attrs as { axis: number; batchDims: number };
  const axis = rawAxis < 0 ? rawAxis + x.shape.length : rawAxis;
  const batchDims = rawBatchDims < 0 ? rawBatchDims + indices.shape.length : rawBatchDims;
  if (batchDims === 0) return sliceGather(wasm, x, indices, axis);

  const batchShape = x.shape.slice(0, batchDims);
  const preShape = x.shape.slice(batchDims, axis);
  const axisLen = x.shape[axis];
  const postShape = x.shape.slice(axis + 1);
  const idxShape = indices.shape.slice(batchDims);
  const [nB, nP, nT, nI] = [prod(batchShape), prod(preShape), prod(postShape), prod(idxShape)];

  // Offset indices into the flattened [B·A, P·T] table.
  const idx = wasm.readSync(indices.dataId) as Int32Array;
  const flat = new Int32Array(nB * nI);
  for (let b = 0; b < nB; b++) {
    for (let i = 0; i < nI; i++) {
      const v = idx[b * nI + i];
      if (v < 0 || v >= axisLen) {
        throw new Error(`gather: index ${v} at position ${b * nI + i} is outside [0, ${axisLen}) on axis ${axis}`);
      }
      flat[b * nI + i] = b * axisLen + v;
    }
  }

  // x as [B·A, P·T], with the axis moved next to the batch when there are dims before it.
  const x4 = reshape(wasm, x, [nB, nP, axisLen, nT]);
  const moved = nP > 1 ? runStock(wasm, 'Transpose', { x: x4 }, { perm: [0, 2, 1, 3] }) : x4;
  const table = reshape(wasm, moved, [nB * axisLen, nP * nT]);
  const flatIdx = makeTensor(wasm, [nB * nI], flat);
  const rows = sliceGather(wasm, table, flatIdx, 0);
  const rows4 = reshape(wasm, rows, [nB, nI, nP, nT]);
  const back = nP > 1 ? runStock(wasm, 'Transpose', { x: rows4 }, { perm: [0, 2, 1, 3] }) : rows4;
  const out = reshape(wasm, back, [...batchShape, ...preShape, ...idxShape, ...postShape]);
  free(wasm, x4, table, flatIdx, rows, rows4);
  if (nP > 1) free(wasm, moved, back);
  return out;
}

/**
 * Plain gather (batchDims 0) by slice copies: x `[O…, A, T…]`, indices `[I…]` → `[O…, I…, T…]`.
 */
function sliceGather(wasm: BackendWasm, x: tf.TensorInfo, indices: tf.TensorInfo, axis: number): tf.TensorInfo {
  const [nO, axisLen, nT] = [prod(x.shape.slice(0, axis)), x.shape[axis], prod(x.shape.slice(axis + 1))];
  const nI = prod(indices.shape);
  const idx = wasm.readSync(indices.dataId) as Int32Array;
  for (let i = 0; i < nI; i++) {
    if (!(idx[i] >= 0 && idx[i] < axisLen)) throw new Error(`gather: index ${idx[i]} at position ${i} is outside [0, ${axisLen}) on axis ${axis}`);
  }
  const out = wasm.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
  if (nO * nI * nT === 0) return out;
  // One view of the whole heap, taken after makeOutput (which may grow, and so detach, the heap).
  const srcView = wasm.typedArrayFromHeap(x);
  const dstView = wasm.typedArrayFromHeap(out);
  const heap = new (srcView.constructor as Float32ArrayConstructor)(srcView.buffer);
  const [src, dst] = [srcView.byteOffset / srcView.BYTES_PER_ELEMENT, dstView.byteOffset / dstView.BYTES_PER_ELEMENT];
  for (let o = 0; o < nO; o++) {
    for (let i = 0; i < nI; i++) {
      const from = src + (o * axisLen + idx[i]) * nT;
      heap.copyWithin(dst + (o * nI + i) * nT, from, from + nT);
    }
  }
  return out;
}

export const batchGatherFix = {
  name: 'batch-gather',
  kernels: ['GatherV2'],
  install(): void {
    replaceKernel('GatherV2', gatherV2);
  },
};
