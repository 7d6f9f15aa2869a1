/*
 * A small fork-join pool for hardneg's element-wise loops: `hn_parallel(n, grain, fn, ctx)`
 * splits [0, n) into one contiguous range per thread (fewer when n < 2·grain per thread) and runs
 * `fn(ctx, begin, end)` on each, the caller taking the first range. Workers sleep on a condition
 * variable between calls (no spinning, so they never compete with OpenBLAS's threads). Calls
 * come from one thread (Node's main thread), one at a time.
 */
#ifndef HARDNEG_POOL_H
#define HARDNEG_POOL_H

#include <stdint.h>

typedef void (*hn_range_fn)(void *ctx, int64_t begin, int64_t end);

/* Threads the loops may use (>= 1); 0 on success, -1 if a worker could not be started. */
int hn_set_threads(int n);
int hn_threads(void);
void hn_parallel(int64_t n, int64_t grain, hn_range_fn fn, void *ctx);

#endif
