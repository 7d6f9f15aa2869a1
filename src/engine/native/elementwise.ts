/**
 * Element-wise kernels and reductions on the native backend, as contiguous C loops in the addon.
 *
 * The stock cpu kernels compute every output element's input index from its coordinates
 * (hundreds of ms per MoCo step); here the broadcasts that occur in practice are recognised as
 * one of four layouts over the output seen as `[rows, cols]` (full, one row repeated, one value
 * per row, one value) and run as plain loops; every other broadcast and reduction runs on a
 * strided view (`strided.ts`). Other dtypes and empty reductions call the stock kernel.
 */
import * as tf from '../tf.js';
import { opcode, requireAddon } from './addon.js';
import { allocate } from './memory.js';
import { floatValues, output, runCpu, sizeOf, type CpuBackend } from './kernelCall.js';
import { stridedBroadcast, stridedReduction } from './strided.js';
import { RELU_GRAD } from './fusedKernels.js';

/** The kernels replaced here; their codes come from the addon's `opcodes` table (`native/opcodes.c`). */
const UNARY = ['Exp', 'Log', 'Neg', 'Sqrt', 'Square', 'Relu', 'Step', 'Abs', 'Rsqrt', 'Reciprocal', 'Sigmoid', 'Tanh'];
const BINARY = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference', RELU_GRAD];
const REDUCE = ['Sum', 'Mean', 'Max', 'Min'];

/**
 * How an operand covers the output `[rows, cols]`. TypeScript's own logic branches on these, so
 * they are constants here; a test checks them against the addon's `opcodes.modes`.
 */
export const enum Mode {
  Full = 0,
  Row = 1,
  Col = 2,
  Scalar = 3,
}

/** The kernel names this file replaces, by `opcodes` table (for the test that the addon covers them). */
export const OPCODE_NAMES = { unary: UNARY, binary: BINARY, reduce: REDUCE };

export interface BroadcastPlan {
  shape: number[];
  rows: number;
  cols: number;
  a: Mode;
  b: Mode;
}

/** The mode of an operand of (right-aligned) shape `dims` over `out` split after `split` axes. */
function modeAt(dims: number[], out: number[], split: number): Mode | undefined {
  const pad = [...Array(out.length - dims.length).fill(1), ...dims];
  const matches = (from: number, to: number) => pad.slice(from, to).every((d, i) => d === out[from + i]);
  const ones = (from: number, to: number) => pad.slice(from, to).every((d) => d === 1);
  const [lead, rest] = [[0, split], [split, out.length]] as const;
  if (matches(...lead) && matches(...rest)) return Mode.Full;
  if (ones(...lead) && ones(...rest)) return Mode.Scalar;
  if (ones(...lead) && matches(...rest)) return Mode.Row;
  if (matches(...lead) && ones(...rest)) return Mode.Col;
  return undefined;
}

/** A `[rows, cols]` view of `broadcast(a, b)` in which both operands have a plain layout, if one exists. */
export function planBroadcast(aShape: number[], bShape: number[]): BroadcastPlan | undefined {
  const shape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  for (let split = 0; split <= shape.length; split++) {
    const a = modeAt(aShape, shape, split);
    const b = a === undefined ? undefined : modeAt(bShape, shape, split);
    if (a !== undefined && b !== undefined) {
      return { shape, rows: sizeOf(shape.slice(0, split)), cols: sizeOf(shape.slice(split)), a, b };
    }
  }
  return undefined;
}

function unaryKernel(name: string): tf.KernelFunc {
  let op: number | undefined;
  return (args) => {
    op ??= opcode('unary', name);
    const { inputs, attrs } = args;
    const backend = args.backend as CpuBackend;
    const x = inputs.x as tf.TensorInfo;
    const xv = floatValues(backend, x);
    if (xv === undefined) return runCpu(name, { inputs, backend, attrs });
    const out = allocate(xv.length);
    requireAddon().unary(op, xv, out, name === 'Step' ? ((attrs as { alpha?: number }).alpha ?? 0) : 0);
    return output(backend, x.shape, out);
  };
}

function binaryKernel(name: string): tf.KernelFunc {
  let op: number | undefined;
  return (args) => {
    op ??= opcode('binary', name);
    const { inputs, attrs } = args;
    const backend = args.backend as CpuBackend;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const [av, bv] = [floatValues(backend, a), floatValues(backend, b)];
    if (av === undefined || bv === undefined) return runCpu(name, { inputs, backend, attrs });
    const plan = planBroadcast(a.shape, b.shape);
    if (plan !== undefined) {
      const out = allocate(plan.rows * plan.cols);
      requireAddon().binary(op, av, plan.a, bv, plan.b, out, plan.rows, plan.cols);
      return output(backend, plan.shape, out);
    }
    const view = stridedBroadcast(a.shape, b.shape);
    if (view === undefined) return runCpu(name, { inputs, backend, attrs });
    const out = allocate(sizeOf(view.shape));
    if (out.length > 0) requireAddon().binaryStrided(op, av, view.aStrides, bv, view.bStrides, out, view.view);
    return output(backend, view.shape, out);
  };
}

function reductionKernel(name: string): tf.KernelFunc {
  let op: number | undefined;
  return (args) => {
    op ??= opcode('reduce', name);
    const { inputs, attrs } = args;
    const backend = args.backend as CpuBackend;
    const x = inputs.x as tf.TensorInfo;
    const { keepDims } = attrs as { keepDims: boolean };
    const rawAxis = (attrs as { axis?: number | number[]; reductionIndices?: number | number[] }).axis ?? (attrs as { reductionIndices: number | number[] }).reductionIndices;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(rawAxis, x.shape).sort((p, q) => p - q);
    const inside = axes.length > 0 && axes.every((ax, i) => ax === rank - axes.length + i);
    const outside = axes.length > 0 && axes.every((ax, i) => ax === i);
    const xv = floatValues(backend, x);
    const strided = inside || outside ? undefined : stridedReduction(x.shape, axes);
    if (xv === undefined || xv.length === 0 || !(inside || outside || strided !== undefined)) return runCpu(name, { inputs, backend, attrs });
    const reduced = sizeOf(axes.map((ax) => x.shape[ax]));
    const kept = sizeOf(x.shape) / reduced;
    const out = allocate(kept);
    if (inside) requireAddon().reduce(op, xv, out, kept, reduced, true);
    else if (outside) requireAddon().reduce(op, xv, out, reduced, kept, false);
    else requireAddon().reduceAxes(op, xv, out, strided!.view, strided!.reduced);
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return output(backend, shape, out);
  };
}

/** Softmax over the last axis. */
const softmax: tf.KernelFunc = (args) => {
  const { inputs, attrs } = args;
  const backend = args.backend as CpuBackend;
  const logits = inputs.logits as tf.TensorInfo;
  const cols = logits.shape[logits.shape.length - 1] ?? 1;
  const xv = floatValues(backend, logits);
  if (xv === undefined || xv.length === 0) return runCpu('Softmax', { inputs, backend, attrs });
  const out = allocate(xv.length);
  requireAddon().softmaxRows(xv, out, null, xv.length / cols, cols);
  return output(backend, logits.shape, out);
};

export const elementwiseKernels: Record<string, tf.KernelFunc> = {
  ...Object.fromEntries(UNARY.map((name) => [name, unaryKernel(name)])),
  ...Object.fromEntries(BINARY.map((name) => [name, binaryKernel(name)])),
  ...Object.fromEntries(REDUCE.map((name) => [name, reductionKernel(name)])),
  Softmax: softmax,
};
