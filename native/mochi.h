/* MoCHi's fused host kernels (mochi.c): adds rngInts, rngUniform, mochiMix and mochiScatterAdd to the addon's exports. */
#ifndef HARDNEG_MOCHI_H
#define HARDNEG_MOCHI_H

#include <node_api.h>
#include <stdbool.h>

/* Adds mochi.c's functions to the addon's exports; false on failure. */
bool hn_define_mochi_bindings(napi_env env, napi_value exports);

#endif
