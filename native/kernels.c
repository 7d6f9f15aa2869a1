/* hardneg's element-wise loops, reductions and softmax; see kernels.h. */
#include "kernels.h"

#include "hot.h"
#include "lanes.h"
#include "pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * e^x in float, relative error below 2e-7: x = n·ln2 + r with |r| <= ln2/2 (Cody–Waite), e^r by
 * a degree-6 polynomial (Cephes' coefficients), 2^n from exponent bits. NaN stays NaN; inf above
 * 88.72, 0 below -87.34 (where e^x would be subnormal). Branch-free, so loops over it vectorise.
 */
INLINE float fast_exp(float x) {
  const float xc = x > 88.72283905f ? 88.72283905f : (x < -87.33654475f ? -87.33654475f : x);
  const int32_t ni = (int32_t)(xc * 1.44269504088896341f + 127.5f) - 127; /* round: the sum is positive */
  const float n = (float)ni;
  const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } half_scale; /* 2^(n-1): n = 128 stays finite */
  half_scale.i = (ni + 126) << 23;
  const float e = 2.0f * p * half_scale.f;
  return x > 88.72283905f ? INFINITY : (x < -87.33654475f ? 0.0f : e);
}

/* fast_exp on 8 lanes. */
INLINE f8 fast_exp8(f8 x) {
  const f8 hi = splat8(88.72283905f), lo = splat8(-87.33654475f);
  f8 xc = select8(x > hi, hi, x);
  xc = select8(xc < lo, lo, xc);
  const i8 ni = __builtin_convertvector(xc * 1.44269504088896341f + 127.5f, i8) - 127;
  const f8 n = __builtin_convertvector(ni, f8);
  const f8 r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
  f8 p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const f8 e = 2.0f * p * (f8)((ni + 126) << 23);
  return select8(x > hi, splat8(INFINITY), select8(x < lo, splat8(0.0f), e));
}

#define UNARY_LOOP(expr)           \
  for (size_t i = 0; i < n; i++) { \
    const float v = x[i];          \
    y[i] = (expr);                 \
  }

HOT static void unary_range(int op, const float *x, float *y, size_t n, float alpha) {
  switch (op) {
    case U_EXP: UNARY_LOOP(fast_exp(v)); break;
    case U_LOG: UNARY_LOOP(logf(v)); break;
    case U_NEG: UNARY_LOOP(-v); break;
    case U_SQRT: UNARY_LOOP(sqrtf(v)); break;
    case U_SQUARE: UNARY_LOOP(v * v); break;
    case U_RELU: UNARY_LOOP(v < 0.0f ? 0.0f : v); break;
    case U_STEP: UNARY_LOOP(v != v ? v : (v > 0.0f ? 1.0f : alpha)); break;
    case U_ABS: UNARY_LOOP(fabsf(v)); break;
    case U_RSQRT: UNARY_LOOP(1.0f / sqrtf(v)); break;
    case U_RECIPROCAL: UNARY_LOOP(1.0f / v); break;
    case U_SIGMOID: UNARY_LOOP(1.0f / (1.0f + fast_exp(-v))); break;
    case U_TANH: UNARY_LOOP(tanhf(v)); break;
    default: break;
  }
}

typedef struct {
  int op;
  const float *x;
  float *y;
  float alpha;
} unary_job;

static void unary_part(void *ctx, int64_t begin, int64_t end) {
  const unary_job *j = ctx;
  unary_range(j->op, j->x + begin, j->y + begin, (size_t)(end - begin), j->alpha);
}

void hn_unary(int op, const float *x, float *y, size_t n, float alpha) {
  unary_job j = {op, x, y, alpha};
  hn_parallel((int64_t)n, GRAIN, unary_part, &j);
}

INLINE float nan_max(float a, float b) { return (a != a || b != b) ? NAN : (a > b ? a : b); }
INLINE float nan_min(float a, float b) { return (a != a || b != b) ? NAN : (a < b ? a : b); }

