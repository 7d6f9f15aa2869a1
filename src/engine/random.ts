/**
 * Seeded randomness. Every random choice hardneg makes (initial weights, shuffles, augmentations,
 * MoCHi draws, queue initialisation) takes an `Rng`, or the process-wide one set by `seed(n)`,
 * so a run repeats bit-for-bit on one backend.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed: expected a finite number, got ${seed}`);
    this.s = new Uint32Array(4);
    let x = Math.trunc(seed) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Next raw 32-bit output. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`Rng.int: expected a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** `n` uniform draws in [lo, hi) (the values of `uniform()` in turn, drawn in one loop). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    return this.fillUniform(new Float32Array(n), lo, hi);
  }

  /** `uniformArray(out.length, lo, hi)` written into `out` (no allocation: for arrays reused step after step). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    const words = nextWords(this.s, new Uint32Array(out.buffer, out.byteOffset, out.length));
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * (words[i] / 4294967296);
    return out;
  }

  /** `n` normal draws with the given mean and standard deviation. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** `n` integers uniform in [0, max) (the values of `int(max)` in turn, drawn in one loop). */
  intArray(n: number, max: number): Int32Array {
    return this.fillInts(new Int32Array(n), max);
  }

  /** `intArray(out.length, max)` written into `out` (no allocation: for arrays reused step after step). */
  fillInts(out: Int32Array, max: number): Int32Array {
    if (!(Number.isInteger(max) && max > 0)) throw new Error(`Rng.int: expected a positive integer, got ${max}`);
    const words = nextWords(this.s, new Uint32Array(out.buffer, out.byteOffset, out.length));
    for (let i = 0; i < out.length; i++) out[i] = (words[i] / 4294967296) * max; // truncated: floor, the value being in [0, max)
    return out;
  }

  /** The live state, four 32-bit words: a host kernel that draws this same stream (`engine/hostKernels.ts`) reads and advances it in place. */
  stateWords(): Uint32Array {
    return this.s;
  }

  /** A permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }

  /** An independent generator derived from this one (for a sub-task that must not shift the parent's stream). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let processRng = new Rng(0);

/** Seeds the process-wide generator used when a function is given no `rng`. */
export function seed(n: number): void {
  processRng = new Rng(n);
}

/** The process-wide generator (see `seed`). */
export function defaultRng(): Rng {
  return processRng;
}

/**
 * Fills `out` with the next outputs of the xoshiro128** state `s` (advanced in place):
 * `Rng.nextUint32()`'s values, drawn in one loop with the state in int32 locals (~10× faster
 * than a call per value). `out` may be a view of the array the caller then converts in place.
 */
function nextWords(s: Uint32Array, out: Uint32Array): Uint32Array {
  const n = out.length;
  let s0 = s[0] | 0;
  let s1 = s[1] | 0;
  let s2 = s[2] | 0;
  let s3 = s[3] | 0;
  for (let i = 0; i < n; i++) {
    const x = Math.imul(s1, 5);
    out[i] = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
  return out;
}
