/**
 * Float64 plain-JS references for the pairwise losses (HCL, DCL/DCLW, batch-hard and semi-hard
 * triplet, MNRL), written from `docs/algorithms.md` in the most direct form (exponentials,
 * loops over anchors, explicit distances), not from the implementation. Matrices are arrays of
 * rows; a `[B, H, D]` tensor is an array of matrices.
 */
import { crossEntropy, dot, logSumExp, mean, unit, type Matrix } from './float64.js';

const identity = (x: number[]): number[] => x;
const prepare = (x: Matrix, normalize = true): Matrix => x.map(normalize ? unit : identity);

/** The 2B views `[z1; z2]` and the index of each view's positive. */
function views(z1: Matrix, z2: Matrix, normalize = true): { Z: Matrix; partner: (i: number) => number } {
  const B = z1.length;
  return { Z: [...prepare(z1, normalize), ...prepare(z2, normalize)], partner: (i) => (i + B) % (2 * B) };
}

export interface HCLRef {
  temperature: number;
  beta: number;
  tauPlus: number;
  normalize?: boolean;
}

/** Per-view HCL terms and whether the clamp `N·e^{−1/τ}` was active. */
function hclTerms(z1: Matrix, z2: Matrix, o: HCLRef): { loss: number; clamped: boolean }[] {
  const { Z, partner } = views(z1, z2, o.normalize);
  const N = Z.length - 2;
  return Z.map((zi, i) => {
    const pos = Math.exp(dot(zi, Z[partner(i)]) / o.temperature);
    const neg = Z.filter((_, k) => k !== i && k !== partner(i)).map((zk) => Math.exp(dot(zi, zk) / o.temperature));
    const imp = neg.map((n) => n ** o.beta);
    const reweight = imp.reduce((s, w, k) => s + w * neg[k], 0) / mean(imp);
    const debiased = (-o.tauPlus * N * pos + reweight) / (1 - o.tauPlus);
    const floor = N * Math.exp(-1 / o.temperature);
    const Ng = Math.max(debiased, floor);
    return { loss: -Math.log(pos / (pos + Ng)), clamped: debiased < floor };
  });
}

export const hcl = (z1: Matrix, z2: Matrix, o: HCLRef): number => mean(hclTerms(z1, z2, o).map((t) => t.loss));
export const hclClampedViews = (z1: Matrix, z2: Matrix, o: HCLRef): number => hclTerms(z1, z2, o).filter((t) => t.clamped).length;

/** NT-Xent over 2B views: CE over [positive, the 2B − 2 negatives] / τ with target 0 (the positive counted once). */
export function ntXent(z1: Matrix, z2: Matrix, temperature: number): number {
  const { Z, partner } = views(z1, z2);
  const rows = Z.map((zi, i) => [
    dot(zi, Z[partner(i)]) / temperature,
    ...Z.filter((_, k) => k !== i && k !== partner(i)).map((zk) => dot(zi, zk) / temperature),
  ]);
  return crossEntropy(rows, rows.map(() => 0));
}

export interface DCLRef {
  temperature: number;
  sigma?: number;
  detachWeights?: boolean;
  normalize?: boolean;
  /** Use these w_i instead of computing them (for the gradient with w detached). */
  weights?: number[];
}

/** DCLW weights w_i = 2 − B·softmax_i(a_i·b_i/σ). */
export function dclWeights(z1: Matrix, z2: Matrix, sigma: number, normalize = true): number[] {
  const [a, b] = [prepare(z1, normalize), prepare(z2, normalize)];
  const s = a.map((ai, i) => dot(ai, b[i]) / sigma);
  const lse = logSumExp(s);
  return s.map((v) => 2 - a.length * Math.exp(v - lse));
}

/** One direction: mean_i( −w_i·a_i·b_i/τ + log Σ_{k≠i} (e^{a_i·a_k/τ} + e^{a_i·b_k/τ}) ). */
function dclOneWay(a: Matrix, b: Matrix, w: number[], tau: number): number {
  return mean(
    a.map((ai, i) => {
      const negatives = [...a.filter((_, k) => k !== i), ...b.filter((_, k) => k !== i)].map((x) => dot(ai, x) / tau);
      return -w[i] * dot(ai, b[i]) / tau + logSumExp(negatives);
    }),
  );
}

export function dcl(z1: Matrix, z2: Matrix, o: DCLRef): number {
  const [a, b] = [prepare(z1, o.normalize), prepare(z2, o.normalize)];
  const w = o.weights ?? (o.sigma === undefined ? a.map(() => 1) : dclWeights(z1, z2, o.sigma, o.normalize));
  const total = dclOneWay(a, b, w, o.temperature) + dclOneWay(b, a, w, o.temperature);
  return o.detachWeights ? total / 2 : total;
}

