// One C kernel built for every KernelPath and the build chosen at run time: the same source
// compiled as portable code, for AVX2 + FMA and for AVX-512 (x86-64 only).
#ifndef LEPTON_KERNEL_PATHS_H
#define LEPTON_KERNEL_PATHS_H

#include "ckernels.h"

#if defined(__x86_64__)
// Expands DEFINE(SUFFIX, ATTR) once per build: portable, avx2, avx512.
#define LEPTON_DEFINE_PATHS(DEFINE)                                                                \
    DEFINE(portable, )                                                                             \
    DEFINE(avx2, __attribute__((target("avx2,fma"))))                                              \
    DEFINE(avx512, __attribute__((target("avx512f,fma"))))
// Calls NAME##_avx512, NAME##_avx2 or NAME##_portable (void functions) as `path` says.
#define LEPTON_DISPATCH(path, NAME, ...)                                                           \
    ((path) == LEPTON_KERNELS_AVX512 ? NAME##_avx512(__VA_ARGS__)                                  \
     : (path) == LEPTON_KERNELS_AVX2 ? NAME##_avx2(__VA_ARGS__)                                    \
                                     : NAME##_portable(__VA_ARGS__))
#else
#define LEPTON_DEFINE_PATHS(DEFINE) DEFINE(portable, )
#define LEPTON_DISPATCH(path, NAME, ...) ((void)(path), NAME##_portable(__VA_ARGS__))
#endif

#endif
