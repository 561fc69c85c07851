// The recurrent cells' logistic sigmoid and hyperbolic tangent (LeptonTensor's RecurrentMath), in
// C so that they can be compiled for several CPUs: the same Cephes exponential as the Swift code
// (round-to-nearest range reduction, a degree-5 polynomial), vectorised by the compiler.
#include "ckernels.h"

#include <stdint.h>
#include <string.h>

static inline float exp_cephes(float v) {
    float x0 = v < -87.3f ? -87.3f : (v > 88.3f ? 88.3f : v);
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    float shifted = x0 * 1.44269504088896341f + magic;
    float fx = shifted - magic;
    int32_t bits_shifted, bits_magic;
    memcpy(&bits_shifted, &shifted, 4);
    memcpy(&bits_magic, &magic, 4);
    int32_t n = bits_shifted - bits_magic;
    float x = x0 - fx * 0.693359375f;
    x = x + fx * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * x + 1.3981999507e-3f;
    p = p * x + 8.3334519073e-3f;
    p = p * x + 4.1665795894e-2f;
    p = p * x + 1.6666665459e-1f;
    p = p * x + 5.0000001201e-1f;
    float y = p * (x * x) + x + 1.0f;
    uint32_t scale_bits = (uint32_t)(n + 127) << 23;
    float scale;
    memcpy(&scale, &scale_bits, 4);
    return y * scale;
}

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
