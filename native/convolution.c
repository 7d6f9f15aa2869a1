/* Convolution forward and input gradient over image patches, parallel over images; see convolution.h. */
#include "convolution.h"

#include <cblas.h>
#include <stdlib.h>

#include "pool.h"

typedef struct {
  const hn_conv_t *p;
  const float *in;  /* x (forward) or dy (input grad) */
  const float *w;
  float *out;       /* y (forward) or dx (input grad) */
  int64_t Co, chunk;
  int forward;
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
    if (j->forward) {
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

/*
 * With one thread OpenBLAS keeps its own threads for the product; with more, the images are split
 * between the pool's threads and OpenBLAS runs single-threaded inside each (restored after).
 */
static int run(conv_job *j) {
  if (j->chunk < 1) j->chunk = 1;
  if (hn_threads() < 2 || j->p->B < 2) {
    conv_part(j, 0, j->p->B);
    return j->failed ? -1 : 0;
  }
  const int blas = openblas_get_num_threads();
  openblas_set_num_threads(1);
  hn_parallel(j->p->B, 1, conv_part, j);
  openblas_set_num_threads(blas);
  return j->failed ? -1 : 0;
}

int hn_conv_forward(const hn_conv_t *p, const float *x, const float *w, int64_t Co, float *y, int64_t chunk) {
  conv_job j = {p, x, w, y, Co, chunk, 1, 0};
  return run(&j);
}

int hn_conv_input_grad(const hn_conv_t *p, const float *dy, const float *w, int64_t Co, float *dx, int64_t chunk) {
  conv_job j = {p, dy, w, dx, Co, chunk, 0, 0};
  return run(&j);
}
