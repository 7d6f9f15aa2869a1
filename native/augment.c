/*
 * The pixel work of hardneg's image augmentations (src/data/augment/: the JavaScript twins, which
 * this file follows operation for operation, in double precision like JavaScript): a bilinear
 * affine warp, brightness/contrast jitter and a separable Gaussian blur with reflected borders,
 * image by image, images split across the pool.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "pool.h"

typedef struct {
  const float *src;
  const int32_t *indices;
  const double *params;
  float *out;
  int64_t h, w, ch, outH, outW, taps;
  int failed;
} augment_job;

/* warp.ts warpAffine: output (ox, oy) reads the source at (a·ox + b·oy + c, d·ox + e·oy + f), pixel centres at +½. */
static inline __attribute__((always_inline)) void warp_any(const float *src, int64_t h, int64_t w, int64_t ch, const double *m, float *dst, int64_t outH, int64_t outW) {
  const double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
  const double maxX = (double)(w - 1), maxY = (double)(h - 1);
  int64_t o = 0;
  const int aligned = b == 0 && d == 0; /* warpAxisAligned's positions: computed per column and row, not accumulated */
  for (int64_t oy = 0; oy < outH; oy++) {
    double x = a * 0.5 + b * ((double)oy + 0.5) + c - 0.5;
    double y = d * 0.5 + e * ((double)oy + 0.5) + f - 0.5;
    if (aligned) y = e * ((double)oy + 0.5) + f - 0.5;
    for (int64_t ox = 0; ox < outW; ox++, x += a, y += d) {
      if (aligned) x = a * ((double)ox + 0.5) + c - 0.5;
      if (!(x >= -0.5 && x <= (double)w - 0.5 && y >= -0.5 && y <= (double)h - 0.5)) {
        for (int64_t k = 0; k < ch; k++) dst[o++] = 0;
        continue;
      }
      const double xc = x < 0 ? 0 : x > maxX ? maxX : x, yc = y < 0 ? 0 : y > maxY ? maxY : y;
      const int64_t x0 = (int64_t)xc, y0 = (int64_t)yc;
      const double fx = xc - (double)x0, fy = yc - (double)y0;
      const int64_t dx = x0 < w - 1 ? ch : 0, dy = y0 < h - 1 ? w * ch : 0;
      const float *p = src + (y0 * w + x0) * ch;
      for (int64_t k = 0; k < ch; k++, p++) {
        const double p00 = p[0], p10 = p[dy];
        const double top = p00 + ((double)p[dx] - p00) * fx;
        dst[o++] = (float)(top + (p10 + ((double)p[dy + dx] - p10) * fx - top) * fy);
      }
    }
  }
}

/* The warp with the channel count known to the compiler for grey and RGB images. */
static void warp(const float *src, int64_t h, int64_t w, int64_t ch, const double *m, float *dst, int64_t outH, int64_t outW) {
  if (ch == 1) warp_any(src, h, w, 1, m, dst, outH, outW);
  else if (ch == 3) warp_any(src, h, w, 3, m, dst, outH, outW);
  else warp_any(src, h, w, ch, m, dst, outH, outW);
}

/* colorJitter.ts jitterInPlace: brightness b, then contrast c towards the mean grey level, clamped. */
static void jitter(float *x, int64_t size, int64_t ch, double b, double c) {
  if (c == 1) {
    if (b != 1)
      for (int64_t i = 0; i < size; i++) x[i] = (float)fmin(1, (double)x[i] * b);
    return;
  }
  double sum = 0;
  if (ch == 3) {
    for (int64_t i = 0; i < size; i += 3)
      sum += 0.299 * fmin(1, b * x[i]) + 0.587 * fmin(1, b * x[i + 1]) + 0.114 * fmin(1, b * x[i + 2]);
  } else if (b <= 1) {
    for (int64_t i = 0; i < size; i++) sum += x[i];
    sum *= b;
  } else {
    for (int64_t i = 0; i < size; i++) sum += fmin(1, b * x[i]);
  }
  const double shift = (1 - c) * (sum / (double)(ch == 3 ? size / 3 : size));
  const double gain = c * b, top = fmin(1, c + shift);
  for (int64_t i = 0; i < size; i++) {
    const double v = gain * x[i] + shift;
    x[i] = (float)(v < 0 ? 0 : v > top ? top : v);
  }
}

static inline int64_t reflect(int64_t q, int64_t n) { return q < 0 ? -q : q >= n ? 2 * (n - 1) - q : q; }

/* One output of a pass of the symmetric kernel wt[r - r .. r + r] over x[i + j·step], taps
 * reflected at the ends of a line of n values where pos is the index along the line. */
static inline double tap_sum(const float *x, int64_t i, int64_t step, int64_t pos, int64_t n, const double *wt, int64_t r) {
  double sum = wt[r] * x[i];
  if (pos >= r && pos < n - r) {
    for (int64_t j = 1; j <= r; j++) sum += wt[r + j] * ((double)x[i - j * step] + x[i + j * step]);
  } else {
    for (int64_t j = 1; j <= r; j++) sum += wt[r + j] * ((double)x[i + (reflect(pos - j, n) - pos) * step] + x[i + (reflect(pos + j, n) - pos) * step]);
  }
  return sum;
}

/* blur.ts blurInPlace: horizontal then vertical pass of the symmetric kernel wt[taps], reflected borders. */
static void blur(float *x, int64_t h, int64_t w, int64_t ch, const double *wt, int64_t taps, float *scratch) {
  const int64_t r = (taps - 1) / 2, row = w * ch;
  for (int64_t y = 0; y < h; y++)
    for (int64_t px = 0; px < w; px++)
      for (int64_t k = 0, i = y * row + px * ch; k < ch; k++, i++) scratch[i] = (float)tap_sum(x, i, ch, px, w, wt, r);
  for (int64_t y = 0; y < h; y++)
    for (int64_t i = y * row; i < (y + 1) * row; i++) x[i] = (float)tap_sum(scratch, i, row, y, h, wt, r);
}

static void augment_part(void *ctx, int64_t begin, int64_t end) {
  augment_job *j = ctx;
  const int64_t inSize = j->h * j->w * j->ch, outSize = j->outH * j->outW * j->ch, stride = 9 + j->taps;
  float *scratch = j->taps > 0 ? malloc((size_t)outSize * sizeof(float)) : NULL;
  if (j->taps > 0 && scratch == NULL) {
    j->failed = 1;
    return;
  }
  for (int64_t n = begin; n < end; n++) {
    const double *p = j->params + n * stride;
    float *dst = j->out + n * outSize;
    warp(j->src + (int64_t)j->indices[n] * inSize, j->h, j->w, j->ch, p, dst, j->outH, j->outW);
    if (p[6] >= 0) jitter(dst, outSize, j->ch, p[6], p[7]);
    if (p[8] > 0) blur(dst, j->outH, j->outW, j->ch, p + 9, j->taps, scratch);
  }
  free(scratch);
}

int hn_augment(const float *src, int64_t h, int64_t w, int64_t ch, const int32_t *indices, int64_t n, const double *params, int64_t taps, float *out,
               int64_t outH, int64_t outW) {
  augment_job j = {src, indices, params, out, h, w, ch, outH, outW, taps, 0};
  hn_parallel(n, 32, augment_part, &j);
  return j.failed ? -1 : 0;
}
