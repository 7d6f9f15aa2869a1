/*
 * hardneg's native compute loops (kernels.c, updates.c, patches.c, selection.c, augment.c; no Node, no BLAS): element-wise
 * maps, broadcasts, row and column reductions, softmax, in-place updates and convolution patches
 * over float32 arrays. Hot loops are vectorised (GCC vector extensions, or loops the compiler
 * vectorises), compiled for AVX2+FMA and for any x86-64 (picked at load time), and split across
 * the pool's threads (pool.h). Semantics follow TensorFlow.js's cpu kernels, NaN included.
 */
#ifndef HARDNEG_KERNELS_H
#define HARDNEG_KERNELS_H

#include <stddef.h>
#include <stdint.h>

enum { U_EXP, U_LOG, U_NEG, U_SQRT, U_SQUARE, U_RELU, U_STEP, U_ABS, U_RSQRT, U_RECIPROCAL, U_SIGMOID, U_TANH, U_COUNT };
/* B_STEP_MUL: a·step(b), ReLU's gradient dy·step(x) in one pass (step(NaN) = NaN, as Step). */
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF, B_STEP_MUL, B_COUNT };
/* How an operand covers a [rows, cols] output: all of it, one row repeated, one value per row, one value. */
enum { M_FULL, M_ROW, M_COL, M_SCALAR };
enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_COUNT };

/* y[i] = f(x[i]) (alpha: Step's value for x <= 0); y may be x. */
void hn_unary(int op, const float *x, float *y, size_t n, float alpha);

/* Elements an operand of the given mode holds. */
int64_t hn_operand_length(int mode, int64_t rows, int64_t cols);

/* y[r, c] = f(a, b) over [rows, cols], each operand laid out by its mode. */
void hn_binary(int op, const float *a, int a_mode, const float *b, int b_mode, float *y, int64_t rows, int64_t cols);

/* One row of hn_binary: y[j] = f(a[av ? j : 0], b[bv ? j : 0]), j < n. */
void hn_binary_row(int op, const float *a, int av, const float *b, int bv, float *y, int64_t n);

/* Most axes of a strided view (strided.c). */
#define HN_MAX_DIMS 8

/*
 * y [shape] = f(a, b) for any broadcast (strided.c): a and b are read through element strides
 * per axis (0 on an axis they are broadcast along); the last axis has stride 1 or 0 in each.
 */
void hn_binary_strided(int op, const float *a, const int64_t *a_strides, const float *b, const int64_t *b_strides, float *y, const int64_t *shape, int nd);

/*
 * x [shape] (row-major) reduced over the axes with reduced[d] != 0 into y (the kept axes in
 * order); sums in double, NaN propagates through max and min. 0 on success, -1 out of memory.
 */
int hn_reduce_axes(int op, const float *x, float *y, const int64_t *shape, const int *reduced, int nd);

/* x [outer, inner] reduced over inner into y[outer] (inside) or over outer into y[inner]; 0 on success, -1 out of memory. */
int hn_reduce(int op, const float *x, float *y, int64_t outer, int64_t inner, int inside);

/* y = softmax of each row of x [rows, cols] (y may be x); lse[r] = log Σ_c e^{x[r, c]} when lse is not NULL. */
void hn_softmax_rows(const float *x, float *y, float *lse, int64_t rows, int64_t cols);

/* y = a·y + b·x. */
void hn_axpby(float *y, float a, const float *x, float b, size_t n);

/* SGD with momentum (TensorFlow.js's MomentumOptimizer): v = m·v + g; w = w − lr·v (nesterov: w = w − lr·(g + m·v)). */
void hn_momentum(float *w, float *v, const float *g, float lr, float m, int nesterov, size_t n);

/* NHWC convolution geometry: [B, H, W, C, OH, OW, KH, KW, sH, sW, dH, dW, padTop, padLeft]. */
typedef struct {
  int64_t B, H, W, C, OH, OW, KH, KW, sH, sW, dH, dW, top, left;
} hn_conv_t;

/* cols[b·OH·OW + oh·OW + ow, (kh·KW + kw)·C + c] = xPad[b, oh·sH + kh·dH, ow·sW + kw·dW, c] (0 in the padding). */
void hn_im2col(const hn_conv_t *p, const float *x, float *cols);

/* The adjoint: x = 0, then every patch of cols added back where it came from. */
void hn_col2im(const hn_conv_t *p, const float *cols, float *x);

/* The same two on the calling thread only (for callers that are already parallel over images). */
void hn_im2col_serial(const hn_conv_t *p, const float *x, float *cols);
void hn_col2im_serial(const hn_conv_t *p, const float *cols, float *x);

/*
 * Pooling (pooling.c), NHWC, geometry as for convolutions (dilations 1): x [B, H, W, C],
 * y and dy [B, OH, OW, C]. Average: the mean of the window's pixels inside the image; its
 * gradient spreads dy / (KH·KW) over the window. Max: the window's largest number (−∞ if none);
 * its gradient adds dy to the first largest pixel. max_pool_grad: 0 on success, -1 out of memory.
 */
void hn_avg_pool(const hn_conv_t *p, const float *x, float *y);
void hn_avg_pool_grad(const hn_conv_t *p, const float *dy, float *dx);
void hn_max_pool(const hn_conv_t *p, const float *x, float *y);
int hn_max_pool_grad(const hn_conv_t *p, const float *x, const float *dy, float *dx);

/*
 * Training-mode batch normalization (batchNorm.c) of x [G, N, C] per group and channel:
 * y = γ·(x − μ)/√(σ² + ε) + β, with mean μ and biased variance σ² [G, C] written out; the
 * gradient gives dx [G, N, C], dγ and dβ [C] (summed over groups). 0 on success, -1 out of memory.
 */
int hn_batch_norm(const float *x, const float *gamma, const float *beta, float eps, int64_t G, int64_t N, int64_t C, float *y, float *mean, float *variance);
int hn_batch_norm_grad(const float *dy, const float *x, const float *mean, const float *variance, const float *gamma, float eps, int64_t G, int64_t N,
                       int64_t C, float *dx, float *dgamma, float *dbeta);

/* MoCHi's selection (selection.c): out [B, N] = indices of each row's N largest scores of [B, K],
 * by score descending, ties in index order; [lo, hi] bounds the scores (NaN: each row's own
 * range). 0 on success, -1 out of memory. */
int hn_hardest(const float *scores, int64_t B, int64_t K, int64_t N, float lo, float hi, int32_t *out);

/* out[x] = rows[first[x]] · rows[second[x]], rows [?, D], x < n. */
void hn_pair_dots(const float *rows, int64_t D, const int32_t *first, const int32_t *second, float *out, int64_t n);

/* Augmented views (augment.c): image n of out [n, outH, outW, ch] is source image indices[n] of
 * src [?, h, w, ch] warped by params[n] = [a, b, c, d, e, f, brightness (< 0: no jitter), contrast,
 * blur (0 or 1), taps kernel weights] (stride 9 + taps), then jittered, then blurred.
 * 0 on success, -1 out of memory. */
int hn_augment(const float *src, int64_t h, int64_t w, int64_t ch, const int32_t *indices, int64_t n, const double *params, int64_t taps, float *out,
               int64_t outH, int64_t outW);

#endif
