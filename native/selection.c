/*
 * MoCHi's host-side loops (see src/negatives/hardest.ts and mochi.ts for the JavaScript twins,
 * which give identical results): the N largest scores of each row, ordered by score descending
 * with ties in index order, and dot products of pairs of rows. Rows are split across the pool.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dot8.h"
#include "hot.h"
#include "kernels.h"
#include "pool.h"

#define BINS 1024
/* The fast path's sample: every STRIDE-th score of a row votes for a threshold, in SAMPLE_BINS bins over the sample's range. */
#define STRIDE 8
#define SAMPLE_BINS 256

typedef struct {
  const float *scores;
  int64_t K, N;
  float lo, hi;
  int32_t *out;
  int failed;
} hardest_job;

/* The bin of x among `bins` in [lo, lo + (bins − 1)/scale]: NaN and values below lo in bin 0, above in the last. */
static inline int bin_of(float x, float lo, float scale, int bins) {
  float y = (x - lo) * scale;
  y = y >= 0 ? y : 0; /* also NaN */
  y = y <= bins - 1 ? y : bins - 1;
  return (int)y;
}

/* Scratch of one thread: a histogram and bucket starts [2·BINS], and values, indices, bins and candidates [K] each. */
typedef struct {
  int32_t *counts, *next, *indices, *cand;
  float *values;
  uint16_t *bins;
} scratch_t;

/* The n scores row[at[0..n)] (at in increasing order; NULL: all of 0..n), in nb <= BINS bins over [lo, hi]: a
 * histogram finds the bin of the N-th largest; a stable counting sort buckets the scores, then
 * each bucket from the top one down to that bin is insertion-sorted by score (strict comparison keeps
 * ties in index order). Writes the N best indices, best first. Needs n >= N. */
HOT static void bucket_sort_top(const float *row, const int32_t *at, int64_t n, int64_t N, int nb, float lo, float hi, int32_t *out, scratch_t *w) {
  const float scale = hi > lo ? (nb - 1) / (hi - lo) : 0;
  int32_t *counts = w->counts, *next = w->next;
  uint16_t *bins = w->bins;
  for (int64_t k = 0; k < n; k++) bins[k] = (uint16_t)bin_of(row[at ? at[k] : k], lo, scale, nb);
  memset(counts, 0, (size_t)nb * sizeof(int32_t));
  for (int64_t k = 0; k < n; k++) counts[bins[k]]++;
  int top = -1;
  int64_t filled = 0;
  for (int x = nb - 1; x >= 0; x--) { /* every bucket's start, so the pass below needs no branch */
    next[x] = (int32_t)filled;
    filled += counts[x];
    if (top < 0 && filled >= N) top = x;
  }
  for (int64_t k = 0; k < n; k++) {
    const int32_t p = next[bins[k]]++, i = at ? at[k] : (int32_t)k;
    w->values[p] = row[i];
    w->indices[p] = i;
  }
  float *values = w->values;
  int32_t *indices = w->indices;
  for (int x = nb - 1, start = 0; x >= top; start += counts[x], x--) {
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
  memcpy(out, indices, (size_t)N * sizeof(int32_t));
}

/* cand[0..n) = the k with row[k] >= t, in increasing order (NaN never); returns n. */
static int64_t compress_at_least_scalar(const float *row, int64_t from, int64_t K, float t, int32_t *cand, int64_t n) {
  for (int64_t k = from; k < K; k++) {
    cand[n] = (int32_t)k;
    n += row[k] >= t;
  }
  return n;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* lanes[m] = the set lanes of the 8-bit mask m, in order (the rest 0). */
static uint8_t lanes[256][8];

static void init_lanes(void) {
  for (int m = 0; m < 256; m++)
    for (int l = 0, n = 0; l < 8; l++)
      if (m >> l & 1) lanes[m][n++] = (uint8_t)l;
}

/* Eight scores a step: compare, then store the passing lanes' indices through the lanes table. */
__attribute__((target("avx2,popcnt"))) static int64_t compress_at_least_avx2(const float *row, int64_t K, float t, int32_t *cand) {
  const __m256 tv = _mm256_set1_ps(t);
  int64_t n = 0, k = 0;
  for (; k + 8 <= K; k += 8) {
    const int m = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + k), tv, _CMP_GE_OQ));
    const __m256i at = _mm256_add_epi32(_mm256_set1_epi32((int32_t)k), _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)lanes[m])));
    _mm256_storeu_si256((__m256i *)(cand + n), at); /* n <= k: stays within cand[0..K) */
    n += __builtin_popcount((unsigned)m);
  }
  return compress_at_least_scalar(row, k, K, t, cand, n);
}

