/*
 * MoCHi's host-side loops (see src/negatives/hardest.ts and mochi.ts for the JavaScript twins,
 * which give identical results): the N largest scores of each row, ordered by score descending
 * with ties in index order, and dot products of pairs of rows. Rows are split across the pool.
 */
#include <stdlib.h>

#include "dot8.h"
#include "hot.h"
#include "kernels.h"
#include "pool.h"

#define BINS 1024

typedef struct {
  const float *scores;
  int64_t K, N;
  float lo, hi;
  int32_t *out;
  int failed;
} hardest_job;

/* bins[k] = the histogram bin of row[k]: NaN and values below lo in bin 0, above hi in the last. */
HOT static void bin_row(const float *row, int64_t K, float lo, float scale, uint16_t *bins) {
  for (int64_t k = 0; k < K; k++) {
    float x = (row[k] - lo) * scale;
    x = x >= 0 ? x : 0; /* also NaN */
    x = x <= BINS - 1 ? x : BINS - 1;
    bins[k] = (uint16_t)x;
  }
}

/* One row: a histogram finds the bin of the N-th score; the bins from there up are filled by a
 * stable counting sort, then each is insertion-sorted by score (strict comparison keeps ties in
 * index order). */
static void hardest_row(const float *row, int64_t K, int64_t N, float lo, float hi, int32_t *out, int32_t *counts, int32_t *next, uint16_t *bins,
                        float *values, int32_t *indices) {
  const float scale = hi > lo ? (BINS - 1) / (hi - lo) : 0;
  bin_row(row, K, lo, scale, bins);
  for (int x = 0; x < BINS; x++) counts[x] = 0;
  for (int64_t k = 0; k < K; k++) counts[bins[k]]++;
  int top = BINS - 1;
  int64_t filled = 0;
  for (;; top--) {
    next[top] = (int32_t)filled;
    filled += counts[top];
    if (filled >= N || top == 0) break;
  }
  for (int64_t k = 0; k < K; k++) {
    const int x = bins[k];
    if (x >= top) {
      const int32_t p = next[x]++;
      values[p] = row[k];
      indices[p] = (int32_t)k;
    }
  }
  for (int x = BINS - 1, start = 0; x >= top; start += counts[x], x--) {
    for (int p = start + 1, end = start + counts[x]; p < end; p++) {
      const float v = values[p];
      const int32_t i = indices[p];
      int q = p - 1;
      for (; q >= start && values[q] < v; q--) {
        values[q + 1] = values[q];
        indices[q + 1] = indices[q];
      }
      values[q + 1] = v;
      indices[q + 1] = i;
    }
  }
  for (int64_t n = 0; n < N; n++) out[n] = indices[n];
}

static void hardest_part(void *ctx, int64_t begin, int64_t end) {
  hardest_job *j = ctx;
  int32_t *counts = malloc(2 * BINS * sizeof(int32_t));
  float *values = malloc((size_t)j->K * sizeof(float));
  int32_t *indices = malloc((size_t)j->K * sizeof(int32_t));
  uint16_t *bins = malloc((size_t)j->K * sizeof(uint16_t));
  if (counts == NULL || values == NULL || indices == NULL || bins == NULL) {
    j->failed = 1;
  } else {
    for (int64_t b = begin; b < end; b++) {
      const float *row = j->scores + b * j->K;
      float lo = j->lo, hi = j->hi;
      if (!(lo <= hi)) { /* no range given: the row's own */
        lo = hi = row[0];
        for (int64_t k = 1; k < j->K; k++) {
          if (row[k] < lo) lo = row[k];
          if (row[k] > hi) hi = row[k];
        }
      }
      hardest_row(row, j->K, j->N, lo, hi, j->out + b * j->N, counts, counts + BINS, bins, values, indices);
    }
  }
  free(counts);
  free(values);
  free(indices);
  free(bins);
}

int hn_hardest(const float *scores, int64_t B, int64_t K, int64_t N, float lo, float hi, int32_t *out) {
  hardest_job j = {scores, K, N, lo, hi, out, 0};
  hn_parallel(B, 16, hardest_part, &j);
  return j.failed ? -1 : 0;
}

typedef struct {
  const float *rows;
  int64_t D;
  const int32_t *first, *second;
  float *out;
} dots_job;

HOT static void dots_part(void *ctx, int64_t begin, int64_t end) {
  const dots_job *j = ctx;
  const int64_t D = j->D;
  for (int64_t x = begin; x < end; x++) j->out[x] = hn_dot8(j->rows + (int64_t)j->first[x] * D, j->rows + (int64_t)j->second[x] * D, D);
}

void hn_pair_dots(const float *rows, int64_t D, const int32_t *first, const int32_t *second, float *out, int64_t n) {
  dots_job j = {rows, D, first, second, out};
  hn_parallel(n, 4096, dots_part, &j);
}
