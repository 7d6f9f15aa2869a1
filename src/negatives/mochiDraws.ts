/**
 * MoCHi's random draws, made explicit so a result can be reproduced exactly (and checked against
 * a reference): for each query b and synthetic negative t,
 * - `i`, `j` `[B, s]`: ranks in 0..N−1 into THAT query's own hardest list (independent, uniform);
 * - `alpha` `[B, s]`: α ~ U(0, 1), the weight of n_i in α·n_i + (1 − α)·n_j;
 * - `k` `[B, s′]`: ranks for the query-mixed negatives; `beta` `[B, s′]`: β ~ U(0, 0.5).
 * Arrays are flat, row-major.
 */
import { drawInts, drawUniform, type HostScratch } from '../engine/hostKernels.js';
import { type Rng } from '../engine/random.js';
import { ArgumentError } from '../ops/validate.js';

export interface MochiDraws {
  i: ArrayLike<number>;
  j: ArrayLike<number>;
  alpha: ArrayLike<number>;
  k: ArrayLike<number>;
  beta: ArrayLike<number>;
}

/**
 * Draws for B queries, N hardest, s mixtures and s′ query mixtures, in this order from `rng`'s
 * stream (in C on the native backend; into `scratch`'s arrays when given one).
 */
export function drawMochi(rng: Rng, B: number, N: number, s: number, sPrime: number, scratch?: HostScratch): MochiDraws {
  const i = drawInts(rng, B * s, N, scratch, 'i');
  const j = drawInts(rng, B * s, N, scratch, 'j');
  const alpha = drawUniform(rng, B * s, 0, 1, scratch, 'alpha');
  const k = drawInts(rng, B * sPrime, N, scratch, 'k');
  const beta = drawUniform(rng, B * sPrime, 0, 0.5, scratch, 'beta');
  return { i, j, alpha, k, beta };
}

/** Checks lengths and ranges of explicit draws; throws one line naming the field. */
export function checkDraws(d: MochiDraws, B: number, N: number, s: number, sPrime: number): void {
  const fn = 'mochi';
  const check = (name: keyof MochiDraws, length: number, ok: (v: number) => boolean, want: string) => {
    const a = d[name];
    if (a === undefined || a.length !== length) {
      throw new ArgumentError(`${fn}: draws.${name} must have ${length} values ([${B}, ${length / Math.max(B, 1)}]), got ${a?.length}`);
    }
    for (let x = 0; x < a.length; x++) {
      if (!ok(a[x])) throw new ArgumentError(`${fn}: draws.${name}[${x}] must be ${want}, got ${a[x]}`);
    }
  };
  const rank = (v: number) => Number.isInteger(v) && v >= 0 && v < N;
  check('i', B * s, rank, `an integer rank in [0, ${N})`);
  check('j', B * s, rank, `an integer rank in [0, ${N})`);
  check('alpha', B * s, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  check('k', B * sPrime, rank, `an integer rank in [0, ${N})`);
  check('beta', B * sPrime, (v) => v >= 0 && v <= 0.5, 'in [0, 0.5]');
}
