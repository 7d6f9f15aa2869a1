/* In-place updates of weights and optimizer slots: y = a·y + b·x, and SGD with momentum; see kernels.h. */
#include "hot.h"
#include "kernels.h"
#include "pool.h"

typedef struct {
  float *y, *v;
  const float *x;
  float a, b;
  int nesterov;
} update_job;

HOT static void axpby_part(void *ctx, int64_t begin, int64_t end) {
  const update_job *j = ctx;
  float *y = j->y;
  const float *x = j->x;
  const float a = j->a, b = j->b;
  for (int64_t i = begin; i < end; i++) y[i] = a * y[i] + b * x[i];
}

void hn_axpby(float *y, float a, const float *x, float b, size_t n) {
  update_job j = {y, NULL, x, a, b, 0};
  hn_parallel((int64_t)n, GRAIN, axpby_part, &j);
}

/* y is w, v the velocity, x the gradient, a the learning rate, b the momentum. */
HOT static void momentum_part(void *ctx, int64_t begin, int64_t end) {
  const update_job *j = ctx;
  float *w = j->y, *v = j->v;
  const float *g = j->x;
  const float lr = j->a, m = j->b;
  if (j->nesterov) {
    for (int64_t i = begin; i < end; i++) {
      const float acc = m * v[i] + g[i];
      v[i] = acc;
      w[i] -= lr * (g[i] + m * acc);
    }
  } else {
    for (int64_t i = begin; i < end; i++) {
      const float acc = m * v[i] + g[i];
      v[i] = acc;
      w[i] -= lr * acc;
    }
  }
}

void hn_momentum(float *w, float *v, const float *g, float lr, float m, int nesterov, size_t n) {
  update_job j = {w, v, g, lr, m, nesterov};
  hn_parallel((int64_t)n, GRAIN, momentum_part, &j);
}
