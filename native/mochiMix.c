/*
 * MoCHi's mix for every query (parallel over queries): the queue rows of its drawn hard negatives,
 * the pair dots c = n_i·n_j, d = q·n_k, the weights of the logit-space form and the synthetic
 * logits [B, s + s′] from the query's queue logits. The formulas are in
 * src/engine/host/mochiMix.ts (the JavaScript twin); the sums run in the order TensorFlow.js's
 * ops ran them before this kernel existed.
 */
#include "mochiMix.h"

#include <math.h>

#include "dot8.h"
#include "hot.h"
#include "pool.h"


static inline double mix_norm(double w, double dot) {
  const double norm = sqrt(w * w + (1 - w) * (1 - w) + 2 * w * (1 - w) * dot);
  return norm > 1e-12 ? norm : 1e-12;
}

/* wx[t] = w_t / ‖…‖ and wy[t] = (1 − w_t) / ‖…‖ with ‖…‖² = w² + (1 − w)² + 2w(1 − w)·dot[t], for n
 * mixtures (a loop of its own, so that the square roots and divisions vectorise). */
static inline void mix_weights(const double *restrict w, const float *restrict dot, float *restrict wx, float *restrict wy, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    const double norm = mix_norm(w[t], dot[t]);
    wx[t] = (float)(w[t] / norm);
    wy[t] = (float)((1 - w[t]) / norm);
  }
}

HOT static void mix_part(void *ctx, int64_t begin, int64_t end) {
  const hn_mix_job *j = ctx;
  const int64_t K = j->K, N = j->N, s = j->s, sp = j->sp, D = j->D, S = s + sp;
  for (int64_t b = begin; b < end; b++) {
    const int32_t *hard = j->hardest + b * N;
    const float *score = j->scores + b * K;
    const int64_t x0 = b * s, y0 = b * sp;
    for (int64_t t = 0; t < s; t++) {
      j->rowI[x0 + t] = hard[j->di[x0 + t]];
      j->rowJ[x0 + t] = hard[j->dj[x0 + t]];
    }
    int64_t t = 0;
    for (; t + 4 <= s; t += 4) {
      const float *a[4], *c[4];
      for (int p = 0; p < 4; p++) {
        a[p] = j->rows + (int64_t)j->rowI[x0 + t + p] * D;
        c[p] = j->rows + (int64_t)j->rowJ[x0 + t + p] * D;
      }
      hn_dot8_4(a, c, D, j->c + x0 + t);
    }
    for (; t < s; t++) j->c[x0 + t] = hn_dot8(j->rows + (int64_t)j->rowI[x0 + t] * D, j->rows + (int64_t)j->rowJ[x0 + t] * D, D);
    mix_weights(j->alpha + x0, j->c + x0, j->wA + x0, j->wB + x0, s);
    for (int64_t t = 0; t < s; t++) {
      const float la = score[j->rowI[x0 + t]] * j->wA[x0 + t], lb = score[j->rowJ[x0 + t]] * j->wB[x0 + t];
      j->logits[b * S + t] = la + lb;
    }
    for (int64_t t = 0; t < sp; t++) {
      const int32_t rk = hard[j->dk[y0 + t]];
      j->rowK[y0 + t] = rk;
      j->d[y0 + t] = (float)(score[rk] / j->scale);
    }
    mix_weights(j->beta + y0, j->d + y0, j->wQ + y0, j->wD + y0, sp);
    for (int64_t t = 0; t < sp; t++) {
      const float lq = j->qq[b] * j->wQ[y0 + t], ld = score[j->rowK[y0 + t]] * j->wD[y0 + t];
      j->logits[b * S + s + t] = lq + ld;
    }
  }
}

void hn_mochi_mix(const hn_mix_job *job, int64_t B) { hn_parallel(B, 8, mix_part, (void *)job); }
