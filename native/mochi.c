/*
 * MoCHi's host work in the addon, fused (the JavaScript twin is src/engine/host/mochiMix.ts; both
 * give the same numbers, see there for the formulas):
 * - draws from xoshiro128** (src/engine/random.ts): the same stream, advanced in place;
 * - mix: mochiMix.c, checked and called here;
 * - scatter: the backward pass, added to the gradient dNeg [B, K] the queue logits already have
 *   (the same sums as a dense scatter and an element-wise Add), and dqq [B].
 * Sums run in the order TensorFlow.js's ops ran them before this kernel existed, so the values and
 * gradients are bit for bit those of the composed ops.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hot.h"
#include "mochi.h"
#include "mochiMix.h"
#include "napi.h"
#include "pool.h"

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t next_u32(uint32_t *s) {
  const uint32_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/* Rng.intArray(n, max): floor(u / 2³² · max). For max < 2²¹ the double product is exact (< 2⁵³),
 * so it equals (u·max) >> 32 in integers. The state lives in locals while drawing (the out array
 * may alias it as far as the compiler knows). */
static void draw_ints(uint32_t *state, int32_t *out, size_t n, int64_t max) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  if (max < (1 << 21))
    for (size_t i = 0; i < n; i++) out[i] = (int32_t)(((uint64_t)next_u32(s) * (uint64_t)max) >> 32);
  else
    for (size_t i = 0; i < n; i++) out[i] = (int32_t)floor(next_u32(s) / 4294967296.0 * (double)max);
  memcpy(state, s, sizeof(s));
}

/* Rng.uniformArray(n, lo, hi): lo + (hi − lo)·u, rounded to float32. */
static void draw_uniform(uint32_t *state, float *out, size_t n, double lo, double hi) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  for (size_t i = 0; i < n; i++) out[i] = (float)(lo + (hi - lo) * (next_u32(s) / 4294967296.0));
  memcpy(state, s, sizeof(s));
}

/* A typed array of the wanted type and exactly `length` elements. */
static bool get_sized(napi_env env, napi_value value, napi_typedarray_type want, size_t length, void **data) {
  array_t a;
  if (!get_array(env, value, want, &a) || a.length != length) return false;
  *data = a.data;
  return true;
}

typedef struct {
  int64_t K, s, sp;
  const float *dy; /* [B, s + s′] */
  const int32_t *rowI, *rowJ, *rowK;
  const float *wA, *wB, *wQ, *wD;
  float *dneg, *dqq;
  int failed;
} scatter_job;

/* One query's row of the scatter into `row` (zeroed here), and dqq[b]. */
static inline void scatter_row(const scatter_job *j, int64_t b, float *row) {
  const int64_t K = j->K, s = j->s, sp = j->sp;
  const float *dy = j->dy + b * (s + sp);
  memset(row, 0, (size_t)K * sizeof(float));
  /* The old gather's gradient summed the a terms, then the b terms, then the d terms. */
  for (int64_t t = 0; t < s; t++) row[j->rowI[b * s + t]] += dy[t] * j->wA[b * s + t];
  for (int64_t t = 0; t < s; t++) row[j->rowJ[b * s + t]] += dy[t] * j->wB[b * s + t];
  for (int64_t t = 0; t < sp; t++) row[j->rowK[b * sp + t]] += dy[s + t] * j->wD[b * sp + t];
  if (j->dqq != NULL) {
    float acc = 0;
    for (int64_t t = 0; t < sp; t++) acc += dy[s + t] * j->wQ[b * sp + t];
    j->dqq[b] = acc;
  }
}

/* dst[k] = dst[k] + src[k]: the element-wise Add of the dense scatter, bit for bit (−0 + 0 included). */
HOT static void add_row(float *restrict dst, const float *restrict src, int64_t K) {
  for (int64_t k = 0; k < K; k++) dst[k] = dst[k] + src[k];
}

/* Each query's scatter row, in cache, added to its dNeg row: no dense [B, K] scatter. */
static void scatter_add_part(void *ctx, int64_t begin, int64_t end) {
  scatter_job *j = ctx;
  float *scratch = malloc((size_t)j->K * sizeof(float));
  if (scratch == NULL) {
    j->failed = 1;
    return;
  }
  for (int64_t b = begin; b < end; b++) {
    scatter_row(j, b, scratch);
    add_row(j->dneg + b * j->K, scratch, j->K);
  }
  free(scratch);
}

