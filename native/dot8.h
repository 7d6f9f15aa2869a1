/* The dot product of two float rows used by every MoCHi pair product (selection.c, mochi.c), so
 * they agree bit for bit: eight partial sums over the D/8 blocks, combined pairwise, then the tail. */
#ifndef HARDNEG_DOT8_H
#define HARDNEG_DOT8_H

#include <stdint.h>

static inline float hn_dot8(const float *a, const float *b, int64_t D) {
  float acc[8] = {0};
  int64_t e = 0;
  for (; e + 8 <= D; e += 8)
    for (int l = 0; l < 8; l++) acc[l] += a[e + l] * b[e + l];
  float dot = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; e < D; e++) dot += a[e] * b[e];
  return dot;
}

/* out[p] = hn_dot8(a[p], b[p], D) for four pairs at once (the same sums in the same order, bit for
 * bit; the four chains of additions overlap instead of waiting on each other). Eight lanes are
 * one vector (GCC/Clang vector extensions; a machine without 256-bit vectors splits them). */
#if defined(__GNUC__)
typedef float hn_v8f __attribute__((vector_size(32), aligned(4), may_alias));

static inline void hn_dot8_4(const float *const a[4], const float *const b[4], int64_t D, float out[4]) {
  hn_v8f acc0 = {0}, acc1 = {0}, acc2 = {0}, acc3 = {0};
  int64_t e = 0;
  for (; e + 8 <= D; e += 8) {
    acc0 += *(const hn_v8f *)(a[0] + e) * *(const hn_v8f *)(b[0] + e);
    acc1 += *(const hn_v8f *)(a[1] + e) * *(const hn_v8f *)(b[1] + e);
    acc2 += *(const hn_v8f *)(a[2] + e) * *(const hn_v8f *)(b[2] + e);
    acc3 += *(const hn_v8f *)(a[3] + e) * *(const hn_v8f *)(b[3] + e);
  }
  const hn_v8f acc[4] = {acc0, acc1, acc2, acc3};
  for (int p = 0; p < 4; p++) {
    float dot = ((acc[p][0] + acc[p][4]) + (acc[p][1] + acc[p][5])) + ((acc[p][2] + acc[p][6]) + (acc[p][3] + acc[p][7]));
    for (int64_t f = e; f < D; f++) dot += a[p][f] * b[p][f];
    out[p] = dot;
  }
}
#else
static inline void hn_dot8_4(const float *const a[4], const float *const b[4], int64_t D, float out[4]) {
  for (int p = 0; p < 4; p++) out[p] = hn_dot8(a[p], b[p], D);
}
#endif

#endif
