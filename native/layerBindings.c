/*
 * The addon's bindings for layer kernels: broadcast arithmetic and reductions on strided views
 * (strided.c), convolutions (convolution.c), pooling (pooling.c) and batch normalization (batchNorm.c). As in binding.c, every
 * function checks that the extents it touches lie inside its arrays, so a wrong call throws
 * instead of corrupting memory; src/engine/native/addon.ts documents each function.
 */
#include "convolution.h"
#include "napi.h"

/* Reads an Int32Array of nd = length <= HN_MAX_DIMS non-negative values into out. */
static bool get_dims(napi_env env, napi_value value, int64_t *out, int *nd) {
  array_t a;
  if (!get_ints(env, value, &a) || a.length < 1 || a.length > HN_MAX_DIMS) return false;
  const int32_t *v = (const int32_t *)a.data;
  for (size_t d = 0; d < a.length; d++) {
    if (v[d] < 0) return false;
    out[d] = v[d];
  }
  *nd = (int)a.length;
  return true;
}

/* Does a view of `shape` with these strides stay inside an array of `length`, its last stride 0 or 1? */
static bool view_fits(size_t length, const int64_t *shape, const int64_t *strides, int nd) {
  uint64_t last = 0;
  for (int d = 0; d < nd; d++) last += (uint64_t)(shape[d] - 1) * (uint64_t)strides[d];
  return strides[nd - 1] <= 1 && last < length;
}

static napi_value binary_strided(napi_env env, napi_callback_info info) {
  napi_value v[7];
  int64_t op, as[HN_MAX_DIMS], bs[HN_MAX_DIMS], shape[HN_MAX_DIMS];
  int na, nb, nd;
  array_t A, B, Y;
  if (args(env, info, v, 7) != 7 || !get_int(env, v[0], &op) || op >= B_COUNT || !get_floats(env, v[1], &A) || !get_dims(env, v[2], as, &na) ||
      !get_floats(env, v[3], &B) || !get_dims(env, v[4], bs, &nb) || !get_floats(env, v[5], &Y) || !get_dims(env, v[6], shape, &nd))
    FAIL(env, "binaryStrided: expected (op, a, aStrides, b, bStrides, out, shape), strides and shape Int32Arrays of 1 to 8 sizes");
  if (na != nd || nb != nd) FAIL(env, "binaryStrided: strides and shape differ in length");
  uint64_t size = 1;
  for (int d = 0; d < nd; d++) size *= (uint64_t)shape[d];
  if (Y.length != size) FAIL(env, "binaryStrided: out's length is not the product of shape");
  if (size == 0) return NULL;
  if (!view_fits(A.length, shape, as, nd) || !view_fits(B.length, shape, bs, nd)) FAIL(env, "binaryStrided: an operand's view extends past its array");
  hn_binary_strided((int)op, (const float *)A.data, as, (const float *)B.data, bs, (float *)Y.data, shape, nd);
  return NULL;
}

static napi_value reduce_axes(napi_env env, napi_callback_info info) {
  napi_value v[5];
  int64_t op, shape[HN_MAX_DIMS], mask[HN_MAX_DIMS];
  int nd, nm, reduced[HN_MAX_DIMS];
  array_t X, Y;
  if (args(env, info, v, 5) != 5 || !get_int(env, v[0], &op) || op >= R_COUNT || !get_floats(env, v[1], &X) || !get_floats(env, v[2], &Y) ||
      !get_dims(env, v[3], shape, &nd) || !get_dims(env, v[4], mask, &nm))
    FAIL(env, "reduceAxes: expected (op, x, out, shape, reduced), shape and reduced Int32Arrays of 1 to 8 sizes");
  if (nm != nd) FAIL(env, "reduceAxes: shape and reduced differ in length");
  uint64_t size = 1, kept = 1;
  for (int d = 0; d < nd; d++) {
    reduced[d] = mask[d] != 0;
    size *= (uint64_t)shape[d];
    if (!reduced[d]) kept *= (uint64_t)shape[d];
  }
  if (size == 0) FAIL(env, "reduceAxes: empty extent");
  if (X.length != size || Y.length != kept) FAIL(env, "reduceAxes: lengths do not match the shape");
  if (hn_reduce_axes((int)op, (const float *)X.data, (float *)Y.data, shape, reduced, nd) != 0) FAIL(env, "reduceAxes: out of memory");
  return NULL;
}

