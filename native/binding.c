/*
 * hardneg's native addon: N-API bindings over OpenBLAS (matrix products) and kernels.c (the
 * other loops). Every array is a Float32Array (any offset into its buffer); every function checks
 * that the extents it touches lie inside its arrays, so a wrong call throws instead of corrupting
 * memory. The JavaScript side (src/engine/native/addon.ts) documents each function.
 */
#include <cblas.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels.h"
#include "mochi.h"
#include "opcodes.h"
#include "napi.h"
#include "pool.h"

static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value v[13];
  bool ta, tb;
  int64_t M, N, K, sA, sB, batch;
  double alpha, beta;
  array_t A, B, C;
  if (args(env, info, v, 13) != 13 || !get_bool(env, v[0], &ta) || !get_bool(env, v[1], &tb) || !get_int(env, v[2], &M) ||
      !get_int(env, v[3], &N) || !get_int(env, v[4], &K) || !get_number(env, v[5], &alpha) || !get_floats(env, v[6], &A) ||
      !get_int(env, v[7], &sA) || !get_floats(env, v[8], &B) || !get_int(env, v[9], &sB) || !get_number(env, v[10], &beta) ||
      !get_floats(env, v[11], &C) || !get_int(env, v[12], &batch))
    FAIL(env, "gemm: expected (transA, transB, M, N, K, alpha, A, strideA, B, strideB, beta, C, batch)");
  if (!fits(A.length, M, K, sA, batch) || !fits(B.length, K, N, sB, batch) || !fits(C.length, M, N, M * N, batch))
    FAIL(env, "gemm: a matrix extends past the end of its array");
  if (M == 0 || N == 0 || batch == 0) return NULL;
  const float *a = (const float *)A.data, *b = (const float *)B.data;
  float *c = (float *)C.data;
  if (K == 0) {
    for (int64_t i = 0; i < batch * M * N; i++) c[i] = beta == 0 ? 0.0f : (float)beta * c[i];
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, (float)alpha,
                a + i * sA, ta ? (int)M : (int)K, b + i * sB, tb ? (int)K : (int)N, (float)beta, c + i * M * N, (int)N);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  napi_value v[1];
  int64_t n;
  if (args(env, info, v, 1) != 1 || !get_int(env, v[0], &n) || n < 1 || n > 1024) FAIL(env, "setThreads: expected an integer in [1, 1024]");
  openblas_set_num_threads((int)n);
  if (hn_set_threads((int)n) != 0) FAIL(env, "setThreads: could not start the worker threads");
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  const int blas = openblas_get_num_threads(), loops = hn_threads();
  if (napi_create_int32(env, blas < loops ? blas : loops, &out) != napi_ok) return NULL;
  return out;
}

static napi_value unary(napi_env env, napi_callback_info info) {
  napi_value v[4];
  int64_t op;
  double alpha;
  array_t X, Y;
  if (args(env, info, v, 4) != 4 || !get_int(env, v[0], &op) || op >= U_COUNT || !get_floats(env, v[1], &X) || !get_floats(env, v[2], &Y) ||
      !get_number(env, v[3], &alpha))
    FAIL(env, "unary: expected (op, x, out, alpha)");
  if (X.length != Y.length) FAIL(env, "unary: x and out differ in length");
  hn_unary((int)op, (const float *)X.data, (float *)Y.data, X.length, (float)alpha);
  return NULL;
}

static napi_value binary(napi_env env, napi_callback_info info) {
  napi_value v[8];
  int64_t op, am, bm, rows, cols;
  array_t A, B, Y;
  if (args(env, info, v, 8) != 8 || !get_int(env, v[0], &op) || op >= B_COUNT || !get_floats(env, v[1], &A) || !get_int(env, v[2], &am) ||
      am > M_SCALAR || !get_floats(env, v[3], &B) || !get_int(env, v[4], &bm) || bm > M_SCALAR || !get_floats(env, v[5], &Y) ||
      !get_int(env, v[6], &rows) || !get_int(env, v[7], &cols))
    FAIL(env, "binary: expected (op, a, aMode, b, bMode, out, rows, cols)");
  if (Y.length != (uint64_t)(rows * cols)) FAIL(env, "binary: out is not rows·cols long");
  if (rows * cols == 0) return NULL;
  if (A.length != (uint64_t)hn_operand_length((int)am, rows, cols) || B.length != (uint64_t)hn_operand_length((int)bm, rows, cols))
    FAIL(env, "binary: an operand's length does not match its mode");
  hn_binary((int)op, (const float *)A.data, (int)am, (const float *)B.data, (int)bm, (float *)Y.data, rows, cols);
  return NULL;
}