/* rngInts(state Uint32Array(4), out Int32Array, max) and rngUniform(state, out Float32Array, lo, hi). */
static napi_value rng_fill(napi_env env, napi_callback_info info, bool ints) {
  size_t argc = 4;
  napi_value v[4];
  array_t S, OUT;
  double lo = 0, hi = 0;
  int64_t max = 0;
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc != (ints ? 3 : 4) ||
      !get_array(env, v[0], napi_uint32_array, &S) || S.length != 4 ||
      !get_array(env, v[1], ints ? napi_int32_array : napi_float32_array, &OUT) ||
      !(ints ? get_int(env, v[2], &max) && max > 0 : get_number(env, v[2], &lo) && get_number(env, v[3], &hi)))
    FAIL(env, ints ? "rngInts: expected (state Uint32Array(4), out Int32Array, max >= 1)" : "rngUniform: expected (state Uint32Array(4), out Float32Array, lo, hi)");
  if (ints) draw_ints(S.data, OUT.data, OUT.length, max);
  else draw_uniform(S.data, OUT.data, OUT.length, lo, hi);
  return NULL;
}

static napi_value rng_ints(napi_env env, napi_callback_info info) { return rng_fill(env, info, true); }
static napi_value rng_uniform(napi_env env, napi_callback_info info) { return rng_fill(env, info, false); }

/* Reads sizes [B, K, N, s, s′, D] and checks them. */
static bool get_sizes(napi_env env, napi_value value, int64_t *B, int64_t *K, int64_t *N, int64_t *s, int64_t *sp, int64_t *D) {
  array_t A;
  if (!get_array(env, value, napi_int32_array, &A) || A.length != 6) return false;
  const int32_t *z = A.data;
  for (int i = 0; i < 6; i++)
    if (z[i] < 0) return false;
  *B = z[0], *K = z[1], *N = z[2], *s = z[3], *sp = z[4], *D = z[5];
  return *N >= 1 && *N <= *K;
}

/* mochiMix(sizes, scores, scale, rows, hardest, i, j, alpha, k, beta, qq | null,
 *          rowI, rowJ, rowK, c, d, wA, wB, wQ, wD, logits) */
static napi_value mochi_mix(napi_env env, napi_callback_info info) {
  size_t argc = 21;
  napi_value v[21];
  int64_t B, K, N, s, sp, D;
  hn_mix_job j;
  void *p[21];
  const char *usage = "mochiMix: expected (sizes Int32Array [B, K, N, s, s', D], scores [B·K], scale, rows [K·D], hardest Int32Array [B·N], i, j Int32Array [B·s], "
                      "alpha Float64Array [B·s], k Int32Array [B·s'], beta Float64Array [B·s'], qq [B] or null, rowI, rowJ Int32Array [B·s], rowK Int32Array [B·s'], "
                      "c [B·s], d [B·s'], wA, wB [B·s], wQ, wD [B·s'], logits [B·(s+s')])";
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc != 21 || !get_sizes(env, v[0], &B, &K, &N, &s, &sp, &D) ||
      !get_number(env, v[2], &j.scale))
    FAIL(env, usage);
  const size_t bs = (size_t)(B * s), bp = (size_t)(B * sp);
  const struct {
    int at;
    napi_typedarray_type type;
    size_t length;
  } want[] = {
      {1, napi_float32_array, (size_t)(B * K)}, {3, napi_float32_array, (size_t)(K * D)}, {4, napi_int32_array, (size_t)(B * N)},
      {5, napi_int32_array, bs}, {6, napi_int32_array, bs}, {7, napi_float64_array, bs}, {8, napi_int32_array, bp}, {9, napi_float64_array, bp},
      {11, napi_int32_array, bs}, {12, napi_int32_array, bs}, {13, napi_int32_array, bp}, {14, napi_float32_array, bs}, {15, napi_float32_array, bp},
      {16, napi_float32_array, bs}, {17, napi_float32_array, bs}, {18, napi_float32_array, bp}, {19, napi_float32_array, bp},
      {20, napi_float32_array, (size_t)(B * (s + sp))},
  };
  for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
    if (!get_sized(env, v[want[w].at], want[w].type, want[w].length, &p[want[w].at])) FAIL(env, usage);
  p[10] = NULL;
  if (!is_null(env, v[10]) && !get_sized(env, v[10], napi_float32_array, (size_t)B, &p[10])) FAIL(env, usage);
  if (sp > 0 && p[10] == NULL) FAIL(env, "mochiMix: qq is needed when s' > 0");
  const int32_t *hardest = p[4], *di = p[5], *dj = p[6], *dk = p[8];
  for (size_t x = 0; x < (size_t)(B * N); x++)
    if (hardest[x] < 0 || hardest[x] >= K) FAIL(env, "mochiMix: a hardest index is out of range");
  for (size_t x = 0; x < bs; x++)
    if (di[x] < 0 || di[x] >= N || dj[x] < 0 || dj[x] >= N) FAIL(env, "mochiMix: a drawn rank is out of range");
  for (size_t x = 0; x < bp; x++)
    if (dk[x] < 0 || dk[x] >= N) FAIL(env, "mochiMix: a drawn rank is out of range");
  j = (hn_mix_job){K, N, s, sp, D, p[1], j.scale, p[3], hardest, di, dj, dk, p[7], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18], p[19], p[20]};
  hn_mochi_mix(&j, B);
  return NULL;
}

