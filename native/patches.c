/* Convolution patches (im2col) and their adjoint (col2im), NHWC, images in parallel; see kernels.h. */
#include <string.h>

#include "hot.h"
#include "kernels.h"
#include "pool.h"

/* Visits every patch segment: (row of cols, segment start, source pixel or NULL in the padding). */
#define FOR_EACH_SEGMENT(p, b0, b1, BODY)                                                      \
  for (int64_t b = (b0); b < (b1); b++)                                                        \
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

typedef struct {
  const hn_conv_t *p;
  const float *x;
  float *cols;
  const float *dcols;
  float *dx;
} patch_job;

static void im2col_part(void *ctx, int64_t b0, int64_t b1) {
  const patch_job *j = ctx;
  const hn_conv_t *p = j->p;
  const size_t bytes = (size_t)p->C * sizeof(float);
  FOR_EACH_SEGMENT(p, b0, b1, {
    if (inside) memcpy(j->cols + seg, j->x + px, bytes);
    else memset(j->cols + seg, 0, bytes);
  })
}

/* Images [b0, b1) of dx: each image's pixels only receive its own patches, so images run in parallel. */
static void col2im_part(void *ctx, int64_t b0, int64_t b1) {
  const patch_job *j = ctx;
  const hn_conv_t *p = j->p;
  const int64_t image = p->H * p->W * p->C;
  memset(j->dx + b0 * image, 0, (size_t)((b1 - b0) * image) * sizeof(float));
  FOR_EACH_SEGMENT(p, b0, b1, {
    if (inside)
      for (int64_t c = 0; c < p->C; c++) j->dx[px + c] += j->dcols[seg + c];
  })
}

void hn_im2col_serial(const hn_conv_t *p, const float *x, float *cols) {
  patch_job j = {p, x, cols, NULL, NULL};
  im2col_part(&j, 0, p->B);
}

void hn_col2im_serial(const hn_conv_t *p, const float *cols, float *x) {
  patch_job j = {p, NULL, NULL, cols, x};
  col2im_part(&j, 0, p->B);
}

void hn_im2col(const hn_conv_t *p, const float *x, float *cols) {
  patch_job j = {p, x, cols, NULL, NULL};
  hn_parallel(p->B, 1 + GRAIN / (1 + p->OH * p->OW * p->KH * p->KW * p->C), im2col_part, &j);
}

void hn_col2im(const hn_conv_t *p, const float *cols, float *x) {
  patch_job j = {p, NULL, NULL, cols, x};
  hn_parallel(p->B, 1 + GRAIN / (1 + p->OH * p->OW * p->KH * p->KW * p->C), col2im_part, &j);
}