static bool has_avx2;

static void init_compress(void) {
  has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (has_avx2) init_lanes();
}

static int64_t compress_at_least(const float *row, int64_t K, float t, int32_t *cand) {
  return has_avx2 ? compress_at_least_avx2(row, K, t, cand) : compress_at_least_scalar(row, 0, K, t, cand, 0);
}
#else
static void init_compress(void) {}
static int64_t compress_at_least(const float *row, int64_t K, float t, int32_t *cand) { return compress_at_least_scalar(row, 0, K, t, cand, 0); }
#endif

/* The k-th sampled position: one per block of STRIDE scores, at a hashed offset within the block
 * (a fixed offset would alias with a queue's periodic layout, batch after batch of similar keys). */
static inline int64_t sample_at(int64_t block) { return block * STRIDE + (int64_t)(((uint32_t)block * 2654435761u) >> 29); }

/* One row. Fast path: one score in every STRIDE votes in a histogram over the sample's range for
 * a threshold t with about 1.25·N scores >= t (2.5·N on a second try); the scores >= t are the
 * candidates and, when there are at least N of them, they hold the N best (ties included), which
 * are then sorted by bucket (2 per candidate) over the candidates' own range. Otherwise (a small
 * row, two short samples, NaN), all K scores are bucketed. Either way the result is the one
 * ranking: score descending, ties by lower index. */
HOT static void hardest_row(const float *row, int64_t K, int64_t N, float lo, float hi, int32_t *out, scratch_t *w) {
  const int64_t blocks = K / STRIDE;
  float slo = INFINITY, shi = -INFINITY; /* the sample's range (NaN left out) */
  if (K >= 64 * STRIDE && N * 4 <= K)
    for (int64_t b = 0; b < blocks; b++) {
      const float v = row[sample_at(b)];
      slo = v < slo ? v : slo;
      shi = v > shi ? v : shi;
    }
  if (slo < shi) {
    const float scale = (SAMPLE_BINS - 1) / (shi - slo);
    int32_t *counts = w->counts;
    memset(counts, 0, SAMPLE_BINS * sizeof(int32_t));
    for (int64_t b = 0; b < blocks; b++) counts[bin_of(row[sample_at(b)], slo, scale, SAMPLE_BINS)]++;
    int top = SAMPLE_BINS - 1;
    int64_t filled = counts[top];
    for (int64_t want = (5 * N) / (4 * STRIDE) + 8, tries = 0; tries < 2 && top > 0; want *= 2, tries++) {
      while (filled < want && top > 0) filled += counts[--top];
      if (top == 0) break;
      const float t = slo + (float)top / scale; /* any threshold is exact; this one is near the bin's lower edge */
      int32_t *cand = w->cand;
      const int64_t n = compress_at_least(row, K, t, cand);
      if (n < N) continue;
      float clo = INFINITY, chi = -INFINITY;
      for (int64_t c = 0; c < n; c++) {
        const float v = row[cand[c]];
        clo = v < clo ? v : clo;
        chi = v > chi ? v : chi;
      }
      bucket_sort_top(row, cand, n, N, 2 * n < BINS ? (int)(2 * n) : BINS, clo, chi, out, w);
      return;
    }
  }
  bucket_sort_top(row, NULL, K, N, BINS, lo, hi, out, w);
}

static void hardest_part(void *ctx, int64_t begin, int64_t end) {
  hardest_job *j = ctx;
  scratch_t w = {malloc(2 * BINS * sizeof(int32_t)), NULL, malloc((size_t)j->K * sizeof(int32_t)), malloc((size_t)j->K * sizeof(int32_t)),
                 malloc((size_t)j->K * sizeof(float)), malloc((size_t)j->K * sizeof(uint16_t))};
  if (w.counts == NULL || w.indices == NULL || w.cand == NULL || w.values == NULL || w.bins == NULL) {
    j->failed = 1;
  } else {
    w.next = w.counts + BINS;
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
      hardest_row(row, j->K, j->N, lo, hi, j->out + b * j->N, &w);
    }
  }
  free(w.counts);
  free(w.indices);
  free(w.cand);
  free(w.values);
  free(w.bins);
}

int hn_hardest(const float *scores, int64_t B, int64_t K, int64_t N, float lo, float hi, int32_t *out) {
  static bool ready = false; /* calls come from one thread (pool.h) */
  if (!ready) {
    init_compress();
    ready = true;
  }
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
