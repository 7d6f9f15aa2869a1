/* MoCHi's mix (mochiMix.c), the compute of the addon's mochiMix (mochi.c) and of the wasm host
 * kernels (native/wasm/): no Node, no BLAS. */
#ifndef HARDNEG_MOCHI_MIX_H
#define HARDNEG_MOCHI_MIX_H

#include <stdint.h>

typedef struct {
  int64_t K, N, s, sp, D;
  const float *scores; /* [B, K] = scale·q·n */
  double scale;
  const float *rows; /* unit queue [K, D] */
  const int32_t *hardest, *di, *dj, *dk;
  const double *alpha, *beta;
  const float *qq; /* [B] scale·q·q̂, or NULL when s′ = 0 */
  int32_t *rowI, *rowJ, *rowK;
  float *c, *d, *wA, *wB, *wQ, *wD, *logits;
} hn_mix_job;

/* Fills the job's outputs for queries 0..B−1 (split over the pool); sizes and indices are checked by the caller. */
void hn_mochi_mix(const hn_mix_job *job, int64_t B);

#endif