static napi_value reduce(napi_env env, napi_callback_info info) {
  napi_value v[6];
  int64_t op, outer, inner;
  bool inside;
  array_t X, Y;
  if (args(env, info, v, 6) != 6 || !get_int(env, v[0], &op) || op >= R_COUNT || !get_floats(env, v[1], &X) || !get_floats(env, v[2], &Y) ||
      !get_int(env, v[3], &outer) || !get_int(env, v[4], &inner) || !get_bool(env, v[5], &inside))
    FAIL(env, "reduce: expected (op, x, out, outer, inner, inside)");
  if (outer < 1 || inner < 1) FAIL(env, "reduce: empty extent");
  if (X.length != (uint64_t)(outer * inner) || Y.length != (uint64_t)(inside ? outer : inner)) FAIL(env, "reduce: lengths do not match the extents");
  if (hn_reduce((int)op, (const float *)X.data, (float *)Y.data, outer, inner, inside) != 0) FAIL(env, "reduce: out of memory");
  return NULL;
}

static napi_value softmax_rows(napi_env env, napi_callback_info info) {
  napi_value v[5];
  int64_t rows, cols;
  array_t X, Y, L = {NULL, 0};
  if (args(env, info, v, 5) != 5 || !get_floats(env, v[0], &X) || !get_floats(env, v[1], &Y) ||
      !(is_null(env, v[2]) || get_floats(env, v[2], &L)) || !get_int(env, v[3], &rows) || !get_int(env, v[4], &cols))
    FAIL(env, "softmaxRows: expected (x, out, lse or null, rows, cols)");
  if (X.length != (uint64_t)(rows * cols) || Y.length != X.length || (L.data != NULL && L.length != (uint64_t)rows))
    FAIL(env, "softmaxRows: lengths do not match rows and cols");
  if (cols == 0) return NULL;
  hn_softmax_rows((const float *)X.data, (float *)Y.data, (float *)L.data, rows, cols);
  return NULL;
}

static napi_value axpby(napi_env env, napi_callback_info info) {
  napi_value v[4];
  double a, b;
  array_t Y, X;
  if (args(env, info, v, 4) != 4 || !get_floats(env, v[0], &Y) || !get_number(env, v[1], &a) || !get_floats(env, v[2], &X) ||
      !get_number(env, v[3], &b))
    FAIL(env, "axpby: expected (y, a, x, b)");
  if (X.length != Y.length) FAIL(env, "axpby: x and y differ in length");
  hn_axpby((float *)Y.data, (float)a, (const float *)X.data, (float)b, Y.length);
  return NULL;
}

static napi_value momentum(napi_env env, napi_callback_info info) {
  napi_value v[6];
  double lr, m;
  bool nesterov;
  array_t W, V, G;
  if (args(env, info, v, 6) != 6 || !get_floats(env, v[0], &W) || !get_floats(env, v[1], &V) || !get_floats(env, v[2], &G) ||
      !get_number(env, v[3], &lr) || !get_number(env, v[4], &m) || !get_bool(env, v[5], &nesterov))
    FAIL(env, "momentum: expected (w, v, g, lr, m, nesterov)");
  if (W.length != V.length || W.length != G.length) FAIL(env, "momentum: w, v and g differ in length");
  hn_momentum((float *)W.data, (float *)V.data, (const float *)G.data, (float)lr, (float)m, nesterov, W.length);
  return NULL;
}

/* im2col(x, cols, info) when to_cols, else col2im(cols, x, info). */
static napi_value patches(napi_env env, napi_callback_info info, bool to_cols) {
  napi_value v[3];
  array_t X, COLS;
  hn_conv_t p;
  if (args(env, info, v, 3) != 3 || !get_floats(env, v[to_cols ? 0 : 1], &X) || !get_floats(env, v[to_cols ? 1 : 0], &COLS) ||
      !get_conv(env, v[2], &p))
    FAIL(env, "im2col/col2im: expected two Float32Arrays and an Int32Array of 14 sizes");
  if ((uint64_t)(p.B * p.H * p.W * p.C) != X.length || (uint64_t)(p.B * p.OH * p.OW * p.KH * p.KW * p.C) != COLS.length)
    FAIL(env, "im2col/col2im: array lengths do not match the geometry");
  if (to_cols) hn_im2col(&p, (const float *)X.data, (float *)COLS.data);
  else hn_col2im(&p, (const float *)COLS.data, (float *)X.data);
  return NULL;
}

static napi_value im2col(napi_env env, napi_callback_info info) { return patches(env, info, true); }
static napi_value col2im(napi_env env, napi_callback_info info) { return patches(env, info, false); }

static napi_value hardest(napi_env env, napi_callback_info info) {
  napi_value v[7];
  int64_t B, K, N;
  double lo, hi;
  array_t S, OUT;
  if (args(env, info, v, 7) != 7 || !get_floats(env, v[0], &S) || !get_int(env, v[1], &B) || !get_int(env, v[2], &K) || !get_int(env, v[3], &N) ||
      !get_number(env, v[4], &lo) || !get_number(env, v[5], &hi) || !get_ints(env, v[6], &OUT))
    FAIL(env, "hardest: expected (scores, B, K, N, lo, hi, out Int32Array)");
  if (N < 1 || N > K) FAIL(env, "hardest: N must be in [1, K]");
  if (S.length != (uint64_t)(B * K) || OUT.length != (uint64_t)(B * N)) FAIL(env, "hardest: lengths do not match B, K and N");
  if (hn_hardest((const float *)S.data, B, K, N, (float)lo, (float)hi, (int32_t *)OUT.data) != 0) FAIL(env, "hardest: out of memory");
  return NULL;
}

