/**
 * Fix (c), convolutions: gradient kernels that stock tfjs-wasm does not register.
 *
 * - `Conv2DBackpropFilter` (any CNN's weight gradient): for each filter tap (kh, kw) the strided
 *   window of the padded input `[B, OH, OW, Ci]` is multiplied with `dy [B, OH, OW, Co]` as
 *   `windowᵀ · dy → [Ci, Co]` (one GEMM per tap, memory O(B·OH·OW·Ci)).
 * - `DepthwiseConv2dNativeBackpropFilter`: the same windows, multiplied channel-wise with `dy`
 *   and summed over batch and positions → `[C, m]` per tap.
 * - `DepthwiseConv2dNativeBackpropInput`: the depthwise filter `[KH, KW, C, m]` written as the
 *   equivalent block-diagonal dense filter `[KH, KW, C, C·m]`, then the stock `Conv2DBackpropInput`.
 * Only NHWC (TensorFlow.js's default layout) is supported.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, makeTensor, replaceKernel, reshape, runStock, swapLastTwo } from './kernelCall.js';

type ConvAttrs = {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

/**
 * Calls `perTap(window [B·OH·OW, Ci])` for every filter tap, in (kh, kw) order, on the padded
 * input, and stacks the returned `[…tapShape]` results into `[KH, KW, …tapShape]`.
 */
function overTaps(
  wasm: BackendWasm,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  perTap: (window: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const { batchSize: B, inChannels: C, outHeight: OH, outWidth: OW, padInfo } = info;
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const padded = runStock(wasm, 'PadV2', { x }, {
    paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]],
    constantValue: 0,
  });
  const taps: tf.TensorInfo[] = [];
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      const window = runStock(wasm, 'StridedSlice', { x: padded }, {
        begin: [0, kh * dH, kw * dW, 0],
        end: [B, kh * dH + (OH - 1) * sH + 1, kw * dW + (OW - 1) * sW + 1, C],
        strides: [1, sH, sW, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });
      const rows = reshape(wasm, window, [B * OH * OW, C]);
      taps.push(perTap(rows));
      free(wasm, window, rows);
    }
  }
  const stacked = runStock(wasm, 'Pack', taps, { axis: 0 });
  const out = reshape(wasm, stacked, [info.filterHeight, info.filterWidth, ...taps[0].shape]);
  free(wasm, padded, stacked, ...taps);
  return out;
}

function convInfo(xShape: number[], attrs: ConvAttrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('hardneg wasm convolution gradients support NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], attrs.filterShape, attrs.strides,
    attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise,
  );
}

/** dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPad[b, oh·s + kh·d, ow·s + kw·d, ci] · dy[b, oh, ow, co]. */
const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape, attrs as unknown as ConvAttrs, false);
  const dy2 = reshape(wasm, dy, [info.batchSize * info.outHeight * info.outWidth, info.outChannels]);
  const out = overTaps(wasm, x, info, (window) => {
    const windowT = swapLastTwo(wasm, window);
    const tap = runStock(wasm, 'BatchMatMul', { a: windowT, b: dy2 }, { transposeA: false, transposeB: false });
    free(wasm, windowT);
    return tap;
  });
  free(wasm, dy2);
  return out;
};

/** dW[kh, kw, c, j] = Σ_{b, oh, ow} xPad[b, oh·s + kh·d, ow·s + kw·d, c] · dy[b, oh, ow, c·m + j]. */
const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape, attrs as unknown as ConvAttrs, true);
  const [, , C, m] = (attrs as unknown as ConvAttrs).filterShape;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const dy3 = reshape(wasm, dy, [rows, C, m]);
  const out = overTaps(wasm, x, info, (window) => {
    const window3 = reshape(wasm, window, [rows, C, 1]);
    const product = runStock(wasm, 'Multiply', { a: window3, b: dy3 });
    const tap = runStock(wasm, 'Sum', { x: product }, { axis: [0], keepDims: false });
    free(wasm, window3, product);
    return tap;
  });
  free(wasm, dy3);
  return out;
};

/** dx = Conv2DBackpropInput(dy, blockDiagonal(W)), blockDiagonal(W)[kh, kw, c, c·m + j] = W[kh, kw, c, j]. */
const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const dil = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations ?? [1, 1];
  if (dil[0] !== 1 || dil[1] !== 1) throw new Error('depthwise input gradient: dilations must be 1');
  const [KH, KW, C, m] = filter.shape;
  const eyeValues = new Float32Array(C * C);
  for (let c = 0; c < C; c++) eyeValues[c * C + c] = 1;
  const eye = makeTensor(wasm, [C, C, 1], eyeValues);
  const w5 = reshape(wasm, filter, [KH, KW, C, 1, m]);
  const blocks = runStock(wasm, 'Multiply', { a: w5, b: eye });
  const dense = reshape(wasm, blocks, [KH, KW, C, C * m]);
  const out = runStock(wasm, 'Conv2DBackpropInput', { dy, filter: dense }, {
    strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode,
    inputShape: a.inputShape,
  });
  free(wasm, eye, w5, blocks, dense);
  return out;
};

export const convGradientsFix = {
  name: 'conv-gradients',
  kernels: ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  install(): void {
    replaceKernel('Conv2DBackpropFilter', conv2DBackpropFilter);
    replaceKernel('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter);
    replaceKernel('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput);
  },
};
