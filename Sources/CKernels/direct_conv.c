// The direct channels-last convolution's inner loops (LeptonTensor's DirectConvKernels), in C so
// that they can be compiled for several CPUs and chosen at run time: Swift builds for the
// baseline x86-64 (SSE2), which has no FMA and too few registers for the accumulators. The
// loops are plain C; the compiler vectorises them for each target.
#include "kernel_paths.h"

int lepton_kernels_path_supported(int path) {
    switch (path) {
    case LEPTON_KERNELS_PORTABLE: return 1;
#if defined(__x86_64__)
    case LEPTON_KERNELS_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case LEPTON_KERNELS_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
    default: return 0;
    }
}

// Outputs `first..<channels` of one pixel (fewer than a block), one at a time.
static inline void tail(const float *c0, const int64_t *offsets, int64_t taps, const float *weights, int64_t channels,
                        const float *bias, float *o0, int relu, int64_t first) {
    for (int64_t j = first; j < channels; j++) {
        float a = bias ? bias[j] : 0.0f;
        for (int64_t t = 0; t < taps; t++) a += c0[offsets[t]] * weights[t * channels + j];
        o0[j] = relu && !(a > 0.0f) ? 0.0f : a;
    }
}

// One block of B outputs for one pixel (P = 1) or two (P = 2); the block's sums stay in registers.
#define DEFINE_BLOCK(NAME, ATTR, B, P)                                                                     \
    ATTR static inline void NAME(const float *c0, const float *c1, const int64_t *offsets, int64_t taps,  \
                                 const float *weights, int64_t channels, const float *bias, float *o0,    \
                                 float *o1, int relu) {                                                    \
        float a[B], b[B];                                                                                  \
        for (int q = 0; q < B; q++) { a[q] = bias ? bias[q] : 0.0f; b[q] = a[q]; }                        \
        const float *row = weights;                                                                        \
        for (int64_t t = 0; t < taps; t++) {                                                               \
            const float s = c0[offsets[t]];                                                                \
            const float r = P == 2 ? c1[offsets[t]] : 0.0f;                                                \
            for (int q = 0; q < B; q++) {                                                                  \
                a[q] += s * row[q];                                                                        \
                if (P == 2) b[q] += r * row[q];                                                            \
            }                                                                                              \
            row += channels;                                                                               \
        }                                                                                                  \
        for (int q = 0; q < B; q++) o0[q] = relu && !(a[q] > 0.0f) ? 0.0f : a[q];                          \
        if (P == 2)                                                                                        \
            for (int q = 0; q < B; q++) o1[q] = relu && !(b[q] > 0.0f) ? 0.0f : b[q];                      \
    }

#define DEFINE_RUN(SUFFIX, ATTR)                                                                           \
    DEFINE_BLOCK(pair32_##SUFFIX, ATTR, 32, 2)                                                             \
    DEFINE_BLOCK(pair16_##SUFFIX, ATTR, 16, 2)                                                             \
    DEFINE_BLOCK(pair8_##SUFFIX, ATTR, 8, 2)                                                               \
    DEFINE_BLOCK(one32_##SUFFIX, ATTR, 32, 1)                                                              \
    DEFINE_BLOCK(one8_##SUFFIX, ATTR, 8, 1)                                                                \
    ATTR static void run_##SUFFIX(const float *corner, int64_t step, int64_t count, const int64_t *offsets, \
                                  int64_t taps, const float *weights, int64_t channels, const float *bias, \
                                  float *out, int64_t out_step, int relu) {                                \
        int64_t p = 0;                                                                                     \
        for (; p + 2 <= count; p += 2) {                                                                   \
            const float *c0 = corner + p * step, *c1 = c0 + step;                                          \
            float *o0 = out + p * out_step, *o1 = o0 + out_step;                                           \
            int64_t j = 0;                                                                                 \
            for (; j + 32 <= channels; j += 32)                                                            \
                pair32_##SUFFIX(c0, c1, offsets, taps, weights + j, channels, bias ? bias + j : 0,         \
                                o0 + j, o1 + j, relu);                                                     \
            for (; j + 16 <= channels; j += 16)                                                            \
                pair16_##SUFFIX(c0, c1, offsets, taps, weights + j, channels, bias ? bias + j : 0,         \
                                o0 + j, o1 + j, relu);                                                     \
            for (; j + 8 <= channels; j += 8)                                                              \
                pair8_##SUFFIX(c0, c1, offsets, taps, weights + j, channels, bias ? bias + j : 0,          \
                               o0 + j, o1 + j, relu);                                                      \
            tail(c0, offsets, taps, weights, channels, bias, o0, relu, j);                                 \
            tail(c1, offsets, taps, weights, channels, bias, o1, relu, j);                                 \
        }                                                                                                  \
        if (p < count) {                                                                                   \
            const float *c0 = corner + p * step;                                                           \
            float *o0 = out + p * out_step;                                                                \
            int64_t j = 0;                                                                                 \
            for (; j + 32 <= channels; j += 32)                                                            \
                one32_##SUFFIX(c0, c0, offsets, taps, weights + j, channels, bias ? bias + j : 0,          \
                               o0 + j, o0 + j, relu);                                                      \
            for (; j + 8 <= channels; j += 8)                                                              \
                one8_##SUFFIX(c0, c0, offsets, taps, weights + j, channels, bias ? bias + j : 0,           \
                              o0 + j, o0 + j, relu);                                                       \
            tail(c0, offsets, taps, weights, channels, bias, o0, relu, j);                                 \
        }                                                                                                  \
    }

LEPTON_DEFINE_PATHS(DEFINE_RUN)

void lepton_direct_conv_run(int path, const float *corner, int64_t step, int64_t count, const int64_t *offsets,
                            int64_t taps, const float *weights, int64_t channels, const float *bias,
                            float *out, int64_t out_step, int relu) {
    LEPTON_DISPATCH(path, run, corner, step, count, offsets, taps, weights, channels, bias, out, out_step, relu);
}