static napi_value pair_dots(napi_env env, napi_callback_info info) {
  napi_value v[5];
  int64_t D;
  array_t R, ROWS_I, ROWS_J, OUT;
  if (args(env, info, v, 5) != 5 || !get_floats(env, v[0], &R) || !get_int(env, v[1], &D) || !get_ints(env, v[2], &ROWS_I) || !get_ints(env, v[3], &ROWS_J) ||
      !get_floats(env, v[4], &OUT))
    FAIL(env, "pairDots: expected (rows, D, I Int32Array, J Int32Array, out)");
  if (ROWS_I.length != OUT.length || ROWS_J.length != OUT.length) FAIL(env, "pairDots: I, J and out differ in length");
  const uint64_t rows = D > 0 ? R.length / (uint64_t)D : 0;
  const int32_t *i = (const int32_t *)ROWS_I.data, *j = (const int32_t *)ROWS_J.data;
  for (size_t x = 0; x < OUT.length; x++)
    if (i[x] < 0 || j[x] < 0 || (uint64_t)i[x] >= rows || (uint64_t)j[x] >= rows) FAIL(env, "pairDots: a row index is out of range");
  hn_pair_dots((const float *)R.data, D, i, j, (float *)OUT.data, (int64_t)OUT.length);
  return NULL;
}

static napi_value augment(napi_env env, napi_callback_info info) {
  napi_value v[9];
  int64_t h, w, ch, taps, outH, outW;
  array_t SRC, IDX, PARAMS, OUT;
  if (args(env, info, v, 9) != 9 || !get_floats(env, v[0], &SRC) || !get_int(env, v[1], &h) || !get_int(env, v[2], &w) || !get_int(env, v[3], &ch) ||
      !get_ints(env, v[4], &IDX) || !get_array(env, v[5], napi_float64_array, &PARAMS) || !get_int(env, v[6], &taps) || !get_floats(env, v[7], &OUT) ||
      !get_int(env, v[8], &outH))
    FAIL(env, "augment: expected (src, h, w, channels, indices Int32Array, params Float64Array, taps, out, outH)");
  const int64_t n = (int64_t)IDX.length;
  if (h < 1 || w < 1 || ch < 1 || outH < 1) FAIL(env, "augment: empty image");
  outW = n > 0 ? (int64_t)(OUT.length / (uint64_t)(n * outH * ch)) : 0;
  if (OUT.length != (uint64_t)(n * outH * outW * ch) || PARAMS.length != (uint64_t)(n * (9 + taps)) || SRC.length % (uint64_t)(h * w * ch) != 0)
    FAIL(env, "augment: lengths do not match the image sizes");
  if (taps > 0 && (taps % 2 == 0 || (taps - 1) / 2 >= (outH < outW ? outH : outW))) FAIL(env, "augment: taps must be odd with a radius below each side");
  const int32_t *idx = (const int32_t *)IDX.data;
  const uint64_t images = SRC.length / (uint64_t)(h * w * ch);
  for (int64_t i = 0; i < n; i++)
    if (idx[i] < 0 || (uint64_t)idx[i] >= images) FAIL(env, "augment: an image index is out of range");
  if (hn_augment((const float *)SRC.data, h, w, ch, idx, n, (const double *)PARAMS.data, taps, (float *)OUT.data, outH, outW) != 0)
    FAIL(env, "augment: out of memory");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default_method, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default_method, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default_method, NULL},
      {"unary", NULL, unary, NULL, NULL, NULL, napi_default_method, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_default_method, NULL},
      {"reduce", NULL, reduce, NULL, NULL, NULL, napi_default_method, NULL},
      {"softmaxRows", NULL, softmax_rows, NULL, NULL, NULL, napi_default_method, NULL},
      {"axpby", NULL, axpby, NULL, NULL, NULL, napi_default_method, NULL},
      {"momentum", NULL, momentum, NULL, NULL, NULL, napi_default_method, NULL},
      {"im2col", NULL, im2col, NULL, NULL, NULL, napi_default_method, NULL},
      {"col2im", NULL, col2im, NULL, NULL, NULL, napi_default_method, NULL},
      {"hardest", NULL, hardest, NULL, NULL, NULL, napi_default_method, NULL},
      {"pairDots", NULL, pair_dots, NULL, NULL, NULL, napi_default_method, NULL},
      {"augment", NULL, augment, NULL, NULL, NULL, napi_default_method, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok || !hn_define_layer_bindings(env, exports) ||
      !hn_define_mochi_bindings(env, exports) || !hn_define_opcodes(env, exports))
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
