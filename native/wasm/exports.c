/*
 * The wasm host kernels' entry points (src/engine/host/compiledKernels.ts calls them): the same C
 * as the addon's hardest (selection.c) and mochiMix (mochiMix.c), so both give the same bits.
 * JavaScript resets the allocator, allocates every array of one call, copies the inputs in,
 * calls, and copies the outputs out; sizes and indices are checked on the JavaScript side.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../kernels.h"
#include "../mochiMix.h"

void hn_wasm_reset(void);

__attribute__((export_name("reset"))) void reset(void) { hn_wasm_reset(); }

/* A 16-byte aligned block of `bytes`, or 0 when memory cannot grow. */
__attribute__((export_name("alloc"))) void *alloc(int32_t bytes) { return malloc((size_t)bytes); }

/* hn_hardest; 0, or −1 when its scratch could not be allocated. */
__attribute__((export_name("hardest"))) int32_t hardest(const float *scores, int32_t B, int32_t K, int32_t N, float lo, float hi, int32_t *out) {
  return hn_hardest(scores, B, K, N, lo, hi, out);
}

/* hn_mochi_mix over B queries; `sizes` = [B, K, N, s, s′, D]; qq may be 0 when s′ = 0. */
__attribute__((export_name("mix"))) void mix(const int32_t *sizes, const float *scores, double scale, const float *rows, const int32_t *hardest_rows, const int32_t *di,
                                             const int32_t *dj, const double *alpha, const int32_t *dk, const double *beta, const float *qq, int32_t *rowI,
                                             int32_t *rowJ, int32_t *rowK, float *c, float *d, float *wA, float *wB, float *wQ, float *wD, float *logits) {
  const hn_mix_job job = {sizes[1], sizes[2], sizes[3], sizes[4], sizes[5], scores, scale, rows, hardest_rows, di, dj, dk, alpha, beta, qq,
                          rowI, rowJ, rowK, c, d, wA, wB, wQ, wD, logits};
  hn_mochi_mix(&job, sizes[0]);
}
