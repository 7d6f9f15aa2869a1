/**
 * Slices, splits and constant padding on the native backend as copies of contiguous runs. The
 * stock cpu kernels compute each element's coordinates (a MoCHi step's concat and slice
 * gradients took ~40 ms). A slice that is one contiguous run still goes to the stock kernel,
 * which returns a view without copying.
 *
 *   Slice:  x, begin, size → x[begin : begin + size]
 *   SplitV: x → pieces along `axis` (sizes given, or an even count; −1 takes the rest)
 *   PadV2:  x → x surrounded by `constantValue`, `paddings[d] = [before, after]`
 *   Concat: tensors → one, joined along `axis`
 */
import * as tf from '../tf.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend, type KernelArgs } from './kernelCall.js';

const stridesOf = (shape: number[]): number[] => {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
};

/**
 * Copies the box `size` at `fromAt` in `from` (shape `fromShape`) to `toAt` in `to` (shape
 * `toShape`): the trailing axes the box spans in both arrays are one run per leading index.
 */
function copyBox(from: Float32Array, fromShape: number[], fromAt: number[], to: Float32Array, toShape: number[], toAt: number[], size: number[]): void {
  if (sizeOf(size) === 0) return;
  const rank = size.length;
  let inner = rank;
  while (inner > 0 && size[inner - 1] === fromShape[inner - 1] && size[inner - 1] === toShape[inner - 1]) inner--;
  const lead = Math.max(inner - 1, 0); // axes walked one index at a time; axis `lead` is part of the run
  const run = sizeOf(size.slice(lead));
  const [fs, ts] = [stridesOf(fromShape), stridesOf(toShape)];
  const index = new Array<number>(lead).fill(0);
  const count = sizeOf(size.slice(0, lead));
  for (let n = 0; n < count; n++) {
    let f = 0;
    let t = 0;
    for (let d = 0; d < rank; d++) {
      const i = d < lead ? index[d] : 0;
      f += (fromAt[d] + i) * fs[d];
      t += (toAt[d] + i) * ts[d];
    }
    if (run >= 32) to.set(from.subarray(f, f + run), t);
    else for (let k = 0; k < run; k++) to[t + k] = from[f + k];
    for (let d = lead - 1; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
}

function sliceOf(backend: CpuBackend, x: tf.TensorInfo, xv: Float32Array, begin: number[], size: number[]): tf.TensorInfo {
  const out = allocate(sizeOf(size));
  copyBox(xv, x.shape, begin, out, size, new Array<number>(size.length).fill(0), size);
  return output(backend, size, out);
}

function slice({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const x = inputs.x as tf.TensorInfo;
  const xv = floatValues(cpu, x);
  const { begin, size } = attrs as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  const contiguous = tf.slice_util.isSliceContinous(x.shape, b, s);
  if (xv === undefined || contiguous) return runCpu('Slice', { inputs, backend: cpu, attrs }, contiguous);
  tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
  return sliceOf(cpu, x, xv, b, s);
}

function splitV({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const cpu = backend as CpuBackend;
  const x = inputs.x as tf.TensorInfo;
  const xv = floatValues(cpu, x);
  const { numOrSizeSplits, axis } = attrs as { numOrSizeSplits: number | number[]; axis: number };
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[$axis] = s;
    const contiguous = tf.slice_util.isSliceContinous(x.shape, begin, size);
    const piece =
      xv === undefined || contiguous
        ? runCpu('Slice', { inputs: { x }, backend: cpu, attrs: { begin: [...begin], size } }, contiguous)
        : sliceOf(cpu, x, xv, [...begin], size);
    begin[$axis] += s;
    return piece;
  });
}

function padV2({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const x = inputs.x as tf.TensorInfo;
  const xv = floatValues(cpu, x);
  const { paddings, constantValue } = attrs as { paddings: [number, number][]; constantValue: number };
  if (xv === undefined) return runCpu('PadV2', { inputs, backend: cpu, attrs });
  const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const out = allocate(sizeOf(shape));
  out.fill(constantValue);
  copyBox(xv, x.shape, new Array<number>(x.shape.length).fill(0), out, shape, paddings.map((p) => p[0]), x.shape);
  return output(cpu, shape, out);
}

function concat({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const parts = inputs as unknown as tf.TensorInfo[];
  const values = parts.map((t) => floatValues(cpu, t));
  if (parts.length === 0 || values.some((v) => v === undefined)) return runCpu('Concat', { inputs, backend: cpu, attrs });
  const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, parts[0].shape)[0];
  const shapes = parts.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, axis);
  const shape = tf.backend_util.computeOutShape(shapes, axis);
  const out = allocate(sizeOf(shape));
  const at = new Array<number>(shape.length).fill(0);
  parts.forEach((t, i) => {
    copyBox(values[i]!, t.shape, new Array<number>(t.shape.length).fill(0), out, shape, at, t.shape);
    at[axis] += t.shape[axis];
  });
  return output(cpu, shape, out);
}

export const slicingKernels: Record<string, tf.KernelFunc> = { Slice: slice, SplitV: splitV as unknown as tf.KernelFunc, PadV2: padV2, Concat: concat };