/* conv2d(x, w, y, info, Co, chunk), conv2dInputGrad(dy, w, dx, info, Co, chunk), conv2dFilterGrad(x, dy, dw, info, Co, chunk). */
static napi_value convolution(napi_env env, napi_callback_info info, int kind) {
  napi_value v[6];
  array_t A, B, OUT;
  hn_conv_t p;
  int64_t Co, chunk;
  if (args(env, info, v, 6) != 6 || !get_floats(env, v[0], &A) || !get_floats(env, v[1], &B) || !get_floats(env, v[2], &OUT) || !get_conv(env, v[3], &p) ||
      !get_int(env, v[4], &Co) || !get_int(env, v[5], &chunk) || Co < 1 || chunk < 1)
    FAIL(env, "conv2d: expected three Float32Arrays, an Int32Array of 14 sizes, Co >= 1 and chunk >= 1");
  const uint64_t image = (uint64_t)(p.B * p.H * p.W * p.C), out = (uint64_t)(p.B * p.OH * p.OW * Co), filter = (uint64_t)(p.KH * p.KW * p.C * Co);
  /* Expected lengths of the three arrays, by kind: forward, input grad, filter grad. */
  const uint64_t want[3][3] = {{image, filter, out}, {out, filter, image}, {image, out, filter}};
  if (A.length != want[kind][0] || B.length != want[kind][1] || OUT.length != want[kind][2]) FAIL(env, "conv2d: array lengths do not match the geometry");
  const float *a = (const float *)A.data, *b = (const float *)B.data;
  float *o = (float *)OUT.data;
  const int failed = kind == 0 ? hn_conv_forward(&p, a, b, Co, o, chunk) : kind == 1 ? hn_conv_input_grad(&p, a, b, Co, o, chunk) : hn_conv_filter_grad(&p, a, b, Co, o, chunk);
  if (failed) FAIL(env, "conv2d: out of memory");
  return NULL;
}

static napi_value conv2d(napi_env env, napi_callback_info info) { return convolution(env, info, 0); }
static napi_value conv2d_input_grad(napi_env env, napi_callback_info info) { return convolution(env, info, 1); }
static napi_value conv2d_filter_grad(napi_env env, napi_callback_info info) { return convolution(env, info, 2); }

/* avgPool(x, y, info), avgPoolGrad(dy, dx, info), maxPool(x, y, info), maxPoolGrad(x, dy, dx, info). */
static napi_value pooling(napi_env env, napi_callback_info info, int kind) {
  napi_value v[4];
  const int n = kind == 3 ? 4 : 3;
  array_t X, DY, OUT;
  hn_conv_t p;
  const bool ok = args(env, info, v, 4) == n && get_floats(env, v[0], kind == 1 ? &DY : &X) && (kind != 3 || get_floats(env, v[1], &DY)) &&
                  get_floats(env, v[n - 2], &OUT) && get_conv(env, v[n - 1], &p);
  if (!ok) FAIL(env, "pooling: expected Float32Arrays and an Int32Array of 14 sizes");
  if (p.dH != 1 || p.dW != 1 || p.KH < 1 || p.KW < 1) FAIL(env, "pooling: dilations must be 1 and the window non-empty");
  const uint64_t image = (uint64_t)(p.B * p.H * p.W * p.C), pooled = (uint64_t)(p.B * p.OH * p.OW * p.C);
  const bool fits_x = kind == 1 || X.length == image, fits_dy = (kind != 1 && kind != 3) || DY.length == pooled;
  if (!fits_x || !fits_dy || OUT.length != (kind == 0 || kind == 2 ? pooled : image)) FAIL(env, "pooling: array lengths do not match the geometry");
  if (kind == 0) hn_avg_pool(&p, (const float *)X.data, (float *)OUT.data);
  else if (kind == 1) hn_avg_pool_grad(&p, (const float *)DY.data, (float *)OUT.data);
  else if (kind == 2) hn_max_pool(&p, (const float *)X.data, (float *)OUT.data);
  else if (hn_max_pool_grad(&p, (const float *)X.data, (const float *)DY.data, (float *)OUT.data) != 0) FAIL(env, "maxPoolGrad: out of memory");
  return NULL;
}

static napi_value avg_pool(napi_env env, napi_callback_info info) { return pooling(env, info, 0); }
static napi_value avg_pool_grad(napi_env env, napi_callback_info info) { return pooling(env, info, 1); }
static napi_value max_pool(napi_env env, napi_callback_info info) { return pooling(env, info, 2); }
static napi_value max_pool_grad(napi_env env, napi_callback_info info) { return pooling(env, info, 3); }

