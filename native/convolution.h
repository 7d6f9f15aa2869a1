/*
 * NHWC convolutions as products over image patches (convolution.c), parallel over images: each
 * of the pool's threads takes a contiguous range of images and, `chunk` images at a time, builds
 * their patches in its own scratch and runs one single-threaded OpenBLAS product on them, so the
 * patches are read from cache and the threads never wait on each other inside a convolution.
 * Geometry p as for hn_im2col (kernels.h); w [KH·KW·C, Co] (TensorFlow.js's filter layout).
 *   forward:     y [B·OH·OW, Co] = patches(x) · w
 *   input grad:  dx = col2im(dy · wᵀ)   (dx [B, H, W, C], dy [B·OH·OW, Co])
 *   filter grad: dw = Σ over images of patches(x)ᵀ · dy, summed per stripe of images (HN_STRIPES
 *                fixed stripes, each one thread's), then the stripes in order: the same sums
 *                in the same order at any thread count
 * 0 on success, -1 out of memory (nothing is promised about the output then).
 */
#ifndef HARDNEG_CONVOLUTION_H
#define HARDNEG_CONVOLUTION_H

#include <stdint.h>

#include "kernels.h"

/* Stripes of images the filter gradient sums separately (fewer when the batch is smaller). */
#define HN_STRIPES 8

int hn_conv_forward(const hn_conv_t *p, const float *x, const float *w, int64_t Co, float *y, int64_t chunk);
int hn_conv_filter_grad(const hn_conv_t *p, const float *x, const float *dy, int64_t Co, float *dw, int64_t chunk);
int hn_conv_input_grad(const hn_conv_t *p, const float *dy, const float *w, int64_t Co, float *dx, int64_t chunk);

#endif
