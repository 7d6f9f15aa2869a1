/**
 * The one route from JavaScript to native host code: loops over typed arrays that run in C
 * (`native/*.c`, through the addon) while the native backend is active; else the selection and
 * MoCHi's mix in the same C compiled to WebAssembly (`host/compiledKernels.ts`, once `initEngine`
 * has loaded it), and the rest (or everything, before that) in their JavaScript twins
 * (`engine/host/*.ts`), with the same results. Callers never ask which.
 *
 * - `hardestIndicesIn`: the N largest scores of each row `[B, K]` → `[B, N]` (selection.c / host/selection.ts);
 * - `pairDots`: rows[I[x]]·rows[J[x]] (selection.c / a float64 loop: equal up to rounding);
 * - `drawInts`, `drawUniform`: an `Rng`'s own stream, drawn in C on its live state (mochi.c / random.ts);
 * - `mochiMix`, `mochiScatterAdd`: MoCHi's fused forward and backward host work (mochi.c /
 *   host/mochiMix.ts), and `mochiGradientsAdded`, the backward pass as tensors;
 * - `augmentPixels`: the augmentation's warp, jitter and blur of a batch (augment.c / host/augmentPixels.ts);
 * - `hostValues`, `hostArray`: read a float32 tensor's values, and get an array to make one from,
 *   without a copy where the backend allows (the native backend's arrays are host memory).
 * Functions that make arrays take an optional `HostScratch` (`host/scratch.ts`) to reuse them
 * from call to call.
 * Tensor kernels (matrix products, element-wise maps, softmax) are TensorFlow.js kernels of the
 * native backend (`engine/native/`), reached through tf ops and `engine/fused.ts`.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf.js';
import { activeAddon } from './native/addon.js';
import { floatValues, type CpuBackend } from './native/kernelCall.js';
import { allocate, exclusiveValues } from './native/memory.js';
import type { Rng } from './random.js';
import { blurInPlace, jitterInPlace, warpAffine } from './host/augmentPixels.js';
import { compiledKernels } from './host/compiledKernels.js';
import { selectHardest } from './host/selection.js';
import { mixJs, rowDot, scatterAddJs, type MochiMixArrays, type MochiMixed } from './host/mochiMix.js';
import { HostScratch } from './host/scratch.js';

export type { MochiMixArrays, MochiMixed } from './host/mochiMix.js';
export { HostScratch } from './host/scratch.js';

/**
 * The values of a float32 tensor, for reading only, and only until the next TensorFlow.js op.
 * No copy on the native backend (its live array, which stays the backend's to recycle) nor on
 * wasm (a view of the wasm heap, which an op that grows the heap detaches); elsewhere `dataSync()`.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') return (tf.backend() as BackendWasm).typedArrayFromHeap(t) as Float32Array;
  if (activeAddon() !== undefined) {
    const values = floatValues(tf.backend() as CpuBackend, t);
    if (values !== undefined) return values;
  }
  return t.dataSync() as Float32Array;
}

/** A float32 array of length n to build one tensor from (recycled on the native backend; contents undefined). */
export function hostArray(n: number): Float32Array {
  return activeAddon() !== undefined ? allocate(n) : new Float32Array(n);
}

/**
 * Indices of the N largest scores of each row `[B, K]` → `[B, N]`, by score descending, ties in
 * index order. `range` bounds the scores (e.g. ±1/τ for logits of unit vectors); scores outside
 * it are still ranked exactly, the bound only affects speed.
 */
export function hardestIndicesIn(scores: Float32Array, B: number, K: number, N: number, range?: [number, number], scratch?: HostScratch): Int32Array {
  if (!(Number.isInteger(N) && N >= 1 && N <= K)) throw new Error(`hardestIndices: N must be an integer in [1, ${K}], got ${N}`);
  if (scores.length !== B * K) throw new Error(`hardestIndices: expected ${B}×${K} scores, got ${scores.length}`);
  const out = scratch?.int32('hardest', B * N) ?? new Int32Array(B * N);
  const addon = activeAddon();
  if (addon !== undefined) addon.hardest(scores, B, K, N, range?.[0] ?? NaN, range?.[1] ?? NaN, out);
  else if (!compiledKernels()?.hardest(scores, B, K, N, range, out)) selectHardest(scores, B, K, N, range, out);
  return out;
}

/** As `hardestIndicesIn` with no known range. */
export function hardestIndices(scores: Float32Array, B: number, K: number, N: number): Int32Array {
  return hardestIndicesIn(scores, B, K, N);
}