/* Checks x [G, N, C] and the [G, C] / [C] arrays of a batch normalization; sets N. */
static bool bn_sizes(const array_t *X, int64_t G, int64_t C, const array_t *gc1, const array_t *gc2, const array_t *c1, const array_t *c2, int64_t *N) {
  if (G < 1 || C < 1 || X->length % (uint64_t)(G * C) != 0) return false;
  *N = (int64_t)(X->length / (uint64_t)(G * C));
  return *N >= 1 && gc1->length == (uint64_t)(G * C) && gc2->length == (uint64_t)(G * C) && c1->length == (uint64_t)C && c2->length == (uint64_t)C;
}

static napi_value batch_norm(napi_env env, napi_callback_info info) {
  napi_value v[9];
  int64_t G, C, N;
  double eps;
  array_t X, GAMMA, BETA, Y, MEAN, VAR;
  if (args(env, info, v, 9) != 9 || !get_floats(env, v[0], &X) || !get_floats(env, v[1], &GAMMA) || !get_floats(env, v[2], &BETA) ||
      !get_number(env, v[3], &eps) || !get_int(env, v[4], &G) || !get_int(env, v[5], &C) || !get_floats(env, v[6], &Y) || !get_floats(env, v[7], &MEAN) ||
      !get_floats(env, v[8], &VAR))
    FAIL(env, "batchNorm: expected (x, gamma, beta, epsilon, groups, channels, y, mean, variance)");
  if (!bn_sizes(&X, G, C, &MEAN, &VAR, &GAMMA, &BETA, &N) || Y.length != X.length) FAIL(env, "batchNorm: lengths do not match groups and channels");
  if (hn_batch_norm((const float *)X.data, (const float *)GAMMA.data, (const float *)BETA.data, (float)eps, G, N, C, (float *)Y.data, (float *)MEAN.data,
                    (float *)VAR.data) != 0)
    FAIL(env, "batchNorm: out of memory");
  return NULL;
}

static napi_value batch_norm_grad(napi_env env, napi_callback_info info) {
  napi_value v[11];
  int64_t G, C, N;
  double eps;
  array_t DY, X, MEAN, VAR, GAMMA, DX, DGAMMA, DBETA;
  if (args(env, info, v, 11) != 11 || !get_floats(env, v[0], &DY) || !get_floats(env, v[1], &X) || !get_floats(env, v[2], &MEAN) ||
      !get_floats(env, v[3], &VAR) || !get_floats(env, v[4], &GAMMA) || !get_number(env, v[5], &eps) || !get_int(env, v[6], &G) ||
      !get_int(env, v[7], &C) || !get_floats(env, v[8], &DX) || !get_floats(env, v[9], &DGAMMA) || !get_floats(env, v[10], &DBETA))
    FAIL(env, "batchNormGrad: expected (dy, x, mean, variance, gamma, epsilon, groups, channels, dx, dgamma, dbeta)");
  if (!bn_sizes(&X, G, C, &MEAN, &VAR, &GAMMA, &DGAMMA, &N) || DBETA.length != (uint64_t)C || DY.length != X.length || DX.length != X.length)
    FAIL(env, "batchNormGrad: lengths do not match groups and channels");
  if (hn_batch_norm_grad((const float *)DY.data, (const float *)X.data, (const float *)MEAN.data, (const float *)VAR.data, (const float *)GAMMA.data,
                         (float)eps, G, N, C, (float *)DX.data, (float *)DGAMMA.data, (float *)DBETA.data) != 0)
    FAIL(env, "batchNormGrad: out of memory");
  return NULL;
}

bool hn_define_layer_bindings(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"binaryStrided", NULL, binary_strided, NULL, NULL, NULL, napi_default_method, NULL},
      {"reduceAxes", NULL, reduce_axes, NULL, NULL, NULL, napi_default_method, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_default_method, NULL},
      {"conv2dInputGrad", NULL, conv2d_input_grad, NULL, NULL, NULL, napi_default_method, NULL},
      {"conv2dFilterGrad", NULL, conv2d_filter_grad, NULL, NULL, NULL, napi_default_method, NULL},
      {"avgPool", NULL, avg_pool, NULL, NULL, NULL, napi_default_method, NULL},
      {"avgPoolGrad", NULL, avg_pool_grad, NULL, NULL, NULL, napi_default_method, NULL},
      {"maxPool", NULL, max_pool, NULL, NULL, NULL, napi_default_method, NULL},
      {"maxPoolGrad", NULL, max_pool_grad, NULL, NULL, NULL, napi_default_method, NULL},
      {"batchNorm", NULL, batch_norm, NULL, NULL, NULL, napi_default_method, NULL},
      {"batchNormGrad", NULL, batch_norm_grad, NULL, NULL, NULL, napi_default_method, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
