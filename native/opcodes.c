/* The code of each operation of kernels.h under the TensorFlow.js kernel name it implements (see opcodes.h). */
#include "opcodes.h"

#include "kernels.h"

typedef struct {
  const char *name;
  int code;
} entry_t;

static const entry_t unary[] = {
    {"Exp", U_EXP},   {"Log", U_LOG},     {"Neg", U_NEG},          {"Sqrt", U_SQRT},        {"Square", U_SQUARE}, {"Relu", U_RELU},
    {"Step", U_STEP}, {"Abs", U_ABS},     {"Rsqrt", U_RSQRT},      {"Reciprocal", U_RECIPROCAL}, {"Sigmoid", U_SIGMOID}, {"Tanh", U_TANH},
};
static const entry_t binary[] = {
    {"Add", B_ADD}, {"Sub", B_SUB}, {"Multiply", B_MUL}, {"RealDiv", B_DIV}, {"Maximum", B_MAX}, {"Minimum", B_MIN}, {"SquaredDifference", B_SQDIFF},
    {"HardnegReluGrad", B_STEP_MUL},
};
static const entry_t reduce[] = {{"Sum", R_SUM}, {"Mean", R_MEAN}, {"Max", R_MAX}, {"Min", R_MIN}};
static const entry_t modes[] = {{"Full", M_FULL}, {"Row", M_ROW}, {"Col", M_COL}, {"Scalar", M_SCALAR}};

static bool table(napi_env env, napi_value parent, const char *key, const entry_t *entries, size_t n) {
  napi_value object, code;
  if (napi_create_object(env, &object) != napi_ok) return false;
  for (size_t i = 0; i < n; i++)
    if (napi_create_int32(env, entries[i].code, &code) != napi_ok || napi_set_named_property(env, object, entries[i].name, code) != napi_ok) return false;
  return napi_set_named_property(env, parent, key, object) == napi_ok;
}

#define TABLE(env, parent, entries) table((env), (parent), #entries, (entries), sizeof(entries) / sizeof((entries)[0]))

bool hn_define_opcodes(napi_env env, napi_value exports) {
  napi_value opcodes;
  return napi_create_object(env, &opcodes) == napi_ok && TABLE(env, opcodes, unary) && TABLE(env, opcodes, binary) && TABLE(env, opcodes, reduce) &&
         TABLE(env, opcodes, modes) && napi_set_named_property(env, exports, "opcodes", opcodes) == napi_ok;
}