/** c[x] = rows[I[x]]·rows[J[x]] for rows `[?, D]`. */
export function pairDots(rows: Float32Array, D: number, I: Int32Array, J: Int32Array): Float32Array {
  const c = new Float32Array(I.length);
  const addon = activeAddon();
  if (addon !== undefined) {
    addon.pairDots(rows, D, I, J, c);
    return c;
  }
  for (let x = 0; x < I.length; x++) c[x] = rowDot(rows, I[x] * D, J[x] * D, D);
  return c;
}

/** `rng.intArray(n, max)`: the same values, and `rng` advanced the same (`name`: its scratch array, when given one). */
export function drawInts(rng: Rng, n: number, max: number, scratch?: HostScratch, name = 'ints'): Int32Array {
  const out = scratch?.int32(name, n) ?? new Int32Array(n);
  const addon = activeAddon();
  if (addon === undefined) return rng.fillInts(out, max);
  if (!(Number.isInteger(max) && max > 0)) throw new Error(`Rng.int: expected a positive integer, got ${max}`);
  addon.rngInts(rng.stateWords(), out, max);
  return out;
}

/** `rng.uniformArray(n, lo, hi)`: the same values, and `rng` advanced the same (`name`: its scratch array, when given one). */
export function drawUniform(rng: Rng, n: number, lo: number, hi: number, scratch?: HostScratch, name = 'uniform'): Float32Array {
  const out = scratch?.float32(name, n) ?? new Float32Array(n);
  const addon = activeAddon();
  if (addon === undefined) return rng.fillUniform(out, lo, hi);
  addon.rngUniform(rng.stateWords(), out, lo, hi);
  return out;
}

/**
 * MoCHi's mix for every query (see `host/mochiMix.ts` for the formulas). The logits are a fresh
 * `hostArray`, to become a tensor's; the rest may come from `scratch`.
 */
export function mochiMix(m: MochiMixArrays, scratch = new HostScratch()): MochiMixed {
  const [nS, nP] = [m.B * m.s, m.B * m.sPrime];
  const out: MochiMixed = {
    rowI: scratch.int32('rowI', nS),
    rowJ: scratch.int32('rowJ', nS),
    rowK: scratch.int32('rowK', nP),
    c: scratch.float32('c', nS),
    d: scratch.float32('d', nP),
    wA: scratch.float32('wA', nS),
    wB: scratch.float32('wB', nS),
    wQ: scratch.float32('wQ', nP),
    wD: scratch.float32('wD', nP),
    logits: hostArray(m.B * (m.s + m.sPrime)),
  };
  const addon = activeAddon();
  if (addon === undefined) {
    if (!compiledKernels()?.mix(m, out)) mixJs(m, out);
    return out;
  }
  addon.mochiMix(
    Int32Array.of(m.B, m.K, m.N, m.s, m.sPrime, m.D), m.scores, m.scale, m.rows, m.hardest, m.i, m.j, m.alpha, m.k, m.beta, m.qq,
    out.rowI, out.rowJ, out.rowK, out.c, out.d, out.wA, out.wB, out.wQ, out.wD, out.logits,
  );
  return out;
}

/** MoCHi's backward pass added to dNeg `[B, K]` (in place: dNeg + the scatter, as an element-wise Add would give) and dqq `[B]` (when given). */
export function mochiScatterAdd(B: number, K: number, s: number, sPrime: number, mixed: MochiMixed, dy: Float32Array, dNeg: Float32Array, dqq: Float32Array | null): void {
  const addon = activeAddon();
  if (addon === undefined) {
    scatterAddJs(B, K, s, sPrime, mixed, dy, dNeg, dqq);
    return;
  }
  addon.mochiScatterAdd(Int32Array.of(B, K, 1, s, sPrime, 0), dy, mixed.rowI, mixed.rowJ, mixed.rowK, mixed.wA, mixed.wB, mixed.wQ, mixed.wD, dNeg, dqq);
}

/**
 * MoCHi's backward pass added to the gradient `dBase` `[B, K]` that the queue logits already have
 * (the value of dBase + the dense dNeg of `mochiGradients`, bit for bit), and dqq `[B]` (null when
 * s′ = 0). With the addon, one C pass row by row: into dBase's own array when nothing else can
 * see it (dBase is then the result), else into a copy; no dense [B, K] scatter is ever built.
 * Otherwise a segment sum (`mochiGradients`) and an Add.
 */
export function mochiGradientsAdded(B: number, K: number, s: number, sPrime: number, mixed: MochiMixed, dy: tf.Tensor2D, dBase: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D | null] {
  if (activeAddon() === undefined) {
    const [dNeg, dqq] = mochiGradients(B, K, s, sPrime, mixed, dy);
    const sum = tf.add(dBase, dNeg) as tf.Tensor2D;
    dNeg.dispose();
    return [sum, dqq];
  }
  const dqq = sPrime > 0 ? new Float32Array(B) : null;
  const own = exclusiveValues(tf.backend() as CpuBackend, dBase);
  const target = own ?? hostArray(B * K);
  if (own === undefined) target.set(hostValues(dBase));
  mochiScatterAdd(B, K, s, sPrime, mixed, hostValues(dy), target, dqq);
  return [own !== undefined ? dBase : tf.tensor2d(target, [B, K]), dqq && tf.tensor1d(dqq)];
}

