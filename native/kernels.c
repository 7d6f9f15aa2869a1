/* hardneg's native compute loops; see kernels.h. */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define HOT
#endif
#define INLINE __attribute__((always_inline)) static inline

typedef float f8 __attribute__((vector_size(32)));
typedef int32_t i8 __attribute__((vector_size(32)));

INLINE f8 load8(const float *p) {
  f8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

INLINE void store8(float *p, f8 v) { memcpy(p, &v, sizeof v); }

INLINE f8 splat8(float v) {
  const f8 zero = {0};
  return zero + v;
}

INLINE f8 select8(i8 take, f8 a, f8 b) { return (f8)(((i8)a & take) | ((i8)b & ~take)); }

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

HOT void hn_unary(int op, const float *x, float *y, size_t n, float alpha) {
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

typedef void (*row_fn)(const float *, int, const float *, int, float *, int64_t);
static const row_fn ROW_FNS[B_COUNT] = {row_add, row_sub, row_mul, row_div, row_max, row_min, row_sqdiff};

int64_t hn_operand_length(int mode, int64_t rows, int64_t cols) {
  return mode == M_FULL ? rows * cols : mode == M_ROW ? cols : mode == M_COL ? rows : 1;
}

static const float *operand_row(const float *p, int mode, int64_t r, int64_t cols) {
  return mode == M_FULL ? p + r * cols : mode == M_COL ? p + r : p;
}

void hn_binary(int op, const float *a, int a_mode, const float *b, int b_mode, float *y, int64_t rows, int64_t cols) {
  const row_fn f = ROW_FNS[op];
  const int av = a_mode == M_FULL || a_mode == M_ROW, bv = b_mode == M_FULL || b_mode == M_ROW;
  if (a_mode == M_FULL && b_mode == M_FULL) {
    f(a, 1, b, 1, y, rows * cols);
    return;
  }
  for (int64_t r = 0; r < rows; r++) f(operand_row(a, a_mode, r, cols), av, operand_row(b, b_mode, r, cols), bv, y + r * cols, cols);
}

/* max of sign·x over a row, 8 lanes at a time; a NaN sticks in its lane, so any NaN gives NaN. */
HOT static float max_row(const float *x, int64_t n, float sign) {
  f8 lanes = splat8(-INFINITY);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const f8 v = load8(x + j) * sign;
    lanes = select8((v > lanes) | (v != v), v, lanes);
  }
  float best = -INFINITY;
  for (; j < n; j++) {
    const float v = sign * x[j];
    best = (v > best || v != v) ? v : best;
  }
  for (int k = 0; k < 8; k++) best = (lanes[k] > best || lanes[k] != lanes[k]) ? lanes[k] : best;
  return best;
}

/* Σ of a row in 8 float lanes, the lanes and the tail added in double. */
HOT static double sum_row(const float *x, int64_t n) {
  f8 lanes = splat8(0.0f);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) lanes += load8(x + j);
  double total = 0;
  for (; j < n; j++) total += x[j];
  for (int k = 0; k < 8; k++) total += lanes[k];
  return total;
}

int hn_reduce(int op, const float *x, float *y, int64_t outer, int64_t inner, int inside) {
  if (inside) {
    for (int64_t r = 0; r < outer; r++) {
      const float *row = x + r * inner;
      if (op == R_SUM || op == R_MEAN) {
        const double total = sum_row(row, inner);
        y[r] = (float)(op == R_MEAN ? total / (double)inner : total);
      } else {
        y[r] = op == R_MAX ? max_row(row, inner, 1.0f) : -max_row(row, inner, -1.0f);
      }
    }
    return 0;
  }
  if (op == R_SUM || op == R_MEAN) {
    double *total = (double *)calloc((size_t)inner, sizeof(double));
    if (total == NULL) return -1;
    for (int64_t r = 0; r < outer; r++) {
      const float *row = x + r * inner;
      for (int64_t j = 0; j < inner; j++) total[j] += row[j];
    }
    for (int64_t j = 0; j < inner; j++) y[j] = (float)(op == R_MEAN ? total[j] / (double)outer : total[j]);
    free(total);
    return 0;
  }
  memcpy(y, x, (size_t)inner * sizeof(float));
  for (int64_t r = 1; r < outer; r++) {
    const float *row = x + r * inner;
    for (int64_t j = 0; j < inner; j++) {
      const float v = row[j], best = y[j];
      if (best == best && (v != v || (op == R_MAX ? v > best : v < best))) y[j] = v;
    }
  }
  return 0;
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

void hn_softmax_rows(const float *x, float *y, float *lse, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float l = softmax_row(x + r * cols, y + r * cols, cols);
    if (lse != NULL) lse[r] = l;
  }
}

HOT void hn_axpby(float *y, float a, const float *x, float b, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = a * y[i] + b * x[i];
}

HOT void hn_momentum(float *w, float *v, const float *g, float lr, float m, int nesterov, size_t n) {
  if (nesterov) {
    for (size_t i = 0; i < n; i++) {
      const float acc = m * v[i] + g[i];
      v[i] = acc;
      w[i] -= lr * (g[i] + m * acc);
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const float acc = m * v[i] + g[i];
      v[i] = acc;
      w[i] -= lr * acc;
    }
  }
}

/* Visits every patch segment: (row of cols, segment start, source pixel or NULL in the padding). */
#define FOR_EACH_SEGMENT(p, BODY)                                                              \
  for (int64_t b = 0; b < (p)->B; b++)                                                         \
    for (int64_t oh = 0; oh < (p)->OH; oh++)                                                   \
      for (int64_t ow = 0; ow < (p)->OW; ow++)                                                 \
        for (int64_t kh = 0; kh < (p)->KH; kh++) {                                             \
          const int64_t h = oh * (p)->sH + kh * (p)->dH - (p)->top;                            \
          for (int64_t kw = 0; kw < (p)->KW; kw++) {                                           \
            const int64_t w = ow * (p)->sW + kw * (p)->dW - (p)->left;                         \
            const int64_t seg = (((b * (p)->OH + oh) * (p)->OW + ow) * (p)->KH * (p)->KW + kh * (p)->KW + kw) * (p)->C; \
            const int inside = h >= 0 && h < (p)->H && w >= 0 && w < (p)->W;                  \
            const int64_t px = ((b * (p)->H + h) * (p)->W + w) * (p)->C;                       \
            BODY                                                                               \
          }                                                                                    \
        }

void hn_im2col(const hn_conv_t *p, const float *x, float *cols) {
  const size_t bytes = (size_t)p->C * sizeof(float);
  FOR_EACH_SEGMENT(p, {
    if (inside) memcpy(cols + seg, x + px, bytes);
    else memset(cols + seg, 0, bytes);
  })
}

void hn_col2im(const hn_conv_t *p, const float *cols, float *x) {
  memset(x, 0, (size_t)(p->B * p->H * p->W * p->C) * sizeof(float));
  FOR_EACH_SEGMENT(p, {
    if (inside)
      for (int64_t c = 0; c < p->C; c++) x[px + c] += cols[seg + c];
  })
}
