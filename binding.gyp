{
  "targets": [
    {
      "target_name": "hardneg_native",
      "sources": ["native/binding.c", "native/kernels.c", "native/updates.c", "native/patches.c", "native/pool.c", "native/selection.c", "native/augment.c", "native/strided.c", "native/pooling.c", "native/batchNorm.c", "native/layerBindings.c", "native/mochi.c", "native/mochiMix.c", "native/convolution.c", "native/opcodes.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-fno-trapping-math", "-Wno-psabi", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-lopenblas"]
    }
  ]
}
