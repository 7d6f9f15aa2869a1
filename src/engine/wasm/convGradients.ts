/**
 * Fix (c), convolutions: gradient kernels that stock tfjs-wasm lacks or runs slowly.
 *
 * - `Conv2DBackpropFilter` (any CNN's weight gradient): one forward convolution with batch and
 *   channels swapped (input xᵀ, filter dyᵀ dilated by the stride), 1.5–3× a forward convolution.
 * - `Conv2DBackpropInput` (stock: a direct loop, ~10× a forward convolution): a forward
 *   convolution of dy, spread by the stride, with the flipped filter; about 1× a forward.
 * - `DepthwiseConv2dNativeBackpropFilter`: per filter tap, the strided window of the padded input
 *   multiplied channel-wise with `dy` and summed over batch and positions → `[C, m]` per tap.
 * - `DepthwiseConv2dNativeBackpropInput`: the depthwise filter `[KH, KW, C, m]` written as the
 *   equivalent block-diagonal dense filter `[KH, KW, C, C·m]`, then `Conv2DBackpropInput` above.
 * Only NHWC (TensorFlow.js's default layout) is supported.
 */
import * as tf from '../tf.js';
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

/** Runs the stock `Transpose` of `x` by `perm`. */
function transpose(wasm: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runStock(wasm, 'Transpose', { x }, { perm });
}

/** The leading `[.., h, w, ..]` corner of a `[A, H, W, C]` tensor (a copy; `x` itself when it already fits). */
function corner(wasm: BackendWasm, x: tf.TensorInfo, h: number, w: number): tf.TensorInfo {
  const [a, , , c] = x.shape;
  if (x.shape[1] === h && x.shape[2] === w) return x;
  return runStock(wasm, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [a, h, w, c] });
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPad[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co], computed
 * as one forward convolution with the roles swapped: input xᵀ `[Ci, H, W, B]` (batch ↔ channels),
 * filter dyᵀ `[OH, OW, B, Co]` dilated by the stride s, the forward pads as explicit pads; its
 * output `[Ci, ≥KH, ≥KW, Co]` is cut to `KH × KW` and put back as `[KH, KW, Ci, Co]`.
 */
const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape, attrs as unknown as ConvAttrs, false);
  const { top, bottom, left, right } = info.padInfo;
  const xT = transpose(wasm, x, [3, 1, 2, 0]);
  const dyT = transpose(wasm, dy, [1, 2, 0, 3]);
  const swapped = runStock(wasm, 'Conv2D', { x: xT, filter: dyT }, {
    strides: 1, dilations: [info.strideHeight, info.strideWidth], dataFormat: 'NHWC',
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
  });
  const cut = corner(wasm, swapped, info.filterHeight, info.filterWidth);
  const out = transpose(wasm, cut, [1, 2, 0, 3]);
  free(wasm, xT, dyT, swapped, ...(cut === swapped ? [] : [cut]));
  return out;
};

/** `dy [B, OH, OW, C]` with s − 1 zero rows (columns) after each row (column): `[B, OH·sH, OW·sW, C]`. */
function zeroUpsample(wasm: BackendWasm, dy: tf.TensorInfo, sH: number, sW: number): tf.TensorInfo {
  const [b, oh, ow, c] = dy.shape;
  if (sH === 1 && sW === 1) return dy;
  const spread = reshape(wasm, dy, [b, oh, 1, ow, 1, c]);
  const padded = runStock(wasm, 'PadV2', { x: spread }, {
    paddings: [[0, 0], [0, 0], [0, sH - 1], [0, 0], [0, sW - 1], [0, 0]],
    constantValue: 0,
  });
  const out = reshape(wasm, padded, [b, oh * sH, ow * sW, c]);
  free(wasm, spread, padded);
  return out;
}

/**
 * dx[b, i, j, ci] = Σ_{kh, kw, co} dyUp[b, i + top − kh, j + left − kw, co] · W[kh, kw, ci, co],
 * with `dyUp` = dy spread by the stride (zeros between rows/columns): one forward convolution of
 * `dyUp` with the flipped filter `[KH, KW, Co, Ci]`, padded `KH − 1 − top` above. The stock kernel
 * (a direct loop, ~10× slower than a forward convolution) remains for pads wider than the filter.
 */
const conv2DBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(a.inputShape, { ...a, filterShape: filter.shape as ConvAttrs['filterShape'] }, false);
  const { top, left } = info.padInfo;
  const [KH, KW] = filter.shape;
  const [, H, W] = a.inputShape;
  if (top > KH - 1 || left > KW - 1) return runStock(wasm, 'Conv2DBackpropInput', { dy, filter }, attrs);
  const up = zeroUpsample(wasm, dy, info.strideHeight, info.strideWidth);
  const flipped = runStock(wasm, 'Reverse', { x: filter }, { dims: [0, 1] });
  const flippedT = swapLastTwo(wasm, flipped);
  // Rows past the end: enough that the output has at least H rows (extra rows are cut).
  const bottom = Math.max(0, H + top - up.shape[1]);
  const right = Math.max(0, W + left - up.shape[2]);
  const full = runStock(wasm, 'Conv2D', { x: up, filter: flippedT }, {
    strides: 1, dilations: 1, dataFormat: 'NHWC',
    pad: [[0, 0], [KH - 1 - top, bottom], [KW - 1 - left, right], [0, 0]],
  });
  const out = corner(wasm, full, H, W);
  free(wasm, flipped, flippedT, ...(up === dy ? [] : [up]), ...(out === full ? [] : [full]));
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
  const out = conv2DBackpropInput({
    inputs: { dy, filter: dense }, backend,
    attrs: { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode, inputShape: a.inputShape } as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  free(wasm, eye, w5, blocks, dense);
  return out;
};

export const convGradientsFix = {
  name: 'conv-gradients',
  kernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  install(): void {
    replaceKernel('Conv2DBackpropFilter', conv2DBackpropFilter);
    replaceKernel('Conv2DBackpropInput', conv2DBackpropInput);
    replaceKernel('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter);
    replaceKernel('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput);
  },
};