/** The DCL denominator of view-1 anchor i, listed: every logit that enters it. */
export function dclNegatives(z1: Matrix, z2: Matrix, i: number, temperature: number): number[] {
  const [a, b] = [prepare(z1), prepare(z2)];
  return [...a.filter((_, k) => k !== i), ...b.filter((_, k) => k !== i)].map((x) => dot(a[i], x) / temperature);
}

export type DistanceRef = 'euclidean' | 'squaredEuclidean' | 'cosine';

export function distance(x: number[], y: number[], kind: DistanceRef = 'euclidean'): number {
  if (kind === 'cosine') return 1 - dot(unit(x), unit(y));
  const sq = x.reduce((s, v, k) => s + (v - y[k]) ** 2, 0);
  return kind === 'squaredEuclidean' ? sq : Math.sqrt(sq);
}

export interface TripletRef {
  margin: number;
  soft?: boolean;
  normalize?: boolean;
  distance?: DistanceRef;
}

/**
 * Triplet losses with their `slack`: the smallest gap between a value the mining or the hinge
 * compares and the threshold it is compared with (0 at a tie or a kink). Away from such points
 * the loss is smooth, so values and finite differences can be compared there.
 */
function triplet(x: Matrix, labels: number[], o: TripletRef, semiHard: boolean): { loss: number; slack: number } {
  const X = prepare(x, o.normalize ?? true);
  const d = X.map((xi) => X.map((xj) => distance(xi, xj, o.distance)));
  const terms: number[] = [];
  let slack = Infinity;
  const gapToRest = (chosen: number, rest: number[]) => rest.reduce((m, v) => (v === chosen ? m : Math.min(m, Math.abs(v - chosen))), Infinity);
  X.forEach((_, a) => {
    const pos = X.map((__, p) => p).filter((p) => p !== a && labels[p] === labels[a]).map((p) => d[a][p]);
    const neg = X.map((__, n) => n).filter((n) => labels[n] !== labels[a]).map((n) => d[a][n]);
    if (pos.length === 0 || neg.length === 0) return;
    const hardestNeg = Math.min(...neg);
    if (!semiHard) {
      const ap = Math.max(...pos);
      slack = Math.min(slack, gapToRest(ap, pos), gapToRest(hardestNeg, neg));
      const gap = ap - hardestNeg;
      if (o.soft) terms.push(Math.log1p(Math.exp(gap)));
      else {
        terms.push(Math.max(0, gap + o.margin));
        slack = Math.min(slack, Math.abs(gap + o.margin));
      }
      return;
    }
    for (const ap of pos) {
      const band = neg.filter((n) => n > ap && n < ap + o.margin);
      const an = band.length > 0 ? Math.min(...band) : hardestNeg;
      for (const n of neg) slack = Math.min(slack, Math.abs(n - ap), Math.abs(n - ap - o.margin));
      slack = Math.min(slack, gapToRest(an, band.length > 0 ? band : neg), Math.abs(ap - an + o.margin));
      terms.push(Math.max(0, ap - an + o.margin));
    }
  });
  return { loss: terms.length === 0 ? 0 : mean(terms), slack };
}

export const tripletBatchHard = (x: Matrix, labels: number[], o: TripletRef): number => triplet(x, labels, o, false).loss;
export const tripletBatchHardSlack = (x: Matrix, labels: number[], o: TripletRef): number => triplet(x, labels, o, false).slack;
export const tripletSemiHard = (x: Matrix, labels: number[], o: TripletRef): number => triplet(x, labels, o, true).loss;
export const tripletSemiHardSlack = (x: Matrix, labels: number[], o: TripletRef): number => triplet(x, labels, o, true).slack;

export interface MNRLRef {
  scale: number;
  hardNegatives?: Matrix[];
  shareHardNegatives?: boolean;
  symmetric?: boolean;
  normalize?: boolean;
}

/** CE of scale·sim(q_i, candidates) with target i; candidates: all positives, then hard negatives. */
export function mnrl(queries: Matrix, positives: Matrix, o: MNRLRef): number {
  const norm = o.normalize ?? true;
  const [Q, P] = [prepare(queries, norm), prepare(positives, norm)];
  const H = o.hardNegatives?.map((h) => prepare(h, norm));
  const everyone = H?.flat() ?? [];
  const forward = crossEntropy(
    Q.map((q, i) => [...P, ...(o.shareHardNegatives ? everyone : (H?.[i] ?? []))].map((c) => o.scale * dot(q, c))),
    Q.map((_, i) => i),
  );
  if (!o.symmetric) return forward;
  const backward = crossEntropy(
    P.map((p) => Q.map((q) => o.scale * dot(p, q))),
    P.map((_, j) => j),
  );
  return (forward + backward) / 2;
}
