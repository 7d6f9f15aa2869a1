/* The part of <stdlib.h> the host kernels use, for the freestanding wasm build (runtime.c). */
#ifndef HARDNEG_WASM_STDLIB_H
#define HARDNEG_WASM_STDLIB_H
#include <stddef.h>
void *malloc(size_t size);
void free(void *p);
#endif
