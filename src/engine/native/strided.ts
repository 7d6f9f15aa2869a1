/**
 * Strided views for the broadcasts and reductions that do not fit `[rows, cols]` (see
 * `elementwise.ts`): NHWC by `[G, 1, 1, C]` (per-group statistics), Mean over H and W (global
 * average pooling), sums over the leading and trailing axes at once, any other pattern.
 *
 * Neighbouring axes that both operands walk alike are merged first, so the addon's loops see few
 * axes and a contiguous last one:
 *   broadcast `[B, H, W, C]` by `[1, 1, 1, C]` → shape `[B·H·W, C]`, strides a `[C, 1]`, b `[0, 1]`;
 *   reduce `[B, H, W, C]` over axes 1, 2     → shape `[B, H·W, C]`, reduced `[0, 1, 0]`.
 */
import * as tf from '../tf.js';

/** Most axes the addon's strided loops take. */
const MAX_DIMS = 8;

export interface StridedBroadcast {
  /** The broadcast output shape (what the kernel returns). */
  shape: number[];
  /** The merged view of that output and each operand's element strides over it. */
  view: Int32Array;
  aStrides: Int32Array;
  bStrides: Int32Array;
}

/** Row-major strides of `shape`, 0 on the axes where it is broadcast to `out`. */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  const strides = new Array<number>(out.length).fill(0);
  let step = 1;
  for (let d = out.length - 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 && out[d] !== 1 ? 0 : step;
    step *= padded[d];
  }
  return strides;
}

/**
 * Merges axis d into axis d + 1 wherever every operand steps over d exactly as over the whole of
 * d + 1 (stride[d] = stride[d + 1]·shape[d + 1]; broadcast axes, stride 0, merge with each other).
 * Axes of size 1 are dropped first. Returns undefined past `MAX_DIMS` axes.
 */
function merge(shape: number[], strides: number[][]): { shape: number[]; strides: number[][] } | undefined {
  const keep = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const i of keep) {
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return outShape.length <= MAX_DIMS ? { shape: outShape, strides: outStrides } : undefined;
}

/** The merged strided view of `broadcast(a, b)`, or undefined when it has more than 8 axes. */
export function stridedBroadcast(aShape: number[], bShape: number[]): StridedBroadcast | undefined {
  const shape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const merged = merge(shape, [broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)]);
  if (merged === undefined) return undefined;
  return { shape, view: Int32Array.from(merged.shape), aStrides: Int32Array.from(merged.strides[0]), bStrides: Int32Array.from(merged.strides[1]) };
}

export interface StridedReduction {
  /** x's merged shape and, per merged axis, 1 where it is reduced. */
  view: Int32Array;
  reduced: Int32Array;
}

/** The merged view of x `shape` reduced over `axes`, or undefined when it has more than 8 axes. */
export function stridedReduction(shape: number[], axes: number[]): StridedReduction | undefined {
  const view: number[] = [];
  const reduced: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = axes.includes(i) ? 1 : 0;
    if (view.length > 0 && reduced[reduced.length - 1] === r) view[view.length - 1] *= d;
    else {
      view.push(d);
      reduced.push(r);
    }
  });
  if (view.length === 0) return { view: Int32Array.of(1), reduced: Int32Array.of(0) };
  return view.length <= MAX_DIMS ? { view: Int32Array.from(view), reduced: Int32Array.from(reduced) } : undefined;
}