/* One output row from a and b, each a vector or a value: four loops the compiler vectorises. */
#define BINARY_ROW(name, F)                                                                   \
  HOT static void name(const float *a, int av, const float *b, int bv, float *y, int64_t n) { \
    if (av && bv) {                                                                           \
      for (int64_t j = 0; j < n; j++) { const float x1 = a[j], x2 = b[j]; y[j] = (F); }       \
    } else if (av) {                                                                          \
      const float x2 = b[0];                                                                  \
      for (int64_t j = 0; j < n; j++) { const float x1 = a[j]; y[j] = (F); }                  \
    } else if (bv) {                                                                          \
      const float x1 = a[0];                                                                  \
      for (int64_t j = 0; j < n; j++) { const float x2 = b[j]; y[j] = (F); }                  \
    } else {                                                                                  \
      const float x1 = a[0], x2 = b[0];                                                       \
      for (int64_t j = 0; j < n; j++) y[j] = (F);                                             \
    }                                                                                         \
  }

BINARY_ROW(row_add, x1 + x2)
BINARY_ROW(row_sub, x1 - x2)
BINARY_ROW(row_mul, x1 * x2)
BINARY_ROW(row_div, x1 / x2)
BINARY_ROW(row_max, nan_max(x1, x2))
BINARY_ROW(row_min, nan_min(x1, x2))
BINARY_ROW(row_sqdiff, (x1 - x2) * (x1 - x2))
BINARY_ROW(row_step_mul, x1 * (x2 != x2 ? x2 : (x2 > 0.0f ? 1.0f : 0.0f)))

typedef void (*row_fn)(const float *, int, const float *, int, float *, int64_t);
static const row_fn ROW_FNS[B_COUNT] = {row_add, row_sub, row_mul, row_div, row_max, row_min, row_sqdiff, row_step_mul};

void hn_binary_row(int op, const float *a, int av, const float *b, int bv, float *y, int64_t n) { ROW_FNS[op](a, av, b, bv, y, n); }

int64_t hn_operand_length(int mode, int64_t rows, int64_t cols) {
  return mode == M_FULL ? rows * cols : mode == M_ROW ? cols : mode == M_COL ? rows : 1;
}

static const float *operand_row(const float *p, int mode, int64_t r, int64_t cols) {
  return mode == M_FULL ? p + r * cols : mode == M_COL ? p + r : p;
}

typedef struct {
  row_fn f;
  const float *a, *b;
  int a_mode, b_mode;
  float *y;
  int64_t cols;
} binary_job;

/* Elements [begin, end) of two full operands. */
static void binary_flat_part(void *ctx, int64_t begin, int64_t end) {
  const binary_job *j = ctx;
  j->f(j->a + begin, 1, j->b + begin, 1, j->y + begin, end - begin);
}

/* Rows [begin, end). */
static void binary_rows_part(void *ctx, int64_t begin, int64_t end) {
  const binary_job *j = ctx;
  const int av = j->a_mode == M_FULL || j->a_mode == M_ROW, bv = j->b_mode == M_FULL || j->b_mode == M_ROW;
  for (int64_t r = begin; r < end; r++)
    j->f(operand_row(j->a, j->a_mode, r, j->cols), av, operand_row(j->b, j->b_mode, r, j->cols), bv, j->y + r * j->cols, j->cols);
}

void hn_binary(int op, const float *a, int a_mode, const float *b, int b_mode, float *y, int64_t rows, int64_t cols) {
  binary_job j = {ROW_FNS[op], a, b, a_mode, b_mode, y, cols};
  if (a_mode == M_FULL && b_mode == M_FULL) hn_parallel(rows * cols, GRAIN, binary_flat_part, &j);
  else hn_parallel(rows, cols > 0 ? 1 + GRAIN / cols : rows, binary_rows_part, &j);
}

