/**
 * hardneg's optional native addon (the C sources in `native/`, built by `npm ci` into
 * `build/Release/hardneg_native.node` when OpenBLAS and a compiler are present): its functions
 * and whether it is in use. Loading it is Node's business (`./loadAddon.ts`); this file imports
 * nothing from Node, so the code that asks `activeAddon()` bundles for a browser, where the
 * answer is always undefined.
 */
import * as tf from '../tf.js';

/** The addon's functions (`native/binding.c`); arrays are Float32Arrays (views allowed), sizes integers. */
export interface NativeAddon {
  /** C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i], i < batch; C[i] `[M, N]` contiguous; A[i] at i·strideA, B[i] at i·strideB. */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, strideA: number, B: Float32Array, strideB: number, beta: number, C: Float32Array, batch: number,
  ): void;
  /** Sets the threads of OpenBLAS and of the addon's own loops (`native/pool.c`). */
  setThreads(n: number): void;
  /** The thread count in use. */
  threads(): number;
  /** out = softmax of each row of x `[rows, cols]` (out may be x); lse `[rows]` = log Σ e^x per row, unless null. */
  softmaxRows(x: Float32Array, out: Float32Array, lse: Float32Array | null, rows: number, cols: number): void;
  /** y = a·y + b·x, in place. */
  axpby(y: Float32Array, a: number, x: Float32Array, b: number): void;
  /** SGD with momentum in place: v = m·v + g; w −= lr·v (nesterov: w −= lr·(g + m·v)). */
  momentum(w: Float32Array, v: Float32Array, g: Float32Array, lr: number, m: number, nesterov: boolean): void;
  /** Operation codes by TensorFlow.js kernel name (`native/opcodes.c`): `op` of unary/binary/reduce, and the operand modes of `binary`. */
  opcodes: Record<'unary' | 'binary' | 'reduce' | 'modes', Record<string, number>>;
  /** out = f(x) element-wise; op: `opcodes.unary[kernel name]` (Step uses alpha). */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /**
   * out `[rows, cols]` = f(a, b); op: `opcodes.binary[kernel name]`; modes (`opcodes.modes`): Full `[rows, cols]`,
   * Row one row `[cols]`, Col one value per row `[rows]`, Scalar one value.
   */
  binary(op: number, a: Float32Array, aMode: number, b: Float32Array, bMode: number, out: Float32Array, rows: number, cols: number): void;
  /** x `[outer, inner]` reduced over inner (inside) into `[outer]` or over outer into `[inner]`; op: `opcodes.reduce[kernel name]`. */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, inner: number, inside: boolean): void;
  /**
   * out `[…shape]` = f(a, b) (op as in `binary`) on strided views: a and b are read at Σ index[d]·strides[d]
   * (0 on broadcast axes, the last stride 0 or 1); shape and strides Int32Arrays of 1 to 8 axes.
   */
  binaryStrided(op: number, a: Float32Array, aStrides: Int32Array, b: Float32Array, bStrides: Int32Array, out: Float32Array, shape: Int32Array): void;
  /** x `[…shape]` (row-major) reduced over the axes where `reduced` is 1 into out (the kept axes in order); op as in `reduce`. */
  reduceAxes(op: number, x: Float32Array, out: Float32Array, shape: Int32Array, reduced: Int32Array): void;
  /** NHWC average pooling (the mean of the window's pixels inside the image), x `[B, H, W, C]` → y `[B, OH, OW, C]`; `info` as for `im2col`, dilations 1. */
  avgPool(x: Float32Array, y: Float32Array, info: Int32Array): void;
  /** Its gradient as TensorFlow.js's cpu kernel defines it: dx = Σ over the windows covering a pixel of dy / (KH·KW). */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, info: Int32Array): void;
  /** NHWC max pooling (NaN ignored, −∞ for a window without a number). */
  maxPool(x: Float32Array, y: Float32Array, info: Int32Array): void;
  /** Its gradient: each window's dy added to its first largest pixel (row-major window order). */
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, info: Int32Array): void;
  /**
   * Training-mode batch normalization of x `[G, N, C]` per group and channel: y = γ·(x − μ)/√(σ² + ε) + β,
   * writing y `[G, N, C]`, mean μ and biased variance σ² `[G, C]`; gamma, beta `[C]`.
   */
  batchNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, groups: number, channels: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /** Its gradient: dx `[G, N, C]`, dγ = Σ dy·x̂ and dβ = Σ dy `[C]` (over all groups). */
  batchNormGrad(
    dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array, epsilon: number, groups: number, channels: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /** NHWC patches of x into cols `[B·OH·OW, KH·KW·C]`; `info` is `[B, H, W, C, OH, OW, KH, KW, sH, sW, dH, dW, padTop, padLeft]`. */
  im2col(x: Float32Array, cols: Float32Array, info: Int32Array): void;
  /**
   * NHWC convolution y `[B·OH·OW, Co]` = patches(x) · w (`w` `[KH·KW·C, Co]`), parallel over images,
   * `chunk` images' patches at a time per thread; `info` as for `im2col`.
   */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, info: Int32Array, Co: number, chunk: number): void;
  /** Its input gradient: dx `[B, H, W, C]` = col2im(dy · wᵀ), the same way. */
  conv2dInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, info: Int32Array, Co: number, chunk: number): void;
  /**
   * Its filter gradient dw `[KH·KW·C, Co]` = Σ patches(x)ᵀ · dy, summed over 8 fixed stripes of
   * images (one thread each) and then the stripes in order: the same result at any thread count.
   */
  conv2dFilterGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, info: Int32Array, Co: number, chunk: number): void;
  /** The adjoint of im2col: dx = Σ of the patches in cols, written over dx. */
  col2im(cols: Float32Array, dx: Float32Array, info: Int32Array): void;
  /** out `[B, N]` = indices of each row's N largest scores `[B, K]`, score descending, ties in index order; scores lie in [lo, hi] (NaN, NaN: unknown). */
  hardest(scores: Float32Array, B: number, K: number, N: number, lo: number, hi: number, out: Int32Array): void;
  /** out[x] = rows[I[x]]·rows[J[x]] for rows `[?, D]`. */
  pairDots(rows: Float32Array, D: number, I: Int32Array, J: Int32Array, out: Float32Array): void;
  /** out[i] = ⌊u_i / 2³² · max⌋ for the next outputs u_i of the xoshiro128** state (4 words, advanced in place), as `Rng.intArray`. */
  rngInts(state: Uint32Array, out: Int32Array, max: number): void;
  /** out[i] = float32(lo + (hi − lo)·u_i / 2³²), as `Rng.uniformArray`. */
  rngUniform(state: Uint32Array, out: Float32Array, lo: number, hi: number): void;
  /** MoCHi's fused mix (`native/mochi.c`; twin `engine/host/mochiMix.ts`); sizes `[B, K, N, s, s′, D]`. */
  mochiMix(
    sizes: Int32Array, scores: Float32Array, scale: number, rows: Float32Array, hardest: Int32Array, i: Int32Array, j: Int32Array, alpha: Float64Array,
    k: Int32Array, beta: Float64Array, qq: Float32Array | null, rowI: Int32Array, rowJ: Int32Array, rowK: Int32Array, c: Float32Array, d: Float32Array,
    wA: Float32Array, wB: Float32Array, wQ: Float32Array, wD: Float32Array, logits: Float32Array,
  ): void;
  /** MoCHi's backward scatter from dy `[B, s + s′]` added into dNeg `[B, K]` (dNeg[x] + the scatter's [x]), and dqq `[B]`. */
  mochiScatterAdd(
    sizes: Int32Array, dy: Float32Array, rowI: Int32Array, rowJ: Int32Array, rowK: Int32Array, wA: Float32Array, wB: Float32Array, wQ: Float32Array,
    wD: Float32Array, dNeg: Float32Array, dqq: Float32Array | null,
  ): void;
  /**
   * Augmented views (`native/augment.c`): out `[n, outH, outW, C]`, image k = src image indices[k]
   * `[h, w, C]` warped by params[k] = `[a, b, c, d, e, f, brightness (< 0: none), contrast, blur 0|1, …taps weights]`, jittered, blurred.
   */
  augment(src: Float32Array, h: number, w: number, channels: number, indices: Int32Array, params: Float64Array, taps: number, out: Float32Array, outH: number): void;
}

