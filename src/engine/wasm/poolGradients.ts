/**
 * Fix (e), pooling: `AvgPoolGrad` for non-overlapping windows (filter = stride, no padding, the
 * image an exact number of windows — the usual 2×2/2 downsampling) as one broadcast product:
 *
 *   dx[b, oh·k + i, ow·k + j, c] = dy[b, oh, ow, c] / (kH·kW)
 *
 * i.e. `dy [B, OH, 1, OW, 1, C] · (1/(kH·kW)) [1, 1, kH, 1, kW, 1]`, which wasm runs as a
 * vectorised broadcast (~8× faster than the stock kernel's loop). Other shapes use the stock kernel.
 */
import * as tf from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, makeTensor, replaceKernel, reshape, runStock } from './kernelCall.js';

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

const avgPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode,
  );
  const { filterHeight: kH, filterWidth: kW, strideHeight, strideWidth, outHeight, outWidth, padInfo } = info;
  const [B, H, W, C] = input.shape;
  const tiles =
    kH === strideHeight && kW === strideWidth && outHeight * kH === H && outWidth * kW === W &&
    padInfo.top === 0 && padInfo.bottom === 0 && padInfo.left === 0 && padInfo.right === 0;
  if (!tiles) return runStock(wasm, 'AvgPoolGrad', { dy, input }, attrs);
  const spread = reshape(wasm, dy, [B, outHeight, 1, outWidth, 1, C]);
  const share = makeTensor(wasm, [1, 1, kH, 1, kW, 1], new Float32Array(kH * kW).fill(1 / (kH * kW)));
  const product = runStock(wasm, 'Multiply', { a: spread, b: share });
  const out = reshape(wasm, product, [B, H, W, C]);
  free(wasm, spread, share, product);
  return out;
};

export const poolGradientsFix = {
  name: 'pool-gradients',
  kernels: ['AvgPoolGrad'],
  install(): void {
    replaceKernel('AvgPoolGrad', avgPoolGrad);
  },
};
