/**
 * 2-D pooling and its gradients on the native backend, NHWC, as direct loops in the addon
 * (`native/pooling.c`), images in parallel. The stock cpu kernels compute every element's
 * coordinates; AvgPoolGrad alone took 5 s of a CNN MoCo step.
 *
 *   AvgPool:     x `[B, H, W, C]` → mean of each window's pixels inside the image `[B, OH, OW, C]`
 *   AvgPoolGrad: dy `[B, OH, OW, C]` → dx `[B, H, W, C]`, each dy spread as dy / (KH·KW) over its window
 *                (TensorFlow.js's definition: with padding it divides by the whole window)
 *   MaxPool:     the largest number of each window (NaN ignored)
 *   MaxPoolGrad: each window's dy added to its first largest pixel (row-major window order)
 */
import * as tf from '../tf.js';
import { requireAddon } from './addon.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend, type KernelArgs } from './kernelCall.js';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The geometry of pooling x `shape` (the addon's 14 sizes) and the pooled shape. */
function geometry(shape: number[], attrs: PoolAttrs): { info: Int32Array; outShape: number[] } {
  const c = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const info = Int32Array.from([
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, 1, 1, c.padInfo.top, c.padInfo.left,
  ]);
  return { info, outShape: c.outShape };
}

function pool(name: 'AvgPool' | 'MaxPool'): tf.KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const cpu = backend as CpuBackend;
    const x = inputs.x as tf.TensorInfo;
    const xv = floatValues(cpu, x);
    if (xv === undefined || x.shape.length !== 4) return runCpu(name, { inputs, backend: cpu, attrs });
    const { info, outShape } = geometry(x.shape, attrs as unknown as PoolAttrs);
    const y = allocate(sizeOf(outShape));
    if (y.length > 0) (name === 'AvgPool' ? requireAddon().avgPool : requireAddon().maxPool)(xv, y, info);
    return output(cpu, outShape, y);
  };
}

function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const dyv = floatValues(cpu, dy);
  if (dyv === undefined || input.shape.length !== 4) return runCpu('AvgPoolGrad', { inputs, backend: cpu, attrs });
  const { info } = geometry(input.shape, attrs as unknown as PoolAttrs);
  const dx = allocate(sizeOf(input.shape));
  if (dx.length > 0) requireAddon().avgPoolGrad(dyv, dx, info);
  return output(cpu, [...input.shape], dx);
}

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const [dyv, xv] = [floatValues(cpu, dy), floatValues(cpu, input)];
  if (dyv === undefined || xv === undefined || input.shape.length !== 4) return runCpu('MaxPoolGrad', { inputs, backend: cpu, attrs });
  const { info } = geometry(input.shape, attrs as unknown as PoolAttrs);
  const dx = allocate(sizeOf(input.shape));
  if (dx.length > 0) requireAddon().maxPoolGrad(xv, dyv, dx, info);
  return output(cpu, [...input.shape], dx);
}

export const poolingKernels: Record<string, tf.KernelFunc> = {
  AvgPool: pool('AvgPool'),
  MaxPool: pool('MaxPool'),
  AvgPoolGrad: avgPoolGrad,
  MaxPoolGrad: maxPoolGrad,
};
