/*
 * What the host kernels need from a C library and from pool.h, for the freestanding wasm build:
 * memory from a bump allocator over the module's own linear memory (grown on demand; `free` is
 * a no-op and JavaScript resets the allocator before each call, see exports.c), memset and
 * memcpy (bulk-memory instructions), and a pool of one thread.
 */
#include <stddef.h>
#include <stdint.h>

#include "../pool.h"

extern unsigned char __heap_base;
static uintptr_t next_free = 0;

/* Forgets every allocation: the next malloc starts at the heap's base again. */
void hn_wasm_reset(void) { next_free = (uintptr_t)&__heap_base; }

void *malloc(size_t size) {
  if (next_free == 0) hn_wasm_reset();
  const uintptr_t at = (next_free + 15) & ~(uintptr_t)15, end = at + size;
  const uintptr_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return NULL;
  next_free = end;
  return (void *)at;
}

void free(void *p) { (void)p; }

void *memset(void *dst, int value, size_t n) {
  __builtin_memset(dst, value, n);
  return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}

void hn_parallel(int64_t n, int64_t grain, hn_range_fn fn, void *ctx) {
  (void)grain;
  if (n > 0) fn(ctx, 0, n);
}
