/**
 * Kernels at the edges of float32 on the native backend: casts and comparisons.
 *
 *   Cast to float32: a fresh Float32Array. The stock kernel returns an int32 or bool tensor's
 *     own Int32Array/Uint8Array relabelled float32, and every native kernel it then feeds falls
 *     back to its stock twin (floatValues: undefined); other casts are one typed-array
 *     conversion in the stock kernel.
 *   Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual on float32: bool `[…]`, a contiguous
 *     loop over the `[rows, cols]` layouts of `elementwise.ts` (the stock kernels compute every
 *     element's coordinates under a broadcast); other broadcasts run the stock kernel.
 */
import type * as tf from '../tf.js';
import { Mode, planBroadcast } from './elementwise.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend, type KernelArgs } from './kernelCall.js';

function cast({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const cpu = backend as CpuBackend;
  const x = inputs.x as tf.TensorInfo;
  const { dtype } = attrs as { dtype: tf.DataType };
  const values = cpu.data.get(x.dataId)?.values;
  if (dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool' && x.dtype !== 'float32') || !ArrayBuffer.isView(values)) {
    return runCpu('Cast', { inputs, backend: cpu, attrs }, true);
  }
  if (values instanceof Float32Array) return runCpu('Cast', { inputs, backend: cpu, attrs }, true); // shares the array: no copy
  const out = allocate(sizeOf(x.shape));
  out.set(values as Int32Array | Uint8Array);
  return output(cpu, x.shape, out);
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  Greater: (a, b) => a > b,
  GreaterEqual: (a, b) => a >= b,
  Less: (a, b) => a < b,
  LessEqual: (a, b) => a <= b,
  Equal: (a, b) => a === b,
  NotEqual: (a, b) => a !== b,
};

/** Offsets of an operand's row r and its step along a row, by layout (the addon's M_* codes). */
const rowStart = (mode: Mode, r: number, cols: number): number => (mode === Mode.Full ? r * cols : mode === Mode.Col ? r : 0);
const colStep = (mode: Mode): number => (mode === Mode.Full || mode === Mode.Row ? 1 : 0);

function comparison(name: string): tf.KernelFunc {
  const test = COMPARISONS[name];
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const cpu = backend as CpuBackend;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const [av, bv] = [floatValues(cpu, a), floatValues(cpu, b)];
    const plan = av !== undefined && bv !== undefined ? planBroadcast(a.shape, b.shape) : undefined;
    if (plan === undefined) return runCpu(name, { inputs, backend: cpu, attrs });
    const out = new Uint8Array(plan.rows * plan.cols);
    const [sa, sb] = [colStep(plan.a), colStep(plan.b)];
    for (let r = 0, at = 0; r < plan.rows; r++) {
      let [i, j] = [rowStart(plan.a, r, plan.cols), rowStart(plan.b, r, plan.cols)];
      for (let c = 0; c < plan.cols; c++, at++, i += sa, j += sb) out[at] = test(av![i], bv![j]) ? 1 : 0;
    }
    return cpu.makeTensorInfo(plan.shape, 'bool', out);
  };
}

export const typedKernels: Record<string, tf.KernelFunc> = {
  Cast: cast,
  ...Object.fromEntries(Object.keys(COMPARISONS).map((name) => [name, comparison(name)])),
};
