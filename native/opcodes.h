/* The addon's operation codes by TensorFlow.js kernel name (opcodes.c), exported as `opcodes` so the JavaScript side never repeats the numbers of kernels.h. */
#ifndef HARDNEG_OPCODES_H
#define HARDNEG_OPCODES_H

#include <node_api.h>
#include <stdbool.h>

/* Adds `opcodes` = { unary, binary, reduce, modes }, each an object of name → code, to the exports; false on failure. */
bool hn_define_opcodes(napi_env env, napi_value exports);

#endif
