/* The part of <math.h> the host kernels use, for the freestanding wasm build (clang builtins: one wasm instruction each). */
#ifndef HARDNEG_WASM_MATH_H
#define HARDNEG_WASM_MATH_H
#define INFINITY __builtin_inff()
static inline double sqrt(double x) { return __builtin_sqrt(x); }
static inline double floor(double x) { return __builtin_floor(x); }
#endif
