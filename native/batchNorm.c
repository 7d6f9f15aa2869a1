/*
 * Training-mode batch normalization over the last axis, per group of rows, forward and
 * backward in one kernel each; see kernels.h. x is [G, N, C]: G groups (MoCo's shuffled-BN
 * sub-batches) of N rows (samples × positions) of C channels. Per (g, c):
 *
 *   forward:  μ = Σ x / N,  σ² = Σ x² / N − μ² (sums in double),  s = γ/√(σ² + ε),
 *             y = s·(x − μ) + β;
 *   backward: x̂ = (x − μ)/√(σ² + ε),  Sdy = Σ dy,  Sdyx̂ = Σ dy·x̂,
 *             dβ = Σ_g Sdy,  dγ = Σ_g Sdyx̂,  dx = s·(dy − Sdy/N − x̂·Sdyx̂/N).
 *
 * The sums run over (group, block of 16 channels) pairs in parallel; the element-wise passes
 * over row ranges.
 */
#include <math.h>
#include <stdlib.h>

#include "hot.h"
#include "kernels.h"
#include "pool.h"

#define BLOCK 16

typedef struct {
  const float *x, *dy;
  const double *mean;  /* [G, C] (backward) */
  double *s1, *s2;     /* [G, C]: Σ x and Σ x² (forward), Σ dy and Σ dy·(x − μ) (backward) */
  int64_t G, N, C, blocks;
} sums_job;

HOT static void sums_part(void *ctx, int64_t begin, int64_t end) {
  const sums_job *j = ctx;
  for (int64_t task = begin; task < end; task++) {
    const int64_t g = task / j->blocks, c0 = (task % j->blocks) * BLOCK;
    const int64_t width = j->C - c0 < BLOCK ? j->C - c0 : BLOCK;
    double a[BLOCK] = {0}, b[BLOCK] = {0}, mu[BLOCK] = {0};
    if (j->dy != NULL)
      for (int64_t c = 0; c < width; c++) mu[c] = j->mean[g * j->C + c0 + c];
    const float *x = j->x + g * j->N * j->C + c0;
    if (j->dy == NULL) {
      for (int64_t r = 0; r < j->N; r++, x += j->C)
        for (int64_t c = 0; c < width; c++) {
          a[c] += x[c];
          b[c] += (double)x[c] * x[c];
        }
    } else {
      const float *dy = j->dy + g * j->N * j->C + c0;
      for (int64_t r = 0; r < j->N; r++, x += j->C, dy += j->C)
        for (int64_t c = 0; c < width; c++) {
          a[c] += dy[c];
          b[c] += (double)dy[c] * (x[c] - mu[c]);
        }
    }
    for (int64_t c = 0; c < width; c++) {
      j->s1[g * j->C + c0 + c] = a[c];
      j->s2[g * j->C + c0 + c] = b[c];
    }
  }
}

static void sums(sums_job *j) {
  j->blocks = (j->C + BLOCK - 1) / BLOCK;
  const int64_t tasks = j->G * j->blocks;
  hn_parallel(tasks, 1 + GRAIN / (j->N * BLOCK), sums_part, j);
}

typedef struct {
  const float *x, *dy;
  const float *a, *d, *b, *m, *t; /* [G, C] each: forward out = b·(x − m) + t, backward out = a·(dy − d) + b·(x − m) */
  float *out;
  int64_t N, C;
} affine_job;

/* Rows [begin, end) of the [G·N, C] view; differences first, so channels far from 0 lose no precision. */
HOT static void affine_part(void *ctx, int64_t begin, int64_t end) {
  const affine_job *j = ctx;
  const int64_t C = j->C;
  for (int64_t r = begin; r < end; r++) {
    const int64_t g = r / j->N;
    const float *b = j->b + g * C, *m = j->m + g * C, *x = j->x + r * C;
    float *out = j->out + r * C;
    if (j->dy == NULL) {
      const float *t = j->t + g * C;
      for (int64_t c = 0; c < C; c++) out[c] = b[c] * (x[c] - m[c]) + t[c];
    } else {
      const float *a = j->a + g * C, *d = j->d + g * C, *dy = j->dy + r * C;
      for (int64_t c = 0; c < C; c++) out[c] = a[c] * (dy[c] - d[c]) + b[c] * (x[c] - m[c]);
    }
  }
}

