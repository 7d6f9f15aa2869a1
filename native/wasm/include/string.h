/* The part of <string.h> the host kernels use, for the freestanding wasm build (runtime.c). */
#ifndef HARDNEG_WASM_STRING_H
#define HARDNEG_WASM_STRING_H
#include <stddef.h>
void *memset(void *dst, int value, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
#endif
