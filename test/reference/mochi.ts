/**
 * Float64 reference for MoCHi, written from `algorithms.md` (not from the implementation): the
 * N hardest by q·n (ties → lower index), h = unit(α n_i + (1−α) n_j), h′ = unit(β q + (1−β) n_k)
 * with ranks into each query's own list, and the loss over [q·k, q·n…, q·h…, q·h′…]/τ.
 */
import { crossEntropy, dot, type Matrix, unit } from './float64.js';

export interface Draws {
  i: number[][];
  j: number[][];
  alpha: number[][];
  k: number[][];
  beta: number[][];
}

/** Per query: queue indices sorted by q·n descending, ties by lower index, first N. */
export function hardest(q: Matrix, queue: Matrix, N: number): number[][] {
  return q.map((qi) =>
    queue
      .map((n, idx) => ({ idx, s: dot(qi, n) }))
      .sort((a, b) => b.s - a.s || a.idx - b.idx)
      .slice(0, N)
      .map((x) => x.idx),
  );
}

/** Synthetic points of every query (inputs already unit). */
export function synthetic(q: Matrix, queue: Matrix, N: number, d: Draws): { h: Matrix[]; hp: Matrix[]; hard: number[][] } {
  const hard = hardest(q, queue, N);
  const h = q.map((_, b) =>
    d.i[b].map((ri, t) => {
      const [ni, nj, a] = [queue[hard[b][ri]], queue[hard[b][d.j[b][t]]], d.alpha[b][t]];
      return unit(ni.map((v, e) => a * v + (1 - a) * nj[e]));
    }),
  );
  const hp = q.map((qb, b) =>
    d.k[b].map((rk, t) => {
      const [nk, be] = [queue[hard[b][rk]], d.beta[b][t]];
      return unit(qb.map((v, e) => be * v + (1 - be) * nk[e]));
    }),
  );
  return { h, hp, hard };
}

/**
 * MoCHi loss as a function of the raw query, with the synthetic points fixed (computed from
 * `anchorQ`, i.e. detached) so finite differences see only the gradient through the outer q.
 */
export function mochiLoss(q: Matrix, k: Matrix, queue: Matrix, tau: number, N: number, d: Draws, anchorQ: Matrix = q): number {
  const Q = q.map(unit);
  const K = k.map(unit);
  const Nq = queue.map(unit);
  const { h, hp } = synthetic(anchorQ.map(unit), Nq, N, d);
  const logits = Q.map((qb, b) => [dot(qb, K[b]), ...Nq.map((n) => dot(qb, n)), ...h[b].map((x) => dot(qb, x)), ...hp[b].map((x) => dot(qb, x))].map((v) => v / tau));
  return crossEntropy(logits, logits.map(() => 0));
}
