// The row work of fused attention between its GEMMs (LeptonTensor's AttentionKernels): the
// masked softmax of each query's scores, and its gradient. In C so that it vectorises and can be
// compiled for several CPUs; the Swift loops it replaced ran at about 4 ns per score. Sums and
// maxima are taken over 16 fixed lanes and contraction into fused multiply-adds is off, so every
// build gives the same bits.
#include "kernel_paths.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#include "exp_cephes.h"

#define LANES 16

static inline float lane_sum(const float *lanes) {
    float s = 0.0f;
    for (int l = 0; l < LANES; l++) s += lanes[l];
    return s;
}

#define DEFINE_ATTENTION_ROWS(SUFFIX, ATTR)                                                                   \
    ATTR static float row_max_##SUFFIX(const float *restrict s, int64_t n) {                                 \
        float lanes[LANES];                                                                                   \
        for (int l = 0; l < LANES; l++) lanes[l] = -INFINITY;                                                 \
        int64_t j = 0;                                                                                        \
        for (; j + LANES <= n; j += LANES)                                                                    \
            for (int l = 0; l < LANES; l++) lanes[l] = s[j + l] > lanes[l] ? s[j + l] : lanes[l];             \
        float m = -INFINITY;                                                                                  \
        for (int l = 0; l < LANES; l++) m = lanes[l] > m ? lanes[l] : m;                                      \
        for (; j < n; j++) m = s[j] > m ? s[j] : m;                                                           \
        return m;                                                                                             \
    }                                                                                                         \
    ATTR static float row_sum_##SUFFIX(const float *restrict s, int64_t n) {                                 \
        float lanes[LANES] = {0};                                                                             \
        int64_t j = 0;                                                                                        \
        for (; j + LANES <= n; j += LANES)                                                                    \
            for (int l = 0; l < LANES; l++) lanes[l] += s[j + l];                                             \
        float total = lane_sum(lanes);                                                                        \
        for (; j < n; j++) total += s[j];                                                                     \
        return total;                                                                                         \
    }                                                                                                         \
    ATTR static float row_dot_##SUFFIX(const float *restrict a, const float *restrict b, int64_t n) {         \
        float lanes[LANES] = {0};                                                                             \
        int64_t j = 0;                                                                                        \
        for (; j + LANES <= n; j += LANES)                                                                    \
            for (int l = 0; l < LANES; l++) lanes[l] += a[j + l] * b[j + l];                                  \
        float total = lane_sum(lanes);                                                                        \
        for (; j < n; j++) total += a[j] * b[j];                                                              \
        return total;                                                                                         \
    }                                                                                                         \
    ATTR static void softmax_##SUFFIX(float *restrict s, int64_t rows, int64_t n, const float *keep,         \
                                      int64_t keep_row_stride, int64_t keep_stride) {                         \
        for (int64_t r = 0; r < rows; r++, s += n) {                                                          \
            const float *k = keep ? keep + r * keep_row_stride : 0;                                           \
            float m = -INFINITY;                                                                              \
            if (k) {                                                                                          \
                for (int64_t j = 0; j < n; j++)                                                               \
                    if (k[j * keep_stride] != 0.0f && s[j] > m) m = s[j];                                     \
                if (m == -INFINITY) {                                                                         \
                    memset(s, 0, (size_t)n * sizeof(float));                                                  \
                    continue;                                                                                 \
                }                                                                                             \
            } else {                                                                                          \
                m = row_max_##SUFFIX(s, n);                                                                   \
            }                                                                                                 \
            for (int64_t j = 0; j < n; j++) s[j] = exp_cephes(s[j] - m);                                      \
            if (k)                                                                                            \
                for (int64_t j = 0; j < n; j++)                                                               \
                    if (k[j * keep_stride] == 0.0f) s[j] = 0.0f;                                              \
            float inverse = 1.0f / row_sum_##SUFFIX(s, n);                                                    \
            for (int64_t j = 0; j < n; j++) s[j] *= inverse;                                                  \
        }                                                                                                     \
    }                                                                                                         \
    ATTR static void softmax_backward_##SUFFIX(const float *restrict w, float *restrict d, int64_t rows,      \
                                               int64_t n) {                                                   \
        for (int64_t r = 0; r < rows; r++, w += n, d += n) {                                                  \
            float s = row_dot_##SUFFIX(w, d, n);                                                              \
            for (int64_t j = 0; j < n; j++) d[j] = w[j] * (d[j] - s);                                         \
        }                                                                                                     \
    }

LEPTON_DEFINE_PATHS(DEFINE_ATTENTION_ROWS)

void lepton_attention_softmax(int path, float *s, int64_t rows, int64_t n, const float *keep,
                              int64_t keep_row_stride, int64_t keep_stride) {
    LEPTON_DISPATCH(path, softmax, s, rows, n, keep, keep_row_stride, keep_stride);
}

void lepton_attention_softmax_backward(int path, const float *w, float *d, int64_t rows, int64_t n) {
    LEPTON_DISPATCH(path, softmax_backward, w, d, rows, n);
}
