/**
 * The host kernels compiled to WebAssembly: the addon's own C for the hardest-N selection
 * (`native/selection.c`) and MoCHi's mix (`native/mochiMix.c`), built freestanding with wasm SIMD
 * by `native/wasm/build.mjs` and embedded in `compiledKernelsWasm.ts`. Where the addon is not
 * loaded (the wasm backend, the browser) they replace the JavaScript twins (`selection.ts`,
 * `mochiMix.ts`): the same results as the addon bit for bit (the twins' pair dots differ in
 * rounding), about 3× faster than the twins.
 *
 * Each call resets the module's allocator, allocates its arrays in the module's memory, copies
 * the inputs in and the outputs out; indices are checked here, as the addon checks them. A call
 * too large for the module's memory (wasm32: 4 GiB) returns false and the caller runs the twin.
 * `loadCompiledKernels()` instantiates the module (asynchronously: browsers compile large modules
 * only so); `initEngine` calls it.
 */
import { COMPILED_KERNELS_WASM } from './compiledKernelsWasm.js';
import type { MochiMixArrays, MochiMixed } from './mochiMix.js';

interface Exports {
  memory: WebAssembly.Memory;
  reset(): void;
  alloc(bytes: number): number;
  hardest(scores: number, B: number, K: number, N: number, lo: number, hi: number, out: number): number;
  mix(...pointersAndScale: number[]): void;
}

type Typed = Int32Array | Float32Array | Float64Array;
type TypedClass = Int32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;

/** The instantiated module with JavaScript-shaped entry points. */
export class CompiledKernels {
  constructor(private readonly x: Exports) {}

  /**
   * As `hardestIndicesIn` (`engine/hostKernels.ts`): the N largest scores of each row `[B, K]`
   * into `out` `[B, N]`. False (nothing written) when the module's memory cannot hold the call.
   */
  hardest(scores: Float32Array, B: number, K: number, N: number, range: [number, number] | undefined, out: Int32Array): boolean {
    this.x.reset();
    const [pScores, pOut] = [this.x.alloc(scores.byteLength), this.x.alloc(out.byteLength)];
    if (pScores === 0 || pOut === 0) return false;
    this.view(Float32Array, pScores, scores.length).set(scores);
    if (this.x.hardest(pScores, B, K, N, range?.[0] ?? NaN, range?.[1] ?? NaN, pOut) !== 0) return false;
    out.set(this.view(Int32Array, pOut, out.length));
    return true;
  }

  /** As `mixJs` (`mochiMix.ts`), the pair dots summed as the addon sums them; false (nothing written) when the module's memory cannot hold the call. */
  mix(m: MochiMixArrays, out: MochiMixed): boolean {
    const { B, K, N, s, sPrime, D } = m;
    checkIndices('hardest', m.hardest, K);
    for (const [name, ranks] of [['i', m.i], ['j', m.j], ['k', m.k]] as const) checkIndices(name, ranks, N);
    if (sPrime > 0 && m.qq === null) throw new Error("mochiMix: qq is needed when s' > 0");
    this.x.reset();
    const sizes = Int32Array.of(B, K, N, s, sPrime, D);
    const inputs: Typed[] = [sizes, m.scores, m.rows, m.hardest, m.i, m.j, m.alpha, m.k, m.beta, m.qq ?? new Float32Array(0)];
    const outputs: Typed[] = [out.rowI, out.rowJ, out.rowK, out.c, out.d, out.wA, out.wB, out.wQ, out.wD, out.logits];
    const pIn = inputs.map((a) => this.x.alloc(a.byteLength));
    const pOut = outputs.map((a) => this.x.alloc(a.byteLength));
    if ([...pIn, ...pOut].includes(0)) return false;
    inputs.forEach((a, n) => this.view(a.constructor as TypedClass, pIn[n], a.length).set(a));
    const [pSizes, pScores, pRows, pHardest, pI, pJ, pAlpha, pK, pBeta, pQq] = pIn;
    this.x.mix(pSizes, pScores, m.scale, pRows, pHardest, pI, pJ, pAlpha, pK, pBeta, m.qq === null ? 0 : pQq, ...pOut);
    outputs.forEach((a, n) => a.set(this.view(a.constructor as TypedClass, pOut[n], a.length)));
    return true;
  }

  /** A view of the module's memory (made after the call's last alloc, which may grow and so detach the memory). */
  private view<T extends TypedClass>(make: T, at: number, length: number): InstanceType<T> {
    return new make(this.x.memory.buffer, at, length) as InstanceType<T>;
  }
}

/** Every index in [0, bound): the C side trusts them. */
function checkIndices(name: string, a: Int32Array, bound: number): void {
  for (let x = 0; x < a.length; x++) {
    if (!(a[x] >= 0 && a[x] < bound)) throw new Error(`mochiMix: ${name}[${x}] = ${a[x]} is out of range [0, ${bound})`);
  }
}

let loaded: CompiledKernels | undefined;
let loading: Promise<CompiledKernels | undefined> | undefined;

/** Instantiates the module once; undefined (the JavaScript twins stay in use) where WebAssembly SIMD is missing. */
export function loadCompiledKernels(): Promise<CompiledKernels | undefined> {
  loading ??= (async () => {
    const bytes = Uint8Array.from(atob(COMPILED_KERNELS_WASM), (ch) => ch.charCodeAt(0));
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return undefined;
    const { instance } = await WebAssembly.instantiate(bytes);
    loaded = new CompiledKernels(instance.exports as unknown as Exports);
    return loaded;
  })();
  return loading;
}

/** The module once `loadCompiledKernels()` has finished, else undefined. */
export function compiledKernels(): CompiledKernels | undefined {
  return loaded;
}
