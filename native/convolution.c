/* Convolution forward and input gradient over image patches, parallel over images; see convolution.h. */
#include "convolution.h"

#include <cblas.h>
#include <stdlib.h>

#include "pool.h"

enum { FORWARD, INPUT_GRAD, FILTER_GRAD };

typedef struct {
  const hn_conv_t *p;
  const float *in;  /* x (forward, filter grad) or dy (input grad) */
  const float *w;   /* w, or dy for the filter grad */
  float *out;       /* y, dx, or the stripes' partial sums [stripes, KH·KW·C, Co] */
  int64_t Co, chunk, stripes;
  int kind;
  int failed;
} conv_job;

/* Images [b0, b1): chunk by chunk, patches into this thread's scratch, then one product. */
static void conv_part(void *ctx, int64_t b0, int64_t b1) {
  conv_job *j = ctx;
  const hn_conv_t *p = j->p;
  const int64_t pixels = p->OH * p->OW, patch = p->KH * p->KW * p->C, image = p->H * p->W * p->C;
  float *cols = malloc((size_t)(j->chunk * pixels * patch) * sizeof(float));
  if (cols == NULL) {
    j->failed = 1;
    return;
  }
  for (int64_t b = b0; b < b1; b += j->chunk) {
    hn_conv_t sub = *p;
    sub.B = b + j->chunk < b1 ? j->chunk : b1 - b;
    const int rows = (int)(sub.B * pixels);
    if (j->kind == FILTER_GRAD) {
      hn_im2col_serial(&sub, j->in + b * image, cols);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)patch, (int)j->Co, rows, 1.0f, cols, (int)patch, j->w + b * pixels * j->Co, (int)j->Co,
                  b == b0 ? 0.0f : 1.0f, j->out, (int)j->Co);
    } else if (j->kind == FORWARD) {
      hn_im2col_serial(&sub, j->in + b * image, cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, (int)j->Co, (int)patch, 1.0f, cols, (int)patch, j->w, (int)j->Co, 0.0f,
                  j->out + b * pixels * j->Co, (int)j->Co);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, (int)patch, (int)j->Co, 1.0f, j->in + b * pixels * j->Co, (int)j->Co, j->w,
                  (int)j->Co, 0.0f, cols, (int)patch);
      hn_col2im_serial(&sub, cols, j->out + b * image);
    }
  }
  free(cols);
}

/* Stripes [s0, s1) of the filter gradient: each one's images into its own partial sum. */
static void stripes_part(void *ctx, int64_t s0, int64_t s1) {
  conv_job *j = ctx;
  const int64_t B = j->p->B, filter = j->p->KH * j->p->KW * j->p->C * j->Co;
  for (int64_t s = s0; s < s1; s++) {
    conv_job stripe = *j;
    stripe.out = j->out + s * filter;
    conv_part(&stripe, B * s / j->stripes, B * (s + 1) / j->stripes);
    if (stripe.failed) j->failed = 1;
  }
}

/*
 * With one thread OpenBLAS keeps its own threads for the product; with more, the images (the
 * stripes for the filter gradient) are split between the pool's threads and OpenBLAS runs
 * single-threaded inside each (restored after).
 */
static int run(conv_job *j, hn_range_fn part, int64_t n) {
  if (j->chunk < 1) j->chunk = 1;
  if (hn_threads() < 2 || n < 2) {
    part(j, 0, n);
    return j->failed ? -1 : 0;
  }
  const int blas = openblas_get_num_threads();
  openblas_set_num_threads(1);
  hn_parallel(n, 1, part, j);
  openblas_set_num_threads(blas);
  return j->failed ? -1 : 0;
}

int hn_conv_forward(const hn_conv_t *p, const float *x, const float *w, int64_t Co, float *y, int64_t chunk) {
  conv_job j = {p, x, w, y, Co, chunk, 0, FORWARD, 0};
  return run(&j, conv_part, p->B);
}

int hn_conv_input_grad(const hn_conv_t *p, const float *dy, const float *w, int64_t Co, float *dx, int64_t chunk) {
  conv_job j = {p, dy, w, dx, Co, chunk, 0, INPUT_GRAD, 0};
  return run(&j, conv_part, p->B);
}

int hn_conv_filter_grad(const hn_conv_t *p, const float *x, const float *dy, int64_t Co, float *dw, int64_t chunk) {
  const int64_t filter = p->KH * p->KW * p->C * Co, stripes = p->B < HN_STRIPES ? p->B : HN_STRIPES;
  for (int64_t i = 0; i < filter; i++) dw[i] = 0.0f;
  if (stripes == 0) return 0;
  float *partial = malloc((size_t)(stripes * filter) * sizeof(float));
  if (partial == NULL) return -1;
  conv_job j = {p, x, dy, partial, Co, chunk, stripes, FILTER_GRAD, 0};
  const int failed = run(&j, stripes_part, stripes);
  for (int64_t s = 0; s < stripes && !failed; s++)
    for (int64_t i = 0; i < filter; i++) dw[i] += partial[s * filter + i];
  free(partial);
  return failed;
}
