/**
 * Float64 plain-JS references written from `algorithms.md` (not from the implementation).
 * Matrices are arrays of rows (`number[][]`). Used by the tests as oracles, with
 * `numericGradient` for finite-difference gradient checks.
 */
export type Matrix = number[][];

export const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i], 0);
export const norm = (a: number[]): number => Math.sqrt(dot(a, a));
export const unit = (a: number[]): number[] => {
  const n = Math.max(norm(a), 1e-12);
  return a.map((v) => v / n);
};
export const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

/** log Σ e^{x_i}, stable. */
export function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** mean_b ( logsumexp(logits_b) − logits_b[target_b] ). */
export function crossEntropy(logits: Matrix, targets: number[]): number {
  return mean(logits.map((row, b) => logSumExp(row) - row[targets[b]]));
}

/** MoCo InfoNCE with a queue: logits [q·k, q·n_1..q·n_K]/τ, target 0; inputs normalised first. */
export function infoNCEQueue(q: Matrix, k: Matrix, queue: Matrix, tau: number, normalize = true): number {
  const f = normalize ? unit : (x: number[]) => x;
  const Q = q.map(f);
  const K = k.map(f);
  const N = queue.map(f);
  return crossEntropy(
    Q.map((qi, i) => [dot(qi, K[i]) / tau, ...N.map((n) => dot(qi, n) / tau)]),
    Q.map(() => 0),
  );
}

/** In-batch InfoNCE: logits q_i·k_j/τ, target i; symmetric = mean of q→k and k→q. */
export function infoNCEInBatch(q: Matrix, k: Matrix, tau: number, symmetric = false): number {
  const Q = q.map(unit);
  const K = k.map(unit);
  const targets = Q.map((_, i) => i);
  const qk = crossEntropy(Q.map((qi) => K.map((kj) => dot(qi, kj) / tau)), targets);
  if (!symmetric) return qk;
  const kq = crossEntropy(K.map((ki) => Q.map((qj) => dot(ki, qj) / tau)), targets);
  return (qk + kq) / 2;
}

/** Central finite differences of `f` at `x` (float64), same shape as `x`. */
export function numericGradient(f: (x: Matrix) => number, x: Matrix, h = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => [...r]);
      const minus = x.map((r) => [...r]);
      plus[i][j] += h;
      minus[i][j] -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

/** Seeded random matrix (values from `next`, e.g. an Rng's normal()). */
export function randomMatrix(rows: number, cols: number, next: () => number): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}