typedef struct {
  int op;
  const float *x;
  float *y;
  int64_t inner;
  int64_t outer;
  int *failed;
} reduce_job;

/* Columns [begin, end) of x [outer, inner], each reduced over the rows. */
static void reduce_cols_part(void *ctx, int64_t begin, int64_t end) {
  const reduce_job *j = ctx;
  const int64_t n = end - begin;
  float *y = j->y + begin;
  if (j->op == R_SUM || j->op == R_MEAN) {
    double *total = (double *)calloc((size_t)n, sizeof(double));
    if (total == NULL) {
      *j->failed = 1;
      return;
    }
    for (int64_t r = 0; r < j->outer; r++) {
      const float *row = j->x + r * j->inner + begin;
      for (int64_t c = 0; c < n; c++) total[c] += row[c];
    }
    for (int64_t c = 0; c < n; c++) y[c] = (float)(j->op == R_MEAN ? total[c] / (double)j->outer : total[c]);
    free(total);
    return;
  }
  memcpy(y, j->x + begin, (size_t)n * sizeof(float));
  for (int64_t r = 1; r < j->outer; r++) {
    const float *row = j->x + r * j->inner + begin;
    for (int64_t c = 0; c < n; c++) {
      const float v = row[c], best = y[c];
      if (best == best && (v != v || (j->op == R_MAX ? v > best : v < best))) y[c] = v;
    }
  }
}

static void reduce_rows_part(void *ctx, int64_t begin, int64_t end) {
  const reduce_job *j = ctx;
  for (int64_t r = begin; r < end; r++) {
    const float *row = j->x + r * j->inner;
    if (j->op == R_SUM || j->op == R_MEAN) {
      const double total = sum_row(row, j->inner);
      j->y[r] = (float)(j->op == R_MEAN ? total / (double)j->inner : total);
    } else {
      j->y[r] = j->op == R_MAX ? max_row(row, j->inner, 1.0f) : -max_row(row, j->inner, -1.0f);
    }
  }
}

int hn_reduce(int op, const float *x, float *y, int64_t outer, int64_t inner, int inside) {
  if (inside) {
    reduce_job j = {op, x, y, inner, outer, NULL};
    hn_parallel(outer, 1 + GRAIN / inner, reduce_rows_part, &j);
    return 0;
  }
  int failed = 0;
  reduce_job j = {op, x, y, inner, outer, &failed};
  hn_parallel(inner, 1 + GRAIN / outer, reduce_cols_part, &j);
  return failed ? -1 : 0;
}

/* y = softmax(x) over one row, returning log Σ e^x; a NaN anywhere gives NaN. */
HOT static float softmax_row(const float *x, float *y, int64_t n) {
  const float top = max_row(x, n, 1.0f);
  f8 lanes = splat8(0.0f);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const f8 e = fast_exp8(load8(x + j) - top);
    store8(y + j, e);
    lanes += e;
  }
  float total = 0.0f;
  for (; j < n; j++) {
    const float e = fast_exp(x[j] - top);
    y[j] = e;
    total += e;
  }
  for (int k = 0; k < 8; k++) total += lanes[k];
  const float inv = 1.0f / total;
  for (j = 0; j < n; j++) y[j] *= inv;
  return top + logf(total);
}

typedef struct {
  const float *x;
  float *y, *lse;
  int64_t cols;
} softmax_job;

static void softmax_part(void *ctx, int64_t begin, int64_t end) {
  const softmax_job *j = ctx;
  for (int64_t r = begin; r < end; r++) {
    const float l = softmax_row(j->x + r * j->cols, j->y + r * j->cols, j->cols);
    if (j->lse != NULL) j->lse[r] = l;
  }
}

void hn_softmax_rows(const float *x, float *y, float *lse, int64_t rows, int64_t cols) {
  softmax_job j = {x, y, lse, cols};
  hn_parallel(rows, 1 + GRAIN / cols, softmax_part, &j);
}