/* mochiScatterAdd(sizes, dy [B·(s+s')], rowI, rowJ, rowK, wA, wB, wQ, wD, dNeg [B·K], dqq [B] or null): dNeg += the scatter. */
static napi_value mochi_scatter_add(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value v[11];
  int64_t B, K, N, s, sp, D;
  void *p[11];
  const char *usage = "mochiScatterAdd: expected (sizes Int32Array [B, K, N, s, s', D], dy [B·(s+s')], rowI, rowJ Int32Array [B·s], rowK Int32Array [B·s'], "
                      "wA, wB [B·s], wQ, wD [B·s'], dNeg [B·K], dqq [B] or null)";
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc != 11 || !get_sizes(env, v[0], &B, &K, &N, &s, &sp, &D)) FAIL(env, usage);
  const size_t bs = (size_t)(B * s), bp = (size_t)(B * sp);
  const struct {
    int at;
    napi_typedarray_type type;
    size_t length;
  } want[] = {
      {1, napi_float32_array, (size_t)(B * (s + sp))}, {2, napi_int32_array, bs}, {3, napi_int32_array, bs}, {4, napi_int32_array, bp},
      {5, napi_float32_array, bs}, {6, napi_float32_array, bs}, {7, napi_float32_array, bp}, {8, napi_float32_array, bp},
      {9, napi_float32_array, (size_t)(B * K)},
  };
  for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
    if (!get_sized(env, v[want[w].at], want[w].type, want[w].length, &p[want[w].at])) FAIL(env, usage);
  p[10] = NULL;
  if (!is_null(env, v[10]) && !get_sized(env, v[10], napi_float32_array, (size_t)B, &p[10])) FAIL(env, usage);
  const int32_t *rows[3] = {p[2], p[3], p[4]};
  const size_t counts[3] = {bs, bs, bp};
  for (int r = 0; r < 3; r++)
    for (size_t x = 0; x < counts[r]; x++)
      if (rows[r][x] < 0 || rows[r][x] >= K) FAIL(env, "mochiScatterAdd: a queue row is out of range");
  scatter_job j = {K, s, sp, p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], 0};
  hn_parallel(B, 8, scatter_add_part, &j);
  if (j.failed) FAIL(env, "mochiScatterAdd: out of memory");
  return NULL;
}


bool hn_define_mochi_bindings(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"rngInts", NULL, rng_ints, NULL, NULL, NULL, napi_default_method, NULL},
      {"rngUniform", NULL, rng_uniform, NULL, NULL, NULL, napi_default_method, NULL},
      {"mochiMix", NULL, mochi_mix, NULL, NULL, NULL, napi_default_method, NULL},
      {"mochiScatterAdd", NULL, mochi_scatter_add, NULL, NULL, NULL, napi_default_method, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
