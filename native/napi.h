/* N-API helpers shared by hardneg's bindings (binding.c, layerBindings.c): argument reading and extent checks. */
#ifndef HARDNEG_NAPI_H
#define HARDNEG_NAPI_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels.h"

#define FAIL(env, msg)                    \
  do {                                    \
    napi_throw_error((env), NULL, (msg)); \
    return NULL;                          \
  } while (0)

/* Reads up to `max` arguments; returns their count, or -1. */
static inline int args(napi_env env, napi_callback_info info, napi_value *argv, size_t max) {
  size_t argc = max;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  return (int)argc;
}

typedef struct {
  void *data;
  size_t length;
} array_t;

static inline bool get_array(napi_env env, napi_value value, napi_typedarray_type want, array_t *out) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &out->length, &out->data, &buffer, &offset) != napi_ok) return false;
  return type == want;
}

static inline bool get_floats(napi_env env, napi_value value, array_t *out) { return get_array(env, value, napi_float32_array, out); }

static inline bool get_int(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok && *out >= 0 && *out <= INT32_MAX;
}

static inline bool get_number(napi_env env, napi_value value, double *out) { return napi_get_value_double(env, value, out) == napi_ok; }

static inline bool get_bool(napi_env env, napi_value value, bool *out) { return napi_get_value_bool(env, value, out) == napi_ok; }

static inline bool is_null(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

/* Does a row-major [rows, cols] matrix repeated batch times, stride apart, fit in length? */
static inline bool fits(size_t length, int64_t rows, int64_t cols, int64_t stride, int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return true;
  return (uint64_t)((batch - 1) * stride + rows * cols) <= length;
}

static inline bool get_conv(napi_env env, napi_value value, hn_conv_t *conv) {
  array_t ints;
  if (!get_array(env, value, napi_int32_array, &ints) || ints.length != 14) return false;
  const int32_t *v = (const int32_t *)ints.data;
  int64_t *f = &conv->B;
  for (int i = 0; i < 14; i++) {
    if (v[i] < 0) return false;
    f[i] = v[i];
  }
  return conv->sH > 0 && conv->sW > 0 && conv->dH > 0 && conv->dW > 0;
}

static inline bool get_ints(napi_env env, napi_value value, array_t *out) { return get_array(env, value, napi_int32_array, out); }

/* Adds layerBindings.c's functions to the addon's exports; false on failure. */
bool hn_define_layer_bindings(napi_env env, napi_value exports);

#endif
