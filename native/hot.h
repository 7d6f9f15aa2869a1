/* Compilation helpers shared by hardneg's native loops. */
#ifndef HARDNEG_HOT_H
#define HARDNEG_HOT_H

/* Hot loops are compiled for AVX2+FMA machines and for any x86-64; the loader picks one. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define HOT
#endif

/* Elements per parallel range (pool.h): below ~64 K a loop is faster than waking a thread. */
#define GRAIN 65536

#endif
