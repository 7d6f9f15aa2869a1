/*
 * 2-D average and max pooling and their gradients, NHWC, images in parallel; see kernels.h.
 * The window of output (oh, ow) covers input rows oh·sH − top + [0, KH) and columns
 * ow·sW − left + [0, KW), clipped to the image. Semantics follow TensorFlow.js's cpu kernels:
 * the average divides by the pixels inside the image, its gradient by KH·KW; the max ignores
 * NaN (−∞ for a window without a number) and its gradient goes to the first largest pixel in
 * row-major window order (none for such a window).
 */
#include <math.h>
#include <stdlib.h>

#include "hot.h"
#include "kernels.h"
#include "pool.h"

typedef struct {
  const hn_conv_t *p;
  const float *x, *dy;
  float *y, *dx;
  int *failed;
} pool_job;

/* The clipped window of output (oh, ow): rows [h0, h1), columns [w0, w1). */
#define WINDOW(p, oh, ow)                                                          \
  const int64_t hc = (oh) * (p)->sH - (p)->top, wc = (ow) * (p)->sW - (p)->left;   \
  const int64_t h0 = hc < 0 ? 0 : hc, h1 = hc + (p)->KH < (p)->H ? hc + (p)->KH : (p)->H; \
  const int64_t w0 = wc < 0 ? 0 : wc, w1 = wc + (p)->KW < (p)->W ? wc + (p)->KW : (p)->W;

HOT static void avg_part(void *ctx, int64_t b0, int64_t b1) {
  const pool_job *j = ctx;
  const hn_conv_t *p = j->p;
  const int64_t C = p->C;
  for (int64_t b = b0; b < b1; b++)
    for (int64_t oh = 0; oh < p->OH; oh++)
      for (int64_t ow = 0; ow < p->OW; ow++) {
        WINDOW(p, oh, ow)
        float *out = j->y + ((b * p->OH + oh) * p->OW + ow) * C;
        for (int64_t c = 0; c < C; c++) out[c] = 0.0f;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const float *in = j->x + ((b * p->H + h) * p->W + w) * C;
            for (int64_t c = 0; c < C; c++) out[c] += in[c];
          }
        const float scale = 1.0f / (float)((h1 > h0 ? h1 - h0 : 0) * (w1 > w0 ? w1 - w0 : 0)); /* no pixel: 0/0, NaN */
        for (int64_t c = 0; c < C; c++) out[c] *= scale;
      }
}

HOT static void avg_grad_part(void *ctx, int64_t b0, int64_t b1) {
  const pool_job *j = ctx;
  const hn_conv_t *p = j->p;
  const int64_t C = p->C;
  const float scale = 1.0f / (float)(p->KH * p->KW);
  for (int64_t i = b0 * p->H * p->W * C; i < b1 * p->H * p->W * C; i++) j->dx[i] = 0.0f;
  for (int64_t b = b0; b < b1; b++)
    for (int64_t oh = 0; oh < p->OH; oh++)
      for (int64_t ow = 0; ow < p->OW; ow++) {
        WINDOW(p, oh, ow)
        const float *g = j->dy + ((b * p->OH + oh) * p->OW + ow) * C;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            float *d = j->dx + ((b * p->H + h) * p->W + w) * C;
            for (int64_t c = 0; c < C; c++) d[c] += scale * g[c];
          }
      }
}

/* Max pooling, or (dx != NULL) its gradient: each window's dy goes to its first largest pixel. */
HOT static void max_part(void *ctx, int64_t b0, int64_t b1) {
  const pool_job *j = ctx;
  const hn_conv_t *p = j->p;
  const int64_t C = p->C;
  float *best = j->dx != NULL ? malloc((size_t)C * sizeof(float)) : NULL;
  int64_t *at = j->dx != NULL ? malloc((size_t)C * sizeof(int64_t)) : NULL;
  if (j->dx != NULL && (best == NULL || at == NULL)) {
    *j->failed = 1;
    free(best);
    free(at);
    return;
  }
  if (j->dx != NULL)
    for (int64_t i = b0 * p->H * p->W * C; i < b1 * p->H * p->W * C; i++) j->dx[i] = 0.0f;
  for (int64_t b = b0; b < b1; b++)
    for (int64_t oh = 0; oh < p->OH; oh++)
      for (int64_t ow = 0; ow < p->OW; ow++) {
        WINDOW(p, oh, ow)
        const int64_t o = ((b * p->OH + oh) * p->OW + ow) * C;
        float *m = j->dx != NULL ? best : j->y + o;
        for (int64_t c = 0; c < C; c++) m[c] = -INFINITY;
        if (at != NULL)
          for (int64_t c = 0; c < C; c++) at[c] = -1;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const int64_t px = ((b * p->H + h) * p->W + w) * C;
            const float *in = j->x + px;
            if (at == NULL) {
              for (int64_t c = 0; c < C; c++) m[c] = in[c] > m[c] ? in[c] : m[c];
            } else {
              for (int64_t c = 0; c < C; c++)
                if (in[c] > m[c]) {
                  m[c] = in[c];
                  at[c] = px + c;
                }
            }
          }
        if (at != NULL)
          for (int64_t c = 0; c < C; c++)
            if (at[c] >= 0) j->dx[at[c]] += j->dy[o + c];
      }
  free(best);
  free(at);
}

static int64_t grain(const hn_conv_t *p) { return 1 + GRAIN / (1 + p->H * p->W * p->C + p->OH * p->OW * p->KH * p->KW * p->C); }

void hn_avg_pool(const hn_conv_t *p, const float *x, float *y) {
  pool_job j = {p, x, NULL, y, NULL, NULL};
  hn_parallel(p->B, grain(p), avg_part, &j);
}

void hn_avg_pool_grad(const hn_conv_t *p, const float *dy, float *dx) {
  pool_job j = {p, NULL, dy, NULL, dx, NULL};
  hn_parallel(p->B, grain(p), avg_grad_part, &j);
}

void hn_max_pool(const hn_conv_t *p, const float *x, float *y) {
  pool_job j = {p, x, NULL, y, NULL, NULL};
  hn_parallel(p->B, grain(p), max_part, &j);
}

int hn_max_pool_grad(const hn_conv_t *p, const float *x, const float *dy, float *dx) {
  int failed = 0;
  pool_job j = {p, x, dy, NULL, dx, &failed};
  hn_parallel(p->B, grain(p), max_part, &j);
  return failed ? -1 : 0;
}
