/**
 * Float64 references for the supervised contrastive losses (NT-Xent, SupCon, SCHaNe), written
 * from `docs/algorithms.md` term by term (not from the implementation). Anchors are rows of a
 * `Matrix` with one label each; `anchorsOf` flattens a `[B][V][D]` batch in the same order as a
 * `[B, V, D]` tensor's data (row b·V + v), so a finite-difference gradient over the anchors can
 * be compared with the tensor gradient directly.
 */
import { crossEntropy, dot, logSumExp, mean, unit, type Matrix } from './float64.js';

export interface Anchors {
  anchors: Matrix;
  anchorLabels: number[];
}

/** `[B][V][D]` → anchors `[B·V][D]` (row b·V + v) and labels repeated per view. */
export function anchorsOf(features: number[][][], labels: number[]): Anchors {
  return {
    anchors: features.flatMap((views) => views.map((v) => [...v])),
    anchorLabels: features.flatMap((views, b) => views.map(() => labels[b])),
  };
}

const prepare = (anchors: Matrix, normalize: boolean): Matrix => (normalize ? anchors.map(unit) : anchors);
const others = (n: number, i: number): number[] => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);

/** NT-Xent: views z1 ∪ z2, positive of i is the other view of its sample, denominator all k ≠ i. */
export function ntXent(z1: Matrix, z2: Matrix, tau: number, normalize = true): number {
  const B = z1.length;
  const z = prepare([...z1, ...z2], normalize);
  const losses = z.map((zi, i) => {
    const partner = (i + B) % (2 * B);
    const denominator = others(2 * B, i).map((k) => dot(zi, z[k]) / tau);
    return -(dot(zi, z[partner]) / tau - logSumExp(denominator));
  });
  return mean(losses);
}

/** SupCon L_out, scaled by τ/τ_base; anchors without positives are left out of the mean. */
export function supCon(anchors: Matrix, labels: number[], tau: number, baseTau: number, normalize = true): number {
  const z = prepare(anchors, normalize);
  const losses: number[] = [];
  z.forEach((zi, i) => {
    const A = others(z.length, i);
    const P = A.filter((p) => labels[p] === labels[i]);
    if (P.length === 0) return;
    const logDenominator = logSumExp(A.map((a) => dot(zi, z[a]) / tau));
    const logProbs = P.map((p) => dot(zi, z[p]) / tau - logDenominator);
    losses.push(-(tau / baseTau) * mean(logProbs));
  });
  return losses.length === 0 ? 0 : mean(losses);
}

/**
 * SupCon as SupContrast's `losses.py` averages it: anchors without positives count as 0 in the
 * mean over all anchors.
 */
export function supConZeroFilled(anchors: Matrix, labels: number[], tau: number, baseTau: number, normalize = true): number {
  const withPositive = labels.filter((y, i) => labels.some((l, j) => j !== i && l === y)).length;
  return (supCon(anchors, labels, tau, baseTau, normalize) * withPositive) / labels.length;
}

export interface SCHaNeReference {
  tau: number;
  beta: number;
  normalize?: boolean;
  /** Weights from these anchors instead (held fixed: the `detachWeights` gradient by finite differences). */
  weightsFrom?: Matrix;
  /** Use w = 1 (the uniform-weight form, computed directly). */
  uniform?: boolean;
  /** 'mean-inside' (default: ℓ_i = −log(pos_i/(pos_i + Ng_i)), pos_i the mean of e^{s_ip}) or 'per-positive'. */
  positives?: 'mean-inside' | 'per-positive';
}

/** SCHaNe, straight from the formula with explicit weights w_ik; an anchor without negative gives 0. */
export function schane(anchors: Matrix, labels: number[], options: SCHaNeReference): number {
  const { tau, beta, normalize = true, weightsFrom, uniform = false, positives = 'mean-inside' } = options;
  const z = prepare(anchors, normalize);
  const zw = weightsFrom === undefined ? z : prepare(weightsFrom, normalize);
  const losses: number[] = [];
  z.forEach((zi, i) => {
    const P = others(z.length, i).filter((p) => labels[p] === labels[i]);
    if (P.length === 0) return;
    const N = others(z.length, i).filter((k) => labels[k] !== labels[i]);
    const tilt = N.map((k) => Math.exp((beta * dot(zw[i], zw[k])) / tau));
    const tiltSum = tilt.reduce((a, b) => a + b, 0);
    const w = N.map((_, n) => (uniform ? 1 : (N.length * tilt[n]) / tiltSum));
    const weightedNegatives = N.reduce((acc, k, n) => acc + w[n] * Math.exp(dot(zi, z[k]) / tau), 0);
    if (positives === 'mean-inside') {
      const pos = mean(P.map((p) => Math.exp(dot(zi, z[p]) / tau)));
      losses.push(-Math.log(pos / (pos + weightedNegatives)));
      return;
    }
    const terms = P.map((p) => {
      const pos = Math.exp(dot(zi, z[p]) / tau);
      return Math.log(pos / (pos + weightedNegatives));
    });
    losses.push(-mean(terms));
  });
  return losses.length === 0 ? 0 : mean(losses);
}

/** (1 − λ)·CE(logits, labels) + λ·SCHaNe. */
export function schaneObjective(logits: Matrix, features: number[][][], labels: number[], lambda: number, options: SCHaNeReference): number {
  const { anchors, anchorLabels } = anchorsOf(features, labels);
  return (1 - lambda) * crossEntropy(logits, labels) + lambda * schane(anchors, anchorLabels, options);
}

/** Seeded `[B][V][D]` features (values from `next`, e.g. an Rng's normal()). */
export function randomFeatures(B: number, V: number, D: number, next: () => number): number[][][] {
  return Array.from({ length: B }, () => Array.from({ length: V }, () => Array.from({ length: D }, next)));
}
