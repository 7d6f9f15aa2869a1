/* Eight-float vectors (GCC vector extensions) and the row loops built on them, shared by hardneg's kernels. */
#ifndef HARDNEG_LANES_H
#define HARDNEG_LANES_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hot.h"

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

/* max of sign·x over a row, 8 lanes at a time; a NaN sticks in its lane, so any NaN gives NaN. */
INLINE float max_row(const float *x, int64_t n, float sign) {
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
INLINE double sum_row(const float *x, int64_t n) {
  f8 lanes = splat8(0.0f);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) lanes += load8(x + j);
  double total = 0;
  for (; j < n; j++) total += x[j];
  for (int k = 0; k < 8; k++) total += lanes[k];
  return total;
}

#endif
