// The recurrent cells' logistic sigmoid and hyperbolic tangent (LeptonTensor's RecurrentMath), in
// C so that they can be compiled for several CPUs: the same Cephes exponential as the Swift code
// (round-to-nearest range reduction, a degree-5 polynomial), vectorised by the compiler.
#include "ckernels.h"

#include "exp_cephes.h"

#include <stdint.h>

#define DEFINE_ACTIVATIONS(SUFFIX, ATTR)                                                          \
    ATTR static void sigmoid_##SUFFIX(float *p, int64_t n) {                                      \
        for (int64_t i = 0; i < n; i++) p[i] = 1.0f / (1.0f + exp_cephes(-p[i]));                 \
    }                                                                                             \
    ATTR static void tanh_##SUFFIX(float *p, int64_t n) {                                         \
        for (int64_t i = 0; i < n; i++) p[i] = 1.0f - 2.0f / (exp_cephes(2.0f * p[i]) + 1.0f);    \
    }

DEFINE_ACTIVATIONS(portable, )
#if defined(__x86_64__)
DEFINE_ACTIVATIONS(avx2, __attribute__((target("avx2,fma"))))
DEFINE_ACTIVATIONS(avx512, __attribute__((target("avx512f,fma"))))
#endif

void lepton_sigmoid(int path, float *p, int64_t n) {
#if defined(__x86_64__)
    if (path == LEPTON_KERNELS_AVX512) { sigmoid_avx512(p, n); return; }
    if (path == LEPTON_KERNELS_AVX2) { sigmoid_avx2(p, n); return; }
#endif
    sigmoid_portable(p, n);
}

void lepton_tanh(int path, float *p, int64_t n) {
#if defined(__x86_64__)
    if (path == LEPTON_KERNELS_AVX512) { tanh_avx512(p, n); return; }
    if (path == LEPTON_KERNELS_AVX2) { tanh_avx2(p, n); return; }
#endif
    tanh_portable(p, n);
}