/**
 * MoCHi's backward pass as tensors, where no addon runs it: dNeg `[B, K]` and dqq `[B]` (null when
 * s′ = 0) from dy `[B, s + s′]`. The B·(2s + s′) coefficients dy·w are formed here and summed into
 * `[B·K]` by the backend's UnsortedSegmentSum (on wasm a vectorised scatter, cheaper than building
 * the dense array in JavaScript), in the order the composed ops summed them (all a terms, then b,
 * then d), so the values are theirs.
 */
function mochiGradients(B: number, K: number, s: number, sPrime: number, mixed: MochiMixed, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D | null] {
  const dqq = sPrime > 0 ? new Float32Array(B) : null;
  const g = hostValues(dy);
  const [nS, S] = [B * s, s + sPrime];
  const coefficients = gradientScratch.float32('coefficients', B * (2 * s + sPrime));
  const cells = gradientScratch.int32('cells', B * (2 * s + sPrime));
  for (let b = 0, x = 0; b < B; b++) {
    for (let t = 0; t < s; t++, x++) {
      coefficients[x] = g[b * S + t] * mixed.wA[x];
      coefficients[nS + x] = g[b * S + t] * mixed.wB[x];
      cells[x] = b * K + mixed.rowI[x];
      cells[nS + x] = b * K + mixed.rowJ[x];
    }
  }
  for (let b = 0, x = 0; b < B; b++) {
    for (let t = 0; t < sPrime; t++, x++) {
      coefficients[2 * nS + x] = g[b * S + s + t] * mixed.wD[x];
      cells[2 * nS + x] = b * K + mixed.rowK[x];
      dqq![b] = Math.fround(dqq![b] + Math.fround(g[b * S + s + t] * mixed.wQ[x]));
    }
  }
  const dNeg = tf.tidy(() => tf.reshape(tf.unsortedSegmentSum(tf.tensor1d(coefficients), tf.tensor1d(cells, 'int32'), B * K), [B, K]) as tf.Tensor2D);
  return [dNeg, dqq && tf.tensor1d(dqq)];
}

/** `mochiGradients`' coefficient and cell arrays, reused (copied into tensors before it returns). */
const gradientScratch = new HostScratch();

/** One view's pixel work: the affine map `[a, b, c, d, e, f]` (output → source), brightness and contrast factors, blur weights (null: none). */
export interface PixelPlan {
  matrix: ArrayLike<number>;
  jitter: [number, number] | null;
  blur: Float64Array | null;
}

/**
 * Views k < plans.length of `[outH, outW, channels]` into `out`: source image indices[k] of
 * `images` `[?, h, w, channels]` warped by plans[k].matrix (bilinear), then jittered, then
 * blurred (`taps`: the blur kernel size, 0 when no plan blurs). Indices are checked by the caller.
 */
export function augmentPixels(
  images: Float32Array, h: number, w: number, channels: number, indices: ArrayLike<number>, plans: PixelPlan[], taps: number, out: Float32Array, outH: number, outW: number,
): void {
  const [inSize, outSize] = [h * w * channels, outH * outW * channels];
  const addon = activeAddon();
  if (addon !== undefined && plans.length > 0) {
    const stride = 9 + taps;
    const params = new Float64Array(plans.length * stride);
    plans.forEach((plan, k) => {
      const at = k * stride;
      params.set(plan.matrix, at);
      params[at + 6] = plan.jitter ? plan.jitter[0] : -1;
      params[at + 7] = plan.jitter ? plan.jitter[1] : 1;
      if (plan.blur) {
        params[at + 8] = 1;
        params.set(plan.blur, at + 9);
      }
    });
    addon.augment(images, h, w, channels, Int32Array.from(indices), params, taps, out, outH);
    return;
  }
  const scratch = taps > 0 ? new Float32Array(outSize) : null;
  plans.forEach((plan, k) => {
    const o = k * outSize;
    warpAffine(images, indices[k] * inSize, h, w, channels, plan.matrix, out, o, outH, outW);
    if (plan.jitter) jitterInPlace(out, o, outSize, channels, plan.jitter[0], plan.jitter[1]);
    if (plan.blur && scratch) blurInPlace(out, o, outH, outW, channels, plan.blur, scratch);
  });
}