static void affine(affine_job *j, int64_t rows) { hn_parallel(rows, 1 + GRAIN / (j->C > 0 ? j->C : 1), affine_part, j); }

int hn_batch_norm(const float *x, const float *gamma, const float *beta, float eps, int64_t G, int64_t N, int64_t C, float *y, float *mean, float *variance) {
  const size_t gc = (size_t)(G * C);
  double *s1 = malloc(gc * sizeof(double)), *s2 = malloc(gc * sizeof(double));
  float *scale = malloc(gc * sizeof(float)), *shift = malloc(gc * sizeof(float));
  int status = -1;
  if (s1 != NULL && s2 != NULL && scale != NULL && shift != NULL) {
    sums_job sj = {x, NULL, NULL, s1, s2, G, N, C, 0};
    sums(&sj);
    for (size_t i = 0; i < gc; i++) {
      const double mu = s1[i] / (double)N, var = fmax(s2[i] / (double)N - mu * mu, 0.0);
      mean[i] = (float)mu;
      variance[i] = (float)var;
      scale[i] = (float)(gamma[i % (size_t)C] / sqrt(var + (double)eps));
      shift[i] = beta[i % (size_t)C];
    }
    affine_job aj = {x, NULL, NULL, NULL, scale, mean, shift, y, N, C};
    affine(&aj, G * N);
    status = 0;
  }
  free(s1);
  free(s2);
  free(scale);
  free(shift);
  return status;
}

int hn_batch_norm_grad(const float *dy, const float *x, const float *mean, const float *variance, const float *gamma, float eps, int64_t G, int64_t N,
                       int64_t C, float *dx, float *dgamma, float *dbeta) {
  const size_t gc = (size_t)(G * C);
  double *s1 = malloc(gc * sizeof(double)), *s2 = malloc(gc * sizeof(double)), *mu = malloc(gc * sizeof(double));
  float *scale = malloc(gc * sizeof(float)), *mean_dy = malloc(gc * sizeof(float)), *coef = malloc(gc * sizeof(float));
  int status = -1;
  if (s1 != NULL && s2 != NULL && mu != NULL && scale != NULL && mean_dy != NULL && coef != NULL) {
    for (size_t i = 0; i < gc; i++) mu[i] = mean[i];
    sums_job sj = {x, dy, mu, s1, s2, G, N, C, 0};
    sums(&sj);
    double *dg = calloc((size_t)C, sizeof(double)), *db = calloc((size_t)C, sizeof(double));
    if (dg != NULL && db != NULL) {
      for (size_t i = 0; i < gc; i++) {
        const size_t c = i % (size_t)C;
        const double inv = 1.0 / sqrt((double)variance[i] + (double)eps);
        const double sdy = s1[i], sdyxhat = s2[i] * inv, s = gamma[c] * inv;
        /* dx = s·(dy − Sdy/N) − s·x̂·Sdyx̂/N, with x̂ = (x − μ)·inv */
        scale[i] = (float)s;
        coef[i] = (float)(-s * inv * sdyxhat / (double)N);
        mean_dy[i] = (float)(sdy / (double)N);
        db[c] += sdy;
        dg[c] += sdyxhat;
      }
      for (int64_t c = 0; c < C; c++) {
        dgamma[c] = (float)dg[c];
        dbeta[c] = (float)db[c];
      }
      affine_job aj = {x, dy, scale, mean_dy, coef, mean, NULL, dx, N, C};
      affine(&aj, G * N);
      status = 0;
    }
    free(dg);
    free(db);
  }
  free(s1);
  free(s2);
  free(mu);
  free(scale);
  free(mean_dy);
  free(coef);
  return status;
}
