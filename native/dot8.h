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

#endif