let state: { addon?: NativeAddon; problem?: string } | undefined;

/** The outcome of loading the addon (`./loadAddon.ts`, Node only), or undefined before it. */
export function addonState(): { addon?: NativeAddon; problem?: string } | undefined {
  return state;
}

/** Records the outcome of loading the addon; called once by `loadAddon`. */
export function setAddonState(outcome: { addon?: NativeAddon; problem?: string }): void {
  state = outcome;
}

/** Why the addon is not in use, once `loadAddon` has run; undefined when it is loaded. */
export function addonProblem(): string | undefined {
  return state?.problem;
}

/**
 * The addon while the native backend is the active one, else undefined: host-side loops (MoCHi's
 * selection, kNN's top-k) then run in C instead of their JavaScript twins, with the same results.
 */
export function activeAddon(): NativeAddon | undefined {
  return state?.addon !== undefined && tf.getBackend() === 'native' ? state.addon : undefined;
}

/** The loaded addon, for kernels (which only run once the native backend has been registered with it). */
export function requireAddon(): NativeAddon {
  if (state?.addon === undefined) throw new Error(`hardneg native addon is not loaded: ${state?.problem ?? 'loadAddon() was not called'}`);
  return state.addon;
}

/** The addon's code for the kernel `name` in an `opcodes` table; throws if the addon has none (an addon older than this code). */
export function opcode(table: 'unary' | 'binary' | 'reduce', name: string): number {
  const code = requireAddon().opcodes?.[table]?.[name];
  if (code === undefined) throw new Error(`hardneg native addon has no ${table} opcode for '${name}': rebuild it (npm run build:native)`);
  return code;
}
