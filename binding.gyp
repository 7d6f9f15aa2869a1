{
  "targets": [
    {
      "target_name": "hardneg_native",
      "sources": ["native/binding.c", "native/kernels.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-fno-trapping-math", "-Wno-psabi"],
      "libraries": ["-lopenblas"]
    }
  ]
}
