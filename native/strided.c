/*
 * Element-wise arithmetic under any broadcast and reductions over any axes, on strided views;
 * see kernels.h. The caller (src/engine/native/strided.ts) merges neighbouring axes that behave
 * alike first, so the last axis is a contiguous run and the loops below are row loops.
 */
#include <stdlib.h>

#include "hot.h"
#include "kernels.h"
#include "lanes.h"
#include "pool.h"

typedef struct {
  int op, nd;
  const float *a, *b;
  const int64_t *as, *bs, *shape;
  float *y;
  int64_t inner;
} binary_job;

/* Rows [begin, end) of y seen as [Π shape[0..nd−2], shape[nd−1]]. */
static void binary_part(void *ctx, int64_t begin, int64_t end) {
  const binary_job *j = ctx;
  const int outer = j->nd - 1;
  int64_t idx[HN_MAX_DIMS], ao = 0, bo = 0, rest = begin;
  for (int d = outer - 1; d >= 0; d--) {
    idx[d] = rest % j->shape[d];
    rest /= j->shape[d];
    ao += idx[d] * j->as[d];
    bo += idx[d] * j->bs[d];
  }
  const int av = j->as[outer] != 0, bv = j->bs[outer] != 0;
  for (int64_t r = begin; r < end; r++) {
    hn_binary_row(j->op, j->a + ao, av, j->b + bo, bv, j->y + r * j->inner, j->inner);
    for (int d = outer - 1; d >= 0; d--) {
      ao += j->as[d];
      bo += j->bs[d];
      if (++idx[d] < j->shape[d]) break;
      ao -= idx[d] * j->as[d];
      bo -= idx[d] * j->bs[d];
      idx[d] = 0;
    }
  }
}

void hn_binary_strided(int op, const float *a, const int64_t *a_strides, const float *b, const int64_t *b_strides, float *y, const int64_t *shape, int nd) {
  const int64_t inner = shape[nd - 1];
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= shape[d];
  binary_job j = {op, nd, a, b, a_strides, b_strides, shape, y, inner};
  hn_parallel(rows, inner > 0 ? 1 + GRAIN / inner : rows, binary_part, &j);
}

typedef struct {
  int op, nd, split;
  const float *x;
  float *y;
  const int64_t *shape;
  int64_t ys[HN_MAX_DIMS]; /* y's stride of each axis (0 on reduced axes) */
  int64_t rows, inner, ny, count;
  int inner_reduced;
  int *failed;
} reduce_job;

/* acc = max (sign 1) or −min (sign −1) of acc and v, a NaN sticking. */
INLINE float combine(float acc, float v) { return (acc == acc && (v != v || v > acc)) ? v : acc; }

/* All rows (split = 0) or the rows whose first index is in [b0, b1) (split = 1: axis 0 is kept). */
HOT static void reduce_part(void *ctx, int64_t b0, int64_t b1) {
  const reduce_job *j = ctx;
  const int64_t per = j->split ? j->rows / j->shape[0] : j->rows;
  const int64_t r0 = j->split ? b0 * per : 0, r1 = j->split ? b1 * per : j->rows;
  const int64_t y0 = j->split ? b0 * j->ys[0] : 0, ny = j->split ? (b1 - b0) * j->ys[0] : j->ny;
  const int sum = j->op == R_SUM || j->op == R_MEAN;
  const float sign = j->op == R_MIN ? -1.0f : 1.0f;
  double *total = sum ? calloc((size_t)ny, sizeof(double)) : NULL;
  float *best = j->y + y0;
  if (sum && total == NULL) {
    *j->failed = 1;
    return;
  }
  if (!sum)
    for (int64_t i = 0; i < ny; i++) best[i] = -INFINITY;
  const int outer = j->nd - 1;
  int64_t idx[HN_MAX_DIMS], yo = -y0, rest = r0;
  for (int d = outer - 1; d >= 0; d--) {
    idx[d] = rest % j->shape[d];
    rest /= j->shape[d];
    yo += idx[d] * j->ys[d];
  }
  const int64_t n = j->inner;
  for (int64_t r = r0; r < r1; r++) {
    const float *row = j->x + r * n;
    if (j->inner_reduced) {
      if (sum) total[yo] += sum_row(row, n);
      else best[yo] = combine(best[yo], max_row(row, n, sign));
    } else if (sum) {
      double *t = total + yo;
      for (int64_t c = 0; c < n; c++) t[c] += row[c];
    } else {
      float *t = best + yo;
      for (int64_t c = 0; c < n; c++) t[c] = combine(t[c], sign * row[c]);
    }
    for (int d = outer - 1; d >= 0; d--) {
      yo += j->ys[d];
      if (++idx[d] < j->shape[d]) break;
      yo -= idx[d] * j->ys[d];
      idx[d] = 0;
    }
  }
  if (sum) {
    const double scale = j->op == R_MEAN ? 1.0 / (double)j->count : 1.0;
    for (int64_t i = 0; i < ny; i++) best[i] = (float)(total[i] * scale);
    free(total);
  } else if (sign < 0) {
    for (int64_t i = 0; i < ny; i++) best[i] = -best[i];
  }
}

int hn_reduce_axes(int op, const float *x, float *y, const int64_t *shape, const int *reduced, int nd) {
  int failed = 0;
  reduce_job j = {op, nd, 0, x, y, shape, {0}, 1, shape[nd - 1], 1, 1, reduced[nd - 1] != 0, &failed};
  for (int d = nd - 1; d >= 0; d--) {
    if (d < nd - 1) j.rows *= shape[d];
    if (reduced[d]) {
      j.ys[d] = 0;
      j.count *= shape[d];
    } else {
      j.ys[d] = j.ny;
      j.ny *= shape[d];
    }
  }
  j.split = nd > 1 && !reduced[0];
  if (j.split) hn_parallel(shape[0], 1 + GRAIN / (j.rows / shape[0] * j.inner), reduce_part, &j);
  else reduce_part(&j, 0, 1);
  return failed ? -1 : 0;
}
